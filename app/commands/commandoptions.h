#pragma once

// What every verb of `ntt` shares: where output goes, how usage errors and failures are reported, the
// common options (--db, --study, the analysis filters) and their parsing.

#include "analysis/analysis.h"
#include "cancel.h"
#include "result.h"
#include "studydatabase.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QMap>
#include <QTextStream>

#include <memory>

namespace ntt::cli {

/// Standard output (machine-readable results) and standard error (messages, progress).
QTextStream& out();
QTextStream& err();
/// Prints "ntt: <message>" on stderr; returns exit code 1.
int fail(const QString& message);
/// Prints the message and the verb's help on stderr; returns exit code 2.
int usage(const QCommandLineParser& parser, const QString& message);
/// Progress on stderr, at most every 5 %.
ProgressFn progressPrinter();
/// --db <file> and --study <name or id>.
QCommandLineOption dbOption();
QCommandLineOption studyOption();
/// Parses `args` (the verb's own arguments, program name first); false with `exitCode` set on a
/// usage error or after printing --help.
bool parse(QCommandLineParser& parser, const QStringList& args, int& exitCode);
/// The study file of --db; the error says --db is required when it is missing.
Result<std::unique_ptr<StudyDatabase>> openDb(const QCommandLineParser& parser, StudyDatabase::OpenMode mode);
/// A registered model by id or name.
/// An existing study file (--db) and one of its studies (--study: name or id; the only one when not given).
struct OpenedStudy
{
    std::unique_ptr<StudyDatabase> db;
    StoredStudy study;
};
Result<OpenedStudy> openStudy(const QCommandLineParser& parser);

Result<StoredModel> findModel(const StudyDatabase& db, const QString& selector);
/// Reads --flag as a number in [low, high]; the error names the flag and its text.
Result<double> numberOption(const QCommandLineParser& p, const char* flag, double low, double high);
/// Parses "name=share,name=share" (shares in 0..1); the error names the flag and the bad item.
Result<QMap<QString, double>> shareList(const QString& text, const QString& flag);
/// Which answers the analyses count: the flags shared by export and browse, and their values.
void addAnalysisOptions(QCommandLineParser& p);
Result<AnalysisOptions> analysisOptionsFrom(const QCommandLineParser& p);

} // namespace ntt::cli

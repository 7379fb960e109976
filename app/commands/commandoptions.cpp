#include "commands/commandoptions.h"

#include "studyfile.h"

#include <memory>

namespace ntt::cli {

QTextStream& out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString& message)
{
    err() << "ntt: " << message << Qt::endl;
    return 1;
}

int usage(const QCommandLineParser& parser, const QString& message)
{
    err() << "ntt: " << message << "\n\n" << parser.helpText() << Qt::flush;
    return 2;
}

// Progress on stderr, at most every 5 %, so logs stay short and stdout stays machine-readable.
ProgressFn progressPrinter()
{
    auto last = std::make_shared<int>(-1);
    return [last](qint64 done, qint64 total, const QString& what) {
        if (total <= 0)
            return;
        const int percent = static_cast<int>(100 * done / total);
        if (percent / 5 != *last / 5 || done == total) {
            *last = percent;
            err() << QStringLiteral("  %1 %2 % (%3/%4)\n").arg(what).arg(percent, 3).arg(done).arg(total) << Qt::flush;
        }
    };
}

QCommandLineOption dbOption()
{
    return { QStringLiteral("db"), QStringLiteral("The study file (SQLite)."), QStringLiteral("file") };
}

QCommandLineOption studyOption()
{
    return { QStringLiteral("study"), QStringLiteral("Study name or id (default: the only study in the file)."),
        QStringLiteral("study") };
}

// Parses `args` (the sub-command's own arguments, program name first) or reports a usage error.
bool parse(QCommandLineParser& parser, const QStringList& args, int& exitCode)
{
    parser.addHelpOption();
    if (!parser.parse(args)) {
        exitCode = usage(parser, parser.errorText());
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText() << Qt::flush;
        exitCode = 0;
        return false;
    }
    return true;
}

Result<std::unique_ptr<StudyDatabase>> openDb(const QCommandLineParser& parser, StudyDatabase::OpenMode mode)
{
    const QString path = parser.value(QStringLiteral("db"));
    if (path.isEmpty())
        return Error { QStringLiteral("--db <file> is required") };
    auto db = StudyDatabase::open(path, mode);
    if (db && db.value()->isReadOnly())
        err() << "note: " << path
              << " is opened read-only (the file or its folder cannot be written): analysis and export only\n"
              << Qt::flush;
    return db;
}

Result<OpenedStudy> openStudy(const QCommandLineParser& parser)
{
    auto db = openDb(parser, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return Error { db.error() };
    auto study = findStudy(*db.value(), parser.value(QStringLiteral("study")));
    if (!study)
        return Error { study.error() };
    return OpenedStudy { std::move(db).value(), std::move(study).value() };
}

/// A registered model by id or name.
Result<StoredModel> findModel(const StudyDatabase& db, const QString& selector)
{
    if (selector.isEmpty())
        return Error { QStringLiteral("--model <name or id> is required") };
    bool isId = false;
    const qint64 id = selector.toLongLong(&isId);
    return isId ? db.model(id) : db.modelByName(selector);
}

/// Reads --flag as a number in [low, high]; the error names the flag and its text.
Result<double> numberOption(const QCommandLineParser& p, const char* flag, double low, double high)
{
    const QString text = p.value(QLatin1String(flag));
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !(v >= low && v <= high))
        return Error { QStringLiteral("--%1 \"%2\" must be a number from %3 to %4")
                           .arg(QLatin1String(flag), text)
                           .arg(low)
                           .arg(high) };
    return v;
}

/// Parses "name=share,name=share" (shares in 0..1); the error names the flag and the bad item.
Result<QMap<QString, double>> shareList(const QString& text, const QString& flag)
{
    QMap<QString, double> map;
    for (const QString& item : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype eq = item.indexOf(QLatin1Char('='));
        bool ok = false;
        const double v = eq > 0 ? item.mid(eq + 1).trimmed().toDouble(&ok) : 0.0;
        if (!ok || !(v >= 0.0 && v <= 1.0))
            return Error { QStringLiteral("--%1: \"%2\" is not name=share with a share from 0 to 1").arg(flag, item) };
        map.insert(item.left(eq).trimmed(), v);
    }
    return map;
}

/// Which answers the analyses count: the flags shared by export and browse.
void addAnalysisOptions(QCommandLineParser& p)
{
    p.addOption({ QStringLiteral("include-simulated"), QStringLiteral("Count simulated sessions in summaries.") });
    p.addOption({ QStringLiteral("include-practice"), QStringLiteral("Count practice trials in summaries.") });
    p.addOption({ QStringLiteral("include-catch"), QStringLiteral("Count catch trials in summaries.") });
    p.addOption({ QStringLiteral("catch-threshold"),
        QStringLiteral("Exclude participants with fewer catch trials right than this share (0..1; default 0 = off)."),
        QStringLiteral("share"), QStringLiteral("0") });
}

Result<AnalysisOptions> analysisOptionsFrom(const QCommandLineParser& p)
{
    AnalysisOptions options;
    options.filter.includeSimulated = p.isSet(QStringLiteral("include-simulated"));
    options.filter.includePractice = p.isSet(QStringLiteral("include-practice"));
    options.filter.includeCatch = p.isSet(QStringLiteral("include-catch"));
    const auto threshold = numberOption(p, "catch-threshold", 0, 1);
    if (!threshold)
        return Error { threshold.error() };
    options.catchExclusionBelow = threshold.value();
    return options;
}

} // namespace ntt::cli

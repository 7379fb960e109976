#include "commandline.h"

#include "camrun.h"
#include "csvwriter.h"
#include "npy.h"
#include "shortcutaudit.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>

#include <cstdio>
#include <functional>
#include <map>

namespace ntt {

namespace {

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
    return StudyDatabase::open(path, mode);
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

int cmdDemo(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Create the synthetic demo: pool files, study file and a ready study."));
    p.addOption({ QStringLiteral("out"), QStringLiteral("Folder to create the demo in."), QStringLiteral("dir") });
    int code = 0;
    if (!parse(p, args, code))
        return code;
    if (!p.isSet(QStringLiteral("out")))
        return usage(p, QStringLiteral("--out <dir> is required"));
    CancelToken cancel;
    const auto demo = ensureDemoStudy(p.value(QStringLiteral("out")), cancel, progressPrinter());
    if (!demo)
        return fail(demo.error());
    out() << (demo->created ? "created " : "already there: ") << demo->databasePath << " (SYNTHETIC demo study, id "
          << demo->studyId << ")" << Qt::endl;
    return 0;
}

int cmdImport(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Import images into the study file's pool from a folder tree <root>/<source>/[<category>/]<file>, a CSV "
        "manifest (path,source,category,pair_key,split), or the CIFAKE or GenImage layouts."));
    p.addOption(dbOption());
    p.addOption({ QStringLiteral("layout"), QStringLiteral("auto (default), tree, manifest, cifake or genimage."),
        QStringLiteral("layout"), QStringLiteral("auto") });
    p.addOption({ QStringLiteral("real-source"),
        QStringLiteral("Which source is real (default: one named real, human or nature)."), QStringLiteral("name") });
    p.addPositionalArgument(QStringLiteral("location"), QStringLiteral("Folder or manifest .csv to import."));
    int code = 0;
    if (!parse(p, args, code))
        return code;
    if (p.positionalArguments().size() != 1)
        return usage(p, QStringLiteral("give exactly one folder or manifest to import"));
    const auto layout = poolLayoutFromName(p.value(QStringLiteral("layout")));
    if (!layout)
        return usage(p, QStringLiteral("unknown layout \"%1\"").arg(p.value(QStringLiteral("layout"))));
    auto db = openDb(p, StudyDatabase::OpenMode::CreateIfMissing);
    if (!db)
        return fail(db.error());
    ImportOptions options;
    options.location = p.positionalArguments().constFirst();
    options.layout = *layout;
    options.realSource = p.value(QStringLiteral("real-source"));
    CancelToken cancel;
    const auto outcome = importPool(*db.value(), options, cancel, progressPrinter());
    if (!outcome)
        return fail(outcome.error());
    out() << formatImportReport(outcome->report);
    out() << QStringLiteral("stored in %1: %2 new image(s), %3 already in the pool\n\n")
                 .arg(db.value()->path())
                 .arg(outcome->stored.added)
                 .arg(outcome->stored.alreadyPresent);
    out() << formatShortcutAudit(outcome->audit) << Qt::flush;
    return 0;
}

int cmdAudit(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Shortcut audit: file properties that separate real from generated."));
    p.addOption(dbOption());
    int code = 0;
    if (!parse(p, args, code))
        return code;
    auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return fail(db.error());
    const auto audit = auditStoredPool(*db.value());
    if (!audit)
        return fail(audit.error());
    out() << formatShortcutAudit(audit.value()) << Qt::flush;
    return 0;
}

int cmdStudy(const QStringList& args)
{
    const QString action = args.size() > 1 ? args.at(1) : QString();
    QStringList rest = args.mid(1);
    QCommandLineParser p;
    p.addOption(dbOption());
    if (action == QLatin1String("create")) {
        p.setApplicationDescription(QStringLiteral("Create a study from a JSON definition."));
        p.addPositionalArgument(QStringLiteral("definition"), QStringLiteral("Study definition (.json)."));
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        if (p.positionalArguments().size() != 1)
            return usage(p, QStringLiteral("give one study definition file"));
        const QString file = p.positionalArguments().constFirst();
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("%1: cannot read: %2").arg(file, f.errorString()));
        const auto definition = parseStudyDefinition(f.readAll(), file);
        if (!definition)
            return fail(definition.error());
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        CancelToken cancel;
        const auto created = createStudy(*db.value(), definition.value(), cancel, progressPrinter());
        if (!created)
            return fail(created.error());
        out() << QStringLiteral("created study \"%1\" (id %2)\n")
                     .arg(created->study.definition.name)
                     .arg(created->study.id);
        for (const QString& w : created->warnings)
            out() << "warning: " << w << "\n";
        out() << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("list")) {
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto studies = db.value()->studies();
        if (!studies)
            return fail(studies.error());
        for (const StoredStudy& s : studies.value()) {
            const StudyDefinition& d = s.definition;
            out() << QStringLiteral("%1\t%2\t%3, %4 way(s), %5 trials + %6 practice + %7 catch per participant\n")
                         .arg(s.id)
                         .arg(d.name, trialTypeName(d.trialType))
                         .arg(d.ways)
                         .arg(d.trialsPerParticipant)
                         .arg(d.practiceTrials)
                         .arg(d.catchTrials);
        }
        out() << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("show")) {
        p.addOption(studyOption());
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
        if (!study)
            return fail(study.error());
        out() << studyDefinitionToJson(study->definition) << Qt::flush;
        return 0;
    }
    err() << "usage: ntt study create|list|show --db <file> ...\n";
    return 2;
}

int cmdSession(const QStringList& args)
{
    const QString action = args.size() > 1 ? args.at(1) : QString();
    QStringList rest = args.mid(1);
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption(studyOption());
    if (action == QLatin1String("list")) {
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
        if (!study)
            return fail(study.error());
        const auto sessions = db.value()->sessions(study->id);
        if (!sessions)
            return fail(sessions.error());
        out() << "id\tparticipant\tstate\tanswered\tstation\tsimulated\tstarted_utc\n";
        for (const SessionInfo& s : sessions.value()) {
            out() << QStringLiteral("%1\t%2\t%3\t%4/%5\t%6\t%7\t%8\n")
                         .arg(s.id)
                         .arg(s.participantCode, sessionStateName(s.state))
                         .arg(s.answeredCount)
                         .arg(s.trialCount)
                         .arg(s.station)
                         .arg(s.simulated ? 1 : 0)
                         .arg(s.startedUtc.toString(Qt::ISODate));
        }
        out() << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("simulate")) {
        p.setApplicationDescription(QStringLiteral(
            "Run scripted participants through the study (flagged simulated; left out of analyses by default). "
            "Each answer is committed before the next trial, as in the participant window."));
        p.addOption({ QStringLiteral("participants"), QStringLiteral("How many (default 1)."), QStringLiteral("n"),
            QStringLiteral("1") });
        p.addOption({ QStringLiteral("accuracy"), QStringLiteral("Probability of a correct answer (default 0.7)."),
            QStringLiteral("p"), QStringLiteral("0.7") });
        p.addOption({ QStringLiteral("seed"), QStringLiteral("Seed of the scripted answers."), QStringLiteral("n"),
            QStringLiteral("1") });
        p.addOption({ QStringLiteral("accuracy-by-source"),
            QStringLiteral("Accuracy on trials testing these generators, e.g. sdxl=0.55,dalle3=0.8."),
            QStringLiteral("list") });
        p.addOption({ QStringLiteral("accuracy-by-category"),
            QStringLiteral("Accuracy on trials of these categories, e.g. faces=0.5,animals=0.8 (overrides by-source)."),
            QStringLiteral("list") });
        p.addOption({ QStringLiteral("lapse"), QStringLiteral("Probability of a random answer (default 0)."),
            QStringLiteral("p"), QStringLiteral("0") });
        p.addOption({ QStringLiteral("rt-median"), QStringLiteral("Median response time in ms (default 1500)."),
            QStringLiteral("ms"), QStringLiteral("1500") });
        p.addOption({ QStringLiteral("rt-sigma"),
            QStringLiteral("Log-normal response-time spread (natural-log units, e.g. 0.4; default 0: uniform "
                           "0.5-1.5 x median)."),
            QStringLiteral("s"), QStringLiteral("0") });
        p.addOption({ QStringLiteral("code"), QStringLiteral("Participant code (default: generated)."),
            QStringLiteral("code") });
        p.addOption({ QStringLiteral("station"), QStringLiteral("Station name."), QStringLiteral("name"),
            QStringLiteral("script") });
        p.addOption({ QStringLiteral("stop-after"), QStringLiteral("Answer this many trials, then leave it open."),
            QStringLiteral("n"), QStringLiteral("-1") });
        p.addOption({ QStringLiteral("delay-ms"), QStringLiteral("Pause after each committed answer."),
            QStringLiteral("ms"), QStringLiteral("0") });
        p.addOption({ QStringLiteral("resume"), QStringLiteral("Resume this unfinished session instead."),
            QStringLiteral("session") });
        p.addOption(
            { QStringLiteral("print-commits"), QStringLiteral("Print 'committed <trial>' after each answer.") });
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        ScriptedParticipant script;
        bool ok = true;
        script.accuracy = p.value(QStringLiteral("accuracy")).toDouble(&ok);
        if (!ok)
            return usage(p, QStringLiteral("--accuracy must be a number"));
        script.seed = p.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok)
            return usage(p, QStringLiteral("--seed must be a whole number"));
        for (const auto& [flag, map] : { std::pair { "accuracy-by-source", &script.accuracyBySource },
                 std::pair { "accuracy-by-category", &script.accuracyByCategory } }) {
            const auto parsed = shareList(p.value(QLatin1String(flag)), QLatin1String(flag));
            if (!parsed)
                return usage(p, parsed.error());
            *map = parsed.value();
        }
        const auto lapse = numberOption(p, "lapse", 0, 1);
        const auto rtMedian = numberOption(p, "rt-median", 1, 600000);
        const auto rtSigma = numberOption(p, "rt-sigma", 0, 5);
        for (const auto* r : { &lapse, &rtMedian, &rtSigma }) {
            if (!*r)
                return usage(p, r->error());
        }
        script.lapseRate = lapse.value();
        script.meanRtMs = rtMedian.value();
        script.rtSigma = rtSigma.value();
        script.stopAfter = p.value(QStringLiteral("stop-after")).toInt(&ok);
        if (!ok)
            return usage(p, QStringLiteral("--stop-after must be a whole number"));
        script.delayMs = p.value(QStringLiteral("delay-ms")).toInt(&ok);
        if (!ok || script.delayMs < 0)
            return usage(p, QStringLiteral("--delay-ms must be a whole number >= 0"));
        const int participants = p.value(QStringLiteral("participants")).toInt(&ok);
        if (!ok || participants < 1)
            return usage(p, QStringLiteral("--participants must be at least 1"));
        const bool printCommits = p.isSet(QStringLiteral("print-commits"));
        auto onCommitted = [printCommits](int trialIndex) {
            if (printCommits)
                out() << "committed " << trialIndex << Qt::endl;
        };

        std::vector<SessionPlan> plans;
        if (p.isSet(QStringLiteral("resume"))) {
            auto plan = loadSession(*db.value(), p.value(QStringLiteral("resume")).toLongLong());
            if (!plan)
                return fail(plan.error());
            if (plan->session.state != SessionState::Open)
                return fail(QStringLiteral("session %1 is %2, not open")
                                .arg(plan->session.id)
                                .arg(sessionStateName(plan->session.state)));
            plans.push_back(std::move(plan).value());
        } else {
            const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
            if (!study)
                return fail(study.error());
            for (int i = 0; i < participants; ++i) {
                const QString code = participants == 1 ? p.value(QStringLiteral("code")) : QString();
                auto plan = startSession(*db.value(), study->id, code, p.value(QStringLiteral("station")), true);
                if (!plan)
                    return fail(plan.error());
                plans.push_back(std::move(plan).value());
            }
        }
        for (SessionPlan& plan : plans) {
            out()
                << QStringLiteral("session %1 participant %2\n").arg(plan.session.id).arg(plan.session.participantCode)
                << Qt::flush;
            const auto run = runScriptedParticipant(*db.value(), plan, script, onCommitted);
            if (!run)
                return fail(run.error());
            out() << QStringLiteral("session %1: %2 answer(s) committed, %3\n")
                         .arg(run->sessionId)
                         .arg(run->answered)
                         .arg(run->finished ? QStringLiteral("finished") : QStringLiteral("left open"))
                  << Qt::flush;
        }
        // Models that answered the study answer the new trials too, from their stored predictions.
        if (!plans.empty()) {
            const auto answered = answerNewTrials(*db.value(), plans.front().study.id);
            if (!answered)
                return fail(answered.error());
            if (answered.value() > 0)
                out() << QStringLiteral("model answers brought up to date: %1\n").arg(answered.value()) << Qt::flush;
        }
        return 0;
    }
    err() << "usage: ntt session list|simulate --db <file> ...\n";
    return 2;
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

int cmdExport(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Export for the paper. --what responses (one row per response), model-answers (one row per model and trial, "
        "the responses' columns with the agent column naming the model), predictions (one row per model and image), "
        "categories / sources (accuracy per category or generator and agent, with Wilson and bootstrap intervals and "
        "a binomial test against chance), participants, images (people's and each model's results side by side), "
        "summaries (the four summary tables into the folder --out), or psych-ds (a Psych-DS dataset folder with all of "
        "these). Summaries and Psych-DS leave simulated, practice "
        "and catch answers out unless asked."));
    p.addOption(dbOption());
    p.addOption(studyOption());
    p.addOption({ { QStringLiteral("what"), QStringLiteral("kind") },
        QStringLiteral("What to export (default responses)."), QStringLiteral("what"), QStringLiteral("responses") });
    p.addOption(
        { QStringLiteral("all-studies"), QStringLiteral("Responses, model answers, predictions: every study.") });
    p.addOption({ QStringLiteral("out"), QStringLiteral("CSV file to write (a folder for summaries and psych-ds)."),
        QStringLiteral("path") });
    addAnalysisOptions(p);
    int code = 0;
    if (!parse(p, args, code))
        return code;
    if (!p.isSet(QStringLiteral("out")))
        return usage(p, QStringLiteral("--out <path> is required"));
    auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return fail(db.error());
    const QString what = p.value(QStringLiteral("what"));
    const QString file = p.value(QStringLiteral("out"));
    const bool perStudyFile = what == QLatin1String("responses") || what == QLatin1String("model-answers")
        || what == QLatin1String("predictions");
    qint64 studyId = 0;
    if (!(perStudyFile && p.isSet(QStringLiteral("all-studies")))) {
        const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
        if (!study)
            return fail(study.error());
        studyId = study->id;
    }
    const auto analysisOptions = analysisOptionsFrom(p);
    if (!analysisOptions)
        return usage(p, analysisOptions.error());
    const AnalysisOptions& options = analysisOptions.value();

    if (what == QLatin1String("summaries")) {
        const auto files = exportSummaryTables(*db.value(), studyId, file, options);
        if (!files)
            return fail(files.error());
        for (const QString& f : files.value())
            out() << f << '\n';
        out() << Qt::flush;
        return 0;
    }
    if (what == QLatin1String("psych-ds")) {
        const auto files = exportPsychDs(*db.value(), studyId, file, options);
        if (!files)
            return fail(files.error());
        for (const QString& f : files.value())
            out() << f << '\n';
        out() << QStringLiteral("wrote a Psych-DS dataset of %1 file(s) to %2\n").arg(files->size()).arg(file)
              << Qt::flush;
        return 0;
    }
    Result<int> rows = Error { QString() };
    if (what == QLatin1String("responses"))
        rows = exportResponses(*db.value(), studyId, file);
    else if (what == QLatin1String("model-answers"))
        rows = exportModelAnswers(*db.value(), studyId, file);
    else if (what == QLatin1String("predictions"))
        rows = exportPredictions(*db.value(), studyId, file);
    else if (const auto table = summaryTableFromName(what))
        rows = exportSummary(*db.value(), studyId, *table, file, options);
    else
        return usage(p,
            QStringLiteral("unknown --what \"%1\": use responses, model-answers, predictions, categories, "
                           "sources, participants, images, summaries or psych-ds")
                .arg(what));
    if (!rows)
        return fail(rows.error());
    out() << QStringLiteral("wrote %1 row(s) of %2 to %3\n").arg(rows.value()).arg(what, file) << Qt::flush;
    return 0;
}

int cmdBrowse(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Browse the errors: the study's images filtered by category, source, outcome (who was fooled: any, "
        "both-right, people-wrong-model-right, people-right-model-wrong, both-wrong, for --model), a range of "
        "people's accuracy or of the model's P(real), or a tag; sorted by id, people, p-real or hardness (entropy of "
        "the model's output). Prints or writes the per-image table of the selection; --sheet also writes a contact "
        "sheet (PNG or PDF). --confusion prints the model's confusion matrix over the selection."));
    p.addOption(dbOption());
    p.addOption(studyOption());
    p.addOption({ QStringLiteral("category"), QStringLiteral("Only this category."), QStringLiteral("name") });
    p.addOption({ QStringLiteral("source"), QStringLiteral("Only this source (generator)."), QStringLiteral("name") });
    p.addOption({ QStringLiteral("model"), QStringLiteral("The model outcomes, P(real) and hardness refer to."),
        QStringLiteral("model") });
    p.addOption({ QStringLiteral("outcome"), QStringLiteral("Who was fooled (default any)."), QStringLiteral("outcome"),
        QStringLiteral("any") });
    p.addOption({ QStringLiteral("people-min"), QStringLiteral("People's share correct at least (0..1)."),
        QStringLiteral("share"), QStringLiteral("0") });
    p.addOption({ QStringLiteral("people-max"), QStringLiteral("People's share correct at most (0..1)."),
        QStringLiteral("share"), QStringLiteral("1") });
    p.addOption({ QStringLiteral("p-real-min"), QStringLiteral("The model's P(real) at least (0..1)."),
        QStringLiteral("p"), QStringLiteral("0") });
    p.addOption({ QStringLiteral("p-real-max"), QStringLiteral("The model's P(real) at most (0..1)."),
        QStringLiteral("p"), QStringLiteral("1") });
    p.addOption({ QStringLiteral("tag"), QStringLiteral("Only images with this tag."), QStringLiteral("tag") });
    p.addOption({ QStringLiteral("sort"), QStringLiteral("id, people, p-real or hardness (default id)."),
        QStringLiteral("key"), QStringLiteral("id") });
    p.addOption({ QStringLiteral("descending"), QStringLiteral("Sort from the largest value.") });
    p.addOption({ QStringLiteral("out"), QStringLiteral("CSV file for the selection (default: standard output)."),
        QStringLiteral("file") });
    p.addOption({ QStringLiteral("sheet"), QStringLiteral("Contact sheet of the selection (.png or .pdf)."),
        QStringLiteral("file") });
    p.addOption({ QStringLiteral("confusion"), QStringLiteral("Print the model's confusion matrix instead.") });
    p.addOption({ QStringLiteral("image"),
        QStringLiteral("Print one image's detail instead: each model's P(real), people's answers, what they chose "
                       "instead, response-time quartiles and the trials it appeared in."),
        QStringLiteral("id") });
    addAnalysisOptions(p);
    int code = 0;
    if (!parse(p, args, code))
        return code;
    const auto analysisOptions = analysisOptionsFrom(p);
    if (!analysisOptions)
        return usage(p, analysisOptions.error());
    BrowserFilter filter;
    filter.category = p.value(QStringLiteral("category"));
    filter.source = p.value(QStringLiteral("source"));
    filter.tag = p.value(QStringLiteral("tag"));
    const auto outcome = outcomeFromName(p.value(QStringLiteral("outcome")));
    if (!outcome)
        return usage(p,
            QStringLiteral("--outcome \"%1\": use any, both-right, people-wrong-model-right, "
                           "people-right-model-wrong or both-wrong")
                .arg(p.value(QStringLiteral("outcome"))));
    filter.outcome = *outcome;
    const auto sort = browserSortFromName(p.value(QStringLiteral("sort")));
    if (!sort)
        return usage(p,
            QStringLiteral("--sort \"%1\": use id, people, p-real or hardness").arg(p.value(QStringLiteral("sort"))));
    for (auto [flag, target] : { std::pair { "people-min", &filter.peopleMin }, { "people-max", &filter.peopleMax },
             { "p-real-min", &filter.pRealMin }, { "p-real-max", &filter.pRealMax } }) {
        const auto v = numberOption(p, flag, 0, 1);
        if (!v)
            return usage(p, v.error());
        *target = v.value();
    }
    auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return fail(db.error());
    const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
    if (!study)
        return fail(study.error());
    std::optional<StoredModel> model;
    if (p.isSet(QStringLiteral("model"))) {
        auto found = findModel(*db.value(), p.value(QStringLiteral("model")));
        if (!found)
            return fail(found.error());
        model = std::move(found).value();
        filter.model = model->name;
    } else if (filter.outcome != Outcome::Any || p.isSet(QStringLiteral("confusion"))
        || p.isSet(QStringLiteral("p-real-min")) || p.isSet(QStringLiteral("p-real-max"))) {
        return usage(p, QStringLiteral("--outcome, --p-real-min/max and --confusion need --model"));
    }
    const auto analysis = analyseStudy(*db.value(), study->id, analysisOptions.value());
    if (!analysis)
        return fail(analysis.error());
    const auto images = browserImages(*db.value(), analysis.value());
    if (!images)
        return fail(images.error());
    const std::vector<int> kept = filterImages(images.value(), filter, *sort, p.isSet(QStringLiteral("descending")));
    std::vector<qint64> ids;
    for (int i : kept)
        ids.push_back(images->at(std::size_t(i)).image.id);

    if (p.isSet(QStringLiteral("image"))) {
        bool ok = false;
        const qint64 id = p.value(QStringLiteral("image")).toLongLong(&ok);
        const auto it
            = std::find_if(images->begin(), images->end(), [id](const BrowserImage& b) { return b.image.id == id; });
        if (!ok || it == images->end())
            return fail(QStringLiteral("--image \"%1\": the study shows no image with this id")
                            .arg(p.value(QStringLiteral("image"))));
        const auto responses = db.value()->responseRows(study->id);
        if (!responses)
            return fail(responses.error());
        const ImageAnswers answers = imageAnswers(responses.value(), id, analysisOptions->filter);
        QTextStream& o = out();
        o << QStringLiteral("image %1: %2 (%3, %4, %5)\n")
                 .arg(id)
                 .arg(it->image.path, it->image.category, it->image.source,
                     it->real ? QStringLiteral("real") : QStringLiteral("generated"));
        for (auto m = it->pReal.cbegin(); m != it->pReal.cend(); ++m)
            o << QStringLiteral("%1: P(real) %2\n").arg(m.key()).arg(double(m.value()), 0, 'f', 4);
        o << QStringLiteral("people: %1 of %2 answers right; chosen in %3 of %4 pick trials; %5 timed out\n")
                 .arg(it->people.correct)
                 .arg(it->people.trials)
                 .arg(it->people.chosen)
                 .arg(it->people.pickTrials)
                 .arg(answers.timedOut);
        for (auto c = answers.chosenInstead.cbegin(); c != answers.chosenInstead.cend(); ++c)
            o << QStringLiteral("chosen instead: image %1, %2 time(s)\n").arg(c.key()).arg(c.value());
        if (!answers.rtMs.empty())
            o << QStringLiteral("rt_ms: median %1, quartiles %2 - %3, n %4\n")
                     .arg(quantile(answers.rtMs, 0.5))
                     .arg(quantile(answers.rtMs, 0.25))
                     .arg(quantile(answers.rtMs, 0.75))
                     .arg(answers.rtMs.size());
        o << "trial\tparticipant\tposition\tanswer\tcorrect\trt_ms\timages\n";
        for (const ResponseRow* r : answers.rows) {
            QStringList shown;
            for (qint64 i : r->trial.imageIds)
                shown << QString::number(i);
            const int position
                = int(std::find(r->trial.imageIds.begin(), r->trial.imageIds.end(), id) - r->trial.imageIds.begin());
            o << r->trial.id << '\t' << r->participant << '\t' << position + 1 << '\t'
              << (r->response.timedOut ? QStringLiteral("timed out") : QString::number(r->response.answer + 1)) << '\t'
              << (r->response.timedOut ? QString() : QString::number(int(r->response.correct))) << '\t'
              << (r->response.timedOut ? QString() : QString::number(r->response.rtMs)) << '\t'
              << shown.join(QLatin1Char(' ')) << '\n';
        }
        o << Qt::flush;
        return 0;
    }
    if (p.isSet(QStringLiteral("confusion"))) {
        const ConfusionMatrix m = confusionMatrix(images.value(), kept, model->name, model->spec);
        out() << QStringLiteral("truth \\ %1").arg(model->name);
        for (const QString& a : m.answers)
            out() << '\t' << a;
        out() << '\n';
        for (int r = 0; r < m.truths.size(); ++r) {
            out() << m.truths[r];
            for (int c = 0; c < m.answers.size(); ++c)
                out() << '\t' << m.count(r, c);
            out() << '\n';
        }
        out() << Qt::flush;
        return 0;
    }
    if (p.isSet(QStringLiteral("sheet"))) {
        const QString title = QStringLiteral("%1: %2 image(s)").arg(study->definition.name).arg(ids.size());
        const CancelToken cancel;
        if (const Status s = exportContactSheet(analysis.value(), db.value()->path(), ids,
                model ? model->name : QString(), title, p.value(QStringLiteral("sheet")), cancel);
            !s)
            return fail(s.error());
        err() << QStringLiteral("wrote a contact sheet of %1 image(s) to %2\n")
                     .arg(ids.size())
                     .arg(p.value(QStringLiteral("sheet")));
    }
    if (p.isSet(QStringLiteral("out"))) {
        const auto rows = exportImageSelection(analysis.value(), ids, p.value(QStringLiteral("out")));
        if (!rows)
            return fail(rows.error());
        err() << QStringLiteral("wrote %1 image(s) to %2\n").arg(rows.value()).arg(p.value(QStringLiteral("out")));
        return 0;
    }
    QFile stdoutFile;
    if (!stdoutFile.open(stdout, QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write to standard output"));
    if (const Status s
        = writeTableCsv(stdoutFile, imageSelectionTable(analysis.value(), ids), QStringLiteral("stdout"));
        !s)
        return fail(s.error());
    return 0;
}

int cmdTag(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Tags and notes on pool images (\"artefact in hands\", \"drawing, not photo\"), kept in the study file, "
        "filterable in the browser and included in the per-image exports. Without --add, --remove or --note: prints "
        "the image's tags and note."));
    p.addOption(dbOption());
    p.addOption({ QStringLiteral("image"), QStringLiteral("Pool image id."), QStringLiteral("id") });
    p.addOption({ QStringLiteral("add"), QStringLiteral("Add this tag."), QStringLiteral("tag") });
    p.addOption({ QStringLiteral("remove"), QStringLiteral("Remove this tag."), QStringLiteral("tag") });
    p.addOption({ QStringLiteral("note"), QStringLiteral("Set the note (empty deletes it)."), QStringLiteral("text") });
    int code = 0;
    if (!parse(p, args, code))
        return code;
    bool ok = false;
    const qint64 imageId = p.value(QStringLiteral("image")).toLongLong(&ok);
    if (!ok || imageId <= 0)
        return usage(p, QStringLiteral("--image \"%1\" must be a pool image id").arg(p.value(QStringLiteral("image"))));
    auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return fail(db.error());
    const auto pool = db.value()->poolImages();
    if (!pool)
        return fail(pool.error());
    const auto image
        = std::find_if(pool->begin(), pool->end(), [imageId](const PoolImage& i) { return i.id == imageId; });
    if (image == pool->end())
        return fail(QStringLiteral("%1: no pool image has the id %2").arg(db.value()->path()).arg(imageId));
    for (const QString& tag : p.values(QStringLiteral("add"))) {
        if (const Status s = db.value()->addImageTag(imageId, tag); !s)
            return fail(s.error());
    }
    for (const QString& tag : p.values(QStringLiteral("remove"))) {
        if (const Status s = db.value()->removeImageTag(imageId, tag); !s)
            return fail(s.error());
    }
    if (p.isSet(QStringLiteral("note"))) {
        if (const Status s = db.value()->setImageNote(imageId, p.value(QStringLiteral("note"))); !s)
            return fail(s.error());
    }
    const auto tags = db.value()->imageTags();
    const auto notes = db.value()->imageNotes();
    if (!tags || !notes)
        return fail(!tags ? tags.error() : notes.error());
    out() << QStringLiteral("image %1 (%2)\ntags: %3\nnote: %4\n")
                 .arg(imageId)
                 .arg(image->path, tags->value(imageId).join(QStringLiteral("; ")), notes->value(imageId))
          << Qt::flush;
    return 0;
}

// Reads the training options shared by the command line's flags; errors name the flag.
Result<DetectorTraining> trainingFromOptions(const QCommandLineParser& p)
{
    DetectorTraining t;
    t.name = p.value(QStringLiteral("name"));
    const auto architecture = architectureFromName(p.value(QStringLiteral("architecture")));
    if (!architecture)
        return Error { QStringLiteral("--architecture \"%1\": use baseline-cnn or resnet18")
                           .arg(p.value(QStringLiteral("architecture"))) };
    TrainingOptions& o = t.options;
    o.architecture = *architecture;
    o.optimizer = p.value(QStringLiteral("optimizer"));
    // Reads --flag as a number into `out`; the error names the flag and its text.
    auto number = [&p](const char* flag, auto& out) -> QString {
        const QString text = p.value(QLatin1String(flag));
        bool good = false;
        const double v = text.toDouble(&good);
        if (!good)
            return QStringLiteral("--%1 \"%2\" is not a number").arg(QLatin1String(flag), text);
        out = static_cast<std::remove_reference_t<decltype(out)>>(v);
        return {};
    };
    const QStringList problems = { number("epochs", o.epochs), number("batch-size", o.batchSize),
        number("learning-rate", o.learningRate), number("input-size", o.inputSize), number("crop-from", o.cropFrom),
        number("patience", o.earlyStoppingPatience) };
    for (const QString& problem : problems) {
        if (!problem.isEmpty())
            return Error { problem };
    }
    bool ok = true;
    o.seed = p.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return Error { QStringLiteral("--seed must be a whole number") };
    o.flips = !p.isSet(QStringLiteral("no-flips"));
    o.randomResizedCrop = !p.isSet(QStringLiteral("no-crops"));
    o.device = p.isSet(QStringLiteral("cpu")) ? DevicePreference::Cpu : DevicePreference::Auto;
    const auto ratios = parseSplitRatios(p.value(QStringLiteral("split")));
    if (!ratios)
        return Error { ratios.error() };
    t.ratios = ratios.value();
    t.splitSeed = o.seed;
    return t;
}

int cmdModel(const QStringList& args)
{
    const QString action = args.size() > 1 ? args.at(1) : QString();
    QStringList rest = args.mid(1);
    QCommandLineParser p;
    p.addOption(dbOption());
    int code = 0;
    if (action == QLatin1String("add")) {
        p.setApplicationDescription(QStringLiteral(
            "Register a TorchScript model (torch.jit.trace or torch.jit.script, saved with torch.jit.save) with its "
            "JSON sidecar <model>.json, or a built-in detector file."));
        p.addOption({ QStringLiteral("name"), QStringLiteral("Name in tables and exports."), QStringLiteral("name") });
        p.addPositionalArgument(QStringLiteral("model"), QStringLiteral("Model file (.pt)."));
        if (!parse(p, rest, code))
            return code;
        if (p.positionalArguments().size() != 1)
            return usage(p, QStringLiteral("give one model file"));
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto added = addModel(*db.value(), p.positionalArguments().constFirst(), p.value(QStringLiteral("name")));
        if (!added)
            return fail(added.error());
        for (const QString& w : added->warnings)
            err() << "warning: " << w << Qt::endl;
        out() << QStringLiteral("model \"%1\" (id %2, sha256 %3)\n")
                     .arg(added->model.name)
                     .arg(added->model.id)
                     .arg(added->model.sha256.left(12))
              << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("list")) {
        p.addOption(studyOption());
        if (!parse(p, rest, code))
            return code;
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
        const auto summaries = study ? summariseModels(*db.value(), study->id)
                                     : Result<std::vector<ModelSummary>>(Error { study.error() });
        const auto models = db.value()->models();
        if (!models)
            return fail(models.error());
        out() << "id\tname\tkind\ttest_accuracy\ttrial_accuracy\tpath\n";
        for (const StoredModel& m : models.value()) {
            QString test = QStringLiteral("-");
            QString trials = QStringLiteral("-");
            if (summaries) {
                for (const ModelSummary& s : summaries.value()) {
                    if (s.model != m.name)
                        continue;
                    if (s.testAccuracy >= 0)
                        test = QStringLiteral("%1 % of %2").arg(100.0 * s.testAccuracy, 0, 'f', 1).arg(s.testImages);
                    if (s.trialAccuracy >= 0)
                        trials = QStringLiteral("%1 % of %2").arg(100.0 * s.trialAccuracy, 0, 'f', 1).arg(s.trials);
                }
            }
            out() << QStringLiteral("%1\t%2\t%3\t%4\t%5\t%6\n")
                         .arg(m.id)
                         .arg(m.name, m.spec.builtin.isEmpty() ? QStringLiteral("torchscript") : m.spec.builtin, test,
                             trials, m.path);
        }
        out() << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("run")) {
        p.setApplicationDescription(QStringLiteral(
            "Run a model over the study's images and derive its answer to every trial. Images this model already "
            "predicted are skipped, so an interrupted run goes on where it stopped."));
        p.addOption(studyOption());
        p.addOption({ QStringLiteral("model"), QStringLiteral("Model name or id."), QStringLiteral("model") });
        p.addOption({ QStringLiteral("batch-size"), QStringLiteral("Images per batch (default 16)."),
            QStringLiteral("n"), QStringLiteral("16") });
        p.addOption({ QStringLiteral("threshold"), QStringLiteral("Real-or-fake: P(real) >= threshold says real."),
            QStringLiteral("p"), QStringLiteral("0.5") });
        p.addOption({ QStringLiteral("threads"), QStringLiteral("CPU threads (default: all cores)."),
            QStringLiteral("n"), QStringLiteral("0") });
        p.addOption({ QStringLiteral("cpu"), QStringLiteral("Run on the CPU even when CUDA is available.") });
        if (!parse(p, rest, code))
            return code;
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
        if (!study)
            return fail(study.error());
        const auto model = findModel(*db.value(), p.value(QStringLiteral("model")));
        if (!model)
            return fail(model.error());
        ModelRunOptions options;
        bool ok = true;
        options.batchSize = p.value(QStringLiteral("batch-size")).toInt(&ok);
        if (!ok || options.batchSize < 1)
            return usage(p, QStringLiteral("--batch-size must be a whole number >= 1"));
        options.threshold = p.value(QStringLiteral("threshold")).toDouble(&ok);
        if (!ok || options.threshold < 0 || options.threshold > 1)
            return usage(p, QStringLiteral("--threshold must be between 0 and 1"));
        options.threads = p.value(QStringLiteral("threads")).toInt(&ok);
        if (!ok || options.threads < 0)
            return usage(p, QStringLiteral("--threads must be a whole number >= 0"));
        options.device = p.isSet(QStringLiteral("cpu")) ? DevicePreference::Cpu : DevicePreference::Auto;
        CancelToken cancel;
        const auto run = runModelOnStudy(*db.value(), study->id, model->id, options, cancel, progressPrinter());
        if (!run)
            return fail(run.error());
        for (const QString& e : run->errors)
            err() << "warning: " << e << Qt::endl;
        out() << QStringLiteral("model \"%1\" on %2 (%3 thread(s), LibTorch %4): %5 predicted, %6 already done, %7 "
                                "failed; answered %8 trial(s)\n")
                     .arg(model->name, run->runtime.device)
                     .arg(run->runtime.threads)
                     .arg(run->runtime.torchVersion)
                     .arg(run->predicted)
                     .arg(run->skipped)
                     .arg(run->failed)
                     .arg(run->answers)
              << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("train")) {
        p.setApplicationDescription(QStringLiteral(
            "Train a built-in detector (real vs generated) on the pool's train split, with early stopping on its "
            "validation split. Splits are made first (stratified, pair-aware) when the pool has none."));
        p.addOption({ QStringLiteral("name"), QStringLiteral("Name of the trained model."), QStringLiteral("name") });
        p.addOption({ QStringLiteral("architecture"), QStringLiteral("baseline-cnn (default) or resnet18."),
            QStringLiteral("arch"), QStringLiteral("baseline-cnn") });
        p.addOption({ QStringLiteral("optimizer"), QStringLiteral("sgd (default, momentum 0.9) or adamw."),
            QStringLiteral("opt"), QStringLiteral("sgd") });
        p.addOption({ QStringLiteral("epochs"), QStringLiteral("Epochs (default 10)."), QStringLiteral("n"),
            QStringLiteral("10") });
        p.addOption({ QStringLiteral("batch-size"), QStringLiteral("Batch size (default 16)."), QStringLiteral("n"),
            QStringLiteral("16") });
        p.addOption({ QStringLiteral("learning-rate"), QStringLiteral("Initial learning rate (default 0.01)."),
            QStringLiteral("lr"), QStringLiteral("0.01") });
        p.addOption({ QStringLiteral("input-size"), QStringLiteral("Network input in pixels (default 64)."),
            QStringLiteral("px"), QStringLiteral("64") });
        p.addOption({ QStringLiteral("crop-from"),
            QStringLiteral("Scale the short side to this many pixels and use the centre input-size square, keeping "
                           "fine detail (0 = scale the whole image to the input size)."),
            QStringLiteral("px"), QStringLiteral("0") });
        p.addOption({ QStringLiteral("patience"), QStringLiteral("Early stopping patience in epochs (0 = off)."),
            QStringLiteral("n"), QStringLiteral("3") });
        p.addOption({ QStringLiteral("split"), QStringLiteral("train:val:test ratios when splits are made (8:1:1)."),
            QStringLiteral("ratios"), QStringLiteral("8:1:1") });
        p.addOption({ QStringLiteral("seed"), QStringLiteral("Seed of splits, initialisation and batches."),
            QStringLiteral("n"), QStringLiteral("1") });
        p.addOption({ QStringLiteral("no-flips"), QStringLiteral("No random horizontal flips.") });
        p.addOption({ QStringLiteral("no-crops"), QStringLiteral("No random resized crops.") });
        p.addOption({ QStringLiteral("cpu"), QStringLiteral("Train on the CPU even when CUDA is available.") });
        if (!parse(p, rest, code))
            return code;
        if (!p.isSet(QStringLiteral("name")))
            return usage(p, QStringLiteral("--name is required"));
        const auto training = trainingFromOptions(p);
        if (!training)
            return usage(p, training.error());
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        CancelToken cancel;
        const auto trained = trainDetectorOnPool(*db.value(), training.value(), cancel, [](const TrainingProgress& t) {
            if (t.batch == 0)
                err() << QStringLiteral("  epoch %1/%2: loss %3, validation accuracy %4 %\n")
                             .arg(t.epoch)
                             .arg(t.epochs)
                             .arg(t.loss, 0, 'f', 4)
                             .arg(100.0 * t.validationAccuracy, 0, 'f', 1)
                      << Qt::flush;
        });
        if (!trained)
            return fail(trained.error());
        out() << QStringLiteral("trained \"%1\" (id %2): %3\n")
                     .arg(trained->model.name)
                     .arg(trained->model.id)
                     .arg(trained->model.path)
              << Qt::flush;
        return 0;
    }
    err() << "usage: ntt model add|list|run|train --db <file> ...\n";
    return 2;
}

/// One image to map: a pool image id (with --db) or a file.
struct CamSubject
{
    qint64 imageId = 0;
    QString path;
    QString source;
    QString category;
};

int cmdCam(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Class-activation maps (Grad-CAM, Grad-CAM++, Smooth Grad-CAM++) of images through a model, as PNG figures "
        "(image, overlay, colour legend) and NumPy maps. With --db the model is a registered model (name or id), "
        "images are pool image ids or files, and maps are cached in the study file; without --db the model is a "
        "model file (.pt with its .json sidecar) and images are files."));
    p.addOption({ QStringLiteral("db"), QStringLiteral("The study file (SQLite); optional."), QStringLiteral("file") });
    p.addOption({ QStringLiteral("study"),
        QStringLiteral("Map the images as this study showed them (its normalised copies); default: the originals."),
        QStringLiteral("name or id") });
    p.addOption({ QStringLiteral("model"),
        QStringLiteral("Registered model (name or id) or, without --db, a model file."), QStringLiteral("model") });
    p.addOption({ QStringLiteral("image"), QStringLiteral("Pool image id or image file; repeatable."),
        QStringLiteral("id|path") });
    p.addOption({ QStringLiteral("category"), QStringLiteral("Every pool image of this category (with --db)."),
        QStringLiteral("name") });
    p.addOption(
        { QStringLiteral("all"), QStringLiteral("Every pool image (with --db; with --study, every image it shows).") });
    p.addOption({ QStringLiteral("method"), QStringLiteral("gradcam (default), gradcampp or smoothgradcampp."),
        QStringLiteral("method"), QStringLiteral("gradcam") });
    p.addOption({ QStringLiteral("layer"), QStringLiteral("Target layer (default: the last 4-D layer before pooling)."),
        QStringLiteral("name") });
    p.addOption(
        { QStringLiteral("target"), QStringLiteral("predicted (default), real, generated, class:N or a class name."),
            QStringLiteral("target"), QStringLiteral("predicted") });
    p.addOption({ QStringLiteral("samples"), QStringLiteral("Smooth Grad-CAM++: noisy copies (default 4)."),
        QStringLiteral("n"), QStringLiteral("4") });
    p.addOption({ QStringLiteral("sigma"), QStringLiteral("Smooth Grad-CAM++: noise in normalised input units (0.3)."),
        QStringLiteral("s"), QStringLiteral("0.3") });
    p.addOption({ QStringLiteral("seed"), QStringLiteral("Smooth Grad-CAM++: noise seed (1234)."), QStringLiteral("n"),
        QStringLiteral("1234") });
    p.addOption({ QStringLiteral("colormap"), QStringLiteral("jet (default), turbo or viridis."),
        QStringLiteral("name"), QStringLiteral("jet") });
    p.addOption({ QStringLiteral("opacity"), QStringLiteral("Overlay opacity 0..1 (default 0.5)."), QStringLiteral("a"),
        QStringLiteral("0.5") });
    p.addOption({ QStringLiteral("contour"), QStringLiteral("Draw the map's iso-line at this level (0..1)."),
        QStringLiteral("t") });
    p.addOption({ QStringLiteral("height"), QStringLiteral("Figure panel height in pixels (default 256)."),
        QStringLiteral("px"), QStringLiteral("256") });
    p.addOption({ QStringLiteral("out"), QStringLiteral("PNG figure of the one image."), QStringLiteral("file.png") });
    p.addOption({ QStringLiteral("map-out"),
        QStringLiteral("The normalised map at the image's resolution as a float32 NumPy array (one image)."),
        QStringLiteral("file.npy") });
    p.addOption({ QStringLiteral("out-dir"),
        QStringLiteral("Several images: <id or name>.png and .npy per image, and maps.csv listing them."),
        QStringLiteral("dir") });
    p.addOption({ QStringLiteral("list-layers"), QStringLiteral("Print the model's layers and their shapes.") });
    p.addOption({ QStringLiteral("batch-size"), QStringLiteral("Images per batch (default 8)."), QStringLiteral("n"),
        QStringLiteral("8") });
    p.addOption({ QStringLiteral("threads"), QStringLiteral("CPU threads (default: all cores)."), QStringLiteral("n"),
        QStringLiteral("0") });
    p.addOption({ QStringLiteral("cpu"), QStringLiteral("Run on the CPU even when CUDA is available.") });
    int code = 0;
    if (!parse(p, args, code))
        return code;

    const DevicePreference device = p.isSet(QStringLiteral("cpu")) ? DevicePreference::Cpu : DevicePreference::Auto;
    bool ok = false;
    const int threads = p.value(QStringLiteral("threads")).toInt(&ok);
    if (!ok || threads < 0)
        return usage(p, QStringLiteral("--threads must be a whole number >= 0"));
    const int batchSize = p.value(QStringLiteral("batch-size")).toInt(&ok);
    if (!ok || batchSize < 1)
        return usage(p, QStringLiteral("--batch-size must be a whole number >= 1"));

    // The model: registered (with --db) or a file.
    std::unique_ptr<StudyDatabase> db;
    std::optional<StoredModel> stored;
    std::unique_ptr<Classifier> classifier;
    if (p.isSet(QStringLiteral("db"))) {
        auto opened = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!opened)
            return fail(opened.error());
        db = std::move(opened).value();
        auto model = findModel(*db, p.value(QStringLiteral("model")));
        if (!model)
            return fail(model.error());
        stored = model.value();
        auto loaded = loadRegisteredModel(*db, stored->id, device, threads);
        if (!loaded)
            return fail(loaded.error());
        classifier = std::move(loaded).value();
    } else {
        if (!p.isSet(QStringLiteral("model")))
            return usage(p, QStringLiteral("--model is required"));
        auto loaded = loadClassifier(p.value(QStringLiteral("model")), device, threads);
        if (!loaded)
            return fail(loaded.error());
        classifier = std::move(loaded).value();
        for (const QString& w : classifier->warnings())
            err() << "warning: " << w << Qt::endl;
    }
    const ModelSpec& spec = classifier->spec();
    const QString modelName
        = stored ? stored->name : (spec.name.isEmpty() ? QFileInfo(classifier->path()).completeBaseName() : spec.name);

    if (p.isSet(QStringLiteral("list-layers"))) {
        const auto layers = classifier->camLayers();
        if (!layers)
            return fail(layers.error());
        const QString fallback = defaultCamLayer(layers.value());
        for (const CamLayer& l : layers.value()) {
            QStringList dims;
            for (auto d : l.shape)
                dims << QString::number(d);
            out() << l.name << '\t' << '[' << dims.join(QStringLiteral(", ")) << ']'
                  << (l.name == fallback ? QStringLiteral("\tdefault") : QString()) << '\n';
        }
        out() << Qt::flush;
        return 0;
    }

    // What to compute.
    CamOptions options;
    const auto method = camMethodFromName(p.value(QStringLiteral("method")));
    if (!method)
        return usage(p,
            QStringLiteral("--method \"%1\": use gradcam, gradcampp or smoothgradcampp")
                .arg(p.value(QStringLiteral("method"))));
    options.method = *method;
    options.layer = p.value(QStringLiteral("layer"));
    const auto target = camTargetFromName(p.value(QStringLiteral("target")), spec);
    if (!target)
        return usage(p, QStringLiteral("--target: %1").arg(target.error()));
    options.target = target.value();
    const auto samples = numberOption(p, "samples", 1, 256);
    const auto sigma = numberOption(p, "sigma", 0, 10);
    const auto opacity = numberOption(p, "opacity", 0, 1);
    const auto height = numberOption(p, "height", 32, 4096);
    for (const auto* r : { &samples, &sigma, &opacity, &height }) {
        if (!*r)
            return usage(p, r->error());
    }
    options.noiseSamples = int(samples.value());
    options.noiseSigma = sigma.value();
    options.noiseSeed = p.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return usage(p, QStringLiteral("--seed must be a whole number"));
    auto resolved = resolveCamLayer(*classifier, options);
    if (!resolved)
        return fail(resolved.error());
    options = resolved.value();
    OverlayOptions overlay;
    const auto colormap = camColormapFromName(p.value(QStringLiteral("colormap")));
    if (!colormap)
        return usage(
            p, QStringLiteral("--colormap \"%1\": use jet, turbo or viridis").arg(p.value(QStringLiteral("colormap"))));
    overlay.colormap = *colormap;
    overlay.opacity = opacity.value();
    if (p.isSet(QStringLiteral("contour"))) {
        const auto contour = numberOption(p, "contour", 0, 1);
        if (!contour)
            return usage(p, contour.error());
        overlay.contourThreshold = contour.value();
    }
    CamFigureLayout layout;
    layout.panelHeight = int(height.value());

    // Which images.
    std::vector<CamSubject> subjects;
    qint64 studyId = 0;
    if (db) {
        if (p.isSet(QStringLiteral("study"))) {
            const auto study = findStudy(*db, p.value(QStringLiteral("study")));
            if (!study)
                return fail(study.error());
            studyId = study->id;
        }
        const auto pool = studyId > 0 ? db->studyImages(studyId) : db->poolImages();
        if (!pool)
            return fail(pool.error());
        QHash<qint64, const PoolImage*> byId;
        for (const PoolImage& image : pool.value())
            byId.insert(image.id, &image);
        const QString category = p.value(QStringLiteral("category"));
        if (p.isSet(QStringLiteral("all")) || p.isSet(QStringLiteral("category"))) {
            for (const PoolImage& image : pool.value()) {
                if (p.isSet(QStringLiteral("all")) || image.category == category)
                    subjects.push_back({ image.id, image.path, image.source, image.category });
            }
            if (subjects.empty()) {
                QStringList categories;
                for (const PoolImage& image : pool.value()) {
                    if (!categories.contains(image.category))
                        categories << image.category;
                }
                return fail(QStringLiteral("%1: no image of category \"%2\"; the categories are: %3")
                                .arg(db->path(), category, categories.join(QStringLiteral(", "))));
            }
        }
        for (const QString& value : p.values(QStringLiteral("image"))) {
            const qint64 id = value.toLongLong(&ok);
            if (ok && !QFileInfo::exists(value)) {
                const auto found = byId.value(id);
                if (!found)
                    return fail(
                        QStringLiteral("%1: image %2 is not in the %3")
                            .arg(db->path(), value, studyId > 0 ? QStringLiteral("study") : QStringLiteral("pool")));
                subjects.push_back({ id, found->path, found->source, found->category });
            } else {
                subjects.push_back({ 0, value, QString(), QString() });
            }
        }
    } else {
        if (p.isSet(QStringLiteral("category")) || p.isSet(QStringLiteral("all")) || p.isSet(QStringLiteral("study")))
            return usage(p, QStringLiteral("--category, --all and --study need --db"));
        for (const QString& value : p.values(QStringLiteral("image")))
            subjects.push_back({ 0, value, QString(), QString() });
    }
    if (subjects.empty())
        return usage(p, QStringLiteral("name images with --image, --category or --all"));
    const bool single = subjects.size() == 1 && !p.isSet(QStringLiteral("out-dir"));
    if (single && !p.isSet(QStringLiteral("out")) && !p.isSet(QStringLiteral("map-out")))
        return usage(p, QStringLiteral("say where to write: --out FILE.png and/or --map-out FILE.npy"));
    if (!single && !p.isSet(QStringLiteral("out-dir")))
        return usage(p, QStringLiteral("%1 images: write them with --out-dir DIR").arg(subjects.size()));
    if (!single && (p.isSet(QStringLiteral("out")) || p.isSet(QStringLiteral("map-out"))))
        return usage(p, QStringLiteral("--out and --map-out take one image; use --out-dir for several"));

    // Compute: pool images through the study file's cache, files directly.
    CancelToken cancel;
    std::vector<CamImageResult> results(subjects.size());
    std::vector<qint64> ids;
    QStringList files;
    for (const CamSubject& s : subjects) {
        if (s.imageId > 0)
            ids.push_back(s.imageId);
        else
            files << s.path;
    }
    int fromCache = 0;
    if (!ids.empty()) {
        StudyCamRequest request;
        request.modelId = stored->id;
        request.studyId = studyId;
        request.imageIds = ids;
        request.options = options;
        request.batchSize = batchSize;
        request.device = device;
        request.threads = threads;
        const auto cams = computeStudyCams(*db, request, cancel, progressPrinter());
        if (!cams)
            return fail(cams.error());
        std::size_t k = 0;
        for (std::size_t i = 0; i < subjects.size(); ++i) {
            if (subjects[i].imageId <= 0)
                continue;
            const StudyCam& c = cams->at(k++);
            if (!c.warning.isEmpty())
                err() << "warning: " << c.warning << Qt::endl;
            fromCache += c.cached ? 1 : 0;
            results[i] = c.result;
        }
    }
    if (!files.isEmpty()) {
        const auto computed = computeCamsForFiles(*classifier, files, options, batchSize, cancel);
        if (!computed)
            return fail(computed.error());
        std::size_t k = 0;
        for (std::size_t i = 0; i < subjects.size(); ++i) {
            if (subjects[i].imageId <= 0)
                results[i] = computed->at(k++);
        }
    }

    // Write.
    const QString dir = p.value(QStringLiteral("out-dir"));
    if (!single && !QDir().mkpath(dir))
        return fail(QStringLiteral("%1: cannot create the folder").arg(dir));
    QSaveFile listFile(QDir(dir).filePath(QStringLiteral("maps.csv")));
    std::optional<CsvWriter> list;
    if (!single) {
        if (!listFile.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("%1: cannot write (%2)").arg(listFile.fileName(), listFile.errorString()));
        list.emplace(&listFile);
        list->writeRow({ QStringLiteral("image_id"), QStringLiteral("path"), QStringLiteral("source"),
            QStringLiteral("category"), QStringLiteral("model"), QStringLiteral("method"), QStringLiteral("layer"),
            QStringLiteral("target"), QStringLiteral("target_class"), QStringLiteral("p_real"), QStringLiteral("png"),
            QStringLiteral("npy"), QStringLiteral("error") });
    }
    int failed = 0;
    for (std::size_t i = 0; i < subjects.size(); ++i) {
        const CamSubject& s = subjects[i];
        const CamImageResult& r = results[i];
        QString png = single ? p.value(QStringLiteral("out")) : QString();
        QString npy = single ? p.value(QStringLiteral("map-out")) : QString();
        if (!single) {
            const QString stem = s.imageId > 0 ? QString::number(s.imageId) : QFileInfo(s.path).completeBaseName();
            png = QDir(dir).filePath(stem + QStringLiteral(".png"));
            npy = QDir(dir).filePath(stem + QStringLiteral(".npy"));
        }
        QString error = r.error;
        if (error.isEmpty()) {
            const QString pReal = r.prediction.pReal >= 0
                ? QStringLiteral(" - P(real) %1").arg(r.prediction.pReal, 0, 'f', 2)
                : QString();
            const QString caption = QStringLiteral("%1 - %2 - %3 - %4%5")
                                        .arg(modelName, camMethodLabel(options.method), options.layer,
                                            camTargetName(options.target), pReal);
            if (!png.isEmpty()) {
                const auto figure = camFigure(r.path, { { r.map, spec.input, caption } }, overlay, layout);
                const Status written = figure ? writePng(figure.value(), png) : Status(Error { figure.error() });
                if (!written)
                    error = written.error();
            }
            if (!npy.isEmpty() && error.isEmpty()) {
                const auto full = camMapToImage(r.map, spec.input, r.imageWidth, r.imageHeight);
                const Status written = full ? writeNpyFloat32(npy, full.value()) : Status(Error { full.error() });
                if (!written)
                    error = written.error();
            }
        }
        if (!error.isEmpty()) {
            ++failed;
            err() << "error: " << error << Qt::endl;
        }
        if (list)
            list->writeRow({ s.imageId > 0 ? QString::number(s.imageId) : QString(), r.path, s.source, s.category,
                modelName, camMethodName(options.method), options.layer, camTargetName(options.target),
                error.isEmpty() ? QString::number(r.map.targetClass) : QString(),
                error.isEmpty() && r.prediction.pReal >= 0 ? QString::number(r.prediction.pReal, 'g', 6) : QString(),
                error.isEmpty() ? QFileInfo(png).fileName() : QString(),
                error.isEmpty() ? QFileInfo(npy).fileName() : QString(), error });
    }
    if (list && (!list->ok() || !listFile.commit()))
        return fail(QStringLiteral("%1: cannot write (%2)").arg(listFile.fileName(), listFile.errorString()));
    out() << QStringLiteral("%1 map(s) of \"%2\" (%3, layer %4, target %5): %6 written, %7 from the cache, %8 failed\n")
                 .arg(subjects.size())
                 .arg(modelName, camMethodLabel(options.method), options.layer, camTargetName(options.target))
                 .arg(int(subjects.size()) - failed)
                 .arg(fromCache)
                 .arg(failed)
          << Qt::flush;
    return failed == 0 ? 0 : 1;
}

void printUsage(QTextStream& stream)
{
    stream << "NameThatTrue command line " NTT_VERSION "\n\n"
              "usage: ntt <command> [options]   (ntt <command> --help for details)\n\n"
              "commands:\n"
              "  demo --out DIR                       create the synthetic demo study\n"
              "  import --db FILE LOCATION            import images into the pool (folder or manifest)\n"
              "  audit --db FILE                      shortcut audit of the pool\n"
              "  study create --db FILE DEF.json      create a study from a JSON definition\n"
              "  study list|show --db FILE            list studies / print a definition\n"
              "  session list --db FILE               list sessions\n"
              "  simulate --db FILE --participants K  simulated participants (accuracy per source or category,\n"
              "                                       lapses, log-normal RTs); same as session simulate\n"
              "  model add --db FILE MODEL.pt         register a TorchScript model (with MODEL.json sidecar)\n"
              "  model train --db FILE --name N       train a built-in detector on the pool\n"
              "  model run --db FILE --model N        run a model on the study's images and trials\n"
              "  model list --db FILE                 list models with their accuracy\n"
              "  cam --model M --image ID|PATH ...    Grad-CAM / Grad-CAM++ / Smooth Grad-CAM++ figures and maps\n"
              "  export --db FILE --what W --out PATH responses, model-answers, predictions, categories, sources,\n"
              "                                       participants, images CSV, or a psych-ds dataset folder\n"
              "  browse --db FILE [filters]           the errors: images by category, outcome, P(real), tag...;\n"
              "                                       CSV, contact sheet (--sheet) or confusion matrix\n"
              "  tag --db FILE --image ID --add T     tags and notes on images (--remove T, --note TEXT)\n"
           << Qt::flush;
}

} // namespace

int runCommandLine(const QStringList& arguments)
{
    static const std::map<QString, std::function<int(const QStringList&)>> commands = {
        { QStringLiteral("demo"), cmdDemo },
        { QStringLiteral("import"), cmdImport },
        { QStringLiteral("audit"), cmdAudit },
        { QStringLiteral("study"), cmdStudy },
        { QStringLiteral("session"), cmdSession },
        { QStringLiteral("export"), cmdExport },
        { QStringLiteral("model"), cmdModel },
        { QStringLiteral("cam"), cmdCam },
        { QStringLiteral("browse"), cmdBrowse },
        { QStringLiteral("tag"), cmdTag },
        { QStringLiteral("simulate"),
            [](const QStringList& args) {
                // `ntt simulate ...` is `ntt session simulate ...`.
                QStringList session = args;
                session[0] = QStringLiteral("ntt session");
                session.insert(1, QStringLiteral("simulate"));
                return cmdSession(session);
            } },
    };
    if (arguments.isEmpty() || arguments.first() == QLatin1String("--help")
        || arguments.first() == QLatin1String("-h")) {
        printUsage(arguments.isEmpty() ? err() : out());
        return arguments.isEmpty() ? 2 : 0;
    }
    if (arguments.first() == QLatin1String("--version")) {
        out() << "ntt " NTT_VERSION << Qt::endl;
        return 0;
    }
    const auto it = commands.find(arguments.first());
    if (it == commands.end()) {
        err() << "ntt: unknown command \"" << arguments.first() << "\"\n\n";
        printUsage(err());
        return 2;
    }
    // QCommandLineParser expects the program name first.
    QStringList args = arguments;
    args[0] = QStringLiteral("ntt ") + arguments.first();
    return it->second(args);
}

} // namespace ntt

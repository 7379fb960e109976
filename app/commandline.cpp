#include "commandline.h"

#include "shortcutaudit.h"
#include "studyfile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
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
        return 0;
    }
    err() << "usage: ntt session list|simulate --db <file> ...\n";
    return 2;
}

int cmdExport(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Export a CSV: responses (one row per response), model-answers (one row per model and trial, the same "
        "columns as responses with the agent column naming the model) or predictions (one row per model and image)."));
    p.addOption(dbOption());
    p.addOption(studyOption());
    p.addOption({ QStringLiteral("kind"), QStringLiteral("responses (default), model-answers or predictions."),
        QStringLiteral("kind"), QStringLiteral("responses") });
    p.addOption({ QStringLiteral("all-studies"), QStringLiteral("Export every study of the file.") });
    p.addOption({ QStringLiteral("out"), QStringLiteral("CSV file to write."), QStringLiteral("file") });
    int code = 0;
    if (!parse(p, args, code))
        return code;
    if (!p.isSet(QStringLiteral("out")))
        return usage(p, QStringLiteral("--out <file.csv> is required"));
    auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return fail(db.error());
    qint64 studyId = 0;
    if (!p.isSet(QStringLiteral("all-studies"))) {
        const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
        if (!study)
            return fail(study.error());
        studyId = study->id;
    }
    const QString kind = p.value(QStringLiteral("kind"));
    const QString file = p.value(QStringLiteral("out"));
    Result<int> rows = Error { QString() };
    if (kind == QLatin1String("responses"))
        rows = exportResponses(*db.value(), studyId, file);
    else if (kind == QLatin1String("model-answers"))
        rows = exportModelAnswers(*db.value(), studyId, file);
    else if (kind == QLatin1String("predictions"))
        rows = exportPredictions(*db.value(), studyId, file);
    else
        return usage(p, QStringLiteral("unknown --kind \"%1\": use responses, model-answers or predictions").arg(kind));
    if (!rows)
        return fail(rows.error());
    out() << QStringLiteral("wrote %1 row(s) of %2 to %3\n").arg(rows.value()).arg(kind, file) << Qt::flush;
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
        const QString selector = p.value(QStringLiteral("model"));
        bool isId = false;
        const qint64 id = selector.toLongLong(&isId);
        const auto model = isId ? db.value()->model(id) : db.value()->modelByName(selector);
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
              "  session simulate --db FILE           run scripted participants\n"
              "  model add --db FILE MODEL.pt         register a TorchScript model (with MODEL.json sidecar)\n"
              "  model train --db FILE --name N       train a built-in detector on the pool\n"
              "  model run --db FILE --model N        run a model on the study's images and trials\n"
              "  model list --db FILE                 list models with their accuracy\n"
              "  export --db FILE --out FILE.csv      write responses, model-answers or predictions CSV\n"
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

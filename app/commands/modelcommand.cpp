// `ntt model`: see commands.h and `ntt model --help`.

#include "analysis/objectrecognition.h"
#include "analysis/pooldetection.h"
#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "csvwriter.h"
#include "studyexports.h"
#include "studyfile.h"

namespace ntt::cli {

namespace {

// The flags of a built-in detector's training, read by trainingFromOptions.
void addTrainingOptions(QCommandLineParser& p)
{
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

// Writes `table` to the CSV file --out names, when given; the exit code.
int finishWithTable(const QCommandLineParser& p, const Table& table)
{
    if (p.isSet(QStringLiteral("out"))) {
        const QString file = p.value(QStringLiteral("out"));
        if (const Status s = writeTableFile(table, file); !s)
            return fail(s.error());
        out() << "wrote " << file << '\n';
    }
    out() << Qt::flush;
    return 0;
}

// The pool images of one split named by --<flag> (train, val or test), or all of them ("all").
Result<PoolSelection> splitSelection(const QCommandLineParser& p, const char* flag)
{
    PoolSelection selection;
    const QString split = p.value(QLatin1String(flag));
    if (split == QLatin1String("all"))
        return selection;
    bool known = false;
    const Split s = splitFromName(split, &known);
    if (!known || s == Split::None)
        return Error { QStringLiteral("--%1 \"%2\": use train, val, test or all").arg(QLatin1String(flag), split) };
    selection.splits << splitName(s);
    return selection;
}

} // namespace

namespace {

// How a model's P(real) sorts each source's images at the threshold.
void printDetection(const std::vector<PredictionRow>& selected, const QString& realSource, double threshold)
{
    out() << QStringLiteral("source\timages\tmean_p_real\tcalled_right\tci95_low\tci95_high   (threshold %1; "
                            "the real source is right when called real, a generator when called generated)\n")
                 .arg(threshold);
    for (const SourceDetection& d : detectionBySource(selected, realSource, threshold))
        out() << QStringLiteral("%1%2\t%3\t%4\t%5\t%6\t%7\n")
                     .arg(d.source, d.real ? QStringLiteral(" (real)") : QString())
                     .arg(d.images)
                     .arg(d.meanPReal, 0, 'f', 3)
                     .arg(d.accuracy.estimate, 0, 'f', 3)
                     .arg(d.accuracy.low, 0, 'f', 3)
                     .arg(d.accuracy.high, 0, 'f', 3);
}

// `ntt model run --pool`: the run, then how the model sorts each source's images of the selection.
int runOnPool(StudyDatabase& db, const StoredModel& model, const PoolSelection& selection,
    const ModelRunOptions& options, const CancelToken& cancel)
{
    const auto run = runModelOnPool(db, model.id, selection, options, cancel, progressPrinter());
    if (!run)
        return fail(run.error());
    for (const QString& e : run->errors)
        err() << "warning: " << e << Qt::endl;
    out() << QStringLiteral("model \"%1\" on the pool (%2): %3 predicted, %4 already done, %5 failed\n")
                 .arg(model.name, selection.describe())
                 .arg(run->predicted)
                 .arg(run->skipped)
                 .arg(run->failed);
    const auto rows = db.predictionRows(0, model.id);
    const auto realSource = db.realSource();
    if (!rows || !realSource)
        return fail(!rows ? rows.error() : realSource.error());
    std::vector<PredictionRow> selected;
    for (const PredictionRow& row : rows.value())
        if (selection.contains(row.image))
            selected.push_back(row);
    if (model.spec.output == OutputKind::CategoryClasses) {
        // What the images show, as the model's classes mapped to the pool's categories.
        out() << "category\timages\ttop1\ttop1_ci95_low\ttop1_ci95_high\ttop5\ttop5_ci95_low\ttop5_ci95_high\n";
        QStringList unmapped;
        for (const CategoryRecognition& r : recognitionByCategory(selected, model.spec)) {
            out() << QStringLiteral("%1\t%2\t%3\t%4\t%5\t%6\t%7\t%8\n")
                         .arg(r.category)
                         .arg(r.images)
                         .arg(r.top1.estimate, 0, 'f', 3)
                         .arg(r.top1.low, 0, 'f', 3)
                         .arg(r.top1.high, 0, 'f', 3)
                         .arg(r.top5.estimate, 0, 'f', 3)
                         .arg(r.top5.low, 0, 'f', 3)
                         .arg(r.top5.high, 0, 'f', 3);
            if (!r.mapped)
                unmapped << r.category;
        }
        if (!unmapped.isEmpty())
            err() << QStringLiteral(
                "warning: no class of the model maps to %1: their images cannot be recognised "
                "(their accuracy above says nothing about the model); map classes to them in the sidecar's "
                "\"class_map\"\n")
                         .arg(unmapped.join(QStringLiteral(", ")));
    } else {
        printDetection(selected, realSource.value(), options.threshold);
    }
    out() << Qt::flush;
    if (run->failed > 0)
        return fail(
            QStringLiteral("%1 image(s) failed (listed above); running again retries only those").arg(run->failed));
    return 0;
}

} // namespace

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
        p.addOption({ QStringLiteral("pool"),
            QStringLiteral("Run on pool images instead of a study's (no people needed): all of them, or those of "
                           "--source, --category and --split; prints how it sorts each source.") });
        p.addOption({ QStringLiteral("source"), QStringLiteral("With --pool: only these sources (comma-separated)."),
            QStringLiteral("list") });
        p.addOption({ QStringLiteral("category"),
            QStringLiteral("With --pool: only these categories (comma-separated)."), QStringLiteral("list") });
        p.addOption({ QStringLiteral("split"),
            QStringLiteral("With --pool: only these splits (train, val, test or none; comma-separated)."),
            QStringLiteral("list") });
        if (!parse(p, rest, code))
            return code;
        const bool onPool = p.isSet(QStringLiteral("pool"));
        if (onPool && p.isSet(QStringLiteral("study")))
            return usage(p, QStringLiteral("give --pool or --study, not both"));
        for (const char* flag : { "source", "category", "split" })
            if (!onPool && p.isSet(QLatin1String(flag)))
                return usage(
                    p, QStringLiteral("--%1 selects pool images: use it with --pool").arg(QLatin1String(flag)));
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
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
        if (onPool) {
            PoolSelection selection;
            auto list = [&](const char* flag) {
                return p.value(QLatin1String(flag)).split(QLatin1Char(','), Qt::SkipEmptyParts);
            };
            selection.sources = list("source");
            selection.categories = list("category");
            for (const QString& name : list("split")) {
                bool known = false;
                const Split split = splitFromName(name.trimmed() == QLatin1String("none") ? QString() : name, &known);
                if (!known)
                    return usage(p, QStringLiteral("--split \"%1\": use train, val, test or none").arg(name));
                selection.splits << splitName(split);
            }
            return runOnPool(*db.value(), model.value(), selection, options, cancel);
        }
        const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
        if (!study)
            return fail(study.error());
        const auto run = runModelOnStudy(*db.value(), study->id, model->id, options, cancel, progressPrinter());
        if (!run)
            return fail(run.error());
        for (const QString& e : run->errors)
            err() << "warning: " << e << Qt::endl;
        for (const QString& copy : run->stimuli.rebuilt)
            out() << "stimulus copy made again from its original: " << copy << "\n";
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
        // A run that could not predict every image has not done its job, whatever it stored.
        if (run->failed > 0)
            return fail(QStringLiteral("%1 of %2 image(s) failed (listed above); the others' predictions are stored, "
                                       "and running again retries only the failed ones")
                            .arg(run->failed)
                            .arg(run->failed + run->predicted + run->skipped));
        return 0;
    }
    if (action == QLatin1String("train")) {
        p.setApplicationDescription(QStringLiteral(
            "Train a built-in detector (real vs generated, or with --by-source which source made it) on the pool's "
            "train split, with early stopping on its validation split. Splits are made first (stratified, "
            "pair-aware) when the pool has none."));
        p.addOption({ QStringLiteral("name"), QStringLiteral("Name of the trained model."), QStringLiteral("name") });
        addTrainingOptions(p);
        p.addOption({ QStringLiteral("by-source"),
            QStringLiteral("Train a K-way detector that names the source (which generator made it, real among "
                           "them) instead of real vs generated; it answers which-source and pick-source trials.") });
        p.addOption({ QStringLiteral("by-category"),
            QStringLiteral("Train a K-way classifier that names what an image shows (its category); it answers "
                           "which-category trials.") });
        p.addOption({ QStringLiteral("classes"),
            QStringLiteral("With --by-source or --by-category: the sources or categories to tell apart, "
                           "comma-separated (default: all)."),
            QStringLiteral("list") });
        p.addOption({ QStringLiteral("study"),
            QStringLiteral("Train on this study's stimuli (its normalised copies, without the file cues people do "
                           "not see) instead of the original files; only the images it shows take part."),
            QStringLiteral("study") });
        if (!parse(p, rest, code))
            return code;
        if (!p.isSet(QStringLiteral("name")))
            return usage(p, QStringLiteral("--name is required"));
        auto training = trainingFromOptions(p);
        if (!training)
            return usage(p, training.error());
        training->bySource = p.isSet(QStringLiteral("by-source"));
        training->byCategory = p.isSet(QStringLiteral("by-category"));
        if (training->bySource && training->byCategory)
            return usage(p, QStringLiteral("--by-source and --by-category: choose one"));
        if (p.isSet(QStringLiteral("classes"))) {
            if (!training->bySource && !training->byCategory)
                return usage(p, QStringLiteral("--classes needs --by-source or --by-category"));
            training->classes = p.value(QStringLiteral("classes")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        }
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        if (p.isSet(QStringLiteral("study"))) {
            const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
            if (!study)
                return fail(study.error());
            training->studyId = study->id;
        }
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
    if (action == QLatin1String("cross-generator")) {
        p.setApplicationDescription(QStringLiteral(
            "The cross-generator matrix (the GenImage protocol): for each generator of the pool, train a built-in "
            "detector on its images and the real ones (train split, early stopping on validation), run it on the "
            "test split of every source, and print how it calls each source's test images. The detectors are "
            "registered as \"<name> on <generator>\"; existing ones are reused."));
        p.addOption({ QStringLiteral("name"), QStringLiteral("Name prefix of the detectors (default \"Detector\")."),
            QStringLiteral("name"), QStringLiteral("Detector") });
        addTrainingOptions(p);
        p.addOption({ QStringLiteral("threshold"), QStringLiteral("P(real) >= threshold says real."),
            QStringLiteral("p"), QStringLiteral("0.5") });
        p.addOption({ QStringLiteral("out"),
            QStringLiteral("Also write the matrix to this CSV file (one row per cell)."), QStringLiteral("csv") });
        if (!parse(p, rest, code))
            return code;
        auto training = trainingFromOptions(p);
        if (!training)
            return usage(p, training.error());
        bool ok = true;
        const double threshold = p.value(QStringLiteral("threshold")).toDouble(&ok);
        if (!ok || threshold < 0 || threshold > 1)
            return usage(p, QStringLiteral("--threshold must be between 0 and 1"));
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        CancelToken cancel;
        const auto matrix = crossGeneratorMatrix(*db.value(), training.value(), threshold, cancel, progressPrinter());
        if (!matrix)
            return fail(matrix.error());
        out() << QStringLiteral("test images called right (rows: trained on real and this generator; columns: the "
                                "source of the test images; threshold %1)\n")
                     .arg(threshold);
        out() << QStringLiteral("trained on \\ tested on") << '\t' << matrix->sources.join(QLatin1Char('\t')) << '\n';
        Table table;
        table.header = { QStringLiteral("trained_on"), QStringLiteral("tested_on"), QStringLiteral("images"),
            QStringLiteral("correct"), QStringLiteral("accuracy"), QStringLiteral("wilson_low"),
            QStringLiteral("wilson_high") };
        for (const QString& generator : matrix->generators) {
            QStringList row = { generator };
            for (const QString& source : matrix->sources) {
                const CrossGeneratorCell* c = matrix->find(generator, source);
                row << (c ? QString::number(c->accuracy.estimate, 'f', 3) : QStringLiteral("-"));
                if (c)
                    table.rows.push_back({ generator, source, QString::number(c->accuracy.trials),
                        QString::number(c->accuracy.successes), csvNumber(c->accuracy.estimate),
                        csvNumber(c->accuracy.low), csvNumber(c->accuracy.high) });
            }
            out() << row.join(QLatin1Char('\t')) << '\n';
        }
        return finishWithTable(p, table);
    }
    if (action == QLatin1String("frequency")) {
        p.setApplicationDescription(QStringLiteral(
            "Frequency analysis (You et al.): judge pool images as they are and low-, high- and band-pass filtered "
            "at cut-offs in cycles per image, and print the model's accuracy on each, overall and per source. "
            "Nothing is stored."));
        p.addOption({ QStringLiteral("model"), QStringLiteral("Model name or id."), QStringLiteral("model") });
        p.addOption({ QStringLiteral("cutoffs"),
            QStringLiteral("Cut-offs in cycles per image, comma-separated (default 10,30,50,100)."),
            QStringLiteral("list"), QStringLiteral("10,30,50,100") });
        p.addOption(
            { QStringLiteral("split"), QStringLiteral("Pool split to judge: train, val, test (default) or all."),
                QStringLiteral("split"), QStringLiteral("test") });
        p.addOption({ QStringLiteral("threshold"), QStringLiteral("Detectors: P(real) >= threshold says real."),
            QStringLiteral("p"), QStringLiteral("0.5") });
        p.addOption(
            { QStringLiteral("out"), QStringLiteral("Also write the table to this CSV file."), QStringLiteral("csv") });
        p.addOption({ QStringLiteral("cpu"), QStringLiteral("Run on the CPU even when CUDA is available.") });
        if (!parse(p, rest, code))
            return code;
        if (!p.isSet(QStringLiteral("model")))
            return usage(p, QStringLiteral("--model is required"));
        std::vector<double> cutoffs;
        for (const QString& text : p.value(QStringLiteral("cutoffs")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const double c = text.trimmed().toDouble(&ok);
            if (!ok || !(c > 0))
                return usage(
                    p, QStringLiteral("--cutoffs: \"%1\" is not a positive number of cycles per image").arg(text));
            if (!cutoffs.empty() && c <= cutoffs.back())
                return usage(p, QStringLiteral("--cutoffs must rise (got %1 after %2)").arg(c).arg(cutoffs.back()));
            cutoffs.push_back(c);
        }
        if (cutoffs.empty())
            return usage(p, QStringLiteral("--cutoffs needs at least one cut-off"));
        bool ok = true;
        ModelRunOptions options;
        options.threshold = p.value(QStringLiteral("threshold")).toDouble(&ok);
        if (!ok || options.threshold < 0 || options.threshold > 1)
            return usage(p, QStringLiteral("--threshold must be between 0 and 1"));
        options.device = p.isSet(QStringLiteral("cpu")) ? DevicePreference::Cpu : DevicePreference::Auto;
        const auto selection = splitSelection(p, "split");
        if (!selection)
            return usage(p, selection.error());
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto model = findModel(*db.value(), p.value(QStringLiteral("model")));
        if (!model)
            return fail(model.error());
        CancelToken cancel;
        const auto results = evaluateOnFrequencies(
            *db.value(), model->id, selection.value(), cutoffs, options, cancel, progressPrinter());
        if (!results)
            return fail(results.error());
        QStringList sources;
        for (const FrequencyAccuracy& r : results.value())
            for (auto it = r.bySource.cbegin(); it != r.bySource.cend(); ++it)
                if (!sources.contains(it.key()))
                    sources << it.key();
        Table table;
        table.header = { QStringLiteral("filter"), QStringLiteral("cutoff"), QStringLiteral("upper_cutoff"),
            QStringLiteral("images"), QStringLiteral("accuracy"), QStringLiteral("wilson_low"),
            QStringLiteral("wilson_high") };
        for (const QString& source : std::as_const(sources))
            table.header << QStringLiteral("accuracy[%1]").arg(source);
        for (const FrequencyAccuracy& r : results.value()) {
            const bool none = !r.filter.enabled();
            QStringList row = { none ? QStringLiteral("none") : r.filter.describe().section(QLatin1Char(' '), 0, 0),
                none ? QString() : QString::number(r.filter.cutoff),
                r.filter.kind == FrequencyFilter::Kind::BandPass ? QString::number(r.filter.upper) : QString(),
                QString::number(r.accuracy.trials), QString::number(r.accuracy.estimate, 'f', 4),
                QString::number(r.accuracy.low, 'f', 4), QString::number(r.accuracy.high, 'f', 4) };
            for (const QString& source : std::as_const(sources))
                row << (r.bySource.contains(source) ? QString::number(r.bySource.value(source).estimate, 'f', 4)
                                                    : QString());
            table.rows.push_back(row);
        }
        out() << QStringLiteral(
            "model \"%1\" on %2 pool image(s) of %3, as they are and filtered (cycles per image):\n")
                     .arg(model->name)
                     .arg(results->front().accuracy.trials)
                     .arg(selection->describe());
        out() << table.header.join(QLatin1Char('\t')) << '\n';
        for (const QStringList& row : table.rows)
            out() << row.join(QLatin1Char('\t')) << '\n';
        return finishWithTable(p, table);
    }
    if (action == QLatin1String("contamination")) {
        p.setApplicationDescription(QStringLiteral(
            "Estimate how many images of a folder of supposedly real images are generated (dataset contamination): "
            "a detector judges every image file under FOLDER, and the share it calls generated is corrected for the "
            "detector's error rates on the pool (Rogan-Gladen, with a delta-method interval). Run the model on the "
            "pool's test split first (`ntt model run --pool --split test`). Nothing is stored."));
        p.addPositionalArgument(QStringLiteral("folder"), QStringLiteral("Folder of supposedly real images."));
        p.addOption({ QStringLiteral("model"), QStringLiteral("Model name or id."), QStringLiteral("model") });
        p.addOption({ QStringLiteral("threshold"), QStringLiteral("P(real) below this calls an image generated."),
            QStringLiteral("p"), QStringLiteral("0.5") });
        p.addOption({ QStringLiteral("rates-split"),
            QStringLiteral("Pool split whose predictions give the error rates (default test; \"all\" for every "
                           "predicted pool image)."),
            QStringLiteral("split"), QStringLiteral("test") });
        p.addOption(
            { QStringLiteral("top"), QStringLiteral("List this many most likely generated images (default 20)."),
                QStringLiteral("n"), QStringLiteral("20") });
        p.addOption({ QStringLiteral("out"), QStringLiteral("Also write every image's P(real) to this CSV file."),
            QStringLiteral("csv") });
        p.addOption({ QStringLiteral("cpu"), QStringLiteral("Run on the CPU even when CUDA is available.") });
        if (!parse(p, rest, code))
            return code;
        if (p.positionalArguments().size() != 1)
            return usage(p, QStringLiteral("give one folder of images"));
        if (!p.isSet(QStringLiteral("model")))
            return usage(p, QStringLiteral("--model is required"));
        bool ok = true;
        ModelRunOptions options;
        options.threshold = p.value(QStringLiteral("threshold")).toDouble(&ok);
        if (!ok || options.threshold <= 0 || options.threshold > 1)
            return usage(p, QStringLiteral("--threshold must be above 0 and at most 1"));
        const int top = p.value(QStringLiteral("top")).toInt(&ok);
        if (!ok || top < 0)
            return usage(p, QStringLiteral("--top must be a whole number >= 0"));
        options.device = p.isSet(QStringLiteral("cpu")) ? DevicePreference::Cpu : DevicePreference::Auto;
        const auto rates = splitSelection(p, "rates-split");
        if (!rates)
            return usage(p, rates.error());
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto model = findModel(*db.value(), p.value(QStringLiteral("model")));
        if (!model)
            return fail(model.error());
        CancelToken cancel;
        const auto report = estimateFolderContamination(
            *db.value(), model->id, p.positionalArguments().front(), rates.value(), options, cancel, progressPrinter());
        if (!report)
            return fail(report.error());
        const ContaminationEstimate& e = report->estimate;
        const DetectorErrorRates& r = report->rates;
        out() << QStringLiteral("model \"%1\" on %2: %3 image(s) judged, %4 called generated at P(real) < %5 "
                                "(apparent share %6, Wilson 95 % %7-%8)\n")
                     .arg(report->model, report->folder)
                     .arg(e.images)
                     .arg(e.flagged)
                     .arg(report->threshold)
                     .arg(e.apparent.estimate, 0, 'f', 3)
                     .arg(e.apparent.low, 0, 'f', 3)
                     .arg(e.apparent.high, 0, 'f', 3);
        out() << QStringLiteral("error rates on %1: sensitivity %2 (%3 of %4 generated called generated), "
                                "specificity %5 (%6 of %7 real called real)\n")
                     .arg(report->rateSelection)
                     .arg(e.sensitivity, 0, 'f', 3)
                     .arg(r.generatedFlagged)
                     .arg(r.generatedImages)
                     .arg(e.specificity, 0, 'f', 3)
                     .arg(r.realImages - r.realFlagged)
                     .arg(r.realImages);
        if (e.warning.isEmpty())
            out() << QStringLiteral("estimated share of generated images (Rogan-Gladen): %1, 95 % interval %2-%3\n")
                         .arg(e.estimate, 0, 'f', 3)
                         .arg(e.low, 0, 'f', 3)
                         .arg(e.high, 0, 'f', 3);
        else
            out() << QStringLiteral("no corrected estimate: %1\n").arg(e.warning);
        if (top > 0)
            out() << QStringLiteral("most likely generated, for review:\n");
        int listed = 0;
        int failed = 0;
        for (const FolderImageVerdict& v : report->images) {
            if (!v.error.isEmpty()) {
                err() << "warning: " << v.error << Qt::endl;
                ++failed;
            } else if (listed < top) {
                out() << QStringLiteral("  %1\tP(real) %2\n").arg(v.path).arg(v.pReal, 0, 'f', 3);
                ++listed;
            }
        }
        Table table;
        table.header = { QStringLiteral("path"), QStringLiteral("p_real"), QStringLiteral("called_generated"),
            QStringLiteral("error") };
        for (const FolderImageVerdict& v : report->images)
            table.rows.push_back({ v.path, v.error.isEmpty() ? QString::number(v.pReal, 'g', 7) : QString(),
                v.error.isEmpty() ? QString::number(v.pReal < options.threshold ? 1 : 0) : QString(), v.error });
        if (const int written = finishWithTable(p, table); written != 0)
            return written;
        if (failed > 0)
            return fail(QStringLiteral("%1 file(s) could not be judged (listed above)").arg(failed));
        return 0;
    }
    err() << "usage: ntt model add|list|run|train|cross-generator|frequency|contamination --db <file> ...\n";
    return 2;
}

} // namespace ntt::cli

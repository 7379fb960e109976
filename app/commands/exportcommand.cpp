// `ntt export`: see commands.h and `ntt export --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "studyexports.h"
#include "studyfile.h"

namespace ntt::cli {

int cmdExport(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Export for the paper. --what responses (one row per response), model-answers (one row per model and trial, "
        "the responses' columns with the agent column naming the model), predictions (one row per model and image), "
        "categories / sources (accuracy per category or generator and agent, with Wilson and bootstrap intervals and "
        "a binomial test against chance), participants, images (people's and each model's results side by side), "
        "confusion (which-source / which-category answers as people's and each model's confusion matrix), "
        "source-pairs (accuracy per pair of generators), pair-correlation (Spearman's rho of people's and each "
        "model's pair accuracies, with a bootstrap interval), roc (people's ROC from real-or-fake answers with "
        "confidence, each model's from P(real), point by point), auc (their AUCs with participant- or image-level "
        "bootstrap intervals), calibration (people's accuracy per confidence level, each model's reliability "
        "diagram and expected calibration error), self-consistency (people's answers to repeated trials against their "
        "first answers, and each model's error consistency with people against that ceiling), signal-detection (real "
        "or "
        "fake: d' and criterion c per agent, participant, category and generator, with hit and false-alarm counts "
        "and whether the log-linear correction was applied), exposure (brief "
        "exposure: accuracy per exposure duration, with the frames asked for and the measured durations), staircase "
        "(each participant's exposure staircase: reversals and threshold in frames and ms), marks (one row per place "
        "people clicked as giving an image away, "
        "in the image's own pixels), attention-agreement (per marked image and model, people's marks against the "
        "model's Grad-CAM map: correlation, share of marks in its top 20 %, pointing game; for pick trials also per "
        "row), attention-groups (the same per model over all images, per category, per source and per pick-trial "
        "row, with Wilson intervals), summaries (every summary "
        "table into the folder "
        "--out), pool-evaluation (a model on the pool images it "
        "predicted with `model run --pool`, per source or per category; --model), or psych-ds (a Psych-DS dataset "
        "folder with all of "
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
    p.addOption({ QStringLiteral("model"), QStringLiteral("pool-evaluation: the model (name or id)."),
        QStringLiteral("model") });
    p.addOption(
        { QStringLiteral("threshold"), QStringLiteral("pool-evaluation: P(real) >= threshold says real (default 0.5)."),
            QStringLiteral("p"), QStringLiteral("0.5") });
    p.addOption({ QStringLiteral("excel"),
        QStringLiteral("Start each CSV with the UTF-8 byte-order mark, so that Excel opened by a double-click reads "
                       "non-ASCII text right (R and pandas read the files either way). Not for psych-ds.") });
    addAnalysisOptions(p);
    int code = 0;
    if (!parse(p, args, code))
        return code;
    if (!p.isSet(QStringLiteral("out")))
        return usage(p, QStringLiteral("--out <path> is required"));
    const bool excel = p.isSet(QStringLiteral("excel"));
    if (excel && p.value(QStringLiteral("what")) == QLatin1String("psych-ds"))
        return usage(p,
            QStringLiteral("--excel: a Psych-DS dataset stays plain UTF-8, as its validators expect; export the "
                           "tables for Excel with --what summaries --excel"));
    // Success: the files written, with Excel's byte-order mark when asked for.
    const auto done = [&](const QStringList& files) {
        if (excel) {
            if (const Status s = addExcelByteOrderMarks(files); !s)
                return fail(s.error());
        }
        return 0;
    };
    auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return fail(db.error());
    const QString what = p.value(QStringLiteral("what"));
    const QString file = p.value(QStringLiteral("out"));
    if (what == QLatin1String("pool-evaluation")) {
        // A model on pool images, no study: per source, or per category for category-classes models.
        const auto model = findModel(*db.value(), p.value(QStringLiteral("model")));
        if (!model)
            return fail(model.error());
        bool ok = false;
        const double threshold = p.value(QStringLiteral("threshold")).toDouble(&ok);
        if (!ok || threshold < 0 || threshold > 1)
            return usage(p, QStringLiteral("--threshold must be between 0 and 1"));
        const auto rows = exportPoolEvaluation(*db.value(), model->id, threshold, file);
        if (!rows)
            return fail(rows.error());
        out() << QStringLiteral("wrote %1 row(s) of the pool evaluation of \"%2\" to %3\n")
                     .arg(rows.value())
                     .arg(model->name, file)
              << Qt::flush;
        return done({ file });
    }
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
        return done(files.value());
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
    if (what == QLatin1String("attention-agreement") || what == QLatin1String("attention-groups")) {
        CancelToken cancel;
        CamOptions cam;
        const auto rows = attentionAgreement(*db.value(), studyId, options.filter, cam, cancel, progressPrinter());
        if (!rows)
            return fail(rows.error());
        const bool groups = what == QLatin1String("attention-groups");
        const Table table
            = groups ? attentionGroupsTable(summariseAttention(rows.value())) : attentionAgreementTable(rows.value());
        if (const Status s = writeTableFile(table, file); !s)
            return fail(s.error());
        out() << QStringLiteral("wrote %1 row(s) of people's marks against the models' Grad-CAM maps to %2\n")
                     .arg(table.rows.size())
                     .arg(file)
              << Qt::flush;
        return done({ file });
    }
    if (what == QLatin1String("marks")) {
        const auto marks = studyMarks(*db.value(), studyId, options.filter);
        if (!marks)
            return fail(marks.error());
        const Table table = marksTable(marks.value());
        if (const Status s = writeTableFile(table, file); !s)
            return fail(s.error());
        out() << QStringLiteral("wrote %1 mark(s) on %2 trial(s) to %3\n")
                     .arg(table.rows.size())
                     .arg(marks->size())
                     .arg(file)
              << Qt::flush;
        return done({ file });
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
                           "sources, participants, images, confusion, source-pairs, pair-correlation, roc, auc, "
                           "calibration, self-consistency, signal-detection, exposure, staircase, marks, "
                           "attention-agreement, attention-groups, "
                           "summaries, "
                           "pool-evaluation or psych-ds")
                .arg(what));
    if (!rows)
        return fail(rows.error());
    out() << QStringLiteral("wrote %1 row(s) of %2 to %3\n").arg(rows.value()).arg(what, file) << Qt::flush;
    return done({ file });
}

} // namespace ntt::cli

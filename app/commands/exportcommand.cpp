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

} // namespace ntt::cli

// `ntt browse`: see commands.h and `ntt browse --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QFile>

#include <cstdio>
#include <optional>

namespace ntt::cli {

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
        for (auto c = answers.namesChosen.cbegin(); c != answers.namesChosen.cend(); ++c)
            o << QStringLiteral("people answered: %1, %2 time(s)\n").arg(c.key()).arg(c.value());
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

} // namespace ntt::cli

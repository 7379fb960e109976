// Time to recompute the people-versus-models analysis for a large study: 200 participants x 400
// trials (two-way pick-real), 5 models answering the same 80,000 trials, and the per-image table
// of 10,000 images with each model's P(real).
//
// Run: build/dev/bin/bench_analysis

#include "analysis.h"
#include "imageresults.h"
#include "rng.h"
#include "summarytables.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>

using namespace ntt;

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    constexpr int participants = 200;
    constexpr int trialsEach = 400;
    constexpr int imageCount = 10000;
    const QStringList categories = { QStringLiteral("animals"), QStringLiteral("buildings"), QStringLiteral("faces"),
        QStringLiteral("food"), QStringLiteral("hands"), QStringLiteral("landscapes"), QStringLiteral("objects"),
        QStringLiteral("plants"), QStringLiteral("text"), QStringLiteral("vehicles") };
    const QStringList generators
        = { QStringLiteral("sd21"), QStringLiteral("sdxl"), QStringLiteral("dalle3"), QStringLiteral("midjourney") };

    std::vector<PoolImage> images(imageCount);
    for (int i = 0; i < imageCount; ++i) {
        images[std::size_t(i)].id = i + 1;
        images[std::size_t(i)].category = categories[(i / 5) % categories.size()];
        images[std::size_t(i)].source = i % 5 == 0 ? QStringLiteral("real") : generators[i % 5 - 1];
    }
    Rng rng(42);
    auto pickImage = [&](bool real) {
        for (;;) {
            const PoolImage& image = images[std::size_t(rng.below(imageCount))];
            if ((image.source == QLatin1String("real")) == real)
                return image;
        }
    };
    std::vector<ResponseRow> people;
    people.reserve(std::size_t(participants) * trialsEach);
    qint64 trialId = 0;
    for (int p = 0; p < participants; ++p) {
        for (int t = 0; t < trialsEach; ++t) {
            ResponseRow r;
            r.sessionId = p + 1;
            r.participant = QStringLiteral("P%1").arg(p + 1);
            r.trial.id = ++trialId;
            r.trial.index = t;
            r.trial.type = TrialType::PickReal;
            r.shown = { pickImage(true), pickImage(false) };
            r.trial.imageIds = { r.shown[0].id, r.shown[1].id };
            r.trial.correctPosition = 0;
            r.response.answer = rng.uniform() < 0.7 ? 0 : 1;
            r.response.correct = r.response.answer == 0;
            r.response.rtMs = 800 + 1000 * rng.uniform();
            people.push_back(std::move(r));
        }
    }
    std::vector<ResponseRow> models;
    QMap<QString, QHash<qint64, float>> pReal;
    for (int m = 0; m < 5; ++m) {
        const QString name = QStringLiteral("model %1").arg(m + 1);
        for (const ResponseRow& h : people) {
            ResponseRow r = h;
            r.agent = name;
            r.participant.clear();
            r.response.answer = rng.uniform() < 0.9 ? 0 : 1;
            r.response.correct = r.response.answer == 0;
            models.push_back(std::move(r));
        }
        for (const PoolImage& image : images)
            pReal[name].insert(image.id, float(rng.uniform()));
    }
    std::printf("%d participants x %d trials, %zu model answers (5 models), %d images\n", participants, trialsEach,
        models.size(), imageCount);

    AnalysisOptions options;
    options.bootstrapReplicates = 2000;
    for (int run = 0; run < 3; ++run) {
        QElapsedTimer clock;
        clock.start();
        const Analysis a = analyse(people, models, options);
        const qint64 analysisMs = clock.elapsed();
        clock.restart();
        const auto perImage = humanResultsByImage(people, options.filter);
        const Table table = imageTable(images, perImage, pReal);
        const qint64 imagesMs = clock.elapsed();
        std::printf("run %d: analyse() %lld ms (%zu category cells, %zu consistency rows); per-image table %lld ms "
                    "(%zu rows)\n",
            run + 1, analysisMs, a.byCategory.size(), a.errorConsistency.size(), imagesMs, table.rows.size());
    }
    return 0;
}

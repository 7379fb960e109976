// Time to recompute the people-versus-models analysis for a large study: 200 participants x 400
// trials (two-way pick-real), 5 models answering the same 80,000 trials, and the per-image table
// of 10,000 images with each model's P(real).
//
// Run: build/dev/bin/bench_analysis

#include "analysis/analysis.h"
#include "analysis/imageresults.h"
#include "analysis/summarytables.h"
#include "syntheticstudy.h"

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
    const bench::SyntheticStudy synthetic = bench::syntheticStudy(participants, trialsEach, imageCount, 5);
    const std::vector<PoolImage>& images = synthetic.images;
    const std::vector<ResponseRow>& people = synthetic.people;
    const std::vector<ResponseRow>& models = synthetic.models;
    const QMap<QString, QHash<qint64, float>>& pReal = synthetic.pReal;
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

// Time to redraw the people-versus-models dashboard for a large study: 200 participants x 400 trials
// (two-way pick-real), 5 models answering the same 80,000 trials, 10,000 images with each model's
// P(real) in the per-image scatter. Measures Dashboard::setAnalysis (all six plots rebuilt and
// replotted) on the offscreen platform; the analysis itself is timed by bench_analysis.
//
// Run: QT_QPA_PLATFORM=offscreen build/dev/bin/bench_dashboard

#include "analysis/analysis.h"
#include "analysis/imageresults.h"
#include "dashboard.h"
#include "qcustomplot_wrapper.h"
#include "syntheticstudy.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QPixmap>
#include <QTabWidget>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ntt;

int main(int argc, char* argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    constexpr int participants = 200;
    constexpr int trialsEach = 400;
    constexpr int imageCount = 10000;
    constexpr int runs = 5;
    const bench::SyntheticStudy synthetic = bench::syntheticStudy(participants, trialsEach, imageCount, 5);
    const std::vector<PoolImage>& images = synthetic.images;
    const std::vector<ResponseRow>& people = synthetic.people;
    const std::vector<ResponseRow>& models = synthetic.models;
    const QMap<QString, QHash<qint64, float>>& pReal = synthetic.pReal;

    StudyAnalysis study;
    study.study.definition.name = QStringLiteral("bench 2-way");
    AnalysisOptions options;
    QElapsedTimer clock;
    clock.start();
    study.analysis = analyse(people, models, options);
    study.people = humanResultsByImage(people, options.filter);
    study.images = images;
    study.pRealByModel = pReal;
    std::printf("%d participants x %d trials, %zu model answers (5 models), %d images; analysis %lld ms\n",
        participants, trialsEach, models.size(), imageCount, clock.elapsed());

    Dashboard dashboard;
    dashboard.resize(1280, 900);
    dashboard.show();
    QCoreApplication::processEvents();
    std::vector<qint64> times;
    for (int run = 0; run < runs; ++run) {
        clock.restart();
        dashboard.setAnalysis(study);
        const qint64 ms = clock.elapsed();
        times.push_back(ms);
        std::printf("run %d: setAnalysis (6 plots rebuilt and replotted, %d scatter points) %lld ms\n", run + 1,
            dashboard.plot(Dashboard::Plot::Images)->graphCount() > 0
                ? 5 * dashboard.plot(Dashboard::Plot::Images)->graph(0)->dataCount()
                : 0,
            ms);
        QCoreApplication::processEvents();
    }
    std::vector<qint64> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    std::printf(
        "setAnalysis over %d runs: median %lld ms, max %lld ms\n", runs, sorted[sorted.size() / 2], sorted.back());

    // The same with the scatter tab on screen and painted (grab() forces the paint).
    if (auto* tabs = dashboard.findChild<QTabWidget*>())
        tabs->setCurrentIndex(int(Dashboard::Plot::Images));
    QCoreApplication::processEvents();
    times.clear();
    for (int run = 0; run < runs; ++run) {
        clock.restart();
        dashboard.setAnalysis(study);
        const QPixmap shot = dashboard.grab();
        times.push_back(clock.elapsed());
        QCoreApplication::processEvents();
    }
    std::sort(times.begin(), times.end());
    std::printf("setAnalysis + painting the Images tab (%dx%d) over %d runs: median %lld ms, max %lld ms\n",
        dashboard.width(), dashboard.height(), runs, times[times.size() / 2], times.back());
    return 0;
}

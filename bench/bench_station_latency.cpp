// Time from an answer committed at one station to the researcher's dashboard having redrawn with
// it: a real `ntt session simulate` process answers one trial every 2.5 s (printing each commit),
// while this process runs the main window on the same study, as the researcher's computer would.
// The path: the window's 2 s watch notices the study changed, the dashboard's 750 ms debounce, the
// analysis on a worker, the redraw. On a server study the station commits each answer to its journal
// and its sender delivers it (StationOutbox). Prints the median, p99 and largest of the latencies.
//
//   QT_QPA_PLATFORM=offscreen build/dev/bin/bench_station_latency build/dev/bin/ntt [ANSWERS] [LOCATION]
//
// LOCATION: an empty PostgreSQL database's address to measure a server study; a study file otherwise.

#include "dashboard.h"
#include "demo/demo.h"
#include "mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ntt;

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_station_latency NTT [ANSWERS] [LOCATION]\n");
        return 2;
    }
    const QString ntt = QString::fromLocal8Bit(argv[1]);
    const int answers = argc > 2 ? std::max(3, std::atoi(argv[2])) : 20;
    QTemporaryDir dir;
    const QString location = argc > 3 ? QString::fromLocal8Bit(argv[3]) : dir.filePath(QStringLiteral("study.ntt"));

    CancelToken cancel;
    DemoPoolOptions demo;
    demo.outputDir = dir.filePath(QStringLiteral("pool"));
    demo.imagesPerSourceAndCategory = 10;
    demo.size = 48;
    const auto pool = generateDemoPool(demo, cancel, {});
    auto db = StudyDatabase::open(location);
    if (!pool || !db) {
        std::fprintf(stderr, "%s\n", qPrintable(!pool ? pool.error() : db.error()));
        return 1;
    }
    ImportOptions import;
    import.location = pool->root;
    StudyDefinition d;
    d.name = QStringLiteral("latency");
    d.trialsPerParticipant = answers;
    if (!importPool(*db.value(), import, cancel, {}) || !createStudy(*db.value(), d, cancel, {})) {
        std::fprintf(stderr, "cannot set the study up at %s\n", qPrintable(location));
        return 1;
    }
    db.value().reset();

    MainWindow window;
    window.show();
    if (!window.openStudyFile(location))
        return 1;
    auto* dashboard = window.findChild<Dashboard*>();
    QElapsedTimer clock;
    clock.start();
    std::vector<qint64> committedAt;
    std::vector<qint64> latencies;
    QObject::connect(dashboard, &Dashboard::refreshed, [&] {
        // Every commit not yet seen is on the dashboard now.
        while (latencies.size() < committedAt.size())
            latencies.push_back(clock.elapsed() - committedAt[latencies.size()]);
    });
    QProcess station;
    QObject::connect(&station, &QProcess::readyReadStandardOutput, [&] {
        while (station.canReadLine())
            if (station.readLine().startsWith("committed"))
                committedAt.push_back(clock.elapsed());
    });
    // Let the window's watch take its starting point first.
    QTimer::singleShot(3000, [&] {
        station.start(ntt,
            { QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"), location,
                QStringLiteral("--participants"), QStringLiteral("1"), QStringLiteral("--station"),
                QStringLiteral("cubicle-1"), QStringLiteral("--delay-ms"), QStringLiteral("2500"),
                QStringLiteral("--print-commits") });
    });
    while (latencies.size() < std::size_t(answers) && clock.elapsed() < 600000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
    station.waitForFinished(60000);
    if (latencies.empty())
        return 1;
    std::vector<qint64> sorted = latencies;
    std::sort(sorted.begin(), sorted.end());
    // p99 by the nearest-rank rule: the smallest latency at least 99 % of the answers did not exceed.
    const std::size_t p99 = std::max<std::size_t>(1, (99 * sorted.size() + 99) / 100) - 1;
    std::printf("%s, %zu answers one every 2.5 s: answer to dashboard median %lld ms, p99 %lld ms, largest %lld ms "
                "(min %lld ms)\n",
        StudyDatabase::isServerLocation(location) ? "server study (answers through the station's journal)"
                                                  : "study file",
        sorted.size(), static_cast<long long>(sorted[sorted.size() / 2]), static_cast<long long>(sorted[p99]),
        static_cast<long long>(sorted.back()), static_cast<long long>(sorted.front()));
    return 0;
}

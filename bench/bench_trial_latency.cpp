// Answer-to-next-stimulus latency of the participant window: over 200 trials of a four-way study
// with 512 px images, the time from the answer key to the moment the next trial's stimulus frame
// is painted. That span holds the switch to the next trial and the paint of four pre-decoded
// images; the durable commit of the answer (SQLite, synchronous=FULL) runs on the session writer's
// thread meanwhile, and its time (answer to responseRecorded: on disk) is printed too.
//
// Run: xvfb-run -s "-screen 0 1920x1080x24" build/dev/bin/bench_trial_latency [work-dir]
// (or QT_QPA_PLATFORM=offscreen). Prints median, p90, p99 and max in ms. The work dir decides the
// disk the study file is on (the default is a temporary folder).

#include "benchstudyfile.h"
#include "participantwindow.h"
#include "studyfile.h"

#include <QApplication>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace ntt;

namespace {

double steadyMs()
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    const double rank = p * (static_cast<double>(v.size()) - 1.0);
    const auto lo = static_cast<std::size_t>(rank);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

int fail(const QString& message)
{
    std::fprintf(stderr, "bench_trial_latency: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    const int trials = 200;
    QTemporaryDir tmp;
    const QString work = argc > 1 ? QString::fromLocal8Bit(argv[1]) : tmp.path();

    // A synthetic pool at 512 px: the demo generator, enough images for 200 four-way rows.
    auto db = bench::benchStudyFile(work, 512, 70);
    if (!db)
        return fail(db.error());
    StudyDefinition d;
    d.name = QStringLiteral("latency bench %1").arg(QDateTime::currentMSecsSinceEpoch());
    d.trialType = TrialType::PickReal;
    d.ways = 4;
    d.trialsPerParticipant = trials;
    auto opened = bench::benchWindow(*db.value(), d);
    if (!opened)
        return fail(opened.error());
    ParticipantWindow& window = *opened.value();

    std::vector<double> latencies;
    std::vector<double> commits;
    double answered = 0.0;
    QObject::connect(
        &window, &ParticipantWindow::responseRecorded, &window, [&](int) { commits.push_back(steadyMs() - answered); });
    for (int i = 0; i < trials; ++i) {
        if (!bench::waitInEventLoop([&] { return window.stimulusShown(); }))
            return fail(QStringLiteral("trial %1 was never painted").arg(i));
        // A participant's pause (250 ms, the shortest plausible answer to a four-way row), so the
        // measure is the switch itself and not a race with the prefetcher's decoding of the rows after it.
        bench::pauseInEventLoop(250);
        answered = steadyMs();
        QTest::keyClick(&window, Qt::Key_1);
        if (i + 1 == trials)
            break;
        if (!bench::waitInEventLoop([&] { return window.stimulusShown(); }))
            return fail(QStringLiteral("trial %1 was never painted").arg(i + 1));
        latencies.push_back(window.stimulusOnsetMs() - answered);
    }
    if (!bench::waitInEventLoop([&] { return int(commits.size()) == trials; }))
        return fail(QStringLiteral("only %1 of %2 answers reached the disk").arg(commits.size()).arg(trials));
    if (latencies.empty())
        return fail(QStringLiteral("no latency measured"));
    auto print = [](const char* what, const std::vector<double>& v) {
        std::printf("%s: median %.2f ms   p90 %.2f ms   p99 %.2f ms   max %.2f ms\n", what, percentile(v, 0.5),
            percentile(v, 0.9), percentile(v, 0.99), *std::max_element(v.begin(), v.end()));
    };
    std::printf("platform: %s, window 1920x1080, 4-way, 512 px images, %zu answer-to-next-stimulus intervals\n",
        qPrintable(QGuiApplication::platformName()), latencies.size());
    print("answer to next stimulus", latencies);
    print("answer to on disk      ", commits);
    return 0;
}

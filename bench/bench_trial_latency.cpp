// Answer-to-next-stimulus latency of the participant window: over 200 trials of a four-way study
// with 512 px images, the time from the answer key to the moment the next trial's stimulus frame
// is painted. That span holds the durable commit of the answer (SQLite, synchronous=FULL), the
// switch to the next trial and the paint of four pre-decoded images.
//
// Run: xvfb-run -s "-screen 0 1920x1080x24" build/dev/bin/bench_trial_latency [work-dir]
// (or QT_QPA_PLATFORM=offscreen). Prints median, p90, p99 and max in ms.

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
    for (int i = 0; i < trials; ++i) {
        if (!QTest::qWaitFor([&] { return window.stimulusShown(); }, 10000))
            return fail(QStringLiteral("trial %1 was never painted").arg(i));
        // A participant's pause, so the measure is the switch itself and not a prefetch race.
        QTest::qWait(30);
        const double answered = steadyMs();
        QTest::keyClick(&window, Qt::Key_1);
        if (i + 1 == trials)
            break;
        if (!QTest::qWaitFor([&] { return window.stimulusShown(); }, 10000))
            return fail(QStringLiteral("trial %1 was never painted").arg(i + 1));
        latencies.push_back(window.stimulusOnsetMs() - answered);
    }
    if (latencies.empty())
        return fail(QStringLiteral("no latency measured"));
    std::printf("platform: %s, window 1920x1080, 4-way, 512 px images, %zu answer-to-next-stimulus intervals\n",
        qPrintable(QGuiApplication::platformName()), latencies.size());
    std::printf("median %.2f ms   p90 %.2f ms   p99 %.2f ms   max %.2f ms\n", percentile(latencies, 0.5),
        percentile(latencies, 0.9), percentile(latencies, 0.99), *std::max_element(latencies.begin(), latencies.end()));
    return 0;
}

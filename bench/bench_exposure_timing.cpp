// Brief-exposure timing of the participant window: a real-or-fake study shows 512 px images for
// 1, 2, 3, 6 and 12 frames (20 trials each), then a 6-frame mask; each answer stores the measured
// times from the stimulus frame to the mask frame and from the mask to the answer screen. Prints,
// per exposure, the median and largest difference from frames x refresh period, and how many
// exposures were a whole frame or more off.
//
// Run: xvfb-run -s "-screen 0 1920x1080x24" build/dev/bin/bench_exposure_timing [work-dir]
// (or QT_QPA_PLATFORM=offscreen). The times are those of composing each frame, not of the panel.

#include "benchstudyfile.h"
#include "participantwindow.h"
#include "quantile.h"
#include "studyfile.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdio>
#include <map>

using namespace ntt;

namespace {

int fail(const QString& message)
{
    std::fprintf(stderr, "bench_exposure_timing: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QTemporaryDir tmp;
    const QString work = argc > 1 ? QString::fromLocal8Bit(argv[1]) : tmp.path();
    auto db = bench::benchStudyFile(work, 512, 40);
    if (!db)
        return fail(db.error());
    StudyDefinition d;
    d.name = QStringLiteral("exposure bench %1").arg(QDateTime::currentMSecsSinceEpoch());
    d.trialType = TrialType::RealOrFake;
    d.ways = 1;
    d.trialsPerParticipant = 100;
    d.exposure.frames = { 1, 2, 3, 6, 12 };
    d.exposure.maskFrames = 6;
    auto opened = bench::benchWindow(*db.value(), d);
    if (!opened)
        return fail(opened.error());
    ParticipantWindow& window = *opened.value();
    // The event loop waits for events, as in a session (QTest::qWaitFor would sleep 10 ms at a time
    // and delay the window's timers by as much).
    for (int i = 0; i < d.trialsPerParticipant; ++i) {
        if (!bench::waitInEventLoop([&] { return window.exposureStage() == ParticipantWindow::ExposureStage::Gone; }))
            return fail(QStringLiteral("trial %1 never reached the answer screen").arg(i));
        QTest::keyClick(&window, Qt::Key_F);
    }
    if (const Status stored = window.waitForStorage(); !stored)
        return fail(stored.error());
    const auto rows = db.value()->responseRows(window.plan().study.id);
    if (!rows)
        return fail(rows.error());
    std::map<int, std::vector<double>> stimulusError;
    std::vector<double> maskError;
    double hz = 0.0;
    for (const ResponseRow& r : rows.value()) {
        const double period = 1000.0 / r.response.frameRateHz;
        hz = r.response.frameRateHz;
        stimulusError[r.response.exposureFrames].push_back(r.response.exposureMs - r.response.exposureFrames * period);
        maskError.push_back(r.response.maskMs - d.exposure.maskFrames * period);
    }
    std::printf("platform: %s, refresh rate %.2f Hz (one frame %.2f ms), %zu trials\n",
        qPrintable(QGuiApplication::platformName()), hz, 1000.0 / hz, rows->size());
    std::printf("measured minus asked (ms):\n");
    const auto line = [&](const QString& what, const std::vector<double>& errors) {
        int frameOff = 0;
        double largest = 0.0;
        for (double e : errors) {
            frameOff += std::abs(e) >= 1000.0 / hz ? 1 : 0;
            largest = std::max(largest, std::abs(e));
        }
        std::printf("  %-18s median %+6.2f   largest |diff| %6.2f   a frame or more off: %d of %zu\n", qPrintable(what),
            linearPercentile(errors, 0.5), largest, frameOff, errors.size());
    };
    for (const auto& [frames, errors] : stimulusError)
        line(QStringLiteral("stimulus %1 frames").arg(frames), errors);
    line(QStringLiteral("mask %1 frames").arg(d.exposure.maskFrames), maskError);
    return 0;
}

#pragma once

// A study file over the synthetic demo pool for the participant-window benchmarks: `perCell`
// images of `size` pixels per source and category (real, checkerboard, upsampler x 3 categories),
// and a participant window full HD on a simulated session of a study.

#include "participantwindow.h"
#include "studyfile.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QString>
#include <QTimer>
#include <QtTest>

#include <memory>

namespace ntt::bench {

inline Result<std::unique_ptr<StudyDatabase>> benchStudyFile(const QString& work, int size, int perCell)
{
    CancelToken cancel;
    DemoPoolOptions poolOptions;
    poolOptions.outputDir = work + QStringLiteral("/pool%1").arg(size);
    poolOptions.size = size;
    poolOptions.imagesPerSourceAndCategory = perCell;
    const auto pool = generateDemoPool(poolOptions, cancel, {});
    if (!pool)
        return Error { pool.error() };
    auto db = StudyDatabase::open(work + QStringLiteral("/bench.ntt"));
    if (!db)
        return Error { db.error() };
    ImportOptions import;
    import.location = pool->root;
    import.realSource = QStringLiteral("real");
    if (const auto imported = importPool(*db.value(), import, cancel, {}); !imported)
        return Error { imported.error() };
    return db;
}

/// Creates `definition` in `db`, starts a simulated session of it and opens a 1920x1080 participant
/// window on it, past the instructions screen.
inline Result<std::unique_ptr<ParticipantWindow>> benchWindow(StudyDatabase& db, const StudyDefinition& definition)
{
    CancelToken cancel;
    const auto study = createStudy(db, definition, cancel, {});
    if (!study)
        return Error { study.error() };
    auto plan = startSession(db, study->study.id, QString(), QStringLiteral("bench"), true);
    if (!plan)
        return Error { plan.error() };
    const auto paths = db.stimulusPaths(study->study.id);
    if (!paths)
        return Error { paths.error() };
    auto window = std::make_unique<ParticipantWindow>(db, std::move(plan).value(), paths.value());
    window->resize(1920, 1080);
    window->start(nullptr);
    if (!QTest::qWaitForWindowExposed(window.get()))
        return Error { QStringLiteral("the window was never exposed") };
    QTest::keyClick(window.get(), Qt::Key_Space); // instructions
    return window;
}

/// Runs the event loop until `done()` or `timeoutMs` passed; true when done. The thread sleeps
/// while no event comes, as in the application, rather than in QTest::qWaitFor's 10 ms sleeps (which
/// delay the window's timers and paints) or in processEvents(flags, ms), which spins on a core the
/// prefetcher's threads need (its time limit makes it ignore WaitForMoreEvents).
template <typename Predicate> bool waitInEventLoop(Predicate done, int timeoutMs = 10000)
{
    QElapsedTimer clock;
    clock.start();
    QTimer wake; // wakes the loop at the time-out
    wake.setSingleShot(true);
    wake.start(timeoutMs);
    while (!done()) {
        if (clock.elapsed() >= timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

/// Runs the event loop for `ms` milliseconds (a participant's pause), sleeping while no event comes.
inline void pauseInEventLoop(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, Qt::PreciseTimer, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace ntt::bench

#include "../common/demostudyfile.h"
#include "../common/pgtestdatabase.h"
#include "participantwindow.h"
#include "stationoutbox.h"
#include "stimulusstore.h"
#include "study/staircase.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>

using namespace ntt;

namespace {

// With NTT_SCREENSHOT_DIR set, the screens a participant sees are saved there as PNG for review.
void saveScreenshot(QWidget& w, const QString& name)
{
    const QString dir = qEnvironmentVariable("NTT_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        w.grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

} // namespace

// Participants run through real studies on the DeepArt sample with key presses and clicks, then
// the study file and the exported CSV are checked.
class Test_participantwindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<StudyDatabase> m_db;
    qint64 m_twoWay = 0;
    qint64 m_realOrFake = 0;

    qint64 addStudy(StudyDefinition d)
    {
        CancelToken cancel;
        const auto created = createStudy(*m_db, d, cancel, {});
        if (!created)
            qWarning() << created.error();
        return created ? created->study.id : 0;
    }

    std::unique_ptr<ParticipantWindow> openWindow(SessionPlan plan)
    {
        const auto paths = m_db->stimulusPaths(plan.study.id);
        auto w = std::make_unique<ParticipantWindow>(*m_db, std::move(plan), paths.value());
        w->resize(1280, 720);
        w->start(nullptr);
        return w;
    }

    // Answers trials until `stopAfter` answers (or the end), pressing keys like a participant:
    // SPACE on text screens, Y on consent, the correct key on practice and key 1 otherwise.
    // Returns the answers given, by trial index.
    QMap<int, int> play(ParticipantWindow& w, int stopAfter = -1)
    {
        QMap<int, int> given;
        for (int guard = 0; guard < 500; ++guard) {
            const Screen s = w.currentScreen();
            if (s.kind == ScreenKind::End || (stopAfter >= 0 && given.size() >= stopAfter)) {
                if (const Status stored = w.waitForStorage(); !stored)
                    qWarning() << "a write failed:" << stored.error();
                return given;
            }
            if (s.kind == ScreenKind::Consent) {
                saveScreenshot(w, QStringLiteral("consent"));
                QTest::keyClick(&w, Qt::Key_Y);
                continue;
            }
            if (s.kind != ScreenKind::Trial) {
                saveScreenshot(w, QStringLiteral("screen-%1").arg(int(s.kind)));
                QTest::keyClick(&w, Qt::Key_Space);
                continue;
            }
            if (!QTest::qWaitFor([&] { return w.stimulusShown(); }, 10000)) {
                qWarning() << "trial" << s.trialIndex << "was never shown";
                return given;
            }
            const Trial& t = w.plan().trials[s.trialIndex];
            saveScreenshot(w, QStringLiteral("trial-%1").arg(s.trialIndex));
            const int answer = t.practice ? t.correctPosition : (s.trialIndex % 2);
            QSignalSpy recorded(&w, &ParticipantWindow::responseRecorded);
            if (t.type == TrialType::RealOrFake)
                QTest::keyClick(&w, answer == 0 ? Qt::Key_F : Qt::Key_J);
            else
                QTest::keyClick(&w, Qt::Key(Qt::Key_1 + answer));
            if (!QTest::qWaitFor([&] { return recorded.count() == 1; }, 5000)) {
                qWarning() << "answer to trial" << s.trialIndex << "was not recorded";
                return given;
            }
            given.insert(s.trialIndex, answer);
            if (w.currentScreen().kind == ScreenKind::Trial)
                saveScreenshot(w, QStringLiteral("trial-%1-after").arg(s.trialIndex));
            // Feedback holds the trial on screen for a moment; the caller's checks find a trial that stays.
            if (!QTest::qWaitFor(
                    [&] {
                        return w.currentScreen().kind != ScreenKind::Trial
                            || w.currentScreen().trialIndex != s.trialIndex;
                    },
                    5000))
                qWarning() << "trial" << s.trialIndex << "stayed on screen after its answer";
        }
        return given;
    }

    // A session of the two-way study opened in a window and taken past the welcome and consent
    // screens to its first stimulus; null (with a warning) when that fails.
    std::unique_ptr<ParticipantWindow> atFirstTwoWayTrial(const QString& participant, qint64& sessionId)
    {
        auto plan = startSession(*m_db, m_twoWay, participant, QStringLiteral("test"), false);
        if (!plan) {
            qWarning() << plan.error();
            return nullptr;
        }
        sessionId = plan->session.id;
        auto w = openWindow(std::move(plan).value());
        if (!QTest::qWaitForWindowExposed(w.get()))
            return nullptr;
        QTest::keyClick(w.get(), Qt::Key_Space);
        QTest::keyClick(w.get(), Qt::Key_Y);
        if (w->currentScreen().kind != ScreenKind::Trial || !QTest::qWaitFor([&] { return w->stimulusShown(); }, 10000))
            return nullptr;
        return w;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString sample = QStringLiteral(NTT_SHARED_DATA_DIR "/deepart-sample");
        if (!QFileInfo::exists(sample))
            QFAIL("../shared/data/deepart-sample is missing: the participant test runs on the real DeepArt images");
        auto db = StudyDatabase::open(m_dir.filePath(QStringLiteral("deepart.ntt")));
        QVERIFY2(db.ok(), qPrintable(db.error()));
        m_db = std::move(db).value();
        ImportOptions import;
        import.location = sample;
        CancelToken cancel;
        const auto imported = importPool(*m_db, import, cancel, {});
        QVERIFY2(imported.ok(), qPrintable(imported.error()));
        QCOMPARE(imported->report.realSource, QStringLiteral("human"));

        StudyDefinition d;
        d.name = QStringLiteral("DeepArt 2-way");
        d.trialType = TrialType::PickReal;
        d.ways = 2;
        d.matching = RowMatching::PairKey;
        d.trialsPerParticipant = 8;
        d.practiceTrials = 2;
        d.breakEvery = 4;
        d.consent = QStringLiteral("I agree to take part.");
        d.instructions = QStringLiteral("Which painting is by the human artist?");
        m_twoWay = addStudy(d);
        QVERIFY(m_twoWay > 0);

        StudyDefinition rf;
        rf.name = QStringLiteral("DeepArt real-or-fake");
        rf.trialType = TrialType::RealOrFake;
        rf.ways = 1;
        rf.trialsPerParticipant = 6;
        rf.confidence = true;
        m_realOrFake = addStudy(rf);
        QVERIFY(m_realOrFake > 0);
    }

    void participantCompletesATwoWayStudyWithKeys()
    {
        auto plan = startSession(*m_db, m_twoWay, QStringLiteral("P-KEYS"), QStringLiteral("test"), false);
        QVERIFY2(plan.ok(), qPrintable(plan.error()));
        const qint64 sessionId = plan->session.id;
        auto w = openWindow(std::move(plan).value());
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        QCOMPARE(w->currentScreen().kind, ScreenKind::Instructions);
        QSignalSpy ended(w.get(), &ParticipantWindow::sessionEnded);
        const QMap<int, int> given = play(*w);
        QCOMPARE(given.size(), 10);
        QCOMPARE(w->currentScreen().kind, ScreenKind::End);

        // Every answer is in the study file, as given.
        const auto session = m_db->session(sessionId);
        QCOMPARE(session->state, SessionState::Finished);
        QCOMPARE(session->answeredCount, 10);
        const auto rows = m_db->responseRows(m_twoWay);
        QVERIFY(rows.ok());
        int checked = 0;
        for (const ResponseRow& row : rows.value()) {
            if (row.sessionId != sessionId)
                continue;
            ++checked;
            QCOMPARE(row.response.answer, given.value(row.trial.index));
            // Right exactly when the chosen painting is the human one.
            QCOMPARE(row.response.correct, row.shown[row.response.answer].source == QLatin1String("human"));
            QCOMPARE(row.shown[row.trial.correctPosition].source, QStringLiteral("human"));
            QCOMPARE(row.shown[0].pairKey, row.shown[1].pairKey);
            QVERIFY(row.response.rtMs >= 0.0);
            QVERIFY(row.response.rtClock == QLatin1String("event") || row.response.rtClock == QLatin1String("handler"));
            QVERIFY(row.response.onsetUtc.isValid());
            QVERIFY(row.response.responseUtc >= row.response.onsetUtc);
            QCOMPARE(row.trial.practice, row.trial.index < 2);
        }
        QCOMPARE(checked, 10);

        // The experimenter closes the finished session with the chord.
        w->setExitConfirmation([](bool complete) {
            return complete ? ParticipantWindow::ExitChoice::Pause : ParticipantWindow::ExitChoice::Stay;
        });
        QTest::keyClick(w.get(), Qt::Key_Q, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(ended.count(), 1);
        QCOMPARE(ended.first().at(1).value<SessionState>(), SessionState::Finished);

        // The exported CSV has one row per response with the answers given, and parses as CSV.
        const QString csv = m_dir.filePath(QStringLiteral("responses.csv"));
        const auto written = exportResponses(*m_db, m_twoWay, csv);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        const QStringList header = lines.first().split(QLatin1Char(','));
        const int chosenColumn = int(header.indexOf(QStringLiteral("chosen_position")));
        const int indexColumn = int(header.indexOf(QStringLiteral("trial_index")));
        const int participantColumn = int(header.indexOf(QStringLiteral("participant")));
        QVERIFY(chosenColumn > 0 && indexColumn > 0);
        int rowsForSession = 0;
        for (const QString& line : lines.mid(1)) {
            const QStringList fields = line.split(QLatin1Char(','));
            QCOMPARE(fields.size(), header.size());
            if (fields[participantColumn] != QLatin1String("P-KEYS"))
                continue;
            ++rowsForSession;
            QCOMPARE(fields[chosenColumn].toInt(), given.value(fields[indexColumn].toInt()) + 1);
        }
        QCOMPARE(rowsForSession, 10);

        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (!python.isEmpty()) {
            // An independent RFC 4180 reader agrees on the shape of the file.
            QProcess py;
            py.start(python,
                { QStringLiteral("-c"),
                    QStringLiteral("import csv,sys; r=list(csv.DictReader(open(sys.argv[1],newline='',"
                                   "encoding='utf-8'))); print(len(r), len(r[0]), r[0]['trial_type'])"),
                    csv });
            QVERIFY(py.waitForFinished(20000));
            QCOMPARE(QString::fromUtf8(py.readAllStandardOutput()).trimmed(),
                QStringLiteral("%1 %2 pick-real").arg(lines.size() - 1).arg(header.size()));
        }
    }

    void responseTimeRunsFromTheStimulusToTheEventsOwnTimestamp()
    {
        qint64 sessionId = 0;
        auto w = atFirstTwoWayTrial(QStringLiteral("P-RT"), sessionId);
        QVERIFY(w);
        QTest::qWait(300);
        // A key event stamped 120 ms before now on the monotonic clock, as X11 stamps them: the
        // response time must come from that stamp, not from when the handler ran.
        using namespace std::chrono;
        const double nowMs = duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
        const auto stamp = static_cast<quint64>(nowMs - 120.0) & 0xffffffffULL;
        const double expected = (nowMs - 120.0) - w->stimulusOnsetMs();
        QKeyEvent press(QEvent::KeyPress, Qt::Key_1, Qt::NoModifier, QStringLiteral("1"));
        press.setTimestamp(stamp);
        QSignalSpy recorded(w.get(), &ParticipantWindow::responseRecorded);
        QApplication::sendEvent(w.get(), &press);
        QTRY_COMPARE(recorded.count(), 1);
        const auto rows = m_db->responseRows(m_twoWay).value();
        const auto it
            = std::find_if(rows.begin(), rows.end(), [&](const ResponseRow& r) { return r.sessionId == sessionId; });
        QVERIFY(it != rows.end());
        QCOMPARE(it->response.rtClock, QStringLiteral("event"));
        QVERIFY2(qAbs(it->response.rtMs - expected) <= 1.5,
            qPrintable(QStringLiteral("rt %1 ms, expected %2 ms").arg(it->response.rtMs).arg(expected)));
        QVERIFY(it->response.rtMs > 150.0); // waited 300 ms, answered "120 ms ago"
    }

    // The answer is committed on the writer's thread while the next trial shows. When that commit
    // fails (here: another station took the session over), the session stops with the reason, and
    // the next answer is not taken.
    void aFailedCommitStopsTheSessionBeforeTheNextAnswer()
    {
        qint64 sessionId = 0;
        auto w = atFirstTwoWayTrial(QStringLiteral("P-TAKEN"), sessionId);
        QVERIFY(w);
        QSignalSpy recorded(w.get(), &ParticipantWindow::responseRecorded);
        QTest::keyClick(w.get(), Qt::Key_1);
        QTRY_COMPARE(recorded.count(), 1);
        QVERIFY(QTest::qWaitFor([&] { return w->currentScreen().trialIndex == 1 && w->stimulusShown(); }, 10000));

        const auto taken = m_db->acquireSessionLease(sessionId, QStringLiteral("other station"), true, 0);
        QVERIFY2(taken.ok(), qPrintable(taken.error()));
        QTest::keyClick(w.get(), Qt::Key_2); // queued; its commit is refused
        QTRY_VERIFY(!w->storageError().isEmpty());
        QVERIFY2(w->storageError().contains(QStringLiteral("other station")), qPrintable(w->storageError()));
        saveScreenshot(*w, QStringLiteral("storage-error"));
        QCOMPARE(recorded.count(), 1);
        // The next answer is not taken, and nothing after the failure reaches the study.
        const int trialShown = w->currentScreen().trialIndex;
        QTest::keyClick(w.get(), Qt::Key_1);
        QTest::qWait(100);
        QCOMPARE(recorded.count(), 1);
        QCOMPARE(w->currentScreen().trialIndex, trialShown);
        QCOMPARE(m_db->answeredTrialIndices(sessionId).value(), QSet<int>({ 0 }));
        w->setExitConfirmation([](bool) { return ParticipantWindow::ExitChoice::Abort; });
        QTest::keyClick(w.get(), Qt::Key_Q, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(!w->isVisible());
    }

    void clickingAnImageAnswers()
    {
        qint64 sessionId = 0;
        auto w = atFirstTwoWayTrial(QStringLiteral("P-MOUSE"), sessionId);
        QVERIFY(w);
        QSignalSpy recorded(w.get(), &ParticipantWindow::responseRecorded);
        QTest::mouseClick(w.get(), Qt::LeftButton, Qt::NoModifier, w->optionRect(1).center());
        QTRY_COMPARE(recorded.count(), 1);
        const auto rows = m_db->responseRows(m_twoWay);
        bool found = false;
        for (const ResponseRow& row : rows.value()) {
            if (row.sessionId == sessionId) {
                QCOMPARE(row.response.answer, 1);
                found = true;
            }
        }
        QVERIFY(found);
    }

    void pausedSessionResumesAtTheFirstUnansweredTrial()
    {
        auto plan = startSession(*m_db, m_twoWay, QStringLiteral("P-PAUSE"), QStringLiteral("test"), false);
        QVERIFY(plan.ok());
        const qint64 sessionId = plan->session.id;
        const std::vector<Trial> trials = plan->trials;
        {
            auto w = openWindow(std::move(plan).value());
            QVERIFY(QTest::qWaitForWindowExposed(w.get()));
            QCOMPARE(play(*w, 3).size(), 3);
            // Closing the window is refused; only the chord, confirmed, leaves.
            QVERIFY(!w->close());
            QVERIFY(w->isVisible());
            w->setExitConfirmation([](bool) { return ParticipantWindow::ExitChoice::Stay; });
            QTest::keyClick(w.get(), Qt::Key_Q, Qt::ControlModifier | Qt::ShiftModifier);
            QVERIFY(w->isVisible());
            w->setExitConfirmation([](bool) { return ParticipantWindow::ExitChoice::Pause; });
            QTest::keyClick(w.get(), Qt::Key_Q, Qt::ControlModifier | Qt::ShiftModifier);
            QVERIFY(!w->isVisible());
        }
        QCOMPARE(m_db->session(sessionId)->state, SessionState::Open);
        QCOMPARE(m_db->answeredTrialIndices(sessionId).value(), QSet<int>({ 0, 1, 2 }));

        // Paused, the session is nobody's: another station resumes it.
        QVERIFY(m_db->session(sessionId)->leaseStation.isEmpty());
        auto resumed = loadSession(*m_db, sessionId, QStringLiteral("other station"));
        QVERIFY2(resumed.ok(), qPrintable(resumed.error()));
        auto w = openWindow(std::move(resumed).value());
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        QCOMPARE(w->currentScreen().kind, ScreenKind::Resume);
        QTest::keyClick(w.get(), Qt::Key_Space);
        // Practice was trials 0 and 1, so the main block starts with its introduction... already
        // passed: trial 2 was answered, trial 3 is next.
        QCOMPARE(w->currentScreen().kind, ScreenKind::Trial);
        QCOMPARE(w->currentScreen().trialIndex, 3);
        play(*w);
        QCOMPARE(m_db->session(sessionId)->state, SessionState::Finished);
        QCOMPARE(m_db->session(sessionId)->answeredCount, int(trials.size()));
        const auto stored = m_db->sessionTrials(sessionId).value();
        for (std::size_t i = 0; i < trials.size(); ++i)
            QCOMPARE(stored[i].imageIds, trials[i].imageIds);
    }

    void realOrFakeWithConfidenceAndFocusLoss()
    {
        auto plan = startSession(*m_db, m_realOrFake, QStringLiteral("P-RF"), QStringLiteral("test"), false);
        QVERIFY(plan.ok());
        const qint64 sessionId = plan->session.id;
        auto w = openWindow(std::move(plan).value());
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        QTest::keyClick(w.get(), Qt::Key_Space);
        QCOMPARE(w->currentScreen().kind, ScreenKind::Trial);
        QVERIFY(QTest::qWaitFor([&] { return w->stimulusShown(); }, 10000));

        // Another window takes the focus during the trial.
        QWidget other;
        other.show();
        QVERIFY(QTest::qWaitForWindowExposed(&other));
        QApplication::setActiveWindow(&other);
        QTRY_VERIFY(!w->isActiveWindow());
        QApplication::setActiveWindow(w.get());
        QTRY_VERIFY(w->isActiveWindow());

        QSignalSpy recorded(w.get(), &ParticipantWindow::responseRecorded);
        saveScreenshot(*w, QStringLiteral("real-or-fake"));
        QTest::keyClick(w.get(), Qt::Key_J);
        QCOMPARE(recorded.count(), 0); // waiting for the confidence rating
        saveScreenshot(*w, QStringLiteral("confidence"));
        QTest::keyClick(w.get(), Qt::Key_5); // out of range: ignored
        QCOMPARE(recorded.count(), 0);
        QTest::keyClick(w.get(), Qt::Key_3);
        QTRY_COMPARE(recorded.count(), 1);
        const auto rows = m_db->responseRows(m_realOrFake).value();
        QCOMPARE(int(rows.size()), 1);
        QCOMPARE(rows[0].sessionId, sessionId);
        QCOMPARE(rows[0].response.answer, 1);
        QCOMPARE(*rows[0].response.confidence, 3);
        QCOMPARE(rows[0].response.focusLosses, 1);
        QCOMPARE(rows[0].response.correct, rows[0].shown[0].source != QLatin1String("human"));
    }

    // After "generated", the image stays and the participant clicks where it gave itself away, picks a
    // reason and presses Enter: the marks are stored in the image's own pixels (through the
    // normalisation's crop); after "real" nothing is asked.
    void marksAfterAGeneratedAnswerAreStoredInImagePixels()
    {
        StudyDefinition d;
        d.name = QStringLiteral("DeepArt marks");
        d.trialType = TrialType::RealOrFake;
        d.ways = 1;
        d.trialsPerParticipant = 4;
        d.marks.points = 2;
        d.marks.reasons = { QStringLiteral("hands"), QStringLiteral("texture") };
        d.normalisation.enabled = true;
        d.normalisation.size = 256;
        const qint64 study = addStudy(d);
        QVERIFY(study > 0);
        auto plan = startSession(*m_db, study, QStringLiteral("P-MARKS"), QStringLiteral("test"), false);
        QVERIFY(plan.ok());
        auto w = openWindow(std::move(plan).value());
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        QTest::keyClick(w.get(), Qt::Key_Space);
        QVERIFY(QTest::qWaitFor([&] { return w->stimulusShown(); }, 10000));
        const int first = w->currentScreen().trialIndex;
        QSignalSpy recorded(w.get(), &ParticipantWindow::responseRecorded);
        QTest::keyClick(w.get(), Qt::Key_J); // generated
        QTRY_COMPARE(recorded.count(), 1); // the answer is stored before the marks are asked for
        QVERIFY(w->marking());
        const QRect image = w->shownImageRect(0);
        QVERIFY(!image.isEmpty());
        const QPoint a = image.topLeft() + QPoint(image.width() / 4, image.height() / 2);
        const QPoint b = image.topLeft() + QPoint(image.width() * 3 / 4, image.height() / 8);
        QTest::mouseClick(w.get(), Qt::LeftButton, {}, a);
        QTest::mouseClick(w.get(), Qt::LeftButton, {}, image.topLeft() + QPoint(5, 5));
        QTest::keyClick(w.get(), Qt::Key_Backspace); // the second click taken back
        QTest::mouseClick(w.get(), Qt::LeftButton, {}, b);
        QTest::mouseClick(w.get(), Qt::LeftButton, {}, image.center()); // a third: more than allowed
        QTest::mouseClick(w.get(), Qt::LeftButton, {}, QPoint(2, 2)); // off the image
        QCOMPARE(int(w->pendingMarks().points.size()), 2);
        QTest::keyClick(w.get(), Qt::Key_2);
        saveScreenshot(*w, QStringLiteral("marks"));
        QVERIFY(m_db->sessionEvents(study, marksEventKind())->empty()); // nothing until Enter
        QTest::keyClick(w.get(), Qt::Key_Return);
        QVERIFY(!w->marking());
        QVERIFY(w->currentScreen().trialIndex != first);

        // Committed by the writer's thread while the next trial shows.
        QTRY_VERIFY(!m_db->sessionEvents(study, marksEventKind())->empty());
        const auto marks = studyMarks(*m_db, study, AnswerFilter {});
        QVERIFY2(marks.ok(), qPrintable(marks.error()));
        QCOMPARE(int(marks->size()), 1);
        const MarkedTrial& m = marks->front();
        QCOMPARE(m.row.trial.index, first);
        QCOMPARE(m.marks.reason, QStringLiteral("texture"));
        QCOMPARE(int(m.marks.points.size()), 2);
        const PoolImage& shown = m.row.shown.front();
        for (int i = 0; i < 2; ++i) {
            const QPoint at = i == 0 ? a : b;
            const Mark& p = m.marks.points[std::size_t(i)];
            QCOMPARE(p.imageId, shown.id);
            QVERIFY(std::abs(p.u - double(at.x() - image.left()) / image.width()) < 1e-9);
            QVERIFY(std::abs(p.v - double(at.y() - image.top()) / image.height()) < 1e-9);
            const QPointF pixels = shownToImagePixels(p.u, p.v, shown.width, shown.height, d.normalisation);
            QCOMPARE(p.x, pixels.x());
            QCOMPARE(p.y, pixels.y());
            QVERIFY(p.x >= 0 && p.x <= shown.width && p.y >= 0 && p.y <= shown.height);
        }

        // "Real": nothing gave it away, so nothing is asked.
        QVERIFY(QTest::qWaitFor([&] { return w->stimulusShown(); }, 10000));
        QTest::keyClick(w.get(), Qt::Key_F);
        QTRY_COMPARE(recorded.count(), 2);
        QVERIFY(!w->marking());
        QCOMPARE(int(m_db->sessionEvents(study, marksEventKind())->size()), 1);

        // Paused while marking: the marks placed so far are stored with the pause.
        QVERIFY(QTest::qWaitFor([&] { return w->stimulusShown(); }, 10000));
        const int interrupted = w->currentScreen().trialIndex;
        QTest::keyClick(w.get(), Qt::Key_J);
        QVERIFY(w->marking());
        QTest::mouseClick(w.get(), Qt::LeftButton, {}, w->shownImageRect(0).center());
        w->setExitConfirmation([](bool) { return ParticipantWindow::ExitChoice::Pause; });
        QTest::keyClick(w.get(), Qt::Key_Q, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(!w->isVisible());
        const auto after = studyMarks(*m_db, study, AnswerFilter {});
        QVERIFY(after.ok());
        QCOMPARE(int(after->size()), 2);
        QCOMPARE(after->back().row.trial.index, interrupted);
        QCOMPARE(int(after->back().marks.points.size()), 1);
    }

    // Brief exposure with a staircase: the image shows for the staircase's frames, then the mask,
    // then the empty answer screen; keys during the image are ignored; each answer is stored with
    // the frames, the refresh rate and the measured durations; the staircase follows the answers,
    // and goes on where it was when the session is paused and resumed.
    void briefExposureFollowsTheStaircaseAndRecordsMeasuredDurations()
    {
        StudyDefinition d;
        d.name = QStringLiteral("DeepArt brief exposure");
        d.trialType = TrialType::RealOrFake;
        d.ways = 1;
        d.trialsPerParticipant = 7;
        d.practiceTrials = 1;
        d.exposure.maskFrames = 3;
        d.exposure.staircase.enabled = true;
        d.exposure.staircase.startFrames = 6;
        d.exposure.staircase.minFrames = 1;
        d.exposure.staircase.maxFrames = 12;
        d.exposure.staircase.stepFrames = { 2 };
        d.exposure.staircase.down = 2;
        const qint64 study = addStudy(d);
        QVERIFY(study > 0);
        auto plan = startSession(*m_db, study, QStringLiteral("P-BRIEF"), QStringLiteral("test"), false);
        QVERIFY(plan.ok());
        const qint64 sessionId = plan->session.id;
        const std::vector<Trial> trials = plan->trials;
        QCOMPARE(trials.front().exposureFrames, 6); // practice: the staircase's start
        for (std::size_t i = 1; i < trials.size(); ++i)
            QCOMPARE(trials[i].exposureFrames, kStaircaseExposure);

        // Right on trials 0..2 and 5, wrong on 3, 4, 6, 7.
        const auto rightOn = [](int index) { return index <= 2 || index == 5; };
        Staircase expected(d.exposure.staircase);
        auto answerTrials = [&](ParticipantWindow& w, int count) {
            for (int n = 0; n < count; ++n) {
                if (w.currentScreen().kind != ScreenKind::Trial)
                    QTest::keyClick(&w, Qt::Key_Space);
                QCOMPARE(w.currentScreen().kind, ScreenKind::Trial);
                const Trial& t = w.plan().trials[std::size_t(w.currentScreen().trialIndex)];
                QVERIFY(QTest::qWaitFor([&] { return w.stimulusShown(); }, 10000));
                const int frames = t.practice ? 6 : expected.nextFrames();
                QCOMPARE(w.exposureFrames(), frames);
                const bool right = rightOn(t.index);
                const Qt::Key key = (t.correctPosition == 0) == right ? Qt::Key_F : Qt::Key_J;
                QSignalSpy recorded(&w, &ParticipantWindow::responseRecorded);
                if (w.exposureStage() == ParticipantWindow::ExposureStage::Stimulus) {
                    if (n == 0)
                        saveScreenshot(w, QStringLiteral("brief-stimulus"));
                    QTest::keyClick(&w, key); // too early: the image is still up
                    QCOMPARE(recorded.count(), 0);
                }
                QVERIFY(QTest::qWaitFor(
                    [&] { return w.exposureStage() != ParticipantWindow::ExposureStage::Stimulus; }, 5000));
                if (n == 0 && w.exposureStage() == ParticipantWindow::ExposureStage::Mask)
                    saveScreenshot(w, QStringLiteral("brief-mask"));
                QVERIFY(
                    QTest::qWaitFor([&] { return w.exposureStage() == ParticipantWindow::ExposureStage::Gone; }, 5000));
                if (n == 0)
                    saveScreenshot(w, QStringLiteral("brief-answer"));
                QTest::keyClick(&w, key);
                QTRY_COMPARE(recorded.count(), 1);
                if (!t.practice)
                    expected.addResponse(right, frames);
                // Practice has feedback, which holds the trial on screen for a moment.
                QVERIFY(QTest::qWaitFor(
                    [&] {
                        return w.currentScreen().kind != ScreenKind::Trial || w.currentScreen().trialIndex != t.index;
                    },
                    5000));
                if (w.currentScreen().kind == ScreenKind::MainStart)
                    QTest::keyClick(&w, Qt::Key_Space);
            }
        };
        {
            auto w = openWindow(std::move(plan).value());
            QVERIFY(QTest::qWaitForWindowExposed(w.get()));
            QTest::keyClick(w.get(), Qt::Key_Space);
            answerTrials(*w, 5);
            w->setExitConfirmation([](bool) { return ParticipantWindow::ExitChoice::Pause; });
            QTest::keyClick(w.get(), Qt::Key_Q, Qt::ControlModifier | Qt::ShiftModifier);
        }
        {
            auto resumed = loadSession(*m_db, sessionId, QStringLiteral("test"));
            QVERIFY2(resumed.ok(), qPrintable(resumed.error()));
            auto w = openWindow(std::move(resumed).value());
            QVERIFY(QTest::qWaitForWindowExposed(w.get()));
            QVERIFY(w->staircase());
            QCOMPARE(w->staircase()->frames(), expected.frames()); // gone on from the stored answers
            QCOMPARE(w->staircase()->nextFrames(), expected.nextFrames());
            QTest::keyClick(w.get(), Qt::Key_Space); // welcome back
            answerTrials(*w, int(trials.size()) - 5);
            QCOMPARE(w->currentScreen().kind, ScreenKind::End);
        }
        QVERIFY(expected.reversalFrames().size() >= 1);

        const auto rows = m_db->responseRows(study).value();
        QCOMPARE(rows.size(), trials.size());
        std::vector<int> shownFrames;
        for (const ResponseRow& row : rows) {
            const Response& r = row.response;
            QCOMPARE(r.correct, rightOn(row.trial.index));
            QVERIFY(r.frameRateHz >= 1.0);
            const double frame = 1000.0 / r.frameRateHz;
            // Measured between the stimulus and mask frames: at least the frames asked for (a
            // timer may fire a millisecond early), at most a generous margin on a busy machine.
            QVERIFY2(r.exposureMs >= r.exposureFrames * frame - 2.0 && r.exposureMs < r.exposureFrames * frame + 250.0,
                qPrintable(QStringLiteral("trial %1: %2 frames measured as %3 ms")
                               .arg(row.trial.index)
                               .arg(r.exposureFrames)
                               .arg(r.exposureMs)));
            QVERIFY(r.maskMs >= 3 * frame - 2.0 && r.maskMs < 3 * frame + 250.0);
            QVERIFY(r.rtMs >= r.exposureMs + r.maskMs - 1.0); // answers came after the answer screen
            if (!row.trial.practice)
                shownFrames.push_back(r.exposureFrames);
        }
        QCOMPARE(shownFrames, expected.frames());

        // The export names what was asked for and what was measured.
        const QString csvPath = m_dir.filePath(QStringLiteral("brief.csv"));
        QVERIFY(exportResponses(*m_db, study, csvPath).ok());
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList header = QString::fromUtf8(csv.readLine()).trimmed().split(QLatin1Char(','));
        const QStringList first = QString::fromUtf8(csv.readLine()).trimmed().split(QLatin1Char(','));
        QCOMPARE(first.size(), header.size());
        QCOMPARE(first[header.indexOf(QStringLiteral("exposure_frames"))], QStringLiteral("6"));
        QCOMPARE(first[header.indexOf(QStringLiteral("exposure_ms"))].toDouble(),
            std::round(rows[0].response.exposureMs * 100) / 100);
        QVERIFY(first[header.indexOf(QStringLiteral("frame_rate_hz"))].toDouble() >= 1.0);
    }

    // Which source made it: one image, a button per source (keys 1..K), the names in the export.
    void whichSourceIsAnsweredWithNamedButtons()
    {
        StudyDefinition d;
        d.name = QStringLiteral("DeepArt which source");
        d.trialType = TrialType::WhichSource;
        d.ways = 1;
        d.trialsPerParticipant = 4;
        const qint64 studyId = addStudy(d);
        QVERIFY(studyId > 0);
        auto plan = startSession(*m_db, studyId, QStringLiteral("P-WS"), QStringLiteral("test"), false);
        QVERIFY2(plan.ok(), qPrintable(plan.error()));
        QCOMPARE(plan->trials.front().choices, QStringList({ QStringLiteral("human"), QStringLiteral("gpt4") }));
        auto w = openWindow(std::move(plan).value());
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        QTest::keyClick(w.get(), Qt::Key_Space);
        QVERIFY(QTest::qWaitFor([&] { return w->stimulusShown(); }, 10000));
        saveScreenshot(*w, QStringLiteral("which-source"));
        // Two buttons side by side under the image, inside the window.
        const QRect first = w->optionRect(0);
        const QRect second = w->optionRect(1);
        QVERIFY(first.isValid() && second.isValid() && !first.intersects(second));
        QVERIFY(w->rect().contains(first) && w->rect().contains(second));
        QVERIFY(!w->optionRect(2).isValid());
        QSignalSpy recorded(w.get(), &ParticipantWindow::responseRecorded);
        QTest::keyClick(w.get(), Qt::Key_3); // no third source: ignored
        QCOMPARE(recorded.count(), 0);
        QTest::keyClick(w.get(), Qt::Key_2);
        QTRY_COMPARE(recorded.count(), 1);
        QVERIFY(QTest::qWaitFor([&] { return w->currentScreen().trialIndex == 1 && w->stimulusShown(); }, 10000));
        QTest::mouseClick(w.get(), Qt::LeftButton, Qt::NoModifier, w->optionRect(0).center());
        QTRY_COMPARE(recorded.count(), 2);

        const auto rows = m_db->responseRows(studyId).value();
        QCOMPARE(int(rows.size()), 2);
        QCOMPARE(rows[0].response.answer, 1);
        QCOMPARE(rows[1].response.answer, 0);
        for (const ResponseRow& r : rows)
            QCOMPARE(r.response.correct, r.trial.choices[r.response.answer] == r.shown.front().source);
        const QString csv = m_dir.filePath(QStringLiteral("which-source.csv"));
        QVERIFY(exportResponses(*m_db, studyId, csv).ok());
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        const QStringList header = lines.first().split(QLatin1Char(','));
        const QStringList firstRow = lines.at(1).split(QLatin1Char(','));
        QCOMPARE(firstRow.at(header.indexOf(QStringLiteral("chosen_answer"))), QStringLiteral("gpt4"));
        QCOMPARE(firstRow.at(header.indexOf(QStringLiteral("correct_answer"))), rows[0].shown.front().source);
        QCOMPARE(firstRow.at(header.indexOf(QStringLiteral("choices"))), QStringLiteral("human|gpt4"));
        QCOMPARE(firstRow.at(header.indexOf(QStringLiteral("trial_type"))), QStringLiteral("which-source"));
    }

    // What it shows: category names as buttons in rows; with feedback the right one is marked.
    void whichCategoryOffersNamesInRows()
    {
        QTemporaryDir dir;
        auto file = testing::demoStudyFile(dir.path(), 2, 96);
        QVERIFY2(file.ok(), qPrintable(file.error()));
        StudyDefinition d;
        d.name = QStringLiteral("What does it show");
        d.trialType = TrialType::WhichCategory;
        d.ways = 1;
        d.trialsPerParticipant = 3;
        d.feedback = true;
        CancelToken cancel;
        const auto created = createStudy(*file->db, d, cancel, {});
        QVERIFY2(created.ok(), qPrintable(created.error()));
        auto plan = startSession(*file->db, created->study.id, QStringLiteral("P-WC"), QStringLiteral("test"), false);
        QVERIFY2(plan.ok(), qPrintable(plan.error()));
        const Trial first = plan->trials.front();
        QVERIFY(first.choices.size() >= 3);
        const auto paths = file->db->stimulusPaths(created->study.id);
        ParticipantWindow w(*file->db, std::move(plan).value(), paths.value());
        w.resize(1280, 720);
        w.start(nullptr);
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::keyClick(&w, Qt::Key_Space);
        QVERIFY(QTest::qWaitFor([&] { return w.stimulusShown(); }, 10000));
        saveScreenshot(w, QStringLiteral("which-category"));
        for (int o = 0; o < first.choices.size(); ++o)
            QVERIFY2(w.rect().contains(w.optionRect(o)), qPrintable(QStringLiteral("button %1 is off screen").arg(o)));
        QSignalSpy recorded(&w, &ParticipantWindow::responseRecorded);
        QTest::mouseClick(&w, Qt::LeftButton, Qt::NoModifier, w.optionRect(first.correctPosition).center());
        QTRY_COMPARE(recorded.count(), 1);
        saveScreenshot(w, QStringLiteral("which-category-feedback"));
        const auto rows = file->db->responseRows(created->study.id).value();
        QCOMPARE(int(rows.size()), 1);
        QVERIFY(rows[0].response.correct);
        QCOMPARE(rows[0].trial.choices[rows[0].response.answer], rows[0].shown.front().category);
    }

    // At a station of a server study each key press is committed to the station's journal and
    // delivered from there: the session runs as on a file, and every answer reaches the server.
    void aServerStudyStationAnswersThroughItsJournal()
    {
        QString missing;
        const QString base = testing::testServerBase(QStringLiteral(NTT_TEST_PG_DIR), missing);
        if (base.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(missing)));
        const QString address
            = testing::newServerDatabase(base, QStringLiteral("ntt_window_%1").arg(QCoreApplication::applicationPid()));
        QVERIFY(!address.isEmpty());
        auto server = StudyDatabase::open(address);
        QVERIFY2(server.ok(), qPrintable(server.error()));
        CancelToken cancel;
        QVERIFY(publishStudy(*m_db, *server.value(), cancel, {}).ok());
        auto outbox = StationOutbox::open(server.value()->path(), m_dir.filePath(QStringLiteral("station.journal")));
        QVERIFY2(outbox.ok(), qPrintable(outbox.error()));

        auto plan
            = startSession(*server.value(), m_twoWay, QStringLiteral("P-SERVER"), QStringLiteral("cubicle"), false);
        QVERIFY2(plan.ok(), qPrintable(plan.error()));
        const qint64 sessionId = plan->session.id;
        const auto paths = server.value()->stimulusPaths(m_twoWay);
        ParticipantWindow w(*server.value(), std::move(plan).value(), paths.value(), outbox.value().get());
        w.resize(1280, 720);
        w.start(nullptr);
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QMap<int, int> given = play(w);
        QCOMPARE(given.size(), 10);
        QCOMPARE(w.currentScreen().kind, ScreenKind::End);

        QVERIFY(outbox.value()->waitUntilDelivered(30000));
        const auto session = server.value()->session(sessionId);
        QVERIFY2(session.ok(), qPrintable(session.error()));
        QCOMPARE(session->state, SessionState::Finished);
        QCOMPARE(session->answeredCount, 10);
        const auto rows = server.value()->responseRows(m_twoWay);
        for (const ResponseRow& row : rows.value())
            if (row.sessionId == sessionId)
                QCOMPARE(row.response.answer, given.value(row.trial.index));
        QCOMPARE(outbox.value()->state().backlog.pending(), 0);
        QCOMPARE(outbox.value()->state().backlog.refused, 0);
    }
};

QTEST_MAIN(Test_participantwindow)
#include "tst_participantwindow.moc"

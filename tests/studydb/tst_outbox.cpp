// Stations on a server study write every answer to their own journal first and send it from there
// (StationOutbox). A server killed mid-study, a station killed mid-session, replies lost on the way:
// no answer may be lost or stored twice, and every session must end.

#include "../common/demostudyfile.h"
#include "../common/pgtestdatabase.h"
#include "activitywatcher.h"
#include "demo/demo.h"
#include "sessionwriter.h"
#include "stationoutbox.h"
#include "studyfile.h"

#include <QProcess>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace ntt;

class Test_outbox : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_serverDir; ///< tests/pgserver.sh's folder for this test's own server (it is killed)
    QString m_serverBase; ///< postgresql://USER@HOST:PORT
    QString m_serverMissing;
    QString m_poolRoot;

    bool server(const QString& action)
    {
        QProcess p;
        p.start(QStringLiteral("bash"), { QStringLiteral(NTT_PGSERVER_SCRIPT), action, m_serverDir });
        if (!p.waitForFinished(120000) || p.exitCode() != 0) {
            qWarning() << "pgserver.sh" << action << p.readAllStandardError();
            return false;
        }
        return true;
    }

    // A new database on the server holding the demo pool and a study of 6 trials per participant.
    std::pair<QString, qint64> newStudy(const QString& name)
    {
        const QString location = testing::newServerDatabase(m_serverBase, name);
        auto db = StudyDatabase::open(location);
        if (!db) {
            qWarning() << db.error();
            return {};
        }
        CancelToken cancel;
        ImportOptions import;
        import.location = m_poolRoot;
        if (!importPool(*db.value(), import, cancel, {}))
            return {};
        StudyDefinition d;
        d.name = name;
        d.trialsPerParticipant = 6;
        const auto study = createStudy(*db.value(), d, cancel, {});
        return { location, study ? study->study.id : 0 };
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_serverDir = m_dir.filePath(QStringLiteral("pg"));
        QVERIFY(server(QStringLiteral("start")));
        QFile unavailable(m_serverDir + QStringLiteral("/unavailable"));
        if (unavailable.open(QIODevice::ReadOnly)) {
            m_serverMissing = QString::fromUtf8(unavailable.readAll()).trimmed();
            return;
        }
        QFile url(m_serverDir + QStringLiteral("/url"));
        QVERIFY(url.open(QIODevice::ReadOnly));
        m_serverBase = QString::fromUtf8(url.readAll()).trimmed();
        const auto pool = testing::demoPoolFolder(m_dir.path(), 4, 32);
        QVERIFY2(pool.ok(), qPrintable(pool.error()));
        m_poolRoot = pool.value();
    }

    void cleanupTestCase() { server(QStringLiteral("stop")); }

    // A retry after a lost reply: the same session key and the same answer key store nothing twice.
    void aSecondDeliveryStoresNothingTwice()
    {
        if (m_serverBase.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));
        const auto [location, studyId] = newStudy(QStringLiteral("ntt_keys"));
        QVERIFY(studyId > 0);
        auto db = StudyDatabase::open(location);
        QVERIFY(db.ok());
        const QString key = QStringLiteral("0b8f5a8e-2f7e-4d7e-9b1a-000000000001");
        auto first = startSession(*db.value(), studyId, QStringLiteral("P01"), QStringLiteral("s1"), false, key);
        QVERIFY2(first.ok(), qPrintable(first.error()));
        auto again = startSession(*db.value(), studyId, QStringLiteral("P01"), QStringLiteral("s1"), false, key);
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again->session.id, first->session.id);
        QCOMPARE(again->leaseToken, first->leaseToken);
        QCOMPARE(int(db.value()->sessions(studyId)->size()), 1);

        Response r;
        r.trialId = first->trials.front().id;
        r.trialIndex = first->trials.front().index;
        r.answer = 0;
        r.rtClock = QStringLiteral("scripted");
        const QString answerKey = QStringLiteral("0b8f5a8e-2f7e-4d7e-9b1a-000000000002");
        QVERIFY(db.value()->recordResponse(first->session.id, first->leaseToken, r, answerKey).ok());
        const Status twice = db.value()->recordResponse(first->session.id, first->leaseToken, r, answerKey);
        QVERIFY2(twice.ok(), qPrintable(twice.error()));
        // Without the key the second answer to the trial is refused, in a sentence.
        const Status other = db.value()->recordResponse(first->session.id, first->leaseToken, r);
        QVERIFY(!other.ok());
        QVERIFY2(other.error().contains(QStringLiteral("is answered already")), qPrintable(other.error()));
        QCOMPARE(db.value()->session(first->session.id)->answeredCount, 1);

        SessionEvent e { 0, QStringLiteral("focus-lost"), {}, QDateTime::currentDateTimeUtc(),
            QStringLiteral("0b8f5a8e-2f7e-4d7e-9b1a-000000000003") };
        QVERIFY(db.value()->recordEvent(first->session.id, e).ok());
        QVERIFY(db.value()->recordEvent(first->session.id, e).ok());
    }

    // While the server is down answers go on into the journal; the sender delivers them when it
    // returns. A session taken over meanwhile makes the old station's answers refused, with the reason.
    void answersWaitAtTheStationWhileTheServerIsDown()
    {
        if (m_serverBase.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));
        const auto [location, studyId] = newStudy(QStringLiteral("ntt_down"));
        QVERIFY(studyId > 0);
        auto db = StudyDatabase::open(location);
        QVERIFY(db.ok());
        StationOutbox::Options fast;
        fast.idleMs = 50;
        fast.retryMs = 200;
        auto outbox = StationOutbox::open(db.value()->path(), m_dir.filePath(QStringLiteral("down.journal")), fast);
        QVERIFY2(outbox.ok(), qPrintable(outbox.error()));
        auto plan = startSession(*db.value(), studyId, QStringLiteral("P02"), QStringLiteral("s1"), false);
        QVERIFY(plan.ok());
        SessionWriter writer(*db.value(), plan->session.id, plan->leaseToken, outbox.value().get());
        QVERIFY(writer.heartbeat().ok());

        QVERIFY(server(QStringLiteral("kill")));
        for (const Trial& t : plan->trials) {
            Response r;
            r.trialId = t.id;
            r.trialIndex = t.index;
            r.answer = t.correctPosition;
            r.correct = true;
            r.rtClock = QStringLiteral("scripted");
            const Status s = writer.answer(r);
            QVERIFY2(s.ok(), qPrintable(s.error()));
        }
        QVERIFY(writer.end(SessionState::Finished).ok());
        QVERIFY(!outbox.value()->waitUntilDelivered(1500));
        const auto waiting = outbox.value()->journal().backlog(db.value()->path());
        QVERIFY(waiting.ok());
        QCOMPARE(waiting->pendingAnswers, int(plan->trials.size()));
        QVERIFY(!outbox.value()->state().connected);
        QVERIFY(!outbox.value()->state().connectionError.isEmpty());

        QVERIFY(server(QStringLiteral("restart")));
        QVERIFY(outbox.value()->waitUntilDelivered(60000));
        QVERIFY(db.value()->reconnectIfLost().ok());
        const auto stored = db.value()->session(plan->session.id);
        QVERIFY2(stored.ok(), qPrintable(stored.error()));
        QCOMPARE(stored->answeredCount, stored->trialCount);
        QCOMPARE(stored->state, SessionState::Finished);
        QCOMPARE(outbox.value()->state().backlog.refused, 0);
    }

    void aTakenOverSessionRefusesTheOldStationsAnswers()
    {
        if (m_serverBase.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));
        const auto [location, studyId] = newStudy(QStringLiteral("ntt_taken"));
        QVERIFY(studyId > 0);
        auto db = StudyDatabase::open(location);
        QVERIFY(db.ok());
        auto outbox = StationOutbox::open(db.value()->path(), m_dir.filePath(QStringLiteral("taken.journal")));
        QVERIFY(outbox.ok());
        auto plan = startSession(*db.value(), studyId, QStringLiteral("P03"), QStringLiteral("s1"), false);
        QVERIFY(plan.ok());
        // Station s2 takes the session over (s1 counts as gone after 0 s here).
        QVERIFY(db.value()->acquireSessionLease(plan->session.id, QStringLiteral("s2"), true, 0).ok());
        SessionWriter writer(*db.value(), plan->session.id, plan->leaseToken, outbox.value().get());
        Response r;
        r.trialId = plan->trials.front().id;
        r.trialIndex = 0;
        r.answer = 0;
        r.rtClock = QStringLiteral("scripted");
        QVERIFY(writer.answer(r).ok()); // durable at the station; the server refuses it
        QVERIFY(outbox.value()->waitUntilDelivered(30000));
        QCOMPARE(outbox.value()->state().backlog.refused, 1);
        const Status beat = writer.heartbeat();
        QVERIFY(!beat.ok());
        QVERIFY2(beat.error().contains(QStringLiteral("taken over")) && beat.error().contains(QStringLiteral("s2")),
            qPrintable(beat.error()));
        QCOMPARE(db.value()->session(plan->session.id)->answeredCount, 0);
    }

    // The researcher's window learns of other stations' answers from a watcher with a connection
    // of its own; it says when the server went away and when it is back.
    void theWatcherFollowsTheServerThroughAnOutage()
    {
        if (m_serverBase.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));
        const auto [location, studyId] = newStudy(QStringLiteral("ntt_watch"));
        QVERIFY(studyId > 0);
        auto db = StudyDatabase::open(location);
        QVERIFY(db.ok());
        ActivityWatcher watcher(location, 100);
        QObject here;
        int changed = 0;
        int down = 0;
        int up = 0;
        connect(&watcher, &ActivityWatcher::changed, &here, [&] { ++changed; });
        connect(&watcher, &ActivityWatcher::unreachable, &here, [&] { ++down; });
        connect(&watcher, &ActivityWatcher::reachable, &here, [&] { ++up; });
        QTest::qWait(500); // the first look records the starting point
        QCOMPARE(changed, 0);
        QVERIFY(startSession(*db.value(), studyId, QStringLiteral("W1"), QStringLiteral("s1"), true).ok());
        QTRY_COMPARE_WITH_TIMEOUT(changed, 1, 10000);

        QVERIFY(server(QStringLiteral("kill")));
        QTRY_COMPARE_WITH_TIMEOUT(down, 1, 20000);
        QTest::qWait(1000);
        QCOMPARE(down, 1); // said once per outage
        QVERIFY(server(QStringLiteral("restart")));
        QTRY_COMPARE_WITH_TIMEOUT(up, 1, 60000);
        QVERIFY(db.value()->reconnectIfLost().ok());
        const int before = changed;
        QVERIFY(startSession(*db.value(), studyId, QStringLiteral("W2"), QStringLiteral("s1"), true).ok());
        QTRY_VERIFY_WITH_TIMEOUT(changed > before, 10000);
    }

    // The scenario: six stations, 50 participants each, on one server study; the server is
    // killed (SIGKILL) and restarted mid-way; a seventh station is killed mid-session and its
    // session resumed at another station. 0 answers lost, 0 stored twice, every session finished,
    // every outbox empty.
    void sixStationsSurviveAServerCrashAndAStationCrash()
    {
        if (m_serverBase.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));
        const auto [location, studyId] = newStudy(QStringLiteral("ntt_crash"));
        QVERIFY(studyId > 0);
        auto watch = StudyDatabase::open(location);
        QVERIFY(watch.ok());
        const QString ntt = QStringLiteral(NTT_NTT_EXECUTABLE);
        auto journal = [&](int station) { return m_dir.filePath(QStringLiteral("station-%1.journal").arg(station)); };

        // Station 7 starts a session and dies after its second answer.
        QProcess dying;
        dying.setProcessChannelMode(QProcess::SeparateChannels);
        dying.start(ntt,
            { QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"), location,
                QStringLiteral("--station"), QStringLiteral("station-7"), QStringLiteral("--journal"), journal(7),
                QStringLiteral("--delay-ms"), QStringLiteral("400"), QStringLiteral("--print-commits") });
        QVERIFY(dying.waitForStarted());
        QString printed;
        while (!printed.contains(QStringLiteral("committed 1\n"))) {
            QVERIFY2(dying.waitForReadyRead(60000), qPrintable(dying.readAllStandardError()));
            printed += QString::fromUtf8(dying.readAllStandardOutput());
        }
        ::kill(static_cast<pid_t>(dying.processId()), SIGKILL);
        dying.waitForFinished();
        // Its machine comes back and sends what the journal holds (the answer it died on, perhaps).
        QProcess sync;
        sync.start(ntt,
            { QStringLiteral("station"), QStringLiteral("sync"), QStringLiteral("--db"), location,
                QStringLiteral("--journal"), journal(7) });
        QVERIFY(sync.waitForFinished(60000));
        QVERIFY2(sync.exitCode() == 0, sync.readAllStandardError().constData());
        const qint64 lastHeard = QDateTime::currentMSecsSinceEpoch();

        constexpr int kStations = 6;
        constexpr int kParticipants = 50;
        std::vector<std::unique_ptr<QProcess>> stations;
        for (int i = 1; i <= kStations; ++i) {
            auto p = std::make_unique<QProcess>();
            p->start(ntt,
                { QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"), location,
                    QStringLiteral("--participants"), QString::number(kParticipants), QStringLiteral("--station"),
                    QStringLiteral("station-%1").arg(i), QStringLiteral("--journal"), journal(i),
                    QStringLiteral("--delay-ms"), QStringLiteral("5"), QStringLiteral("--wait-server"),
                    QStringLiteral("300") });
            stations.push_back(std::move(p));
        }
        // The server dies once a fifth of the sessions exist, and comes back 3 s later.
        QElapsedTimer waiting;
        waiting.start();
        for (;;) {
            const auto sessions = watch.value()->sessions(studyId);
            QVERIFY2(sessions.ok(), qPrintable(sessions.error()));
            if (sessions->size() >= kStations * kParticipants / 5)
                break;
            QVERIFY2(waiting.elapsed() < 300000, "the stations did not get going");
            QTest::qWait(100);
        }
        QVERIFY(server(QStringLiteral("kill")));
        QTest::qWait(3000);
        QVERIFY(server(QStringLiteral("restart")));

        for (auto& p : stations) {
            QVERIFY(p->waitForFinished(900000));
            const QString err = QString::fromUtf8(p->readAllStandardError());
            const QString out = QString::fromUtf8(p->readAllStandardOutput());
            if (p->exitCode() != 0)
                qWarning().noquote() << err.right(1500);
            QCOMPARE(p->exitCode(), 0);
            QVERIFY2(out.contains(QStringLiteral("every answer is on the server")), qPrintable(out + err));
            QVERIFY2(!err.contains(QLatin1String("constraint"), Qt::CaseInsensitive), qPrintable(err));
        }

        QVERIFY(watch.value()->reconnectIfLost().ok());
        const auto all = watch.value()->sessions(studyId);
        QVERIFY(all.ok());
        qint64 orphan = 0;
        for (const SessionInfo& s : all.value())
            if (s.station == QLatin1String("station-7"))
                orphan = s.id;
        QVERIFY(orphan > 0);
        QVERIFY(watch.value()->session(orphan)->answeredCount >= 2);
        // Station 8 takes the session over once station 7 has been silent for a minute, and finishes it.
        const qint64 silentMs = QDateTime::currentMSecsSinceEpoch() - lastHeard;
        if (silentMs < (kSessionLeaseStaleSeconds + 2) * 1000)
            QTest::qWait(int((kSessionLeaseStaleSeconds + 2) * 1000 - silentMs));
        QProcess resume;
        resume.start(ntt,
            { QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"), location,
                QStringLiteral("--resume"), QString::number(orphan), QStringLiteral("--take-over"),
                QStringLiteral("--station"), QStringLiteral("station-8"), QStringLiteral("--journal"), journal(8) });
        QVERIFY(resume.waitForFinished(120000));
        QVERIFY2(resume.exitCode() == 0, resume.readAllStandardError().constData());

        // Every session finished, every trial answered once, every station's journal delivered.
        const auto sessions = watch.value()->sessions(studyId);
        QVERIFY(sessions.ok());
        QCOMPARE(int(sessions->size()), kStations * kParticipants + 1);
        QSet<int> indices;
        int answers = 0;
        for (const SessionInfo& s : sessions.value()) {
            indices.insert(s.participantIndex);
            QCOMPARE(s.state, SessionState::Finished);
            QCOMPARE(s.answeredCount, s.trialCount);
            answers += s.answeredCount;
        }
        QCOMPARE(int(indices.size()), kStations * kParticipants + 1);
        const auto rows = watch.value()->responseRows(studyId);
        QVERIFY(rows.ok());
        QCOMPARE(int(rows->size()), answers); // no trial has two answers
        for (int i = 1; i <= kStations + 2; ++i) {
            auto j = StationJournal::open(journal(i));
            QVERIFY(j.ok());
            const auto backlog = j.value()->backlog(watch.value()->path());
            QVERIFY(backlog.ok());
            QCOMPARE(backlog->pending(), 0);
            QCOMPARE(backlog->refused, 0);
        }
    }
};

QTEST_GUILESS_MAIN(Test_outbox)
#include "tst_outbox.moc"

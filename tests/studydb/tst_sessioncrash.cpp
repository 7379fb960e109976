#include "../common/fixturepool.h"
#include "study/trialgenerator.h"
#include "studyfile.h"

#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace ntt;

// A participant session killed with SIGKILL at several moments: the study file must reopen with
// every answer the writer reported committed, and resuming must go on at the first unanswered
// trial of the same trial list.
class Test_sessioncrash : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    qint64 m_studyId = 0;

    // Starts `ntt session simulate` and kills it after `killAfter` reported commits.
    // Returns the trial indices it reported, in order.
    QList<int> runAndKill(const QStringList& extraArgs, int killAfter)
    {
        QProcess child;
        child.setProgram(QStringLiteral(NTT_NTT_EXECUTABLE));
        child.setArguments(QStringList { QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"),
                               m_path, QStringLiteral("--print-commits") }
            + extraArgs);
        child.setProcessChannelMode(QProcess::SeparateChannels);
        child.start();
        if (!child.waitForStarted())
            return {};
        QList<int> committed;
        QByteArray pending;
        while (committed.size() < killAfter && child.state() == QProcess::Running) {
            child.waitForReadyRead(5000);
            pending += child.readAllStandardOutput();
            int nl;
            while ((nl = pending.indexOf('\n')) >= 0) {
                const QByteArray line = pending.left(nl).trimmed();
                pending.remove(0, nl + 1);
                if (line.startsWith("committed "))
                    committed << line.mid(10).toInt();
            }
        }
        child.kill(); // SIGKILL: no destructor, no rollback, no checkpoint
        child.waitForFinished();
        return committed;
    }

    qint64 onlySessionId()
    {
        auto db = StudyDatabase::open(m_path, StudyDatabase::OpenMode::ExistingOnly);
        const auto sessions = db.value()->sessions(m_studyId);
        return sessions->empty() ? 0 : sessions->back().id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFileInfo::exists(QStringLiteral(NTT_NTT_EXECUTABLE)));
        m_path = m_dir.filePath(QStringLiteral("crash.ntt"));
        auto db = StudyDatabase::open(m_path);
        QVERIFY(db.ok());
        QVERIFY(db.value()
                    ->storeImport(testing::syntheticImport({ QStringLiteral("real"), QStringLiteral("gen") },
                                      { QStringLiteral("a"), QStringLiteral("b") }, 80),
                        QStringLiteral("/pool"))
                    .ok());
        StudyDefinition d;
        d.name = QStringLiteral("crash");
        // Long enough that the writer, answering without pause, is still committing when it is killed.
        d.trialsPerParticipant = 150;
        d.practiceTrials = 2;
        d.breakEvery = 10;
        CancelToken cancel;
        const auto created = createStudy(*db.value(), d, cancel, {});
        QVERIFY2(created.ok(), qPrintable(created.error()));
        m_studyId = created->study.id;
    }

    void killedSessionsLoseNothingAndResumeInOrder()
    {
        const QList<int> first = runAndKill({ QStringLiteral("--seed"), QStringLiteral("5") }, 9);
        QVERIFY2(first.size() >= 9, "the child reported fewer commits than expected");
        const qint64 sessionId = onlySessionId();
        QVERIFY(sessionId > 0);

        std::vector<Trial> trialsBefore;
        {
            auto db = StudyDatabase::open(m_path, StudyDatabase::OpenMode::ExistingOnly);
            QVERIFY2(db.ok(), qPrintable(db.error()));
            trialsBefore = db.value()->sessionTrials(sessionId).value();
            // The stored list is participant 0's list as the generator defines it.
            const auto study = db.value()->study(m_studyId).value();
            const auto expected
                = generateTrials(study.definition, db.value()->studyImages(m_studyId).value(), study.realSource, 0);
            QVERIFY(expected.ok());
            QCOMPARE(trialsBefore.size(), expected->trials.size());
            for (std::size_t i = 0; i < trialsBefore.size(); ++i) {
                QCOMPARE(trialsBefore[i].imageIds, expected->trials[i].imageIds);
                QCOMPARE(trialsBefore[i].correctPosition, expected->trials[i].correctPosition);
            }
            const QSet<int> answered = db.value()->answeredTrialIndices(sessionId).value();
            for (int index : first)
                QVERIFY2(answered.contains(index), qPrintable(QStringLiteral("trial %1 was lost").arg(index)));
            // Answers are given in order, so what is stored is a prefix of the list.
            for (int index : answered)
                QVERIFY(index < int(answered.size()));
            QCOMPARE(db.value()->session(sessionId)->state, SessionState::Open);
        }

        // Kill the resumed run again, then let a last run finish.
        const QList<int> second = runAndKill(
            { QStringLiteral("--resume"), QString::number(sessionId), QStringLiteral("--seed"), QStringLiteral("5") },
            13);
        QVERIFY(!second.isEmpty());
        QVERIFY2(second.first() >= first.size() && second.first() <= first.size() + 1,
            qPrintable(QStringLiteral("resumed at %1 after %2 answers").arg(second.first()).arg(first.size())));

        QProcess finish;
        finish.start(QStringLiteral(NTT_NTT_EXECUTABLE),
            { QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"), m_path,
                QStringLiteral("--resume"), QString::number(sessionId), QStringLiteral("--seed"),
                QStringLiteral("5") });
        QVERIFY(finish.waitForFinished(60000));
        QVERIFY2(finish.exitCode() == 0, finish.readAllStandardError().constData());

        auto db = StudyDatabase::open(m_path, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY(db.ok());
        const auto trialsAfter = db.value()->sessionTrials(sessionId).value();
        QCOMPARE(trialsAfter.size(), trialsBefore.size());
        for (std::size_t i = 0; i < trialsAfter.size(); ++i)
            QCOMPARE(trialsAfter[i].imageIds, trialsBefore[i].imageIds);
        QCOMPARE(db.value()->answeredTrialIndices(sessionId)->size(), qsizetype(trialsBefore.size()));
        QCOMPARE(db.value()->session(sessionId)->state, SessionState::Finished);
        // Exactly one response per trial, whatever was killed when.
        QCOMPARE(int(db.value()->responseRows(m_studyId)->size()), int(trialsBefore.size()));

        QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        raw.setDatabaseName(m_path);
        QVERIFY(raw.open());
        {
            QSqlQuery q(raw);
            QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM session_events WHERE kind = 'resumed'")) && q.next());
            QCOMPARE(q.value(0).toInt(), 2);
        }
        raw.close();
        raw = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }
};

QTEST_GUILESS_MAIN(Test_sessioncrash)
#include "tst_sessioncrash.moc"

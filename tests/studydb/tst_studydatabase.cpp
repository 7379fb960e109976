#include "../common/fixturepool.h"
#include "study/trialgenerator.h"
#include "studyfile.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace ntt;

namespace {

StudyDefinition twoWayStudy()
{
    StudyDefinition d;
    d.name = QStringLiteral("2AFC pilot");
    d.trialType = TrialType::PickReal;
    d.ways = 2;
    d.trialsPerParticipant = 10;
    d.practiceTrials = 2;
    return d;
}

} // namespace

class Test_studydatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newFileIsMigratedToTheCurrentSchema()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.ntt"));
        {
            auto db = StudyDatabase::open(path);
            QVERIFY2(db.ok(), qPrintable(db.error()));
            QCOMPARE(db.value()->schemaVersion(), StudyDatabase::currentSchemaVersion());
        }
        // Reopening keeps the version and the data; WAL and foreign keys are on.
        auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY(db.ok());
        QCOMPARE(db.value()->schemaVersion(), StudyDatabase::currentSchemaVersion());
        QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        raw.setDatabaseName(path);
        QVERIFY(raw.open());
        QSqlQuery q(raw);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        for (const char* table : { "pool_images", "studies", "sessions", "trials", "trial_images", "responses" })
            QVERIFY2(raw.tables().contains(QLatin1String(table)), table);
        q.finish();
        raw.close();
        raw = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    }

    void fileOfANewerVersionIsRefusedUnchanged()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("newer.ntt"));
        {
            auto db = StudyDatabase::open(path);
            QVERIFY(db.ok());
        }
        {
            QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bump"));
            raw.setDatabaseName(path);
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            QVERIFY(q.exec(QStringLiteral("UPDATE meta SET value = '99' WHERE key = 'schema_version'")));
            QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
            q.finish();
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("bump"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray before = f.readAll();
        f.close();
        auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY(!db.ok());
        QVERIFY2(db.error().contains(QStringLiteral("newer NameThatTrue")), qPrintable(db.error()));
        QVERIFY(db.error().contains(path));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
    }

    void otherFilesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("text") << QByteArray("hello, this is not a database at all, just some text\n").repeated(20)
                              << QStringLiteral("not a NameThatTrue study file");
    }

    void otherFilesAreRefused()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.ntt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        auto db = StudyDatabase::open(path);
        QVERIFY(!db.ok());
        QVERIFY2(db.error().contains(expected), qPrintable(db.error()));

        auto missing
            = StudyDatabase::open(dir.filePath(QStringLiteral("missing.ntt")), StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().contains(QStringLiteral("missing.ntt")));
    }

    void importingTheSameImagesTwiceChangesNothing()
    {
        QTemporaryDir dir;
        auto db = StudyDatabase::open(dir.filePath(QStringLiteral("s.ntt")));
        QVERIFY(db.ok());
        auto report = testing::syntheticImport(
            { QStringLiteral("real"), QStringLiteral("sd21") }, { QStringLiteral("cat") }, 5);
        report.images.front().attributes.insert(QStringLiteral("prompt"), QStringLiteral("a cat, photo"));
        const auto first = db.value()->storeImport(report, QStringLiteral("/pool"));
        QVERIFY2(first.ok(), qPrintable(first.error()));
        QCOMPARE(first->added, 10);
        const auto second = db.value()->storeImport(report, QStringLiteral("/pool"));
        QVERIFY(second.ok());
        QCOMPARE(second->added, 0);
        QCOMPARE(second->alreadyPresent, 10);
        const auto images = db.value()->poolImages();
        QVERIFY(images.ok());
        QCOMPARE(int(images->size()), 10);
        QCOMPARE(images->front().attributes.value(QStringLiteral("prompt")), QStringLiteral("a cat, photo"));
        QCOMPARE(db.value()->realSource().value(), QStringLiteral("real"));

        // Another real source for the same file is refused, and nothing of it is stored.
        auto other = testing::syntheticImport(
            { QStringLiteral("human"), QStringLiteral("gpt4") }, { QStringLiteral("dog") }, 2);
        const auto refused = db.value()->storeImport(other, QStringLiteral("/other"));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(QStringLiteral("real source is \"real\"")), qPrintable(refused.error()));
        QCOMPARE(int(db.value()->poolImages()->size()), 10);
    }

    // The same bytes imported later under another source: the pool keeps the first label, the
    // import names the conflict, and the audit keeps showing it. Orientation and transparency are stored
    // with the image.
    void labelConflictsAreNamedAndKept()
    {
        QTemporaryDir dir;
        auto db = StudyDatabase::open(dir.filePath(QStringLiteral("s.ntt")));
        QVERIFY(db.ok());
        auto report = testing::syntheticImport(
            { QStringLiteral("real"), QStringLiteral("sd21") }, { QStringLiteral("cat") }, 2);
        report.images.front().orientation = 6;
        report.images.front().alpha = QStringLiteral("transparent");
        QVERIFY(db.value()->storeImport(report, QStringLiteral("/pool")).ok());
        QCOMPARE(db.value()->poolImages()->front().orientation, 6);
        QCOMPARE(db.value()->poolImages()->front().alpha, QStringLiteral("transparent"));

        ImportReport again = report;
        again.images.resize(1);
        again.images.front().source = QStringLiteral("sd21");
        again.images.front().relativePath = QStringLiteral("sd21/cat/relabelled.png");
        const auto stored = db.value()->storeImport(again, QStringLiteral("/again"));
        QVERIFY2(stored.ok(), qPrintable(stored.error()));
        QCOMPARE(stored->alreadyPresent, 1);
        QCOMPARE(stored->labelConflicts.size(), 1);
        QVERIFY2(stored->labelConflicts.front().contains(QStringLiteral("sd21/cat/relabelled.png is labelled sd21"))
                && stored->labelConflicts.front().contains(QStringLiteral("as real (real/cat/0.png)")),
            qPrintable(stored->labelConflicts.front()));
        QCOMPARE(db.value()->poolImages()->front().source, QStringLiteral("real"));
        const auto audit = auditStoredPool(*db.value());
        QVERIFY2(audit.ok(), qPrintable(audit.error()));
        QCOMPARE(audit->labelConflicts.size(), 1);
        QVERIFY(formatShortcutAudit(audit.value()).contains(QStringLiteral("Label conflicts")));
        // The same label again is no conflict.
        QCOMPARE(db.value()->storeImport(report, QStringLiteral("/pool"))->labelConflicts.size(), 0);
    }

    void sessionsStoreTrialsAndAnswers()
    {
        QTemporaryDir dir;
        auto db = StudyDatabase::open(dir.filePath(QStringLiteral("s.ntt")));
        QVERIFY(db.ok());
        QVERIFY(db.value()
                    ->storeImport(testing::syntheticImport({ QStringLiteral("real"), QStringLiteral("sd21") },
                                      { QStringLiteral("cat"), QStringLiteral("dog") }, 10),
                        QStringLiteral("/pool"))
                    .ok());
        CancelToken cancel;
        const auto created = createStudy(*db.value(), twoWayStudy(), cancel, {});
        QVERIFY2(created.ok(), qPrintable(created.error()));
        const auto duplicate = createStudy(*db.value(), twoWayStudy(), cancel, {});
        QVERIFY(!duplicate.ok());
        QVERIFY(duplicate.error().contains(QStringLiteral("already exists")));

        auto plan = startSession(*db.value(), created->study.id, QStringLiteral("P01"), QStringLiteral("lab-1"), false);
        QVERIFY2(plan.ok(), qPrintable(plan.error()));
        QCOMPARE(plan->session.participantIndex, 0);
        QCOMPARE(int(plan->trials.size()), 12);
        const auto again = startSession(*db.value(), created->study.id, QStringLiteral("P01"), QString(), false);
        QVERIFY(!again.ok());
        QVERIFY2(again.error().contains(QStringLiteral("already used")), qPrintable(again.error()));
        auto second = startSession(*db.value(), created->study.id, QString(), QString(), false);
        QVERIFY(second.ok());
        QCOMPARE(second->session.participantIndex, 1);
        QVERIFY(second->session.participantCode.startsWith(QStringLiteral("P-")));

        // The stored list is exactly the generated one.
        const auto stored = db.value()->sessionTrials(plan->session.id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->size(), plan->trials.size());
        for (std::size_t i = 0; i < stored->size(); ++i) {
            QCOMPARE(stored->at(i).imageIds, plan->trials[i].imageIds);
            QCOMPARE(stored->at(i).correctPosition, plan->trials[i].correctPosition);
            QCOMPARE(stored->at(i).practice, plan->trials[i].practice);
        }

        Response r;
        const Trial& t = plan->trials[0];
        r.answer = t.correctPosition;
        r.rtMs = 812.25;
        r.onsetUtc = QDateTime::currentDateTimeUtc();
        r.responseUtc = r.onsetUtc.addMSecs(812);
        r.rtClock = QStringLiteral("event");
        r.focusLosses = 1;
        r.confidence = 3;
        scoreResponse(plan->study.definition, t, r);
        QVERIFY(r.correct);
        QVERIFY(db.value()->recordResponse(plan->session.id, plan->leaseToken, r).ok());
        const Status twice = db.value()->recordResponse(plan->session.id, plan->leaseToken, r);
        QVERIFY(!twice.ok());
        // A trial of another session cannot be answered through this one.
        Response foreign = r;
        foreign.trialId = second->trials[0].id;
        const Status wrongSession = db.value()->recordResponse(plan->session.id, plan->leaseToken, foreign);
        QVERIFY(!wrongSession.ok());
        QVERIFY2(
            wrongSession.error().contains(QStringLiteral("not part of session")), qPrintable(wrongSession.error()));

        QCOMPARE(db.value()->answeredTrialIndices(plan->session.id).value(), QSet<int>({ 0 }));
        const auto rows = db.value()->responseRows(created->study.id);
        QVERIFY(rows.ok());
        QCOMPARE(int(rows->size()), 1);
        const ResponseRow& row = rows->front();
        QCOMPARE(row.participant, QStringLiteral("P01"));
        QCOMPARE(row.station, QStringLiteral("lab-1"));
        QCOMPARE(row.trial.imageIds, t.imageIds);
        QCOMPARE(int(row.shown.size()), 2);
        QCOMPARE(row.shown[t.correctPosition].source, QStringLiteral("real"));
        QCOMPARE(row.response.rtMs, 812.25);
        QCOMPARE(*row.response.confidence, 3);
        QCOMPARE(row.response.focusLosses, 1);
        QCOMPARE(row.response.onsetUtc.toMSecsSinceEpoch(), r.onsetUtc.toMSecsSinceEpoch());
        QVERIFY(row.trial.practice);
    }

    void laterImportsDoNotChangeAStudysTrials()
    {
        QTemporaryDir dir;
        auto db = StudyDatabase::open(dir.filePath(QStringLiteral("s.ntt")));
        QVERIFY(db.ok());
        QVERIFY(db.value()
                    ->storeImport(testing::syntheticImport({ QStringLiteral("real"), QStringLiteral("sd21") },
                                      { QStringLiteral("cat") }, 20),
                        QStringLiteral("/pool"))
                    .ok());
        CancelToken cancel;
        const auto created = createStudy(*db.value(), twoWayStudy(), cancel, {});
        QVERIFY(created.ok());
        const auto before = generateTrials(
            created->study.definition, db.value()->studyImages(created->study.id).value(), QStringLiteral("real"), 0);
        // A new generator arrives after the study was designed.
        QVERIFY(db.value()
                    ->storeImport(testing::syntheticImport({ QStringLiteral("real"), QStringLiteral("flux") },
                                      { QStringLiteral("dog") }, 20),
                        QStringLiteral("/pool2"))
                    .ok());
        QCOMPARE(int(db.value()->studyImages(created->study.id)->size()), 40);
        auto plan = startSession(*db.value(), created->study.id, QString(), QString(), false);
        QVERIFY(plan.ok());
        QCOMPARE(plan->trials.size(), before->trials.size());
        for (std::size_t i = 0; i < plan->trials.size(); ++i)
            QCOMPARE(plan->trials[i].imageIds, before->trials[i].imageIds);
    }

    void exportWritesOneRowPerResponse()
    {
        QTemporaryDir dir;
        auto db = StudyDatabase::open(dir.filePath(QStringLiteral("s.ntt")));
        QVERIFY(db.ok());
        QVERIFY(db.value()
                    ->storeImport(
                        testing::syntheticImport({ QStringLiteral("real"), QStringLiteral("a"), QStringLiteral("b") },
                            { QStringLiteral("cat") }, 30),
                        QStringLiteral("/pool"))
                    .ok());
        auto d = twoWayStudy();
        d.ways = 3;
        CancelToken cancel;
        const auto created = createStudy(*db.value(), d, cancel, {});
        QVERIFY(created.ok());
        auto plan = startSession(*db.value(), created->study.id, QString(), QString(), true);
        QVERIFY(plan.ok());
        ScriptedParticipant script;
        script.stopAfter = 7;
        const auto run = runScriptedParticipant(*db.value(), plan.value(), script);
        QVERIFY(run.ok());
        QCOMPARE(run->answered, 7);
        const QString csv = dir.filePath(QStringLiteral("responses.csv"));
        const auto written = exportResponses(*db.value(), created->study.id, csv);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        QCOMPARE(written.value(), 7);
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.size(), 9); // header + 7 rows + empty after the last CRLF
        QVERIFY(lines[0].startsWith("study,session,participant,agent"));
        QVERIFY(lines[0].contains("pos3_category"));
        const QList<QByteArray> header = lines[0].trimmed().split(',');
        const QList<QByteArray> first = lines[1].trimmed().split(',');
        QCOMPARE(first.size(), header.size());
        QCOMPARE(first[header.indexOf("simulated")], QByteArray("1"));
        QCOMPARE(first[header.indexOf("session_state")], QByteArray("open"));

        const auto bad
            = exportResponses(*db.value(), created->study.id, dir.filePath(QStringLiteral("no/such/dir/x.csv")));
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().contains(QStringLiteral("x.csv")));
    }
};

QTEST_GUILESS_MAIN(Test_studydatabase)
#include "tst_studydatabase.moc"

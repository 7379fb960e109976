// Each store of a study, through its own interface, on both backends: a study file (SQLite) and a
// database on the throwaway PostgreSQL server. What one stores the other reads back the same.

#include "../common/fixturepool.h"
#include "../common/pgtestdatabase.h"
#include "studydatabase.h"

#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace ntt;

class Test_stores : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_serverBase;
    QString m_serverMissing;
    int m_made = 0;

    // A new, empty study of the row's kind; null (the test skips) when there is no server.
    std::unique_ptr<StudyDatabase> fresh()
    {
        QFETCH(QString, kind);
        QString location;
        if (kind == QLatin1String("server")) {
            if (m_serverBase.isEmpty())
                return nullptr;
            location = testing::newServerDatabase(
                m_serverBase, QStringLiteral("ntt_stores_%1_%2").arg(QCoreApplication::applicationPid()).arg(++m_made));
        } else {
            location = m_dir.filePath(QStringLiteral("store-%1.ntt").arg(++m_made));
        }
        auto db = StudyDatabase::open(location);
        if (!db) {
            qWarning() << db.error();
            return nullptr;
        }
        return std::move(db).value();
    }

    static void kinds()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("study file") << QStringLiteral("file");
        QTest::newRow("PostgreSQL server") << QStringLiteral("server");
    }

    // The pool of two sources by two categories by two images, stored.
    static std::vector<PoolImage> storedPool(PoolStore& pool)
    {
        const ImportReport report = testing::syntheticImport(
            { QStringLiteral("real"), QStringLiteral("sdxl") }, { QStringLiteral("cats"), QStringLiteral("dogs") }, 2);
        if (!pool.storeImport(report, QStringLiteral("/pool")))
            return {};
        return pool.poolImages().value();
    }

#define NEEDS_STORE(db)                                                                                                \
    auto db = fresh();                                                                                                 \
    if (!db)                                                                                                           \
        QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));

private Q_SLOTS:
    void initTestCase()
    {
        m_serverBase = testing::testServerBase(QStringLiteral(NTT_TEST_PG_DIR), m_serverMissing);
    }

    void poolStore_data()
    {
        kinds();
    }
    void poolStore()
    {
        NEEDS_STORE(db)
        PoolStore& pool = *db;
        const std::vector<PoolImage> images = storedPool(pool);
        QCOMPARE(int(images.size()), 8);
        QCOMPARE(pool.realSource().value(), QStringLiteral("real"));
        // The same files again: nothing added. One of them under another source: a conflict on record.
        ImportReport again = testing::syntheticImport({ QStringLiteral("real") }, { QStringLiteral("cats") }, 1);
        again.realSource = QStringLiteral("real");
        again.images.front().source = QStringLiteral("sdxl");
        const auto stored = pool.storeImport(again, QStringLiteral("/pool"));
        QVERIFY2(stored.ok(), qPrintable(stored.error()));
        QCOMPARE(stored->added, 0);
        QCOMPARE(stored->alreadyPresent, 1);
        QCOMPARE(int(pool.labelConflicts()->size()), 1);
        QVERIFY(pool.setImageSplits({ { images[0].id, Split::Test } }).ok());
        const auto after = pool.poolImages();
        QCOMPARE(after->front().split, Split::Test);
        QCOMPARE(after->front().sha256, images[0].sha256);
        QCOMPARE(after->front().width, images[0].width);
    }

    void studyStore_data()
    {
        kinds();
    }
    void studyStore()
    {
        NEEDS_STORE(db)
        const std::vector<PoolImage> images = storedPool(*db);
        StudyStore& studies = *db;
        StudyDefinition d;
        d.name = QStringLiteral("Étude 1");
        std::vector<qint64> ids;
        for (const PoolImage& image : images)
            ids.push_back(image.id);
        const NormalisedStimulus copy { images[1].id, QStringLiteral("/copies/b.jpg"), QString(64, QLatin1Char('b')) };
        const auto id = studies.addStudy(d, QStringLiteral("real"), ids, { copy });
        QVERIFY2(id.ok(), qPrintable(id.error()));
        QVERIFY(!studies.addStudy(d, QStringLiteral("real"), ids, {}).ok()); // the name is taken
        QCOMPARE(studies.studyByName(d.name)->id, id.value());
        QCOMPARE(int(studies.studyImages(id.value())->size()), 8);
        const auto files = studies.stimulusFiles(id.value());
        QCOMPARE(files->value(images[1].id).path, copy.path);
        QCOMPARE(files->value(images[0].id).path, images[0].path);
        QVERIFY(studies.replaceStimulus(id.value(), images[1].id, QStringLiteral("/copies/c.jpg"), copy.sha256).ok());
        QCOMPARE(studies.stimulusPaths(id.value())->value(images[1].id), QStringLiteral("/copies/c.jpg"));
        QCOMPARE(studies.verifiedFile(QStringLiteral("/copies/c.jpg"))->size, -1);
        QVERIFY(studies.recordVerifiedFile(QStringLiteral("/copies/c.jpg"), { copy.sha256, 1234, 5678 }).ok());
        QCOMPARE(studies.verifiedFile(QStringLiteral("/copies/c.jpg"))->modifiedMs, 5678);
        // Image bytes for stations come back byte for byte, NUL bytes and all.
        const QByteArray bytes("\x89PNG\r\n\x1a\n\0\0\xff", 11);
        QVERIFY(studies.storeStimulusFile(copy.sha256, QStringLiteral("png"), bytes).ok());
        QVERIFY(studies.storeStimulusFile(copy.sha256, QStringLiteral("png"), bytes).ok());
        QCOMPARE(studies.storedStimulusFiles().value(), QSet<QString>({ copy.sha256 }));
        QCOMPARE(studies.stimulusFileBytes(copy.sha256).value(), bytes);
        QVERIFY(!studies.stimulusFileBytes(QString(64, QLatin1Char('0'))).ok());
        QFETCH(QString, kind);
        QCOMPARE(studies.stimulusCacheFolder().isEmpty(), kind == QLatin1String("file"));
    }

    void sessionStore_data()
    {
        kinds();
    }
    void sessionStore()
    {
        NEEDS_STORE(db)
        const std::vector<PoolImage> images = storedPool(*db);
        StudyDefinition d;
        d.name = QStringLiteral("sessions");
        const qint64 studyId = db->addStudy(d, QStringLiteral("real"), { images[0].id, images[4].id }, {}).value();
        SessionStore& sessions = *db;
        const QString mark = sessions.activityMark().value();
        const auto created = sessions.createSession(
            studyId, QStringLiteral("P1"), QStringLiteral("s1"), false, [&](int index) -> Result<std::vector<Trial>> {
                Trial t;
                t.index = 0;
                t.imageIds = { images[0].id, images[4].id };
                t.correctPosition = index % 2;
                return std::vector<Trial> { t };
            });
        QVERIFY2(created.ok(), qPrintable(created.error()));
        QCOMPARE(created->session.participantIndex, 0);
        Response r;
        r.trialId = created->trials.front().id;
        r.answer = 0;
        r.correct = true;
        r.confidence = 3;
        r.rtMs = 812.5;
        r.rtClock = QStringLiteral("event");
        QVERIFY(sessions.recordResponse(created->session.id, created->leaseToken, r).ok());
        QVERIFY(sessions.recordEvent(created->session.id, 0, QStringLiteral("focus-lost")).ok());
        QVERIFY(sessions.setSessionState(created->session.id, SessionState::Finished).ok());
        QVERIFY(sessions.activityMark().value() != mark);
        QCOMPARE(sessions.answeredTrialIndices(created->session.id).value(), QSet<int>({ 0 }));
        const auto rows = sessions.responseRows(studyId);
        QCOMPARE(int(rows->size()), 1);
        QCOMPARE(rows->front().participant, QStringLiteral("P1"));
        QCOMPARE(rows->front().response.rtMs, 812.5);
        QCOMPARE(*rows->front().response.confidence, 3);
        QCOMPARE(int(rows->front().shown.size()), 2);
        QCOMPARE(sessions.session(created->session.id)->state, SessionState::Finished);
        QCOMPARE(int(sessions.studyTrials(studyId)->size()), 1);
    }

    void modelStore_data()
    {
        kinds();
    }
    void modelStore()
    {
        NEEDS_STORE(db)
        const std::vector<PoolImage> images = storedPool(*db);
        ModelStore& models = *db;
        const QString sha(64, QLatin1Char('m'));
        const auto id = models.addModel(QStringLiteral("detector"), QStringLiteral("/m.pt"), sha, ModelSpec(), {});
        QVERIFY2(id.ok(), qPrintable(id.error()));
        QCOMPARE(models.addModel(QStringLiteral("detector"), QStringLiteral("/m.pt"), sha, ModelSpec(), {}).value(),
            id.value());
        QVERIFY(!models
                     .addModel(QStringLiteral("detector"), QStringLiteral("/n.pt"), QString(64, QLatin1Char('n')),
                         ModelSpec(), {})
                     .ok());
        const auto run = models.startModelRun(id.value(), 0, RuntimeInfo { QStringLiteral("cpu"), 2, {} }, 8);
        QVERIFY2(run.ok(), qPrintable(run.error()));
        ImagePrediction p;
        p.imageId = images[0].id;
        p.imageHash = images[0].sha256;
        p.prediction.pReal = 0.8125f;
        p.prediction.milliseconds = 3.5;
        QVERIFY(models.storePredictions(run.value(), sha, { p }).ok());
        QVERIFY(models.finishModelRun(run.value(), QStringLiteral("finished"), 1, 0, 0).ok());
        QCOMPARE(*models.predictedPReal(sha, images[0].sha256).value(), 0.8125f);
        QVERIFY(!models.predictedPReal(sha, images[1].sha256).value().has_value());
        QCOMPARE(models.predictedImageHashes(sha).value(), QSet<QString>({ images[0].sha256 }));
        QCOMPARE(models.modelByName(QStringLiteral("detector"))->sha256, sha);
    }

    void mapStore_data()
    {
        kinds();
    }
    void mapStore()
    {
        NEEDS_STORE(db)
        MapStore& maps = *db;
        CamMap map;
        map.width = 3;
        map.height = 2;
        map.values = { 0.0f, 1.0f / 3.0f, -2.5e-7f, 1.0f, 0.5f, 123.456f };
        map.layer = QStringLiteral("layer4");
        map.targetClass = 1;
        const MapStore::CamKey key { QString(64, QLatin1Char('m')), QString(64, QLatin1Char('i')), CamOptions() };
        QVERIFY(!maps.camMap(key).value().has_value());
        QVERIFY(maps.storeCamMap(key, map).ok());
        const auto back = maps.camMap(key);
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QVERIFY(back->has_value());
        QCOMPARE(back->value().values, map.values); // float32 bit for bit
        QCOMPARE(back->value().width, 3);
        QCOMPARE(maps.camMapCount().value(), 1);
    }

    void tagStore_data()
    {
        kinds();
    }
    void tagStore()
    {
        NEEDS_STORE(db)
        const std::vector<PoolImage> images = storedPool(*db);
        TagStore& tags = *db;
        QVERIFY(tags.addImageTag(images[2].id, QStringLiteral("hands")).ok());
        QVERIFY(tags.addImageTag(images[2].id, QStringLiteral("hands")).ok());
        QVERIFY(tags.addImageTag(images[2].id, QStringLiteral("texte écrit")).ok());
        QVERIFY(!tags.addImageTag(images[2].id, QStringLiteral("  ")).ok());
        QCOMPARE(tags.imageTags()->value(images[2].id).size(), 2);
        QVERIFY(tags.removeImageTag(images[2].id, QStringLiteral("hands")).ok());
        QCOMPARE(tags.imageTags()->value(images[2].id), QStringList({ QStringLiteral("texte écrit") }));
        QVERIFY(tags.setImageNote(images[3].id, QStringLiteral("six fingers")).ok());
        QCOMPARE(tags.imageNotes()->value(images[3].id), QStringLiteral("six fingers"));
        QVERIFY(tags.setImageNote(images[3].id, QString()).ok());
        QVERIFY(!tags.imageNotes()->contains(images[3].id));
    }
};

QTEST_GUILESS_MAIN(Test_stores)
#include "tst_stores.moc"

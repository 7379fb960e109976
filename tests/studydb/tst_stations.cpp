// Several stations on one study file: real `ntt` processes started together race for participant
// indices and write answers side by side. No participant may be lost, no index given twice, no
// answer stored twice, and no message may be raw SQL.

#include "demo/demo.h"
#include "studyfile.h"

#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <vector>

using namespace ntt;

class Test_stations : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_file;
    qint64 m_studyId = 0;

private Q_SLOTS:
    void initTestCase()
    {
        CancelToken cancel;
        DemoPoolOptions demo;
        demo.outputDir = m_dir.filePath(QStringLiteral("pool"));
        demo.imagesPerSourceAndCategory = 4;
        demo.size = 32;
        const auto pool = generateDemoPool(demo, cancel, {});
        QVERIFY2(pool.ok(), qPrintable(pool.error()));
        m_file = m_dir.filePath(QStringLiteral("shared.ntt"));
        auto db = StudyDatabase::open(m_file);
        QVERIFY(db.ok());
        ImportOptions import;
        import.location = pool->root;
        QVERIFY(importPool(*db.value(), import, cancel, {}).ok());
        StudyDefinition d;
        d.name = QStringLiteral("stations");
        d.trialsPerParticipant = 6;
        const auto study = createStudy(*db.value(), d, cancel, {});
        QVERIFY2(study.ok(), qPrintable(study.error()));
        m_studyId = study->study.id;
    }

    void sixStationsStartedTogetherLoseNoParticipant()
    {
        constexpr int kStations = 6;
        constexpr int kParticipants = 8;
        std::vector<std::unique_ptr<QProcess>> stations;
        for (int i = 0; i < kStations; ++i) {
            auto p = std::make_unique<QProcess>();
            p->start(QStringLiteral(NTT_NTT_EXECUTABLE),
                { QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"), m_file,
                    QStringLiteral("--participants"), QString::number(kParticipants), QStringLiteral("--station"),
                    QStringLiteral("station-%1").arg(i + 1) });
            stations.push_back(std::move(p));
        }
        for (auto& p : stations) {
            QVERIFY(p->waitForFinished(300000));
            const QString err = QString::fromUtf8(p->readAllStandardError());
            QVERIFY2(p->exitCode() == 0, qPrintable(err));
            QVERIFY2(!err.contains(QLatin1String("constraint"), Qt::CaseInsensitive)
                    && !err.contains(QLatin1String("UNIQUE")),
                qPrintable(err));
        }

        auto db = StudyDatabase::open(m_file);
        QVERIFY(db.ok());
        const auto sessions = db.value()->sessions(m_studyId);
        QVERIFY(sessions.ok());
        QCOMPARE(int(sessions->size()), kStations * kParticipants);
        QSet<int> indices;
        QMap<QString, int> perStation;
        for (const SessionInfo& s : sessions.value()) {
            indices.insert(s.participantIndex);
            ++perStation[s.station];
            QCOMPARE(s.state, SessionState::Finished);
            QCOMPARE(s.answeredCount, s.trialCount); // every trial answered once (responses are unique per trial)
        }
        QCOMPARE(int(indices.size()), kStations * kParticipants);
        QCOMPARE(*std::max_element(indices.cbegin(), indices.cend()), kStations * kParticipants - 1);
        for (int i = 1; i <= kStations; ++i)
            QCOMPARE(perStation.value(QStringLiteral("station-%1").arg(i)), kParticipants);
    }
};

QTEST_GUILESS_MAIN(Test_stations)
#include "tst_stations.moc"

#include "study/staircase.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>

using namespace ntt;

// The exposure staircase against PsychoPy's own StairHandler: tests/data/make_staircase_references.py
// ran StairHandler's unchanged source on simulated observers and wrote every trial's exposure, the
// answers, the reversal exposures and the next exposure to tests/data/staircase/references.json.
class Test_staircase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void equalsPsychoPyStairHandler()
    {
        QFile f(QStringLiteral(NTT_TEST_DATA_DIR "/staircase/references.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonArray cases = QJsonDocument::fromJson(f.readAll()).object().value("cases").toArray();
        QCOMPARE(cases.size(), 10);
        int reversalsSeen = 0;
        for (const QJsonValue& value : cases) {
            const QJsonObject c = value.toObject();
            StaircaseOptions o;
            o.enabled = true;
            o.startFrames = c.value("start").toInt();
            o.stepFrames.clear();
            for (const QJsonValue& s : c.value("steps").toArray())
                o.stepFrames.push_back(s.toInt());
            o.up = c.value("up").toInt();
            o.down = c.value("down").toInt();
            o.minFrames = c.value("min").toInt();
            o.maxFrames = c.value("max").toInt();
            o.initialRule = c.value("initial_rule").toBool();
            Staircase stair(o);
            const QJsonArray intensities = c.value("intensities").toArray();
            const QJsonArray answers = c.value("answers").toArray();
            for (int i = 0; i < intensities.size(); ++i) {
                const QString where = QStringLiteral("case start %1 seed %2 trial %3")
                                          .arg(o.startFrames)
                                          .arg(c.value("seed").toInt())
                                          .arg(i);
                QVERIFY2(stair.nextFrames() == intensities[i].toInt(), qPrintable(where));
                stair.addResponse(answers[i].toInt() == 1, stair.nextFrames());
            }
            QCOMPARE(stair.nextFrames(), c.value("next").toInt());
            const QJsonArray reversals = c.value("reversal_intensities").toArray();
            QCOMPARE(int(stair.reversalFrames().size()), reversals.size());
            for (int i = 0; i < reversals.size(); ++i)
                QCOMPARE(stair.reversalFrames()[std::size_t(i)], reversals[i].toInt());
            reversalsSeen += reversals.size();
        }
        QVERIFY(reversalsSeen > 40); // the cases do reverse often, so the step-size list is exercised
    }

    void thresholdIsTheMeanOfTheLastReversals()
    {
        StaircaseOptions o;
        o.startFrames = 10;
        o.stepFrames = { 2 };
        o.down = 1;
        o.thresholdReversals = 2;
        Staircase stair(o);
        QVERIFY(std::isnan(stair.thresholdFrames()));
        // 10 right -> 8 wrong (reversal at 8) -> 10 right (reversal at 10) -> 8 wrong (reversal at 8)
        stair.addResponse(true, 10);
        stair.addResponse(false, 8);
        QCOMPARE(stair.thresholdFrames(), 8.0);
        stair.addResponse(true, 10);
        stair.addResponse(false, 8);
        QCOMPARE(int(stair.reversalFrames().size()), 3);
        QCOMPARE(stair.thresholdFrames(), 9.0); // (10 + 8) / 2
    }

    void targetOfTheRule()
    {
        QVERIFY(std::abs(staircaseTarget(3, 1) - 0.7937) < 1e-4); // Levitt 1971, table I
        QVERIFY(std::abs(staircaseTarget(2, 1) - 0.7071) < 1e-4);
        QVERIFY(std::isnan(staircaseTarget(4, 2)));
    }
};

QTEST_APPLESS_MAIN(Test_staircase)
#include "tst_staircase.moc"

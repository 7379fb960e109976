#include "study/study.h"
#include "study/trial.h"

#include <QtTest>

using namespace ntt;

class Test_study : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesAFullDefinition()
    {
        const QByteArray json = R"({
            "name": "Faces 2AFC", "trial_type": "pick-real", "ways": 3,
            "sources": ["real", "sd21", "dalle2"], "categories": ["portrait"], "matching": "pair-key",
            "trials_per_participant": 60, "practice_trials": 4, "catch_trials": 2,
            "catch_images": ["real/easy.png", "sd21/cartoon.png"], "break_every": 20,
            "deadline_ms": 8000, "min_rt_ms": 200, "feedback": true, "confidence": true,
            "instructions": "Pick the real one.", "consent": "I agree.", "seed": "18446744073709551615",
            "normalise": {"size": 384, "format": "jpeg", "quality": 85}, "background": "#808080"
        })";
        const auto d = parseStudyDefinition(json, QStringLiteral("faces.json"));
        QVERIFY2(d.ok(), qPrintable(d.error()));
        QCOMPARE(d->name, QStringLiteral("Faces 2AFC"));
        QCOMPARE(d->trialType, TrialType::PickReal);
        QCOMPARE(d->ways, 3);
        QCOMPARE(d->sources, QStringList({ "real", "sd21", "dalle2" }));
        QCOMPARE(d->matching, RowMatching::PairKey);
        QCOMPARE(d->trialsPerParticipant, 60);
        QCOMPARE(d->practiceTrials, 4);
        QCOMPARE(d->catchTrials, 2);
        QCOMPARE(d->catchImages.size(), 2);
        QCOMPARE(d->breakEvery, 20);
        QCOMPARE(d->deadlineMs, 8000);
        QCOMPARE(d->minRtMs, 200);
        QVERIFY(d->feedback);
        QVERIFY(d->confidence);
        QCOMPARE(d->seed, std::uint64_t(18446744073709551615ULL));
        QVERIFY(d->normalisation.enabled);
        QCOMPARE(d->normalisation.size, 384);
        QCOMPARE(d->normalisation.quality, 85);
        QCOMPARE(d->background, (Background { 128, 128, 128 }));
    }

    // A definition stored before studies chose a background shows transparency on white.
    void backgroundDefaultsToWhite()
    {
        const auto d = parseStudyDefinition(R"({"name": "old"})", QStringLiteral("old.json"));
        QVERIFY2(d.ok(), qPrintable(d.error()));
        QCOMPARE(d->background.name(), QStringLiteral("#ffffff"));
    }

    void roundTripsThroughJson()
    {
        StudyDefinition d;
        d.name = QStringLiteral("Round trip, \"quoted\"");
        d.trialType = TrialType::PickFake;
        d.ways = 4;
        d.categories = QStringList { QStringLiteral("kite") };
        d.seed = 1234567890123456789ULL;
        d.normalisation.enabled = true;
        d.background = Background { 0, 0, 0 };
        const auto back = parseStudyDefinition(studyDefinitionToJson(d), QStringLiteral("x"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(studyDefinitionToJson(back.value()), studyDefinitionToJson(d));
        QCOMPARE(back->seed, d.seed);
        QCOMPARE(back->background, d.background);
    }

    void realOrFakeDefaultsToOneImage()
    {
        const auto d
            = parseStudyDefinition(R"({"name": "rf", "trial_type": "real-or-fake"})", QStringLiteral("rf.json"));
        QVERIFY2(d.ok(), qPrintable(d.error()));
        QCOMPARE(d->ways, 1);
        QVERIFY(answersWithLabels(d->trialType));
        Trial t;
        t.type = d->trialType;
        t.imageIds = { 1 };
        QCOMPARE(answerOptionCount(t), 2);
    }

    void normaliseCanFilterFrequencies()
    {
        const auto d = parseStudyDefinition(
            R"({"name": "f", "normalise": {"size": 64, "format": "png", "filter": "band:10-30"}})",
            QStringLiteral("f.json"));
        QVERIFY2(d.ok(), qPrintable(d.error()));
        QCOMPARE(d->normalisation.filter.describe(), QStringLiteral("band-pass 10-30"));
        const auto back = parseStudyDefinition(studyDefinitionToJson(d.value()), QStringLiteral("back.json"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->normalisation.filter.describe(), QStringLiteral("band-pass 10-30"));
        const auto bad = parseStudyDefinition(
            R"({"name": "f", "normalise": {"size": 64, "filter": "mid:3"}})", QStringLiteral("f.json"));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().contains(QLatin1String("f.json: normalise: frequency filter \"mid:3\"")),
            qPrintable(bad.error()));
    }

    void whichSourceAndWhichCategoryShowOneImage()
    {
        const auto source
            = parseStudyDefinition(R"({"name": "ws", "trial_type": "which-source"})", QStringLiteral("ws.json"));
        QVERIFY2(source.ok(), qPrintable(source.error()));
        QCOMPARE(source->ways, 1);
        const auto category = parseStudyDefinition(
            R"({"name": "wc", "trial_type": "which-category", "choices": 4})", QStringLiteral("wc.json"));
        QVERIFY2(category.ok(), qPrintable(category.error()));
        QCOMPARE(category->choices, 4);
        // The definition reads back identically, choices included.
        const auto back = parseStudyDefinition(studyDefinitionToJson(category.value()), QStringLiteral("back.json"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->choices, 4);
        QCOMPARE(back->trialType, TrialType::WhichCategory);
        const auto pair = parseStudyDefinition(
            R"({"name": "ps", "trial_type": "pick-source", "ways": 2})", QStringLiteral("ps.json"));
        QVERIFY2(pair.ok(), qPrintable(pair.error()));
        QVERIFY(!answersWithLabels(pair->trialType));
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{\"name\": ") << QStringLiteral("bad.json: line 1");
        QTest::newRow("pick-source of three") << QByteArray(R"({"name": "x", "trial_type": "pick-source", "ways": 3})")
                                              << QStringLiteral("pick-source trials show two images");
        QTest::newRow("choices on pick-real")
            << QByteArray(R"({"name": "x", "choices": 3})") << QStringLiteral("only which-category trials offer");
        QTest::newRow("one choice") << QByteArray(R"({"name": "x", "trial_type": "which-category", "choices": 1})")
                                    << QStringLiteral("at least 2 names");
        QTest::newRow("unknown key") << QByteArray(R"({"name": "x", "wayz": 2})")
                                     << QStringLiteral("unknown key \"wayz\"");
        QTest::newRow("bad type") << QByteArray(R"({"name": "x", "trial_type": "pick-one"})")
                                  << QStringLiteral("\"trial_type\" is \"pick-one\"");
        QTest::newRow("too many ways") << QByteArray(R"({"name": "x", "ways": 7})") << QStringLiteral("\"ways\" is 7");
        QTest::newRow("one-way pick") << QByteArray(R"({"name": "x", "ways": 1})") << QStringLiteral("2 to 6 images");
        QTest::newRow("two-way real-or-fake") << QByteArray(R"({"name": "x", "trial_type": "real-or-fake", "ways": 2})")
                                              << QStringLiteral("real-or-fake trials show one image");
        QTest::newRow("no name") << QByteArray(R"({"ways": 2})") << QStringLiteral("needs a name");
        QTest::newRow("string count") << QByteArray(R"({"name": "x", "ways": "2"})")
                                      << QStringLiteral("\"ways\" must be a whole number");
        QTest::newRow("catch without images")
            << QByteArray(R"({"name": "x", "catch_trials": 2})") << QStringLiteral("no \"catch_images\"");
        QTest::newRow("min above deadline") << QByteArray(R"({"name": "x", "deadline_ms": 500, "min_rt_ms": 600})")
                                            << QStringLiteral("must be below \"deadline_ms\"");
        QTest::newRow("bad format") << QByteArray(R"({"name": "x", "normalise": {"format": "gif"}})")
                                    << QStringLiteral("normalise format is \"gif\"");
        QTest::newRow("bad background") << QByteArray(R"({"name": "x", "background": "transparent"})")
                                        << QStringLiteral("\"background\" is \"transparent\"; write a colour");
        // Found by fuzz_study_definition: a whole number beyond long long's range was cast first.
        QTest::newRow("huge count") << QByteArray(R"({"name": "x", "ways": 8.9e114})")
                                    << QStringLiteral("\"ways\" is 8.9e+114");
        QTest::newRow("huge frame list") << QByteArray(R"({"name": "x", "exposure": {"frames": [2, 1e300]}})")
                                         << QStringLiteral("holds 1e+300");
        QTest::newRow("negative seed") << QByteArray(R"({"name": "x", "seed": -1})") << QStringLiteral("\"seed\"");
        QTest::newRow("bad matching") << QByteArray(R"({"name": "x", "matching": "prompt"})")
                                      << QStringLiteral("\"matching\" is \"prompt\"");
        QTest::newRow("normalise yes") << QByteArray(R"({"name": "x", "normalise": "yes"})")
                                       << QStringLiteral("\"normalise\" must be an object {size, format, quality");
        QTest::newRow("marks yes") << QByteArray(R"({"name": "x", "marks": "yes"})")
                                   << QStringLiteral("\"marks\" must be an object {points, reasons, kernel_sigma_px}");
        QTest::newRow("exposure yes") << QByteArray(R"({"name": "x", "exposure": 12})")
                                      << QStringLiteral("\"exposure\" must be an object {frames or staircase");
        QTest::newRow("seed text") << QByteArray(R"({"name": "x", "seed": "abc"})")
                                   << QStringLiteral("\"seed\" must be a whole number from 0 to 18446744073709551615");
        QTest::newRow("empty exposure") << QByteArray(R"({"name": "x", "exposure": {"mask_frames": 6}})")
                                        << QStringLiteral("exposure: give \"frames\"");
        QTest::newRow("zero frames") << QByteArray(R"({"name": "x", "exposure": {"frames": [0, 4]}})")
                                     << QStringLiteral("exposure: \"frames\" holds 0");
        QTest::newRow("frames and staircase")
            << QByteArray(R"({"name": "x", "exposure": {"frames": [2], "staircase": {}}})")
            << QStringLiteral("both \"frames\" and a \"staircase\"");
        QTest::newRow("staircase start outside")
            << QByteArray(R"({"name": "x", "exposure": {"staircase": {"start_frames": 40, "max_frames": 30}}})")
            << QStringLiteral("starts at 40 frames, outside its range 1 to 30");
        QTest::newRow("staircase down") << QByteArray(R"({"name": "x", "exposure": {"staircase": {"down": 0}}})")
                                        << QStringLiteral("exposure: staircase: \"down\" is 0");
    }

    // Brief exposure: fixed exposures or a staircase round-trip through JSON; the trial generator
    // gives each fixed exposure to equally many main trials, practice and catch trials the longest.
    void exposureRoundTripsThroughJson()
    {
        const auto fixed = parseStudyDefinition(
            R"({"name": "x", "trial_type": "real-or-fake", "exposure": {"frames": [2, 4, 8], "mask_frames": 3}})",
            QStringLiteral("x.json"));
        QVERIFY2(fixed.ok(), qPrintable(fixed.error()));
        QCOMPARE(fixed->exposure.frames, (std::vector<int> { 2, 4, 8 }));
        QCOMPARE(fixed->exposure.maskFrames, 3);
        QCOMPARE(fixed->exposure.longestFrames(), 8);
        QVERIFY(!fixed->exposure.staircase.enabled);
        const auto stair = parseStudyDefinition(
            R"({"name": "x", "trial_type": "real-or-fake", "exposure": {"staircase": {"start_frames": 10,
                "step_frames": [4, 2, 1], "down": 2, "initial_rule": false, "threshold_reversals": 8}}})",
            QStringLiteral("x.json"));
        QVERIFY2(stair.ok(), qPrintable(stair.error()));
        const StaircaseOptions& o = stair->exposure.staircase;
        QVERIFY(o.enabled);
        QCOMPARE(o.startFrames, 10);
        QCOMPARE(o.stepFrames, (std::vector<int> { 4, 2, 1 }));
        QCOMPARE(o.down, 2);
        QCOMPARE(o.up, 1);
        QVERIFY(!o.initialRule);
        QCOMPARE(o.thresholdReversals, 8);
        QCOMPARE(stair->exposure.maskFrames, 12); // the default
        for (const StudyDefinition& d : { fixed.value(), stair.value() }) {
            const auto back = parseStudyDefinition(studyDefinitionToJson(d), QStringLiteral("x"));
            QVERIFY2(back.ok(), qPrintable(back.error()));
            QCOMPARE(studyDefinitionToJson(back.value()), studyDefinitionToJson(d));
        }
        // Without "exposure" nothing is written, and nothing is read back.
        StudyDefinition plain;
        plain.name = QStringLiteral("n");
        const auto none = parseStudyDefinition(studyDefinitionToJson(plain), QStringLiteral("n"));
        QVERIFY(none.ok());
        QVERIFY(!none->exposure.enabled());
    }

    void rejectsBadInput()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const auto d = parseStudyDefinition(json, QStringLiteral("bad.json"));
        QVERIFY(!d.ok());
        QVERIFY2(d.error().contains(expected), qPrintable(d.error()));
        QVERIFY2(d.error().startsWith(QStringLiteral("bad.json")), qPrintable(d.error()));
    }
};

QTEST_GUILESS_MAIN(Test_study)
#include "tst_study.moc"

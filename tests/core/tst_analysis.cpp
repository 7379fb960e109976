#include "analysis/analysis.h"
#include "analysis/exposureanalysis.h"
#include "analysis/rocanalysis.h"
#include "analysis/summarytables.h"
#include "models/modelrun.h"

#include <QtTest>

#include <cmath>

using namespace ntt;

namespace {

PoolImage image(qint64 id, const QString& source, const QString& category)
{
    PoolImage i;
    i.id = id;
    i.source = source;
    i.category = category;
    return i;
}

/// A two-way pick-real answer: images (real, generated) shown in that order, `pick` the position chosen.
ResponseRow pick(qint64 session, const QString& code, qint64 trialId, int index, const PoolImage& real,
    const PoolImage& fake, int pickPosition, bool simulated = false, bool isCatch = false)
{
    ResponseRow r;
    r.sessionId = session;
    r.participant = code;
    r.simulated = simulated;
    r.trial.id = trialId;
    r.trial.index = index;
    r.trial.type = TrialType::PickReal;
    r.trial.imageIds = { real.id, fake.id };
    r.trial.correctPosition = 0;
    r.trial.isCatch = isCatch;
    r.shown = { real, fake };
    r.response.trialId = trialId;
    r.response.answer = pickPosition;
    r.response.correct = pickPosition == 0;
    r.response.rtMs = 500 + 100 * index;
    return r;
}

ResponseRow modelAnswer(const ResponseRow& human, const QString& model, int pickPosition)
{
    ResponseRow m = human;
    m.agent = model;
    m.participant.clear();
    m.response.answer = pickPosition;
    m.response.correct = pickPosition == 0;
    return m;
}

/// A which-source answer: one image of `truth`, the choices offered, the chosen name.
ResponseRow whichSource(qint64 session, qint64 trialId, const PoolImage& shown, const QStringList& choices,
    const QString& chosen, const QString& agent = QStringLiteral("human"))
{
    ResponseRow r;
    r.sessionId = session;
    r.participant = agent == QLatin1String("human") ? QStringLiteral("P%1").arg(session) : QString();
    r.agent = agent;
    r.trial.id = trialId;
    r.trial.type = TrialType::WhichSource;
    r.trial.imageIds = { shown.id };
    r.trial.choices = choices;
    r.trial.correctPosition = int(choices.indexOf(shown.source));
    r.shown = { shown };
    r.response.trialId = trialId;
    r.response.answer = int(choices.indexOf(chosen));
    r.response.correct = chosen == shown.source;
    return r;
}

/// A real-or-fake answer with a confidence rating: `said` 0 = real, 1 = fake.
ResponseRow realOrFake(const QString& code, qint64 trialId, const PoolImage& shown, bool real, int said,
    std::optional<int> confidence, bool simulated = false)
{
    ResponseRow r;
    r.participant = code;
    r.simulated = simulated;
    r.trial.id = trialId;
    r.trial.type = TrialType::RealOrFake;
    r.trial.imageIds = { shown.id };
    r.trial.correctPosition = real ? 0 : 1;
    r.shown = { shown };
    r.response.trialId = trialId;
    r.response.answer = said;
    r.response.correct = said == r.trial.correctPosition;
    r.response.confidence = confidence;
    return r;
}

} // namespace

// The comparison on a small fixture whose outcomes are counted by hand.
class Test_analysis : public QObject
{
    Q_OBJECT

private:
    std::vector<ResponseRow> m_people;
    std::vector<ResponseRow> m_models;

private Q_SLOTS:
    void initTestCase()
    {
        const PoolImage r1 = image(1, QStringLiteral("real"), QStringLiteral("cats"));
        const PoolImage r2 = image(2, QStringLiteral("real"), QStringLiteral("dogs"));
        const PoolImage s1 = image(3, QStringLiteral("sdxl"), QStringLiteral("cats"));
        const PoolImage d2 = image(4, QStringLiteral("dalle"), QStringLiteral("dogs"));
        // P1: cats right, dogs right, cats wrong, dogs right (3 of 4).
        m_people.push_back(pick(1, QStringLiteral("P1"), 11, 0, r1, s1, 0));
        m_people.push_back(pick(1, QStringLiteral("P1"), 12, 1, r2, d2, 0));
        m_people.push_back(pick(1, QStringLiteral("P1"), 13, 2, r1, s1, 1));
        m_people.push_back(pick(1, QStringLiteral("P1"), 14, 3, r2, d2, 0));
        // P2: cats wrong, dogs wrong, cats right, dogs right (2 of 4); plus a failed catch trial.
        m_people.push_back(pick(2, QStringLiteral("P2"), 21, 0, r1, s1, 1));
        m_people.push_back(pick(2, QStringLiteral("P2"), 22, 1, r2, d2, 1));
        m_people.push_back(pick(2, QStringLiteral("P2"), 23, 2, r1, s1, 0));
        m_people.push_back(pick(2, QStringLiteral("P2"), 24, 3, r2, d2, 0));
        m_people.push_back(pick(2, QStringLiteral("P2"), 25, 4, r2, d2, 1, false, true));
        // A simulated session, all right.
        m_people.push_back(pick(3, QStringLiteral("SIM"), 31, 0, r1, s1, 0, true));
        // The model is right on everything but trial 13 and 21 and 22.
        for (const ResponseRow& h : m_people) {
            const bool wrong = h.trial.id == 13 || h.trial.id == 21 || h.trial.id == 22;
            m_models.push_back(modelAnswer(h, QStringLiteral("ResNet"), wrong ? 1 : 0));
        }
    }

    // People's ROC from ratings (answer and confidence on one 8-point scale), clustered by participant;
    // a model's from P(real) once per image; calibration per confidence level and per P(real) bin.
    void rocAndCalibrationFromRatingsAndPReal()
    {
        QCOMPARE(realOrFakeRating(0, 4), 8); // "real", sure
        QCOMPARE(realOrFakeRating(0, 1), 5);
        QCOMPARE(realOrFakeRating(1, 1), 4); // "fake", guessing
        QCOMPARE(realOrFakeRating(1, 4), 1);
        const PoolImage r1 = image(1, QStringLiteral("real"), QStringLiteral("dog"));
        const PoolImage r2 = image(2, QStringLiteral("real"), QStringLiteral("dog"));
        const PoolImage g1 = image(3, QStringLiteral("gan"), QStringLiteral("dog"));
        const PoolImage g2 = image(4, QStringLiteral("gan"), QStringLiteral("dog"));
        std::vector<ResponseRow> rows = {
            realOrFake(QStringLiteral("A"), 1, r1, true, 0, 4), // 8
            realOrFake(QStringLiteral("A"), 2, g1, false, 1, 3), // 2
            realOrFake(QStringLiteral("A"), 3, r2, true, 1, 1), // 4, wrong
            realOrFake(QStringLiteral("B"), 4, g2, false, 0, 2), // 6, wrong
            realOrFake(QStringLiteral("B"), 5, r1, true, 0, 3), // 7
            realOrFake(QStringLiteral("B"), 6, g1, false, 1, 4), // 1
            realOrFake(QStringLiteral("B"), 7, r2, true, 0, std::nullopt), // no rating: not on the ROC
            realOrFake(QStringLiteral("S"), 8, g2, false, 0, 4, true), // simulated: left out
        };
        // A rated pick trial counts for calibration, not for the ROC.
        ResponseRow pickRated = pick(9, QStringLiteral("A"), 9, 3, r1, g1, 0);
        pickRated.response.confidence = 4;
        rows.push_back(pickRated);
        QMap<QString, QHash<qint64, float>> pReal;
        pReal[QStringLiteral("M")] = { { 1, 0.9f }, { 2, 0.35f }, { 3, 0.4f }, { 4, 0.05f } };
        AnalysisOptions options;
        options.bootstrapReplicates = 200;
        const RocAnalysis roc = rocAndCalibration(rows, pReal, options);
        QCOMPARE(roc.ratedTrials, 6);
        QCOMPARE(int(roc.curves.size()), 2);
        const RocCurve& people = roc.curves.front();
        QCOMPARE(people.agent, peopleAgent());
        QCOMPARE(people.auc.positives, 3);
        QCOMPARE(people.auc.negatives, 3);
        // Real rated 8, 4, 7; generated 2, 6, 1: 8 of 9 pairs ordered right.
        QCOMPARE(people.auc.auc, 8.0 / 9.0);
        QCOMPARE(people.auc.auc, rocAuc({ 8, 4, 7 }, { 2, 6, 1 }));
        QCOMPARE(people.points.size(), rocCurve({ 8, 4, 7 }, { 2, 6, 1 }).size());
        QCOMPARE(people.interval, QStringLiteral("participant bootstrap"));
        // With two participants, a replicate is A twice, B twice, or both.
        QCOMPARE(people.auc.replicates, 200);
        const RocCurve& model = roc.curves.back();
        QCOMPARE(model.agent, QStringLiteral("M"));
        QVERIFY(model.isModel);
        QCOMPARE(model.auc.positives, 2); // images 1 and 2, once each
        QCOMPARE(model.auc.negatives, 2);
        QCOMPARE(model.auc.auc, rocAuc({ 0.9, 0.35 }, { 0.4, 0.05 }));
        // Calibration: levels 1..4 over every rated trial (the pick trial too).
        QCOMPARE(int(roc.peopleConfidence.size()), 4);
        QCOMPARE(roc.peopleConfidence[0].level, 1);
        QCOMPARE(roc.peopleConfidence[0].accuracy.trials, 1);
        QCOMPARE(roc.peopleConfidence[0].accuracy.successes, 0);
        QCOMPARE(roc.peopleConfidence[3].accuracy.trials, 3); // A's real, B's generated, A's pick
        QCOMPARE(roc.peopleConfidence[3].accuracy.successes, 3);
        QCOMPARE(int(roc.models.size()), 1);
        QCOMPARE(roc.models.front().reliability.items, 4);
        QCOMPARE(int(roc.models.front().reliability.bins.size()), 4);
        // Simulated participants count when the filter says so.
        options.filter.includeSimulated = true;
        QCOMPARE(rocAndCalibration(rows, pReal, options).ratedTrials, 7);
    }

    // Self-consistency on repeated trials, counted by hand: A repeats two trials (same answer once),
    // B one (same); the pooled kappa is Cohen's on right and wrong, first against repeat.
    void selfConsistencyOnRepeatedTrials()
    {
        const PoolImage r1 = image(1, QStringLiteral("real"), QStringLiteral("dog"));
        const PoolImage g1 = image(2, QStringLiteral("gan"), QStringLiteral("dog"));
        std::vector<ResponseRow> rows;
        // A repeat shows the same image as its original.
        auto add = [&](qint64 session, const QString& code, int index, bool real, int said, int repeatOf) {
            ResponseRow r = realOrFake(code, session * 100 + index, real ? r1 : g1, real, said, std::nullopt);
            r.sessionId = session;
            r.trial.index = index;
            r.trial.repeatOf = repeatOf;
            rows.push_back(r);
        };
        add(1, QStringLiteral("A"), 0, true, 0, -1); // right
        add(1, QStringLiteral("A"), 1, false, 0, -1); // wrong
        add(1, QStringLiteral("A"), 2, true, 0, 0); // repeat of 0: same, right
        add(1, QStringLiteral("A"), 3, false, 1, 1); // repeat of 1: changed, right now
        add(2, QStringLiteral("B"), 0, true, 1, -1); // wrong
        add(2, QStringLiteral("B"), 1, true, 1, 0); // repeat of 0: same, wrong again
        const std::vector<SelfConsistency> c = selfConsistency(rows, AnswerFilter {});
        QCOMPARE(int(c.size()), 3);
        QCOMPARE(c[0].participant, QStringLiteral("A"));
        QCOMPARE(c[0].pairs, 2);
        QCOMPARE(c[0].sameAnswer.successes, 1);
        QCOMPARE(c[1].participant, QStringLiteral("B"));
        QCOMPARE(c[1].sameAnswer.successes, 1);
        const SelfConsistency& all = c[2];
        QCOMPARE(all.participant, peopleAgent());
        QCOMPARE(all.pairs, 3);
        QCOMPARE(all.sameAnswer.successes, 2);
        // First right/wrong: A0 right, A1 wrong, B0 wrong; repeats: right, right, wrong.
        QCOMPARE(all.errors.kappa, errorConsistency({ true, false, false }, { true, true, false }).kappa);
        QVERIFY(selfConsistency({}, AnswerFilter {}).empty());
    }

    // Brief exposure: accuracy per exposure pooled and per participant, with Wilson intervals from
    // statsmodels' proportion_confint(method="wilson") (3 of 4: 0.300641842582-0.954412739190; 2 of 3:
    // 0.207659600802-0.938508055280); each staircase replayed to its threshold; a stored exposure the
    // staircase could not have given is an error naming the session.
    void accuracyByExposureAndStaircaseThresholds()
    {
        const PoolImage r1 = image(1, QStringLiteral("real"), QStringLiteral("dog"));
        StudyDefinition d;
        d.exposure.staircase.enabled = true;
        d.exposure.staircase.startFrames = 4;
        d.exposure.staircase.stepFrames = { 1 };
        d.exposure.staircase.down = 1;
        d.exposure.staircase.thresholdReversals = 2;
        std::vector<ResponseRow> rows;
        auto add = [&](qint64 session, const QString& code, int index, int frames, bool right, double ms) {
            ResponseRow r = realOrFake(code, session * 100 + index, r1, true, right ? 0 : 1, std::nullopt);
            r.sessionId = session;
            r.trial.index = index;
            r.trial.exposureFrames = kStaircaseExposure;
            r.response.exposureFrames = frames;
            r.response.frameRateHz = 50.0;
            r.response.exposureMs = ms;
            rows.push_back(r);
        };
        // A: 4 right -> 3 wrong (reversal at 3) -> 4 right (reversal at 4) -> 3 right -> 2
        add(1, QStringLiteral("A"), 0, 4, true, 80.0);
        add(1, QStringLiteral("A"), 1, 3, false, 61.0);
        add(1, QStringLiteral("A"), 2, 4, true, 81.0);
        add(1, QStringLiteral("A"), 3, 3, true, 59.0);
        // B: 4 right, 3 right, 2 wrong (a reversal at 2)
        add(2, QStringLiteral("B"), 0, 4, true, 80.0);
        add(2, QStringLiteral("B"), 1, 3, true, 60.0);
        add(2, QStringLiteral("B"), 2, 2, false, 40.0);
        const auto a = exposureAnalysis(rows, AnswerFilter {}, d);
        QVERIFY2(a.ok(), qPrintable(a.error()));
        // Pooled first, by frames: 2 (0/1), 3 (2/3), 4 (3/3); then per participant.
        QCOMPARE(a->levels.size(), std::size_t(3 + 2 + 3));
        const ExposureLevel& three = a->levels[1];
        QCOMPARE(three.participant, peopleAgent());
        QCOMPARE(three.frames, 3);
        QCOMPARE(three.accuracy.successes, 2);
        QCOMPARE(three.accuracy.trials, 3);
        QVERIFY(std::abs(three.accuracy.low - 0.207659600802) < 1e-9);
        QVERIFY(std::abs(three.accuracy.high - 0.938508055280) < 1e-9);
        QCOMPARE(three.meanExposureMs, 60.0);
        QCOMPARE(three.minExposureMs, 59.0);
        QCOMPARE(three.maxExposureMs, 61.0);
        QCOMPARE(three.meanFrameRateHz, 50.0);
        QCOMPARE(a->levels[3].participant, QStringLiteral("A"));
        QCOMPARE(a->levels[3].frames, 3);
        QCOMPARE(a->levels[3].accuracy.successes, 1);

        QCOMPARE(a->staircases.size(), std::size_t(2));
        const StaircaseResult& sa = a->staircases[0];
        QCOMPARE(sa.participant, QStringLiteral("A"));
        QCOMPARE(sa.trials, 4);
        QCOMPARE(sa.reversalFrames, (std::vector<int> { 3, 4 }));
        QCOMPARE(sa.thresholdFrames, 3.5);
        QCOMPARE(sa.thresholdMs, 70.0); // 3.5 frames at 50 Hz
        QVERIFY(std::abs(sa.target - 0.5) < 1e-12); // 1-down/1-up
        QCOMPARE(a->staircases[1].reversalFrames, std::vector<int> { 2 });
        QCOMPARE(a->staircases[1].thresholdFrames, 2.0);

        // B's third trial stored as 3 frames: the staircase gave 2.
        rows.back().response.exposureFrames = 3;
        const auto wrong = exposureAnalysis(rows, AnswerFilter {}, d);
        QVERIFY(!wrong.ok());
        QVERIFY2(wrong.error().contains(QStringLiteral("session 2")), qPrintable(wrong.error()));
    }

    void accuracyByAgentAndGroup()
    {
        const Analysis a = analyse(m_people, m_models, AnalysisOptions {});
        QCOMPARE(a.peopleTrials, 8); // no simulated, no catch
        QCOMPARE(a.models, QStringList { QStringLiteral("ResNet") });
        const AccuracyCell* people = Analysis::find(a.overall, peopleAgent(), QStringLiteral("all"));
        QVERIFY(people);
        QCOMPARE(people->accuracy.successes, 5);
        QCOMPARE(people->accuracy.trials, 8);
        const Proportion w = wilsonInterval(5, 8);
        QCOMPARE(people->accuracy.low, w.low);
        QCOMPARE(people->chance, 0.5);
        QCOMPARE(people->pBinomial, binomialTestTwoSided(5, 8, 0.5));
        QVERIFY(people->bootstrap.low <= 0.625 && people->bootstrap.high >= 0.625);
        QVERIFY(std::isnan(Analysis::find(a.overall, QStringLiteral("ResNet"), QStringLiteral("all"))->bootstrap.low));
        QCOMPARE(Analysis::find(a.overall, QStringLiteral("P1"), QStringLiteral("all"))->accuracy.successes, 3);
        QVERIFY(Analysis::find(a.overall, QStringLiteral("P1"), QStringLiteral("all"))->isParticipant);
        const AccuracyCell* model = Analysis::find(a.overall, QStringLiteral("ResNet"), QStringLiteral("all"));
        QVERIFY(model && model->isModel);
        QCOMPARE(model->accuracy.successes, 5); // 8 trials, wrong on 13, 21, 22
        // Cats: people 2 of 4 (11 right, 13 wrong, 21 wrong, 23 right); dogs 3 of 4.
        QCOMPARE(Analysis::find(a.byCategory, peopleAgent(), QStringLiteral("cats"))->accuracy.successes, 2);
        QCOMPARE(Analysis::find(a.byCategory, peopleAgent(), QStringLiteral("dogs"))->accuracy.successes, 3);
        // By generator: sdxl made the cats fakes, dalle the dogs fakes.
        QCOMPARE(Analysis::find(a.bySource, peopleAgent(), QStringLiteral("sdxl"))->accuracy.trials, 4);
        QCOMPARE(Analysis::find(a.bySource, QStringLiteral("ResNet"), QStringLiteral("dalle"))->accuracy.successes, 3);
        QVERIFY(Analysis::find(a.byWays, peopleAgent(), QStringLiteral("2-way")));
        QVERIFY(!a.byPosition.empty());
        // Response times split by correctness.
        const auto all = std::find_if(a.responseTimes.begin(), a.responseTimes.end(),
            [](const ResponseTimes& t) { return t.group == QLatin1String("all"); });
        QVERIFY(all != a.responseTimes.end());
        QCOMPARE(all->correctMs.size(), std::size_t(5));
        QCOMPARE(all->wrongMs.size(), std::size_t(3));
    }

    void errorConsistencyAndCeiling()
    {
        const Analysis a = analyse(m_people, m_models, AnalysisOptions {});
        // People vs model on the 8 trials: people correct 11 12 14 23 24, model correct all but 13 21 22.
        std::vector<bool> human, model;
        for (const ResponseRow& r : m_people) {
            if (r.simulated || r.trial.isCatch)
                continue;
            human.push_back(r.response.correct);
            model.push_back(!(r.trial.id == 13 || r.trial.id == 21 || r.trial.id == 22));
        }
        const ErrorConsistency expected = errorConsistency(human, model);
        const auto row = std::find_if(a.errorConsistency.begin(), a.errorConsistency.end(),
            [](const ConsistencyRow& c) { return !c.ceiling && c.group == QLatin1String("all"); });
        QVERIFY(row != a.errorConsistency.end());
        QCOMPARE(row->second, QStringLiteral("ResNet"));
        QCOMPARE(row->consistency.trials, 8);
        QCOMPARE(row->consistency.kappa, expected.kappa);
        QCOMPARE(row->consistency.kappa, 1.0); // the model erred exactly where people did
        // Ceiling: the cats row {1,3} was answered twice by P1 and twice by P2: 4 cross pairs; the
        // dogs row {2,4} likewise: 8 pairs in all.
        const auto ceiling = std::find_if(a.errorConsistency.begin(), a.errorConsistency.end(),
            [](const ConsistencyRow& c) { return c.ceiling && c.group == QLatin1String("all"); });
        QVERIFY(ceiling != a.errorConsistency.end());
        QCOMPARE(ceiling->consistency.trials, 8);
    }

    void simulatedAndCatchRules()
    {
        AnalysisOptions withSimulated;
        withSimulated.filter.includeSimulated = true;
        const Analysis all = analyse(m_people, m_models, withSimulated);
        QCOMPARE(all.peopleTrials, 9);
        QCOMPARE(Analysis::find(all.overall, peopleAgent(), QStringLiteral("all"))->accuracy.successes, 6);

        AnalysisOptions strict;
        strict.catchExclusionBelow = 0.8;
        const Analysis excluded = analyse(m_people, m_models, strict);
        QCOMPARE(excluded.excludedParticipants, QStringList { QStringLiteral("P2") });
        QCOMPARE(excluded.peopleTrials, 4);
        const auto p2 = std::find_if(excluded.participants.begin(), excluded.participants.end(),
            [](const ParticipantSummary& p) { return p.code == QLatin1String("P2"); });
        QVERIFY(p2 != excluded.participants.end() && p2->excluded);
        QVERIFY2(p2->exclusionReason.contains(QStringLiteral("0 of 1 catch")), qPrintable(p2->exclusionReason));
        // The model is compared on the same trials only: P1's four.
        QCOMPARE(excluded.modelTrials, 4);
    }

    void signalDetectionOnRealOrFake()
    {
        std::vector<ResponseRow> rows;
        // 4 real images: 3 called real; 4 generated: 1 called real.
        for (int i = 0; i < 8; ++i) {
            ResponseRow r;
            r.sessionId = 1;
            r.participant = QStringLiteral("P1");
            r.trial.id = 100 + i;
            r.trial.index = i;
            r.trial.type = TrialType::RealOrFake;
            const bool real = i < 4;
            r.trial.imageIds = { 200 + i };
            r.trial.correctPosition = real ? 0 : 1;
            const QString source
                = real ? QStringLiteral("real") : (i < 6 ? QStringLiteral("sdxl") : QStringLiteral("gan"));
            r.shown = { image(200 + i, source, QStringLiteral("cats")) };
            const bool saysReal = real ? i < 3 : i == 4;
            r.response.answer = saysReal ? 0 : 1;
            r.response.correct = r.response.answer == r.trial.correctPosition;
            rows.push_back(r);
        }
        const Analysis a = analyse(rows, {}, AnalysisOptions {});
        const auto s = std::find_if(a.signalDetection.begin(), a.signalDetection.end(),
            [](const SignalDetectionRow& r) { return r.agent == peopleAgent() && r.group == QLatin1String("all"); });
        QVERIFY(s != a.signalDetection.end());
        const auto expected = signalDetection(3, 4, 1, 4);
        QCOMPARE(s->sdt.dPrime, expected->dPrime);
        QCOMPARE(s->realTrials, 4);
        QCOMPARE(s->hits, 3);
        QCOMPARE(s->falseAlarms, 1);
        QCOMPARE(s->grouping, QStringLiteral("all"));
        // Per generator: the hits on all 4 real images against that generator's false alarms (sdxl 1
        // of 2; gan 0 of 2, a rate of 0: log-linear correction); per participant; per category.
        const auto row = [&](const QString& agent, const QString& grouping, const QString& group) {
            const auto it
                = std::find_if(a.signalDetection.begin(), a.signalDetection.end(), [&](const SignalDetectionRow& r) {
                      return r.agent == agent && r.grouping == grouping && r.group == group;
                  });
            return it == a.signalDetection.end() ? nullptr : &*it;
        };
        const SignalDetectionRow* sdxl = row(peopleAgent(), QStringLiteral("source"), QStringLiteral("sdxl"));
        QVERIFY(sdxl);
        QCOMPARE(sdxl->hits, 3);
        QCOMPARE(sdxl->realTrials, 4);
        QCOMPARE(sdxl->falseAlarms, 1);
        QCOMPARE(sdxl->generatedTrials, 2);
        QCOMPARE(sdxl->sdt.dPrime, signalDetection(3, 4, 1, 2)->dPrime);
        QVERIFY(!sdxl->sdt.corrected);
        const SignalDetectionRow* gan = row(peopleAgent(), QStringLiteral("source"), QStringLiteral("gan"));
        QVERIFY(gan);
        QCOMPARE(gan->falseAlarms, 0);
        QVERIFY(gan->sdt.corrected);
        QCOMPARE(gan->sdt.dPrime, signalDetection(3, 4, 0, 2)->dPrime);
        QVERIFY(!row(peopleAgent(), QStringLiteral("source"), QStringLiteral("real")));
        const SignalDetectionRow* p1 = row(QStringLiteral("P1"), QStringLiteral("all"), QStringLiteral("all"));
        QVERIFY(p1 && p1->isParticipant && !p1->isModel);
        QCOMPARE(p1->sdt.dPrime, expected->dPrime);
        QVERIFY(!row(QStringLiteral("P1"), QStringLiteral("category"), QStringLiteral("cats")));
        const SignalDetectionRow* cats = row(peopleAgent(), QStringLiteral("category"), QStringLiteral("cats"));
        QVERIFY(cats);
        QCOMPARE(cats->sdt.dPrime, expected->dPrime);
        const Table table = signalDetectionTable(a);
        QCOMPARE(table.header.at(10), QStringLiteral("d_prime"));
        QCOMPARE(int(table.rows.size()), int(a.signalDetection.size()));
        QCOMPARE(Analysis::find(a.overall, peopleAgent(), QStringLiteral("all"))->chance, 0.5);
    }

    // Which source made it: confusion matrices counted by hand, accuracy per pair of generators, and
    // the rank correlation of people's and the model's pair accuracies.
    void whichSourceConfusionAndPairs()
    {
        const QStringList ab = { QStringLiteral("a"), QStringLiteral("b") };
        const QStringList ac = { QStringLiteral("a"), QStringLiteral("c") };
        const QStringList bc = { QStringLiteral("b"), QStringLiteral("c") };
        const PoolImage a = image(1, QStringLiteral("a"), QStringLiteral("x"));
        const PoolImage b = image(2, QStringLiteral("b"), QStringLiteral("x"));
        const PoolImage c = image(3, QStringLiteral("c"), QStringLiteral("x"));
        std::vector<ResponseRow> people, models;
        qint64 trial = 100;
        // People: a-b 3 of 4 right, a-c 2 of 4, b-c 1 of 4. The model: a-b 1 of 4, a-c 2 of 4, b-c 4 of 4.
        auto add = [&](const QStringList& pair, const PoolImage& shown, const QString& person, const QString& model) {
            ++trial;
            people.push_back(whichSource(1, trial, shown, pair, person));
            models.push_back(whichSource(1, trial, shown, pair, model, QStringLiteral("M")));
        };
        add(ab, a, QStringLiteral("a"), QStringLiteral("b"));
        add(ab, a, QStringLiteral("a"), QStringLiteral("b"));
        add(ab, b, QStringLiteral("b"), QStringLiteral("a"));
        add(ab, b, QStringLiteral("a"), QStringLiteral("b"));
        add(ac, a, QStringLiteral("a"), QStringLiteral("a"));
        add(ac, a, QStringLiteral("c"), QStringLiteral("c"));
        add(ac, c, QStringLiteral("c"), QStringLiteral("c"));
        add(ac, c, QStringLiteral("a"), QStringLiteral("a"));
        add(bc, b, QStringLiteral("b"), QStringLiteral("b"));
        add(bc, b, QStringLiteral("c"), QStringLiteral("b"));
        add(bc, c, QStringLiteral("b"), QStringLiteral("c"));
        add(bc, c, QStringLiteral("b"), QStringLiteral("c"));
        AnalysisOptions options;
        options.bootstrapReplicates = 200;
        const Analysis result = analyse(people, models, options);

        // Choices differ between trials, so the names are in name order.
        QCOMPARE(int(result.confusion.size()), 2);
        const AnswerConfusion& p = result.confusion[0];
        QCOMPARE(p.agent, peopleAgent());
        QCOMPARE(p.labels, (QStringList { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") }));
        // Counted from the answers above: right a was called a 3 times and c once, and so on.
        const std::vector<std::vector<int>> expectedPeople = { { 3, 0, 1 }, { 1, 2, 1 }, { 1, 2, 1 } };
        QCOMPARE(p.counts, expectedPeople);
        const AnswerConfusion& m = result.confusion[1];
        QCOMPARE(m.agent, QStringLiteral("M"));
        QVERIFY(m.isModel);
        const std::vector<std::vector<int>> expectedModel = { { 1, 2, 1 }, { 1, 3, 0 }, { 1, 0, 3 } };
        QCOMPARE(m.counts, expectedModel);
        QCOMPARE(m.total(), 12);

        const AccuracyCell* peopleAb = Analysis::find(result.byPair, peopleAgent(), QStringLiteral("a vs b"));
        QVERIFY(peopleAb);
        QCOMPARE(peopleAb->accuracy.successes, 3);
        QCOMPARE(peopleAb->accuracy.trials, 4);
        QCOMPARE(peopleAb->chance, 0.5);
        QCOMPARE(Analysis::find(result.byPair, QStringLiteral("M"), QStringLiteral("b vs c"))->accuracy.successes, 4);

        // Pairs in name order: people 0.75, 0.5, 0.25 against the model's 0.25, 0.5, 1: rho = -1.
        QCOMPARE(int(result.pairAgreement.size()), 1);
        const PairAgreement& agreement = result.pairAgreement.front();
        QCOMPARE(agreement.pairs,
            (QStringList { QStringLiteral("a vs b"), QStringLiteral("a vs c"), QStringLiteral("b vs c") }));
        QCOMPARE(agreement.people, (std::vector<double> { 0.75, 0.5, 0.25 }));
        QCOMPARE(agreement.modelAccuracy, (std::vector<double> { 0.25, 0.5, 1.0 }));
        QCOMPARE(agreement.spearman.rho, -1.0);
        QCOMPARE(agreement.spearman.points, 3);
    }

    // Class models answer the new trial types from their class probabilities.
    void classModelsAnswerWhichSourceWhichCategoryAndPickSource()
    {
        ModelSpec sources;
        sources.output = OutputKind::SourceClasses;
        sources.classes = { QStringLiteral("real"), QStringLiteral("sd"), QStringLiteral("dalle") };
        QHash<qint64, ImageScores> scores;
        scores.insert(1, ImageScores { 0.2f, { 0.2f, 0.5f, 0.3f } });
        scores.insert(2, ImageScores { 0.1f, { 0.1f, 0.3f, 0.6f } });

        Trial which;
        which.type = TrialType::WhichSource;
        which.imageIds = { 1 };
        which.choices = { QStringLiteral("real"), QStringLiteral("dalle") }; // sd is not offered
        which.correctPosition = 1;
        auto answer = modelAnswer(which, scores, sources);
        QVERIFY(answer);
        QCOMPARE(answer->answer, 1); // dalle 0.3 beats real 0.2 among the offered names
        QVERIFY(answer->correct);

        Trial pick;
        pick.type = TrialType::PickSource;
        pick.imageIds = { 1, 2 };
        pick.targetSource = QStringLiteral("sd");
        pick.correctPosition = 0;
        answer = modelAnswer(pick, scores, sources);
        QVERIFY(answer);
        QCOMPARE(answer->answer, 0); // P(sd) 0.5 against 0.3
        pick.targetSource = QStringLiteral("dalle");
        QCOMPARE(modelAnswer(pick, scores, sources)->answer, 1);

        // Many classes to one category; a category no class maps to leaves the trial unanswered.
        ModelSpec categories;
        categories.output = OutputKind::CategoryClasses;
        categories.classes = { QStringLiteral("beagle"), QStringLiteral("pug"), QStringLiteral("tabby") };
        categories.classMap = { { QStringLiteral("beagle"), QStringLiteral("dog") },
            { QStringLiteral("pug"), QStringLiteral("dog") }, { QStringLiteral("tabby"), QStringLiteral("cat") } };
        QHash<qint64, ImageScores> classes;
        classes.insert(5, ImageScores { -1.0f, { 0.3f, 0.3f, 0.4f } });
        Trial what;
        what.type = TrialType::WhichCategory;
        what.imageIds = { 5 };
        what.choices = { QStringLiteral("cat"), QStringLiteral("dog") };
        what.correctPosition = 1;
        answer = modelAnswer(what, classes, categories);
        QVERIFY(answer);
        QCOMPARE(answer->answer, 1); // dog 0.6 (two breeds) beats tabby's 0.4
        QVERIFY(answer->correct);
        what.choices = { QStringLiteral("cat"), QStringLiteral("kite") };
        QVERIFY(!modelAnswer(what, classes, categories)); // no class is a kite
        // A binary detector cannot say which source made an image.
        ModelSpec binary;
        QVERIFY(!modelAnswer(which, scores, binary));
    }
};

QTEST_GUILESS_MAIN(Test_analysis)
#include "tst_analysis.moc"

#include "analysis/imageresults.h"

#include <QtTest>

#include <cmath>

using namespace ntt;

namespace {

ResponseRow row(qint64 trialId, std::vector<qint64> images, int correctPosition, int answer, double rtMs,
    bool simulated = false, bool practice = false, TrialType type = TrialType::PickReal)
{
    ResponseRow r;
    r.simulated = simulated;
    r.trial.id = trialId;
    r.trial.type = type;
    r.trial.imageIds = std::move(images);
    r.trial.correctPosition = correctPosition;
    r.trial.practice = practice;
    r.response.trialId = trialId;
    r.response.answer = answer;
    r.response.correct = isCorrectAnswer(r.trial, answer);
    r.response.rtMs = rtMs;
    r.response.timedOut = answer < 0;
    return r;
}

} // namespace

// How people did per image and per row of images, counted by hand on a small set of answers.
class Test_imageresults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void quantilesAsNumPy()
    {
        // numpy.quantile([4, 1, 3, 2], [0, 0.25, 0.5, 0.75, 1]) = [1, 1.75, 2.5, 3.25, 4]
        const std::vector<double> v = { 4, 1, 3, 2 };
        QCOMPARE(quantile(v, 0.0), 1.0);
        QCOMPARE(quantile(v, 0.25), 1.75);
        QCOMPARE(quantile(v, 0.5), 2.5);
        QCOMPARE(quantile(v, 0.75), 3.25);
        QCOMPARE(quantile(v, 1.0), 4.0);
        QCOMPARE(quantile({ 7 }, 0.3), 7.0);
        QVERIFY(std::isnan(quantile({}, 0.5)));
    }

    void answersOnOneImage()
    {
        // As in perImage(): image 1 is real; in trial 11 people chose image 2 instead; trial 12
        // timed out; the practice and the simulated trial do not count.
        const std::vector<ResponseRow> rows = {
            row(10, { 1, 2 }, 0, 0, 500),
            row(11, { 2, 1 }, 1, 0, 900),
            row(12, { 1, 3 }, 0, -1, 0),
            row(13, { 1, 3 }, 0, 1, 100, false, true),
            row(14, { 3, 1 }, 1, 0, 700, true),
        };
        const ImageAnswers a = imageAnswers(rows, 1, AnswerFilter {});
        QCOMPARE(int(a.rows.size()), 3);
        QCOMPARE(a.rows[1]->trial.id, qint64(11));
        QCOMPARE(a.timedOut, 1);
        QCOMPARE(a.rtMs, (std::vector<double> { 500, 900 }));
        QCOMPARE(a.chosenInstead.size(), 1);
        QCOMPARE(a.chosenInstead.value(2), 1);
        AnswerFilter all;
        all.includeSimulated = true;
        all.includePractice = true;
        const ImageAnswers b = imageAnswers(rows, 1, all);
        QCOMPARE(int(b.rows.size()), 5);
        QCOMPARE(b.chosenInstead.value(3), 2); // the practice trial and the simulated one
    }

    void perImage()
    {
        // Image 1 is real in every row. Trials: {1,2} answered 1 (right, 500 ms), {2,1} answered
        // position 0 = image 2 (wrong, 900 ms), {1,3} no answer, {1,3} practice, {3,1} simulated.
        const std::vector<ResponseRow> rows = {
            row(10, { 1, 2 }, 0, 0, 500),
            row(11, { 2, 1 }, 1, 0, 900),
            row(12, { 1, 3 }, 0, -1, 0),
            row(13, { 1, 3 }, 0, 0, 100, false, true),
            row(14, { 3, 1 }, 1, 1, 700, true),
        };
        const auto people = humanResultsByImage(rows, AnswerFilter {});
        QCOMPARE(people.size(), 2);
        const ImageHumanResult one = people.value(1);
        QCOMPARE(one.trials, 2);
        QCOMPARE(one.correct, 1);
        QCOMPARE(one.pickTrials, 2);
        QCOMPARE(one.chosen, 1);
        QCOMPARE(one.shareCorrect(), 0.5);
        QCOMPARE(one.medianRtMs(), 700.0);
        const ImageHumanResult two = people.value(2);
        QCOMPARE(two.chosen, 1);
        QCOMPARE(two.correct, 1); // shown in the trial answered right too

        AnswerFilter all;
        all.includeSimulated = true;
        all.includePractice = true;
        const auto everyone = humanResultsByImage(rows, all);
        QCOMPARE(everyone.value(1).trials, 4);
        QCOMPARE(everyone.value(3).trials, 2);
        QCOMPARE(everyone.value(3).chosen, 0);
        QCOMPARE(everyone.value(1).medianRtMs(), 600.0); // 100, 500, 700, 900
        QVERIFY(std::isnan(ImageHumanResult {}.medianRtMs()));
    }

    void perRowWithModels()
    {
        // Two trials show the same pair in different orders; picks are mapped to the row's order.
        const std::vector<ResponseRow> rows = {
            row(20, { 5, 6 }, 0, 0, 400),
            row(21, { 6, 5 }, 1, 0, 450),
            row(22, { 6, 5 }, 1, -1, 0),
            row(23, { 7 }, 0, 1, 300, false, false, TrialType::RealOrFake),
        };
        ResponseRow model = row(21, { 6, 5 }, 1, 1, 0);
        model.agent = QStringLiteral("ResNet-18");
        ResponseRow other = row(23, { 7 }, 0, 0, 0, false, false, TrialType::RealOrFake);
        other.agent = QStringLiteral("Baseline");
        const auto result = trialRowResults(rows, { model, other }, AnswerFilter {});
        QCOMPARE(result.size(), std::size_t(2));
        const TrialRowResult& pair = result[0];
        QCOMPARE(pair.imageIds, (std::vector<qint64> { 5, 6 }));
        QCOMPARE(pair.correctPosition, 0);
        QCOMPARE(pair.answered, 2);
        QCOMPARE(pair.unanswered, 1);
        QCOMPARE(pair.chosenCounts, (std::vector<int> { 1, 1 })); // image 5 once, image 6 once
        QCOMPARE(pair.trialIds.size(), std::size_t(3));
        QCOMPARE(pair.modelChoices.value(QStringLiteral("ResNet-18")), 0); // chose image 5
        const TrialRowResult& single = result[1];
        QCOMPARE(single.type, TrialType::RealOrFake);
        QCOMPARE(single.chosenCounts, (std::vector<int> { 0, 1 }));
        QCOMPARE(single.modelChoices.value(QStringLiteral("Baseline")), 0);
    }

    // Which-category trials of one image offering different distractors: the names people chose are
    // counted by name, for the image's detail and its row.
    void namedAnswersAreCountedByName()
    {
        auto named = [](qint64 trialId, const QStringList& choices, const QString& chosen) {
            ResponseRow r;
            r.sessionId = 1;
            r.trial.id = trialId;
            r.trial.type = TrialType::WhichCategory;
            r.trial.imageIds = { 7 };
            r.trial.choices = choices;
            r.trial.correctPosition = int(choices.indexOf(QStringLiteral("dog")));
            r.response.answer = int(choices.indexOf(chosen));
            r.response.correct = chosen == QLatin1String("dog");
            r.response.rtMs = 900;
            return r;
        };
        const std::vector<ResponseRow> rows = {
            named(1, { QStringLiteral("cat"), QStringLiteral("dog") }, QStringLiteral("dog")),
            named(2, { QStringLiteral("dog"), QStringLiteral("kite") }, QStringLiteral("kite")),
            named(3, { QStringLiteral("kite"), QStringLiteral("dog") }, QStringLiteral("dog")),
        };
        const ImageAnswers answers = imageAnswers(rows, 7, AnswerFilter {});
        QCOMPARE(answers.namesChosen.value(QStringLiteral("dog")), 2);
        QCOMPARE(answers.namesChosen.value(QStringLiteral("kite")), 1);
        QVERIFY(!answers.namesChosen.contains(QStringLiteral("cat")));
        // Not a pick trial: the image is not "chosen".
        const auto perImage = humanResultsByImage(rows, AnswerFilter {});
        QCOMPARE(perImage.value(7).pickTrials, 0);
        QCOMPARE(perImage.value(7).correct, 2);

        const auto trialRows = trialRowResults(rows, {}, AnswerFilter {});
        QCOMPARE(int(trialRows.size()), 1);
        const TrialRowResult& r = trialRows.front();
        QCOMPARE(r.choices, (QStringList { QStringLiteral("cat"), QStringLiteral("dog"), QStringLiteral("kite") }));
        QCOMPARE(r.correctPosition, 1);
        QCOMPARE(r.chosenCounts, (std::vector<int> { 0, 2, 1 }));
    }
};

QTEST_GUILESS_MAIN(Test_imageresults)
#include "tst_imageresults.moc"

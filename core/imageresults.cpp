#include "imageresults.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ntt {

bool countsAsAnswer(const ResponseRow& row, const AnswerFilter& filter)
{
    return (filter.includeSimulated || !row.simulated) && (filter.includePractice || !row.trial.practice)
        && (filter.includeCatch || !row.trial.isCatch);
}

double ImageHumanResult::medianRtMs() const
{
    if (rtMs.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::vector<double> sorted = rtMs;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

QHash<qint64, ImageHumanResult> humanResultsByImage(
    const std::vector<ResponseRow>& responses, const AnswerFilter& filter)
{
    QHash<qint64, ImageHumanResult> results;
    for (const ResponseRow& row : responses) {
        if (!countsAsAnswer(row, filter) || row.response.answer < 0)
            continue;
        const Trial& trial = row.trial;
        const bool pick = trial.type != TrialType::RealOrFake;
        for (std::size_t position = 0; position < trial.imageIds.size(); ++position) {
            ImageHumanResult& r = results[trial.imageIds[position]];
            ++r.trials;
            r.correct += row.response.correct ? 1 : 0;
            if (!row.response.timedOut)
                r.rtMs.push_back(row.response.rtMs);
            if (pick) {
                ++r.pickTrials;
                r.chosen += row.response.answer == int(position) ? 1 : 0;
            }
        }
    }
    return results;
}

std::vector<TrialRowResult> trialRowResults(
    const std::vector<ResponseRow>& responses, const std::vector<ResponseRow>& modelAnswers, const AnswerFilter& filter)
{
    // Rows keyed by their sorted image ids; positions map through the row's first order.
    std::vector<TrialRowResult> rows;
    std::map<std::vector<qint64>, std::size_t> rowOf;
    QHash<qint64, std::size_t> rowOfTrial;
    auto keyOf = [](const Trial& t) {
        std::vector<qint64> key = t.imageIds;
        std::sort(key.begin(), key.end());
        key.push_back(static_cast<qint64>(t.type));
        return key;
    };
    // The position in the row of the image the trial showed at `position`.
    auto rowPosition = [](const TrialRowResult& row, const Trial& t, int position) {
        if (t.type == TrialType::RealOrFake || position < 0 || position >= int(t.imageIds.size()))
            return position;
        const auto it = std::find(row.imageIds.begin(), row.imageIds.end(), t.imageIds[std::size_t(position)]);
        return int(it - row.imageIds.begin());
    };
    for (const ResponseRow& r : responses) {
        if (!countsAsAnswer(r, filter))
            continue;
        const auto key = keyOf(r.trial);
        auto found = rowOf.find(key);
        if (found == rowOf.end()) {
            TrialRowResult row;
            row.type = r.trial.type;
            row.imageIds = r.trial.imageIds;
            row.correctPosition = r.trial.correctPosition;
            row.chosenCounts.assign(r.trial.type == TrialType::RealOrFake ? 2 : r.trial.imageIds.size(), 0);
            found = rowOf.emplace(key, rows.size()).first;
            rows.push_back(std::move(row));
        }
        TrialRowResult& row = rows[found->second];
        row.trialIds.push_back(r.trial.id);
        rowOfTrial.insert(r.trial.id, found->second);
        if (r.response.answer < 0) {
            ++row.unanswered;
            continue;
        }
        ++row.answered;
        const int p = rowPosition(row, r.trial, r.response.answer);
        if (p >= 0 && p < int(row.chosenCounts.size()))
            ++row.chosenCounts[std::size_t(p)];
    }
    for (const ResponseRow& m : modelAnswers) {
        const auto it = rowOfTrial.constFind(m.trial.id);
        if (it == rowOfTrial.cend() || m.response.answer < 0)
            continue;
        TrialRowResult& row = rows[*it];
        if (!row.modelChoices.contains(m.agent))
            row.modelChoices.insert(m.agent, rowPosition(row, m.trial, m.response.answer));
    }
    return rows;
}

} // namespace ntt

#include "analysis/imageresults.h"

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

double quantile(std::vector<double> values, double q)
{
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(values.begin(), values.end());
    const double position = std::clamp(q, 0.0, 1.0) * double(values.size() - 1);
    const auto below = std::size_t(std::floor(position));
    const std::size_t above = std::min(values.size() - 1, below + 1);
    return values[below] + (position - double(below)) * (values[above] - values[below]);
}

double ImageHumanResult::medianRtMs() const
{
    return quantile(rtMs, 0.5);
}

ImageAnswers imageAnswers(const std::vector<ResponseRow>& responses, qint64 imageId, const AnswerFilter& filter)
{
    ImageAnswers a;
    for (const ResponseRow& r : responses) {
        if (!countsAsAnswer(r, filter))
            continue;
        const auto at = std::find(r.trial.imageIds.begin(), r.trial.imageIds.end(), imageId);
        if (at == r.trial.imageIds.end())
            continue;
        a.rows.push_back(&r);
        if (r.response.timedOut) {
            ++a.timedOut;
            continue;
        }
        a.rtMs.push_back(r.response.rtMs);
        const int position = int(at - r.trial.imageIds.begin());
        const int answer = r.response.answer;
        if (r.trial.type == TrialType::PickReal && position == r.trial.correctPosition && !r.response.correct
            && answer >= 0 && answer < int(r.trial.imageIds.size()))
            ++a.chosenInstead[r.trial.imageIds[std::size_t(answer)]];
        if ((r.trial.type == TrialType::WhichSource || r.trial.type == TrialType::WhichCategory) && answer >= 0
            && answer < r.trial.choices.size())
            ++a.namesChosen[r.trial.choices[answer]];
    }
    return a;
}

QHash<qint64, ImageHumanResult> humanResultsByImage(
    const std::vector<ResponseRow>& responses, const AnswerFilter& filter)
{
    QHash<qint64, ImageHumanResult> results;
    for (const ResponseRow& row : responses) {
        if (!countsAsAnswer(row, filter) || row.response.answer < 0)
            continue;
        const Trial& trial = row.trial;
        const bool pick = !answersWithLabels(trial.type);
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
    auto rowPosition = [](TrialRowResult& row, const Trial& t, int position) {
        if (t.type == TrialType::WhichSource || t.type == TrialType::WhichCategory) {
            // By name: another trial of the image may have offered other names.
            if (position < 0 || position >= t.choices.size())
                return -1;
            const QString& name = t.choices[position];
            if (!row.choices.contains(name)) {
                row.choices << name;
                row.chosenCounts.push_back(0);
            }
            return int(row.choices.indexOf(name));
        }
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
            const bool named = r.trial.type == TrialType::WhichSource || r.trial.type == TrialType::WhichCategory;
            row.chosenCounts.assign(
                named ? 0 : (r.trial.type == TrialType::RealOrFake ? 2 : r.trial.imageIds.size()), 0);
            if (named) {
                for (int c = 0; c < int(r.trial.choices.size()); ++c)
                    rowPosition(row, r.trial, c);
                row.correctPosition = rowPosition(row, r.trial, r.trial.correctPosition);
            }
            found = rowOf.emplace(key, rows.size()).first;
            rows.push_back(std::move(row));
        }
        TrialRowResult& row = rows[found->second];
        for (int c = 0; c < int(r.trial.choices.size()); ++c)
            rowPosition(row, r.trial, c); // every name offered has its place, chosen or not
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

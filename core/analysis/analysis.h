#pragma once

#include "analysis/imageresults.h"
#include "analysis/statistics.h"
#include "study/responseexport.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace ntt {

/// The generators a trial tests: the sources of its generated images (pick-real: all but the
/// correct image; pick-fake: the correct one); for real-or-fake the image's own source. `shown` are
/// the trial's images by position.
QStringList testedSources(const Trial& trial, const std::vector<PoolImage>& shown);

/// How the comparison of people and models is computed.
struct AnalysisOptions
{
    AnswerFilter filter; ///< which people's answers count (simulated, practice, catch left out by default)
    /// Participants whose catch-trial accuracy is below this share are excluded (0 = no rule).
    double catchExclusionBelow = 0.0;
    int bootstrapReplicates = 2000; ///< participant-level (cluster) bootstrap of the people's accuracy
    std::uint64_t bootstrapSeed = 1;
    int positionBins = 5; ///< trial position (learning or fatigue) in this many equal bins
    double confidence = 0.95;
};

/// The label of the pooled people in results.
inline QString peopleAgent()
{
    return QStringLiteral("people");
}

/// Accuracy of one agent in one group of trials.
struct AccuracyCell
{
    QString agent; ///< a participant code, peopleAgent() for the pooled people, or a model's name
    bool isModel = false;
    bool isParticipant = false; ///< one participant (not the pool)
    QString group; ///< the category, source, "N-way", position bin or "all"
    Proportion accuracy; ///< with its Wilson interval
    Proportion bootstrap; ///< pooled people only: participant-level bootstrap interval; NaN otherwise
    double chance = 0.0; ///< mean 1/N of the trials
    double pBinomial = 1.0; ///< exact two-sided binomial test against chance (mean N when rows differ)
};

/// One participant, with the exclusion rule's verdict.
struct ParticipantSummary
{
    QString code;
    qint64 sessionId = 0;
    bool simulated = false;
    int trials = 0; ///< analysed trials answered
    int correct = 0;
    int catchTrials = 0;
    int catchCorrect = 0;
    bool excluded = false;
    QString exclusionReason;
};

/// d' and criterion of an agent on real-or-fake trials.
struct SignalDetectionRow
{
    QString agent; ///< peopleAgent(), a participant code or a model's name
    bool isModel = false;
    bool isParticipant = false;
    QString grouping; ///< "all", "category", or "source" (the generator whose images were the false alarms)
    QString group; ///< "all", the category or the generator
    int realTrials = 0;
    int hits = 0; ///< real images called real
    int generatedTrials = 0;
    int falseAlarms = 0; ///< generated images called real
    SignalDetection sdt;
};

/// Error consistency between two agents on the trials both answered.
struct ConsistencyRow
{
    QString first; ///< peopleAgent() or a participant
    QString second; ///< a model, or for the ceiling peopleAgent()
    bool ceiling = false; ///< people against people (pairs of participants on the same rows)
    QString group; ///< category or "all"
    ErrorConsistency consistency;
};

/// Response times of the pooled people, split by correctness.
struct ResponseTimes
{
    QString group; ///< category or "all"
    std::vector<double> correctMs;
    std::vector<double> wrongMs;
};

/// Answers of one agent to which-source or which-category trials: rows are the right names,
/// columns the chosen ones, in the same order for every agent of a study.
struct AnswerConfusion
{
    QString agent; ///< peopleAgent() or a model's name
    bool isModel = false;
    TrialType question = TrialType::WhichSource; ///< WhichSource or WhichCategory
    QStringList labels;
    std::vector<std::vector<int>> counts; ///< [right][chosen]; every answered trial once
    int total() const;
};

/// The pooled people's and one model's accuracy per pair of generators, one point per pair, and
/// their rank correlation: You et al.'s "opposite trends" as one number.
struct PairAgreement
{
    QString model;
    QStringList pairs; ///< "A vs B", names in order
    std::vector<double> people; ///< people's accuracy per pair
    std::vector<double> modelAccuracy; ///< the model's accuracy per pair
    RankCorrelation spearman; ///< with a percentile bootstrap over pairs (AnalysisOptions' replicates and seed)
};

/// The pair of generators a trial puts against each other ("A vs B", in name order): the two
/// sources of a pick-source row, or the two choices of a two-way which-source trial; empty otherwise.
QString sourcePairLabel(const Trial& trial, const std::vector<PoolImage>& shown);

/// Answers to repeated trials (a study's repeat_trials): how consistent people are with themselves.
struct SelfConsistency
{
    QString participant; ///< a participant code, or peopleAgent() for everyone's pairs pooled
    int pairs = 0; ///< repeated trials answered both times
    Proportion sameAnswer; ///< the same answer both times, with its Wilson interval
    /// Cohen's kappa of right and wrong, first answer against the repeat (error consistency,
    /// Geirhos et al. 2020): the ceiling for any agent's error consistency with people.
    ErrorConsistency errors;
};

/**
 * Self-consistency per participant, then pooled (last, participant = peopleAgent()), over the
 * repeated trials whose repeat and original both count under `filter` and were both answered
 * (no deadline miss). Empty when no repeat was answered.
 */
std::vector<SelfConsistency> selfConsistency(const std::vector<ResponseRow>& people, const AnswerFilter& filter);

struct Analysis
{
    std::vector<ParticipantSummary> participants;
    QStringList excludedParticipants;
    QStringList models; ///< model names in order of appearance
    std::vector<AccuracyCell> overall; ///< group "all"
    std::vector<AccuracyCell> byCategory;
    std::vector<AccuracyCell>
        bySource; ///< generator of the generated images in the trial (real for real-or-fake real images)
    std::vector<AccuracyCell> byWays;
    std::vector<AccuracyCell> byPosition;
    std::vector<AccuracyCell> byPair; ///< pairs of generators (sourcePairLabel), pick-source and 2-way which-source
    std::vector<AnswerConfusion> confusion; ///< which-source and which-category: people first, then each model
    std::vector<PairAgreement> pairAgreement; ///< one per model that answered pair trials
    std::vector<SignalDetectionRow> signalDetection;
    std::vector<ConsistencyRow> errorConsistency;
    std::vector<ResponseTimes> responseTimes;
    int peopleTrials = 0; ///< analysed answered trials of the included participants
    int modelTrials = 0;

    /// The cell of `agent` in `group` of `cells`, or nullptr.
    static const AccuracyCell* find(const std::vector<AccuracyCell>& cells, const QString& agent, const QString& group);
};

/**
 * The comparison of people and models on the same trials: accuracy by agent and by category,
 * source (generator), ways and trial position, with Wilson intervals, a participant-level bootstrap
 * for the pooled people and a binomial test against chance; d' for real-or-fake; error consistency
 * of each model with the pooled people per category, and the people-to-people ceiling; response
 * times. `people` are the study's responses, `models` its model answers (ResponseRow::agent names
 * the model). Only trials with an answer count.
 */
Analysis analyse(
    const std::vector<ResponseRow>& people, const std::vector<ResponseRow>& models, const AnalysisOptions& options);

} // namespace ntt

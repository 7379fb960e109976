#pragma once

#include "study/responseexport.h"

#include <QHash>
#include <QMap>
#include <QString>

#include <vector>

namespace ntt {

/// Which people's answers count. Practice, catch and simulated answers are left out by default.
struct AnswerFilter
{
    bool includeSimulated = false;
    bool includePractice = false;
    bool includeCatch = false;
};

/// Whether a response row counts under the filter.
bool countsAsAnswer(const ResponseRow& row, const AnswerFilter& filter);

/// How people did on one image, over the answered trials that showed it.
struct ImageHumanResult
{
    int trials = 0; ///< answered trials that showed the image
    int correct = 0; ///< of those, answered correctly
    int pickTrials = 0; ///< pick trials among them
    int chosen = 0; ///< times the image was the one picked in those
    std::vector<double> rtMs; ///< response times of the trials (answers given in time)

    double shareCorrect() const { return trials > 0 ? double(correct) / trials : 0.0; }
    /// Median response time in ms; NaN without any.
    double medianRtMs() const;
};

/// Per pool image id. Rows without an answer (deadline passed) do not count.
QHash<qint64, ImageHumanResult> humanResultsByImage(
    const std::vector<ResponseRow>& responses, const AnswerFilter& filter);

/// The q-quantile (0..1) of the values, interpolating linearly between order statistics (R's
/// type 7, NumPy's default); NaN when there are none.
double quantile(std::vector<double> values, double q);

/// What people did on one image, answer by answer: for its detail in the error browser.
struct ImageAnswers
{
    std::vector<const ResponseRow*> rows; ///< trials under the filter that showed it, timed out included, in order
    /// Pick-real rows where it was the real image and people chose another: that image -> times.
    QHash<qint64, int> chosenInstead;
    /// Which-source and which-category rows: the name people chose -> times (the right one included).
    QMap<QString, int> namesChosen;
    std::vector<double> rtMs; ///< of the answers given in time
    int timedOut = 0;
};
/// The rows point into `responses`, which must outlive the result.
ImageAnswers imageAnswers(const std::vector<ResponseRow>& responses, qint64 imageId, const AnswerFilter& filter);

/**
 * A row of images as trials showed it, with what people and models chose. Trials showing the same
 * images (in any order) are one row; the order is that of the first such trial.
 */
struct TrialRowResult
{
    TrialType type = TrialType::PickReal;
    std::vector<qint64> imageIds; ///< by position
    int correctPosition = 0;
    /// People's picks by position (real-or-fake: answer index 0 real, 1 fake; which-source and
    /// which-category: by index into `choices`).
    std::vector<int> chosenCounts;
    /// Which-source and which-category: every name the row's trials offered (trials of one image
    /// may offer different distractors); correctPosition and answers index into it.
    QStringList choices;
    int answered = 0;
    int unanswered = 0; ///< trials whose deadline passed
    std::vector<qint64> trialIds; ///< the counted trials
    QHash<QString, int> modelChoices; ///< model name -> chosen position (or answer index, or index into choices)
};

/// The rows of pick and real-or-fake trials people answered under the filter, with the models'
/// answers to the same trials; in the order the rows were first shown.
std::vector<TrialRowResult> trialRowResults(const std::vector<ResponseRow>& responses,
    const std::vector<ResponseRow>& modelAnswers, const AnswerFilter& filter);

} // namespace ntt

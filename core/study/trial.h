#pragma once

#include "study/study.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace ntt {

/// One trial of one participant's list: the images shown, in order, and the answer key.
struct Trial
{
    qint64 id = 0; ///< database id; 0 until stored
    int index = 0; ///< 0-based position in the participant's list (practice first)
    TrialType type = TrialType::PickReal;
    std::vector<qint64> imageIds; ///< pool image ids by position
    /// Pick trials: 0-based position of the right image; real-or-fake: 0 = "real", 1 = "fake";
    /// which-source and which-category: index of the right name in `choices`.
    int correctPosition = 0;
    QStringList choices; ///< which-source: source names; which-category: category names, by answer index
    QString targetSource; ///< pick-source: the source whose image is to be chosen
    bool practice = false;
    bool isCatch = false;
    bool breakAfter = false; ///< a break screen follows this trial
    int repeatOf = -1; ///< a repeat of the trial with this index, shown again later (-1 = not a repeat)
    /// Brief exposure in frames of the participant's display; 0 = shown until answered;
    /// kStaircaseExposure = as long as the participant's staircase says when the trial comes.
    int exposureFrames = 0;

    int ways() const { return static_cast<int>(imageIds.size()); }
};

/// Trial::exposureFrames of a trial whose exposure the participant's staircase sets.
inline constexpr int kStaircaseExposure = -1;

/// Answer labels of a real-or-fake trial, by answer index.
inline QString realOrFakeLabel(int answer)
{
    return answer == 0 ? QStringLiteral("real") : QStringLiteral("fake");
}

/// Number of answers `trial` offers: its images (pick trials), 2 (real-or-fake) or its choices.
int answerOptionCount(const Trial& trial);

/// One answer to one trial, as recorded the moment it is given.
struct Response
{
    qint64 trialId = 0;
    int trialIndex = 0;
    int answer = -1; ///< 0-based chosen position (pick trials) or real-or-fake answer index; -1 = none (deadline)
    bool correct = false;
    std::optional<int> confidence; ///< 1..4 when asked
    double rtMs = 0.0; ///< from stimulus painted to the input event
    QDateTime onsetUtc; ///< stimulus painted
    QDateTime responseUtc; ///< input event
    QString rtClock; ///< "event" when the input event's own timestamp was used, "handler" otherwise
    int focusLosses = 0; ///< window deactivations during this trial
    bool timedOut = false;
    bool tooFast = false;
    /// Brief exposure (all 0 when the trial had none): the frames asked for, the display's refresh
    /// rate (Hz), and the measured times from the stimulus frame to the mask frame and from the mask
    /// to the answer screen (ms, steady clock, as painted; a photodiode alone shows what the panel did).
    int exposureFrames = 0;
    double frameRateHz = 0.0;
    double exposureMs = 0.0;
    double maskMs = 0.0;
};

/// Whether `answer` is right for `trial`.
inline bool isCorrectAnswer(const Trial& trial, int answer)
{
    return answer >= 0 && answer == trial.correctPosition;
}

} // namespace ntt

#pragma once

#include "analysis/imageresults.h"
#include "analysis/statistics.h"
#include "study/study.h"

#include <QString>

#include <vector>

namespace ntt {

/// Accuracy at one exposure duration (brief-exposure studies).
struct ExposureLevel
{
    QString participant; ///< a participant code, or peopleAgent() for everyone pooled
    int frames = 0; ///< exposure asked for, in frames of the participant's display
    double meanExposureMs = 0.0; ///< measured stimulus durations (ms): mean, smallest and largest
    double minExposureMs = 0.0;
    double maxExposureMs = 0.0;
    double meanFrameRateHz = 0.0;
    Proportion accuracy; ///< trials right, with the Wilson interval (a deadline miss is a wrong answer)
};

/// One participant's exposure staircase, replayed from their stored answers.
struct StaircaseResult
{
    QString participant;
    qint64 sessionId = 0;
    int trials = 0; ///< staircase trials answered (deadline misses count wrong, as they did for the staircase)
    std::vector<int> reversalFrames;
    double thresholdFrames = 0.0; ///< mean exposure at the last threshold_reversals reversals; NaN without any
    double thresholdMs = 0.0; ///< thresholdFrames at the participant's mean refresh rate
    double target = 0.0; ///< share correct the rule converges on (staircaseTarget)
};

struct ExposureAnalysis
{
    /// Per exposure, pooled (participant = peopleAgent()) first, then per participant; by frames.
    std::vector<ExposureLevel> levels;
    std::vector<StaircaseResult> staircases; ///< per participant, in session order (staircase studies)
};

/**
 * Accuracy by exposure duration, and each participant's staircase threshold, from people's
 * responses to a brief-exposure study (rows with exposureFrames > 0 counting under `filter`; pass
 * the rows of the participants the analysis keeps). The staircase is replayed with the study's settings
 * (Staircase, the rules of PsychoPy's StairHandler) over the participant's staircase trials in the
 * order shown, and must arrive at the exposures they were shown: a mismatch is reported as an error
 * naming the session (the stored answers do not match the definition).
 */
Result<ExposureAnalysis> exposureAnalysis(
    const std::vector<ResponseRow>& people, const AnswerFilter& filter, const StudyDefinition& definition);

} // namespace ntt

#pragma once

#include "pool/pool.h"
#include "result.h"
#include "study/study.h"
#include "study/trial.h"

#include <QStringList>

#include <vector>

namespace ntt {

/// One participant's trial list and what the generator had to compromise on.
struct TrialList
{
    std::vector<Trial> trials; ///< practice first, then main and catch trials mixed
    QStringList warnings; ///< e.g. images shown twice because the pool is too small
};

/**
 * Generates the trial list of participant `participantIndex` (0, 1, ...). The list is a function of
 * the definition (including its seed), the pool and the index alone, identical on every platform:
 * the pool is ordered by relative path and all randomness comes from ntt::Rng.
 *
 * Rows share a category or a pair key as the definition asks; the generated images of a row come
 * from distinct generators when the pool allows; the position of the correct image (or the real/fake
 * answer) is balanced within the participant; no image is shown twice unless the pool is too small,
 * which is reported in warnings. Fails when the pool cannot supply a single valid row.
 */
Result<TrialList> generateTrials(const StudyDefinition& definition, const std::vector<PoolImage>& pool,
    const QString& realSource, int participantIndex);

/// Design-time check: the warnings participant 0's list would carry, or the reason no list can be made.
Result<QStringList> checkStudyDesign(
    const StudyDefinition& definition, const std::vector<PoolImage>& pool, const QString& realSource);

} // namespace ntt

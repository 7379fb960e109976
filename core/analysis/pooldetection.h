#pragma once

#include "analysis/statistics.h"
#include "study/responseexport.h"

#include <QString>

#include <vector>

namespace ntt {

/// How one model did on one source's images of the pool, as a real-or-fake detector.
struct SourceDetection
{
    QString source;
    bool real = false; ///< the pool's real source
    int images = 0; ///< images with a P(real)
    double meanPReal = 0.0; ///< NaN without images
    /// Images called right (real: P(real) >= threshold; generated: below), with the Wilson interval
    /// (statsmodels' proportion_confint, method="wilson", 95 %).
    Proportion accuracy;
};

/**
 * Per source, how a model's stored P(real) sorts the pool's images into real and generated at
 * `threshold`: for the real source the share called real, for each generator the share called
 * generated (its detection rate). Rows without a P(real) (failed images, category models) are left
 * out. Sources in name order, the real one first.
 */
std::vector<SourceDetection> detectionBySource(
    const std::vector<PredictionRow>& rows, const QString& realSource, double threshold);

} // namespace ntt

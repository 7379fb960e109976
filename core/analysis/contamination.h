#pragma once

#include "analysis/statistics.h"

#include <QString>

namespace ntt {

/// How a detector called labelled images at its threshold: the error rates a contamination
/// estimate corrects for, measured on the pool (its test split, say).
struct DetectorErrorRates
{
    int generatedImages = 0; ///< labelled generated images
    int generatedFlagged = 0; ///< of them, called generated (true positives)
    int realImages = 0; ///< labelled real images
    int realFlagged = 0; ///< of them, called generated (false positives)

    double sensitivity() const; ///< P(called generated | generated); NaN without generated images
    double specificity() const; ///< P(called real | real); NaN without real images
};

/// The share of generated images in a folder of supposedly real ones.
struct ContaminationEstimate
{
    int images = 0; ///< images the detector judged
    int flagged = 0; ///< of them, called generated
    Proportion apparent; ///< flagged / images with its Wilson interval: what the detector says, uncorrected
    double sensitivity = 0.0;
    double specificity = 0.0;
    double rawEstimate = 0.0; ///< Rogan-Gladen before clipping (may fall outside 0..1)
    double estimate = 0.0; ///< clipped to 0..1
    double low = 0.0; ///< delta-method interval, clipped to 0..1
    double high = 0.0;
    /// Why the estimate means little (the detector is no better than chance: Se + Sp <= 1), or empty.
    QString warning;
};

/**
 * Rogan and Gladen's (1978) estimate of the true share of generated images from the apparent share
 * p = flagged / images and the detector's sensitivity Se and specificity Sp measured on labelled
 * images: pi = (p + Sp - 1) / (Se + Sp - 1), clipped to 0..1. Its interval is the delta method's,
 * which adds the sampling error of Se and Sp to that of p (Rogan and Gladen 1978; Greiner and
 * Gardner 2000, eq. 5):
 *   Var(pi) = [p (1 - p) / n + pi^2 Se (1 - Se) / n_gen + (1 - pi)^2 Sp (1 - Sp) / n_real] / (Se + Sp - 1)^2
 * with pi the unclipped estimate, bounds pi -/+ z sqrt(Var) clipped to 0..1. NaN bounds when the
 * detector's rates are unknown or Se + Sp <= 1 (then `warning` says so).
 */
ContaminationEstimate estimateContamination(
    int flagged, int images, const DetectorErrorRates& rates, double confidence = 0.95);

} // namespace ntt

#include "analysis/contamination.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ntt {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

} // namespace

double DetectorErrorRates::sensitivity() const
{
    return generatedImages > 0 ? double(generatedFlagged) / generatedImages : kNaN;
}

double DetectorErrorRates::specificity() const
{
    return realImages > 0 ? double(realImages - realFlagged) / realImages : kNaN;
}

ContaminationEstimate estimateContamination(int flagged, int images, const DetectorErrorRates& rates, double confidence)
{
    ContaminationEstimate e;
    e.images = images;
    e.flagged = flagged;
    e.apparent = wilsonInterval(flagged, images, confidence);
    e.sensitivity = rates.sensitivity();
    e.specificity = rates.specificity();
    e.rawEstimate = e.estimate = e.low = e.high = kNaN;
    if (images <= 0) {
        e.warning = QStringLiteral("no images were judged");
        return e;
    }
    if (std::isnan(e.sensitivity) || std::isnan(e.specificity)) {
        e.warning = QStringLiteral("the detector's error rates are unknown: it needs predictions on labelled real "
                                   "and generated images");
        return e;
    }
    const double youden = e.sensitivity + e.specificity - 1.0;
    if (youden <= 0.0) {
        e.warning = QStringLiteral("the detector is no better than chance on the labelled images (sensitivity "
                                   "%1 + specificity %2 <= 1): its count cannot be corrected")
                        .arg(e.sensitivity, 0, 'f', 3)
                        .arg(e.specificity, 0, 'f', 3);
        return e;
    }
    const double p = double(flagged) / images;
    e.rawEstimate = (p + e.specificity - 1.0) / youden;
    e.estimate = std::clamp(e.rawEstimate, 0.0, 1.0);
    const double pi = e.rawEstimate;
    const double variance
        = (p * (1.0 - p) / images + pi * pi * e.sensitivity * (1.0 - e.sensitivity) / rates.generatedImages
              + (1.0 - pi) * (1.0 - pi) * e.specificity * (1.0 - e.specificity) / rates.realImages)
        / (youden * youden);
    const double z = normalQuantile(1.0 - (1.0 - confidence) / 2.0);
    const double half = z * std::sqrt(std::max(0.0, variance));
    e.low = std::clamp(pi - half, 0.0, 1.0);
    e.high = std::clamp(pi + half, 0.0, 1.0);
    return e;
}

} // namespace ntt

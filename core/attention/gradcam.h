#pragma once

#include "models/classifier.h"
#include "result.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace cv {
class Mat;
}

namespace ntt {

// The class-activation-map family on top of what a classifier gives (models/layerevidence.h):
// methods, their formulas, maps in image coordinates.

/// The class-activation-map methods, with the formulas of ../shared/DESIGN.md (those of
/// pytorch-grad-cam and TorchCAM).
enum class CamMethod {
    GradCam,
    GradCamPlusPlus,
    SmoothGradCamPlusPlus,
};
QString camMethodName(CamMethod method); ///< "gradcam", "gradcampp", "smoothgradcampp"
QString camMethodLabel(CamMethod method); ///< "Grad-CAM", "Grad-CAM++", "Smooth Grad-CAM++"
std::optional<CamMethod> camMethodFromName(const QString& name);

struct CamOptions
{
    CamMethod method = CamMethod::GradCam;
    QString layer; ///< a name from Classifier::camLayers(); empty = the default layer
    CamTarget target;
    int noiseSamples = 4; ///< Smooth Grad-CAM++: noisy copies of the input
    double noiseSigma = 0.3; ///< Smooth Grad-CAM++: Gaussian noise, in normalised input units
    std::uint64_t noiseSeed = 1234;
};

/// A normalised map (0..1, min to 0, max to max / (max + 1e-7)) at the target layer's resolution.
struct CamMap
{
    int width = 0;
    int height = 0;
    std::vector<float> values; ///< height * width, row major
    QString layer;
    /// The method that made it: camMapToImage() renormalises Grad-CAM and Grad-CAM++ maps at the
    /// network input's size, as pytorch-grad-cam does; Smooth Grad-CAM++ maps (TorchCAM) are not.
    CamMethod method = CamMethod::GradCam;
    int targetClass = 0;
    bool targetNegated = false;
};

/// The map of `method` from the evidence, by the formulas in DESIGN.md; checks the buffer sizes.
Result<CamMap> camFromEvidence(const CamEvidence& evidence, CamMethod method);

/**
 * The map in the coordinates of the original image (width x height), as a CV_32F matrix: resized
 * with INTER_LINEAR where the model saw the whole image ("resize"), placed over the centre region
 * the model saw ("resize-crop"; 0 outside it). Not renormalised.
 */
Result<cv::Mat> camMapToImage(const CamMap& map, const InputSpec& input, int imageWidth, int imageHeight);

/**
 * Class-activation maps of `method` for a batch of prepared images (one forward and backward pass,
 * or one per noisy copy for Smooth Grad-CAM++; slower than predict()), at the target layer's
 * resolution; camMapToImage() brings them to an image's size. Errors name the model: unknown layer,
 * noise options out of range, a layer the output does not depend on.
 */
Result<std::vector<CamMap>> computeCams(
    Classifier& classifier, const std::vector<PreparedImage>& batch, const CamOptions& options);

} // namespace ntt

#pragma once

#include "modelspec.h"
#include "result.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace cv {
class Mat;
}

namespace ntt {

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

/// Which output the map explains.
struct CamTarget
{
    enum class Kind {
        Predicted, ///< the model's own choice for each image
        Real,
        Generated,
        Class, ///< one class of the model's output, by index
    };
    Kind kind = Kind::Predicted;
    int classIndex = -1; ///< for Kind::Class

    bool operator==(const CamTarget& other) const
    {
        return kind == other.kind && (kind != Kind::Class || classIndex == other.classIndex);
    }
};
QString camTargetName(const CamTarget& target); ///< "predicted", "real", "generated", "class:N"
/// Parses camTargetName's forms; a bare class name is looked up in `spec.classes`. The error names the value.
Result<CamTarget> camTargetFromName(const QString& name, const ModelSpec& spec);

struct CamOptions
{
    CamMethod method = CamMethod::GradCam;
    QString layer; ///< a name from Classifier::camLayers(); empty = the default layer
    CamTarget target;
    int noiseSamples = 4; ///< Smooth Grad-CAM++: noisy copies of the input
    double noiseSigma = 0.3; ///< Smooth Grad-CAM++: Gaussian noise, in normalised input units
    std::uint64_t noiseSeed = 1234;
};

/// A layer a map can be computed at, with its output shape for one image at the model's input size.
struct CamLayer
{
    QString name; ///< dotted module path, e.g. "layer4" or "layer3.0.conv2"
    std::vector<std::int64_t> shape; ///< e.g. [1, 512, 7, 7]
};

/// The default target layer: the last whose output is 4-D with a spatial size above 1 (the one
/// before global pooling); of several names for the same output, the outermost. Empty if none.
QString defaultCamLayer(const std::vector<CamLayer>& layers);

/**
 * What the formulas need from one image at the target layer, each [channels, height, width] row
 * major: the activations A of the clean input and the gradient of the target score with respect to
 * A, as its mean, mean square and mean cube over the backward passes (one pass without noise; n
 * noisy passes for Smooth Grad-CAM++).
 */
struct CamEvidence
{
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<float> activations;
    std::vector<float> gradMean;
    std::vector<float> gradSquareMean;
    std::vector<float> gradCubeMean;
    int targetClass = 0; ///< the output index explained (0 for single-output models)
    bool targetNegated = false; ///< single-output models: the score was minus the output
};

/// A normalised map (0..1, min to 0, max to max / (max + 1e-7)) at the target layer's resolution.
struct CamMap
{
    int width = 0;
    int height = 0;
    std::vector<float> values; ///< height * width, row major
    QString layer;
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

} // namespace ntt

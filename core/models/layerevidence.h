#pragma once

// What a classifier can tell about one of its layers for a class-activation map: the layers, the
// output a map explains, and the activations with the gradients of that output. The formulas that
// turn this evidence into maps are the attention stage's (attention/gradcam.h).

#include "models/modelspec.h"
#include "result.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace ntt {

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

/// A layer a map can be computed at, with its output shape for one image at the model's input size.
struct CamLayer
{
    QString name; ///< dotted module path, e.g. "layer4" or "layer3.0.conv2"
    std::vector<std::int64_t> shape; ///< e.g. [1, 512, 7, 7]
};

/// The default target layer: the last whose output is 4-D with a spatial size above 1 (the one
/// before global pooling); of several names for the same output, the outermost. Empty if none.
QString defaultCamLayer(const std::vector<CamLayer>& layers);

/// What Classifier::layerEvidence() computes: at which layer, for which output, and with how many noisy
/// copies of the input (0: one backward pass on the clean input, as Grad-CAM and Grad-CAM++ need).
struct EvidenceRequest
{
    QString layer; ///< a name from Classifier::camLayers(); empty = defaultCamLayer()
    CamTarget target;
    int noiseSamples = 0; ///< 0..256 noisy copies (Smooth Grad-CAM++)
    double noiseSigma = 0.0; ///< Gaussian noise, in normalised input units (0..10)
    std::uint64_t noiseSeed = 1234;
};

/**
 * What the formulas need from one image at the target layer, each [channels, height, width] row
 * major: the activations A of the clean input and the gradient of the target score with respect to
 * A, as its mean, mean square and mean cube over the backward passes (one pass without noise; n
 * noisy passes for Smooth Grad-CAM++, whose last pass is also kept).
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
    /// With noisy copies: the activations and the gradient of the last copy (TorchCAM's Smooth
    /// Grad-CAM++ weights and combines those); empty otherwise.
    std::vector<float> lastActivations;
    std::vector<float> lastGradient;
    QString layer; ///< the layer the activations come from
    int targetClass = 0; ///< the output index explained (0 for single-output models)
    bool targetNegated = false; ///< single-output models: the score was minus the output
};

} // namespace ntt

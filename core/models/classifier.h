#pragma once

#include "cancel.h"
#include "models/layerevidence.h"
#include "models/modelspec.h"
#include "result.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace ntt {

/// Where a model runs.
enum class DevicePreference {
    Auto, ///< CUDA when the LibTorch build and the machine have it, else CPU
    Cpu, ///< CPU even when CUDA is there
};

/// What a run records about where and how it ran.
struct RuntimeInfo
{
    QString device; ///< "cpu" or "cuda:0"
    int threads = 1; ///< intra-op threads used
    QString torchVersion;
};

/// Threads to use on this machine: all cores, as measured faster than LibTorch's own choice of 1 on 2 cores.
int defaultTorchThreads();

/// One image prepared for a network: CHW float32 in the spec's channel order, normalised.
struct PreparedImage
{
    int size = 0;
    std::vector<float> chw; ///< 3 * size * size values
    int sourceWidth = 0; ///< the decoded image's size, before resizing
    int sourceHeight = 0;
};

/// A classifier's output for one image.
struct Prediction
{
    float pReal = -1.0f; ///< P(real); -1 when the model does not say (category classes)
    std::vector<float> classProbabilities; ///< softmax over classes; empty for single-output models
    double milliseconds = 0.0; ///< share of the batch's inference time
};

/**
 * A loaded model, ready for inference on one thread. Implementations hide LibTorch; the model is
 * loaded once, in eval mode, and inference runs under InferenceMode.
 */
class Classifier
{
public:
    virtual ~Classifier() = default;

    const ModelSpec& spec() const { return m_spec; }
    const RuntimeInfo& runtime() const { return m_runtime; }
    /// SHA-256 of the model file: predictions are keyed by it and the image's hash.
    const QString& modelHash() const { return m_modelHash; }
    const QString& path() const { return m_path; }
    /// Warnings from loading (no sidecar...) and from the first inference (an output chosen implicitly).
    const QStringList& warnings() const { return m_warnings; }
    /// Limits batches to `images` per forward pass (see checkModelBehaviour(); 0 = any).
    void setMaxBatch(int images) { m_spec.maxBatch = images; }

    /// Runs a batch. Fails naming the model when the output shape disagrees with the spec; NaN
    /// outputs fail that image only (its Prediction has pReal = NaN and the caller reports it).
    virtual Result<std::vector<Prediction>> predict(const std::vector<PreparedImage>& batch) = 0;

    /// The layers a class-activation map can look at, in execution order, with their output shapes
    /// for one image at the spec's input size. Worked out once (one forward pass) and kept.
    virtual Result<std::vector<CamLayer>> camLayers() = 0;

    /// The target layer's activations and the gradients of `request.target`'s score with respect to
    /// them, for each image of a batch (forward and backward passes; slower than predict()). Errors
    /// name the model: no such layer, a layer the output does not depend on differentiably.
    virtual Result<std::vector<CamEvidence>> layerEvidence(
        const std::vector<PreparedImage>& batch, const EvidenceRequest& request)
        = 0;

protected:
    ModelSpec m_spec;
    RuntimeInfo m_runtime;
    QString m_modelHash;
    QString m_path;
    QStringList m_warnings;
};

/// Loads a TorchScript model (torch.jit.trace or torch.jit.script output) with its sidecar, or a
/// built-in detector saved by trainDetector(). Errors name the file: not TorchScript, saved for CUDA
/// on a CPU-only machine, ...
Result<std::unique_ptr<Classifier>> loadClassifier(
    const QString& path, DevicePreference device = DevicePreference::Auto, int threads = 0);

} // namespace ntt

#pragma once

// Private to the Torch .cpp files of core (torchscriptclassifier.cpp, builtindetectors.cpp and
// camgradients.cpp): the gradient half of the class-activation maps, shared by both backends. The
// only core header allowed to include Torch; nothing else may include it (architecture test).

#include "classifier.h"
#include "gradcam.h"

#include <torch/types.h>

#include <functional>
#include <utility>

namespace ntt::detail {

/// The batch as one owning [N, 3, size, size] float tensor on the CPU; the error names the model
/// when an image was prepared at another size.
Result<torch::Tensor> batchTensor(const std::vector<PreparedImage>& batch, int size, const QString& modelPath);

/// Runs the network on a batch and returns its output and the target layer's activation.
using ForwardWithActivation = std::function<std::pair<torch::Tensor, torch::Tensor>(const torch::Tensor& input)>;

/**
 * Activations and gradients of the target score at the target layer for every image of `input`
 * ([N, 3, H, W] on the model's device): one backward pass, or for Smooth Grad-CAM++ one per noisy
 * copy of the input (noise drawn with a CPU generator seeded from the options, in order, each of the
 * batch's shape, as torch.randn(shape, generator=g) draws it). Targets are decided on the clean input.
 */
Result<std::vector<CamEvidence>> camEvidence(const ForwardWithActivation& forward, const torch::Tensor& input,
    const ModelSpec& spec, const CamOptions& options, const QString& modelPath);

/// camEvidence() turned into normalised maps by `options.method`, each labelled with `layer`.
Result<std::vector<CamMap>> camMaps(const ForwardWithActivation& forward, const torch::Tensor& input,
    const ModelSpec& spec, const CamOptions& options, const QString& modelPath, const QString& layer);

} // namespace ntt::detail

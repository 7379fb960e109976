#pragma once

// Private to the Torch .cpp files of core/models (torchscriptclassifier.cpp, builtindetectors.cpp and
// layergradients.cpp): the activations and gradients behind class-activation maps, shared by both
// backends. The only kind of core header allowed to include Torch; nothing else may include it
// (architecture test).

#include "models/classifier.h"

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
 * ([N, 3, H, W] on the model's device): one backward pass, or with `request.noiseSamples` > 0 one per
 * noisy copy of the input (noise drawn with a CPU generator seeded from the request, in order, each of
 * the batch's shape, as torch.randn(shape, generator=g) draws it). Targets are decided on the clean
 * input. Each evidence is labelled with `layer`.
 */
Result<std::vector<CamEvidence>> gradientEvidence(const ForwardWithActivation& forward, const torch::Tensor& input,
    const ModelSpec& spec, const EvidenceRequest& request, const QString& modelPath, const QString& layer);

} // namespace ntt::detail

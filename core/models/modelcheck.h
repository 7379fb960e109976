#pragma once

#include "models/classifier.h"
#include "result.h"

#include <QStringList>

#include <vector>

namespace ntt {

/// What checkModelBehaviour() found out about a model's batches.
struct ModelCheck
{
    int maxBatch = 0; ///< 0: any batch; 1: one image at a time (batches fail, or change the outputs)
    QStringList warnings;
};

/**
 * Runs a model the way runs will, before it is registered: `images` (prepared for its input) as one
 * batch, that batch again, and each image alone. A model traced with a fixed batch of one fails on
 * the batch: maxBatch 1 and a warning. Outputs for an image that change with what else is in the
 * batch (batch statistics at inference): maxBatch 1 and a warning. Outputs that differ between two
 * identical runs (dropout left on) are an error, as is a model that fails on single images; both
 * errors name the model file and the largest difference. Outputs compared: P(real) and the class
 * probabilities; a difference above 1e-4 counts.
 */
Result<ModelCheck> checkModelBehaviour(Classifier& classifier, const std::vector<PreparedImage>& images);

} // namespace ntt

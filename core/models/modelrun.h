#pragma once

#include "cancel.h"
#include "models/classifier.h"
#include "result.h"
#include "study/trial.h"

#include <QHash>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace ntt {

/// One image to run a model on.
struct ModelRunItem
{
    qint64 imageId = 0;
    QString path;
    QString imageHash; ///< SHA-256 the file must have (the study's record); empty: not checked
};

/// A model's output for one image, or why there is none.
struct ImagePrediction
{
    qint64 imageId = 0;
    QString imageHash;
    Prediction prediction;
    QString error; ///< decode failure or NaN output, naming the file; empty when fine
};

/**
 * Runs `classifier` over `items` in batches. Images are decoded and prepared on a producer thread
 * while the previous batch is in inference. A file that fails to decode or an output that is NaN
 * becomes an ImagePrediction with an error and the run goes on. `onBatch` receives each finished
 * batch (so the caller can store it at once); while `paused` is set the run waits between batches
 * (a participant session at this station must not be disturbed). Fails only when the model itself
 * fails (wrong output shape) or on cancel; what onBatch received until then stands.
 */
Status runClassifier(Classifier& classifier, const std::vector<ModelRunItem>& items, int batchSize,
    const CancelToken& cancel, const ProgressFn& progress,
    const std::function<Status(const std::vector<ImagePrediction>&)>& onBatch,
    const std::atomic_bool* paused = nullptr);

/**
 * A model's answer to a trial from its per-image P(real): pick-real chooses the image with the
 * highest P(real), pick-fake the lowest, real-or-fake says "real" when P(real) >= threshold.
 * nullopt when an image of the trial has no valid P(real).
 */
std::optional<Response> modelAnswer(
    const Trial& trial, const QHash<qint64, float>& pRealByImage, double threshold = 0.5);

} // namespace ntt

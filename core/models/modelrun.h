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

/// What a model said about one image, as stored.
struct ImageScores
{
    float pReal = -1.0f; ///< P(real); -1 when the model does not say (category classes)
    std::vector<float> classProbabilities; ///< softmax over the model's classes; empty for single outputs
};

/**
 * A model's answer to a trial, as a participant would give it:
 * - pick-real chooses the image with the highest P(real), pick-fake the lowest; real-or-fake says
 *   "real" when P(real) >= threshold;
 * - which-source (source-classes models) chooses, among the offered sources, the one whose classes
 *   have the most probability (ModelSpec::labelProbabilities); which-category (category-classes
 *   models) likewise among the offered categories;
 * - pick-source (source-classes models) chooses the image with the highest probability of the named
 *   source, as a participant who is told only that name does.
 * Ties go to the first option. nullopt when an image has no usable score, or the model cannot answer
 * the trial: a model of another output kind, or a right answer that none of its classes maps to
 * (that is the class map's gap, not the model's error; analyses name such sources and categories).
 */
std::optional<Response> modelAnswer(
    const Trial& trial, const QHash<qint64, ImageScores>& scores, const ModelSpec& spec, double threshold = 0.5);

} // namespace ntt

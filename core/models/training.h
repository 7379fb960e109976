#pragma once

#include "cancel.h"
#include "models/classifier.h"
#include "result.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace ntt {

/// The built-in detectors.
enum class DetectorArchitecture {
    BaselineCnn, ///< two convolutions, as in "Seeing Through the Facade"
    ResNet18,
};
QString architectureName(DetectorArchitecture architecture);
std::optional<DetectorArchitecture> architectureFromName(const QString& name);

struct TrainingOptions
{
    DetectorArchitecture architecture = DetectorArchitecture::BaselineCnn;
    QString optimizer = QStringLiteral("sgd"); ///< "sgd" (momentum) or "adamw"
    double learningRate = 0.01;
    double momentum = 0.9;
    double weightDecay = 5e-4;
    int epochs = 10; ///< cosine learning-rate decay over these epochs
    int batchSize = 16;
    int inputSize = 64; ///< network input, pixels
    /// 0: scale the whole image down to the input size. Otherwise train on the centre input-size
    /// square of the image scaled to this many pixels (short side), which keeps the fine detail (the
    /// traces of upsampling) that scaling down removes, e.g. 256 for 256 px images; the saved model
    /// then runs on the whole image scaled to cropFrom x cropFrom (the networks are fully
    /// convolutional with global pooling), so it uses all the evidence and its maps cover the image.
    int cropFrom = 0;
    bool flips = true; ///< random horizontal flips
    bool randomResizedCrop = true; ///< random crops of 80-100 % of the image, resized back
    /// Stop after this many epochs without a better validation accuracy (or, at equal accuracy, a lower
    /// validation loss); 0 = off.
    int earlyStoppingPatience = 3;
    std::uint64_t seed = 1;
    int threads = 0; ///< 0 = defaultTorchThreads()
    DevicePreference device = DevicePreference::Auto;
    /// Empty: a binary detector (one logit of "generated"). Otherwise a K-way head over these
    /// classes, trained with cross-entropy: sources (classKind SourceClasses: which made it? P(real)
    /// is the probability of `realSource` when it is among them) or categories (CategoryClasses:
    /// what does it show?). Every image's label must be one of them.
    QStringList classes;
    OutputKind classKind = OutputKind::SourceClasses;
    QString realSource = QStringLiteral("real");
};

/// One labelled image for training or validation.
struct LabelledImage
{
    QString path;
    bool real = false;
    /// The class of a K-way detector (TrainingOptions::classes): the image's source, or its category.
    QString label;
};

/// Training progress, reported after each batch and each epoch.
struct TrainingProgress
{
    int epoch = 0; ///< 1-based
    int epochs = 0;
    int batch = 0; ///< 1-based within the epoch; 0 on the end-of-epoch report
    int batches = 0;
    double loss = 0.0; ///< mean training loss of the epoch so far
    double validationAccuracy = -1.0; ///< after the epoch; -1 during it
    double validationLoss = -1.0; ///< mean validation loss after the epoch; -1 during it
    /// End-of-epoch report: the epoch's wall time (its batches and the validation), ms; -1 during it.
    double epochMs = -1.0;
    /// End-of-epoch report: of epochMs, the time in the network itself (forward, loss, backward and
    /// optimiser step of each batch, and the validation's forward passes), ms; -1 during it. The rest
    /// is batch preparation (augmentation, stacking) and bookkeeping.
    double networkMs = -1.0;
};
using TrainingProgressFn = std::function<void(const TrainingProgress&)>;

/// What training produced: the model file (loadable with loadClassifier) and its history.
struct TrainedDetector
{
    QString modelPath;
    std::vector<TrainingProgress> epochs; ///< end-of-epoch reports
    int bestEpoch = 0;
    double bestValidationAccuracy = 0.0;
    RuntimeInfo runtime;
    /// Decoding and scaling every image once, before the first epoch (ms).
    double decodeMs = 0.0;
};

/**
 * Trains a built-in detector (binary: real vs generated, or K-way over sources) and writes the best epoch's weights to
 * `modelPath` with a sidecar beside it. Reproducible for a seed on CPU. Images are decoded once and
 * kept in memory at the input size. Cancelling returns an error and writes nothing.
 */
Result<TrainedDetector> trainDetector(const std::vector<LabelledImage>& train, const std::vector<LabelledImage>& val,
    const TrainingOptions& options, const QString& modelPath, const QString& name, const CancelToken& cancel,
    const TrainingProgressFn& progress);

} // namespace ntt

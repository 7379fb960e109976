#pragma once

#include "result.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace ntt {

/// What a classifier's output means.
enum class OutputKind {
    LogitGenerated, ///< one logit; sigmoid gives P(generated)
    ProbabilityGenerated, ///< one probability of "generated"
    LogitReal, ///< one logit; sigmoid gives P(real)
    ProbabilityReal, ///< one probability of "real"
    SourceClasses, ///< logits over classes, each mapped to a source (softmax); P(real) = P(real source's classes)
    CategoryClasses, ///< logits over classes mapped to categories (ImageNet-style); no P(real)
};

QString outputKindName(OutputKind kind);
/// Whether the model gives one output per class (source-classes, category-classes).
bool isClassKind(OutputKind kind);
std::optional<OutputKind> outputKindFromName(const QString& name);

/// The interpolation of a model's resize, as torchvision's InterpolationMode names it.
enum class Interpolation {
    Bilinear,
    Bicubic,
    Nearest,
};
QString interpolationName(Interpolation interpolation); ///< "bilinear", "bicubic", "nearest"
std::optional<Interpolation> interpolationFromName(const QString& name);

/// How an image becomes the network's input.
struct InputSpec
{
    int size = 224; ///< network input is size x size
    /// "resize": scale straight to size x size; "resize-crop": scale the short side to resizeTo, centre-crop size
    QString resizePolicy = QStringLiteral("resize-crop");
    int resizeTo = 256;
    std::vector<float> mean = { 0.485f, 0.456f, 0.406f }; ///< per channel, in the channel order below, on 0..1 pixels
    std::vector<float> std = { 0.229f, 0.224f, 0.225f };
    QString channelOrder = QStringLiteral("rgb"); ///< "rgb" or "bgr"
    /// The resize's interpolation (timm models use bicubic).
    Interpolation interpolation = Interpolation::Bilinear;
    /// true: resize as torchvision does a PIL image (PIL's filter, widened when shrinking, 8-bit
    /// result); false: as torchvision does a uint8 tensor with antialias=False. See resampling.h.
    bool antialias = true;
};

/**
 * The sidecar of a model file (`<model>.json` beside it): input preparation and output meaning.
 * A TorchScript model without a sidecar gets the defaults (224 px, ImageNet mean/std, RGB,
 * resize-crop) and a warning, and its output must be a single logit of "generated".
 */
struct ModelSpec
{
    QString name; ///< shown in tables and exports; defaults to the file's base name
    QString builtin; ///< architecture of a built-in detector ("baseline-cnn", "resnet18"); empty = TorchScript
    InputSpec input;
    OutputKind output = OutputKind::LogitGenerated;
    QStringList classes; ///< class names, for SourceClasses / CategoryClasses
    QMap<QString, QString> classMap; ///< class name -> source (or category); missing = the class name itself
    QString realSource = QStringLiteral("real"); ///< for SourceClasses: which mapped source is real
    /// Which part of a structured output holds the scores: a dict's key ("output_key"), or the
    /// index of a tuple's or list's element ("output_index"; -1 = the first). A plain tensor needs neither.
    QString outputKey;
    int outputIndex = -1;
    /// The most images the model takes in one forward pass ("max_batch"; 0 = any). `model add`
    /// sets 1 for a model traced with a fixed batch of one, or whose outputs depend on the batch.
    int maxBatch = 0;

    /// Number of output values the network must produce.
    int outputCount() const;
    /// The source or category class `className` stands for (class_map), or the class name itself.
    QString labelOf(const QString& className) const { return classMap.value(className, className); }
    /**
     * The probability a class-output model gives each label (source or category): the sum of the
     * softmax probabilities of the classes mapped to it. `probabilities` has one value per class of
     * `classes`; empty when the sizes differ.
     */
    QMap<QString, double> labelProbabilities(const std::vector<float>& probabilities) const;
};

/// A dataset's class names in its classifiers' output order, shipped with NameThatTrue: "imagenet-1k"
/// (the 1000 ImageNet-1k names as torchvision lists them, resources/imagenet/). A sidecar's
/// "classes" may name it instead of listing the classes. Fails naming an unknown list.
Result<QStringList> namedClassList(const QString& name);

/// Parses a sidecar; the error names `origin` and the key at fault.
Result<ModelSpec> parseModelSpec(const QByteArray& json, const QString& origin);
QByteArray modelSpecToJson(const ModelSpec& spec);

/// Reads `<modelPath without extension>.json` or `<modelPath>.json`. `warnings` gets a line when none is
/// found and defaults are used.
Result<ModelSpec> loadSidecar(const QString& modelPath, QStringList* warnings);

} // namespace ntt

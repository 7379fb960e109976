#pragma once

#include "analysis/imageresults.h"
#include "models/modelspec.h"
#include "pool/pool.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace ntt {

/// What is known of one image of a study: people's results, each model's output, tags and note.
struct BrowserImage
{
    PoolImage image;
    bool real = false; ///< from the real source
    ImageHumanResult people;
    QHash<QString, float> pReal; ///< model name -> P(real)
    QHash<QString, std::vector<float>> classProbabilities; ///< model name -> softmax, multi-class models
    QStringList tags;
    QString note;
};

/// Who was fooled by an image, for one model.
enum class Outcome {
    Any,
    BothRight,
    PeopleWrongModelRight,
    PeopleRightModelWrong,
    BothWrong,
};
QString outcomeName(Outcome outcome); ///< "any", "both-right", "people-wrong-model-right", ...
QString outcomeLabel(Outcome outcome); ///< "People and model right", ...
std::optional<Outcome> outcomeFromName(const QString& name);

/// People are right on an image when at least half their answers on trials showing it were right;
/// the model when its P(real) is on the right side of 0.5. Nullopt when either has no result.
std::optional<Outcome> outcomeOf(const BrowserImage& image, const QString& model);

/// Hardness of the model's output: the entropy in bits of its class probabilities, or for a binary
/// model of (P(real), 1 - P(real)). 0 = certain, 1 = undecided (binary). NaN without an output.
double hardness(const BrowserImage& image, const QString& model);

struct BrowserFilter
{
    QString category; ///< empty = every category
    QString source; ///< empty = every source
    QString model; ///< the model the outcome, P(real) range and hardness refer to
    Outcome outcome = Outcome::Any;
    double peopleMin = 0.0; ///< people's share correct within [min, max]; images without answers pass only at [0, 1]
    double peopleMax = 1.0;
    double pRealMin = 0.0; ///< the model's P(real) within [min, max]; images without one pass only at [0, 1]
    double pRealMax = 1.0;
    QString tag; ///< empty = any
};

enum class BrowserSort {
    Id,
    PeopleAccuracy,
    PReal,
    Hardness,
};

QString browserSortName(BrowserSort sort); ///< "id", "people", "p-real", "hardness"
std::optional<BrowserSort> browserSortFromName(const QString& name);

/// The indices of `images` that pass the filter, in the sort order (ties by image id).
std::vector<int> filterImages(
    const std::vector<BrowserImage>& images, const BrowserFilter& filter, BrowserSort sort, bool descending = false);

/**
 * What a model said against the truth, for the images `subset` (indices into `images`): rows the
 * truth, columns the model's answer, each cell the images in it. A model with several classes
 * answers its most likely class, mapped through the spec's classMap (to a source for
 * SourceClasses, a category for CategoryClasses); the truth is then the image's source or
 * category. A binary model answers real or generated at P(real) 0.5, against the image's real flag.
 * Images the model has no output for are left out.
 */
struct ConfusionMatrix
{
    QStringList truths; ///< row labels, sorted
    QStringList answers; ///< column labels, sorted
    std::vector<std::vector<std::vector<int>>> cells; ///< [row][column] -> indices into the images
    int count(int row, int column) const { return int(cells[std::size_t(row)][std::size_t(column)].size()); }
};
ConfusionMatrix confusionMatrix(const std::vector<BrowserImage>& images, const std::vector<int>& subset,
    const QString& model, const ModelSpec& spec);

} // namespace ntt

#pragma once

#include "analysis/statistics.h"
#include "models/modelspec.h"
#include "study/responseexport.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace ntt {

/// One of a category-classes model's most probable classes for an image.
struct RankedClass
{
    int index = 0; ///< output index
    QString name; ///< class name ("golden retriever")
    QString category; ///< the pool category it maps to (class_map), or the class name itself
    double probability = 0.0;
};

/// The `k` most probable of a model's classes given its softmax output (one value per class of
/// `spec`), most probable first, ties by lower index; empty when the sizes differ.
std::vector<RankedClass> rankClasses(const std::vector<double>& probabilities, const ModelSpec& spec, int k);
/// The same for a stored prediction; empty when the row has no class probabilities (a failed image,
/// or a model of another output).
std::vector<RankedClass> topClasses(const PredictionRow& row, const ModelSpec& spec, int k);

/// How a category-classes model (an ImageNet classifier, say) recognises one pool category.
struct CategoryRecognition
{
    QString category;
    int images = 0;
    /// Images whose most probable class maps to the category, and whose five most probable
    /// classes include one that does; each with its Wilson interval (95 %).
    Proportion top1;
    Proportion top5;
    /// Whether any of the model's classes maps to the category: when none does, its images cannot
    /// be recognised, and the category is named rather than counted as the model's failure.
    bool mapped = false;
};

/**
 * Top-1 and top-5 accuracy per pool category (Borji's object recognition on generated images),
 * from stored class probabilities and the sidecar's class_map (many classes to one category).
 * Categories in name order. Rows without class probabilities are left out.
 */
std::vector<CategoryRecognition> recognitionByCategory(const std::vector<PredictionRow>& rows, const ModelSpec& spec);

} // namespace ntt

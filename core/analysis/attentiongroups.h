#pragma once

#include "analysis/statistics.h"
#include "attention/peoplemap.h"
#include "pool/pool.h"

#include <QString>

#include <vector>

namespace ntt {

/// How one model's map of an image agrees with people's marks on it: over all the marks on the
/// image, or (`row` not empty) over the marks made on the pick trials that showed this row.
struct ImageAttentionAgreement
{
    PoolImage image;
    QString model;
    QString layer; ///< the layer the map was made at
    int participants = 0; ///< people who marked the image (in this row's trials when `row` is set)
    MapAgreement agreement; ///< marks, r, share in the model's top 20 %, pointing game
    double kernelSigmaPx = 0.0; ///< the study's kernel SD, in the image's own pixels
    QString error; ///< the map could not be made (the image failed); the others go on
    std::vector<qint64> row; ///< pick trials: the image ids of the row, in the order shown; empty otherwise
};

/// The image ids of a row as one label, "12+40" (in the order shown).
QString rowLabel(const std::vector<qint64>& row);

/// People's marks against one model's maps over a group of images.
struct AttentionGroup
{
    QString model;
    QString grouping; ///< "all", "category", "source" (the image's own) or "row" (a pick trial's row)
    QString group; ///< the category, source or rowLabel(); "all" for grouping "all"
    int images = 0; ///< marked images whose map could be made
    double meanCorrelation = 0.0; ///< mean Pearson's r over those images (NaN maps left out); NaN if none
    int correlations = 0; ///< images with a finite r
    /// Marks in the model's top 20 % of their image, of all marks, with the Wilson interval (marks
    /// of one image are not independent: read the interval as a lower bound on the uncertainty).
    Proportion marksInTop20;
    Proportion pointing; ///< images whose map's peak lies in people's region, of the images, Wilson interval
};

/**
 * Agreement grouped per model: over all marked images, per category and per source of the image
 * (image-level rows of `rows`), and per pick-trial row (the row-level rows). Rows with an error are
 * left out. In order: model by first appearance; within it "all", categories, sources, rows, each
 * sorted by name.
 */
std::vector<AttentionGroup> summariseAttention(const std::vector<ImageAttentionAgreement>& rows);

} // namespace ntt

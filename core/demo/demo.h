#pragma once

#include "cancel.h"
#include "result.h"
#include "study/study.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace ntt {

/// Parameters of the synthetic demo pool. Everything it writes is a function of these alone.
struct DemoPoolOptions
{
    QString outputDir; ///< the pool is written to <outputDir>/<source>/<category>/<category>-<NNN>.png
    std::uint64_t seed = 20241122;
    int imagesPerSourceAndCategory = 40;
    int size = 256; ///< square images, pixels
};

/// What the demo generator wrote.
struct DemoPool
{
    QString root;
    QStringList sources; ///< "real" first, then the simulated generators
    QStringList categories;
    int imageCount = 0;
};

/**
 * Writes a synthetic pool: "real" images with natural-image statistics (a dead-leaves model of
 * textured, occluding shapes with power-law sizes; category sets the shape family) and simulated
 * generators with known fingerprints: "upsampler" renders at low resolution and upsamples (missing
 * high frequencies), "checkerboard" adds a faint periodic transposed-convolution pattern.
 * Image i of every source in a category shares pair key "<category>-<i>". Labelled synthetic.
 */
Result<DemoPool> generateDemoPool(
    const DemoPoolOptions& options, const CancelToken& cancel, const ProgressFn& progress);

/// The ready study over the demo pool: a 2-way pick-real Name-That-True study over pair-matched
/// rows, with practice trials and a break, labelled synthetic (no catch trials: no images are marked).
StudyDefinition demoStudyDefinition(const DemoPool& pool);

/// The demo's further parts, over every source and category of its pool: "real or fake?" with
/// confidence ratings, "which generator made it?" (which-source: real, checkerboard, upsampler)
/// and "what does it show?" (which-category: the shape families), each with practice trials.
std::vector<StudyDefinition> demoPartDefinitions();

} // namespace ntt

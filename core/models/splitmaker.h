#pragma once

#include "pool/pool.h"
#include "result.h"

#include <QMap>

#include <cstdint>
#include <vector>

namespace ntt {

/// Ratios of train / val / test, e.g. 1:1:8 (DeepArt) or 8:1:1.
struct SplitRatios
{
    double train = 8;
    double val = 1;
    double test = 1;
};

/// Parses "8:1:1" style ratios; errors name the text.
Result<SplitRatios> parseSplitRatios(const QString& text);

/**
 * Assigns a split to every image: stratified by source and category (each stratum is cut by the
 * ratios), pair-aware (images sharing a pair key go to the same split, the pair decided once), and
 * seeded (same pool and seed, same splits, on every platform). Returns image id -> split.
 */
QMap<qint64, Split> makeSplits(const std::vector<PoolImage>& images, const SplitRatios& ratios, std::uint64_t seed);

} // namespace ntt

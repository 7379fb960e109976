#pragma once

#include "pool/pool.h"
#include "result.h"
#include "study/rng.h"

#include <QHash>
#include <QPointF>

#include <opencv2/core.hpp>

#include <vector>

namespace ntt {

/**
 * Where a generated image differs from the real image of its pair, for simulated participants'
 * marks: the absolute grey-level difference (the real image scaled to the generated one's size),
 * smoothed by a Gaussian of SD max(2, width / 64) pixels; places are drawn in proportion to its
 * square. An image without a real pair, or one that does not decode, gets places drawn uniformly.
 * Keeps each image's distribution once computed.
 */
class ChangedPlaces
{
public:
    /// `count` places in the generated image's own pixels (0..width, 0..height).
    std::vector<QPointF> sample(const PoolImage& generated, const PoolImage* real, int count, Rng& rng);

private:
    struct Distribution
    {
        int width = 0;
        int height = 0;
        std::vector<double> cumulative; ///< over pixels, row major; empty = uniform
    };
    const Distribution& distribution(const PoolImage& generated, const PoolImage* real);
    QHash<qint64, Distribution> m_cache;
};

} // namespace ntt

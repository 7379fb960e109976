#include "study/changedplaces.h"

#include "pool/imagedecode.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ntt {

const ChangedPlaces::Distribution& ChangedPlaces::distribution(const PoolImage& generated, const PoolImage* real)
{
    const auto cached = m_cache.constFind(generated.id);
    if (cached != m_cache.cend())
        return cached.value();
    Distribution d;
    d.width = generated.width;
    d.height = generated.height;
    if (real) {
        const auto a = readImageBgr(generated.path);
        const auto b = readImageBgr(real->path);
        if (a && b && !a->empty() && !b->empty()) {
            cv::Mat ga, gb, sized, diff;
            cv::cvtColor(a.value(), ga, cv::COLOR_BGR2GRAY);
            cv::cvtColor(b.value(), gb, cv::COLOR_BGR2GRAY);
            cv::resize(gb, sized, ga.size(), 0, 0, cv::INTER_AREA);
            ga.convertTo(ga, CV_64F);
            sized.convertTo(sized, CV_64F);
            cv::absdiff(ga, sized, diff);
            cv::GaussianBlur(diff, diff, cv::Size(), std::max(2.0, ga.cols / 64.0));
            d.width = ga.cols;
            d.height = ga.rows;
            d.cumulative.reserve(diff.total());
            double sum = 0.0;
            for (auto it = diff.begin<double>(); it != diff.end<double>(); ++it) {
                sum += (*it) * (*it);
                d.cumulative.push_back(sum);
            }
            if (sum <= 0.0)
                d.cumulative.clear(); // identical: nothing changed, anywhere will do
        }
    }
    return *m_cache.insert(generated.id, std::move(d));
}

std::vector<QPointF> ChangedPlaces::sample(const PoolImage& generated, const PoolImage* real, int count, Rng& rng)
{
    const Distribution& d = distribution(generated, real);
    std::vector<QPointF> places;
    for (int i = 0; i < count; ++i) {
        const double a = rng.uniform();
        const double b = rng.uniform();
        const double c = rng.uniform();
        if (d.cumulative.empty() || d.width <= 0) {
            places.emplace_back(a * std::max(1, d.width), b * std::max(1, d.height));
            continue;
        }
        const double target = a * d.cumulative.back();
        const auto pixel
            = std::size_t(std::lower_bound(d.cumulative.begin(), d.cumulative.end(), target) - d.cumulative.begin());
        const auto index = std::min(pixel, d.cumulative.size() - 1);
        // Somewhere inside that pixel.
        places.emplace_back(double(index % std::size_t(d.width)) + b, double(index / std::size_t(d.width)) + c);
    }
    return places;
}

} // namespace ntt

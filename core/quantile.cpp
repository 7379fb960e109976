#include "quantile.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ntt {

double sortedPercentile(const std::vector<double>& sorted, double q)
{
    if (sorted.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const double position = q * double(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    const double fraction = position - double(below);
    return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

double linearPercentile(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    return sortedPercentile(values, q);
}

} // namespace ntt

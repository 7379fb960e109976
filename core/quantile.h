#pragma once

#include <vector>

namespace ntt {

/// The q-quantile (0..1) of already sorted values, as numpy.percentile(values, 100 q) with its
/// default (linear interpolation between the closest ranks); NaN when empty.
double sortedPercentile(const std::vector<double>& sorted, double q);

/// sortedPercentile() of `values` in any order.
double linearPercentile(std::vector<double> values, double q);

} // namespace ntt

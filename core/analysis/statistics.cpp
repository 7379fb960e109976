#include "analysis/statistics.h"

#include "quantile.h"
#include "study/rng.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ntt {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double logBinomialPmf(int k, int n, double p)
{
    if (p <= 0.0)
        return k == 0 ? 0.0 : -std::numeric_limits<double>::infinity();
    if (p >= 1.0)
        return k == n ? 0.0 : -std::numeric_limits<double>::infinity();
    return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p)
        + (n - k) * std::log1p(-p);
}

/// numpy.percentile's default (linear interpolation between closest ranks) on sorted values.
double percentile(const std::vector<double>& sorted, double q)
{
    return sortedPercentile(sorted, q);
}

} // namespace

double normalQuantile(double p)
{
    if (!(p > 0.0 && p < 1.0))
        return p == 0.0 ? -std::numeric_limits<double>::infinity()
                        : (p == 1.0 ? std::numeric_limits<double>::infinity() : kNaN);
    // Wichura, Algorithm AS 241 (PPND16), Applied Statistics 37 (1988).
    const double q = p - 0.5;
    if (std::abs(q) <= 0.425) {
        const double r = 0.180625 - q * q;
        return q
            * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r
                      + 45921.953931549871457)
                         * r
                     + 13731.693765509461125)
                        * r
                    + 1971.5909503065514427)
                       * r
                   + 133.14166789178437745)
                    * r
                + 3.387132872796366608)
            / (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r
                      + 21213.794301586595867)
                         * r
                     + 5394.1960214247511077)
                        * r
                    + 687.1870074920579083)
                       * r
                   + 42.313330701600911252)
                    * r
                + 1.0);
    }
    double r = q < 0 ? p : 1.0 - p;
    r = std::sqrt(-std::log(r));
    double value = 0.0;
    if (r <= 5.0) {
        r -= 1.6;
        value = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
                        + 1.27045825245236838258)
                           * r
                       + 3.64784832476320460504)
                          * r
                      + 5.7694972214606914055)
                         * r
                     + 4.6303378461565452959)
                        * r
                    + 1.42343711074968357734)
            / (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                      + 0.14810397642748007459)
                         * r
                     + 0.68976733498510000455)
                        * r
                    + 1.6763848301838038494)
                       * r
                   + 2.05319162663775882187)
                    * r
                + 1.0);
    } else {
        r -= 5.0;
        value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
                        + 0.026532189526576123093)
                           * r
                       + 0.29656057182850489123)
                          * r
                      + 1.7848265399172913358)
                         * r
                     + 5.4637849111641143699)
                        * r
                    + 6.6579046435011037772)
            / (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                      + 7.868691311456132591e-4)
                         * r
                     + 0.0148753612908506148525)
                        * r
                    + 0.13692988092273580531)
                       * r
                   + 0.59983220655588793769)
                    * r
                + 1.0);
    }
    return q < 0 ? -value : value;
}

double normalCdf(double z)
{
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

Proportion wilsonInterval(int successes, int trials, double confidence)
{
    Proportion p;
    p.successes = successes;
    p.trials = trials;
    if (trials <= 0) {
        p.estimate = p.low = p.high = kNaN;
        return p;
    }
    const double z = normalQuantile(1.0 - (1.0 - confidence) / 2.0);
    const double n = trials;
    const double phat = successes / n;
    const double z2 = z * z;
    const double denominator = 1.0 + z2 / n;
    const double centre = (phat + z2 / (2.0 * n)) / denominator;
    const double half = z * std::sqrt(phat * (1.0 - phat) / n + z2 / (4.0 * n * n)) / denominator;
    p.estimate = phat;
    // At 0 successes the lower bound is 0 and at n of n the upper bound 1 by the formula; rounding
    // made them 2.78e-17 and the like, which exports printed. They are set exactly.
    p.low = successes == 0 ? 0.0 : std::max(0.0, centre - half);
    p.high = successes == trials ? 1.0 : std::min(1.0, centre + half);
    return p;
}

double binomialTestTwoSided(int successes, int trials, double p)
{
    if (trials <= 0)
        return 1.0;
    const double observed = logBinomialPmf(successes, trials, p);
    // Outcomes no more likely than the observed one, with SciPy's relative tolerance.
    const double limit = observed + std::log1p(1e-7);
    double total = 0.0;
    for (int i = 0; i <= trials; ++i) {
        const double l = logBinomialPmf(i, trials, p);
        if (l <= limit)
            total += std::exp(l);
    }
    return std::min(1.0, total);
}

double binomialTestGreater(int successes, int trials, double p)
{
    double total = 0.0;
    for (int i = std::max(successes, 0); i <= trials; ++i)
        total += std::exp(logBinomialPmf(i, trials, p));
    return std::min(1.0, total);
}

std::optional<SignalDetection> signalDetection(int hits, int realTrials, int falseAlarms, int generatedTrials)
{
    if (realTrials <= 0 || generatedTrials <= 0)
        return std::nullopt;
    SignalDetection s;
    s.hitRate = double(hits) / realTrials;
    s.falseAlarmRate = double(falseAlarms) / generatedTrials;
    const auto extreme = [](double rate) { return rate <= 0.0 || rate >= 1.0; };
    if (extreme(s.hitRate) || extreme(s.falseAlarmRate)) {
        s.corrected = true;
        s.hitRate = (hits + 0.5) / (realTrials + 1.0);
        s.falseAlarmRate = (falseAlarms + 0.5) / (generatedTrials + 1.0);
    }
    const double zH = normalQuantile(s.hitRate);
    const double zF = normalQuantile(s.falseAlarmRate);
    s.dPrime = zH - zF;
    s.criterion = -(zH + zF) / 2.0;
    return s;
}

ErrorConsistency errorConsistency(const std::vector<bool>& first, const std::vector<bool>& second)
{
    ErrorConsistency e;
    const std::size_t n = std::min(first.size(), second.size());
    e.trials = int(n);
    if (n == 0) {
        e.observed = e.expected = e.kappa = kNaN;
        return e;
    }
    int same = 0;
    int right1 = 0;
    int right2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        same += first[i] == second[i] ? 1 : 0;
        right1 += first[i] ? 1 : 0;
        right2 += second[i] ? 1 : 0;
    }
    const double p1 = double(right1) / double(n);
    const double p2 = double(right2) / double(n);
    e.observed = double(same) / double(n);
    e.expected = p1 * p2 + (1.0 - p1) * (1.0 - p2);
    // model-vs-human: kappa = 1 when the agents agree on every trial (c_exp may then be 1 too).
    if (e.observed == 1.0)
        e.kappa = 1.0;
    else
        e.kappa = (e.observed - e.expected) / (1.0 - e.expected);
    return e;
}

Proportion clusterBootstrapAccuracy(
    const std::vector<std::pair<int, int>>& clusters, int replicates, std::uint64_t seed, double confidence)
{
    Proportion p;
    for (const auto& [correct, trials] : clusters) {
        p.successes += correct;
        p.trials += trials;
    }
    if (p.trials <= 0 || clusters.empty() || replicates <= 0) {
        p.estimate = p.low = p.high = kNaN;
        return p;
    }
    p.estimate = double(p.successes) / p.trials;
    Rng rng(seed);
    std::vector<double> accuracies;
    accuracies.reserve(std::size_t(replicates));
    for (int r = 0; r < replicates; ++r) {
        long long correct = 0;
        long long trials = 0;
        for (std::size_t i = 0; i < clusters.size(); ++i) {
            const auto& c = clusters[std::size_t(rng.below(clusters.size()))];
            correct += c.first;
            trials += c.second;
        }
        if (trials > 0)
            accuracies.push_back(double(correct) / double(trials));
    }
    std::sort(accuracies.begin(), accuracies.end());
    const double alpha = 1.0 - confidence;
    p.low = percentile(accuracies, alpha / 2.0);
    p.high = percentile(accuracies, 1.0 - alpha / 2.0);
    return p;
}

std::vector<double> averageRanks(const std::vector<double>& values)
{
    std::vector<std::size_t> order(values.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && values[order[j]] == values[order[i]])
            ++j;
        const double averageRank = (double(i + 1) + double(j)) / 2.0;
        for (std::size_t k = i; k < j; ++k)
            ranks[order[k]] = averageRank;
        i = j;
    }
    return ranks;
}

double rocAuc(const std::vector<double>& positiveScores, const std::vector<double>& negativeScores)
{
    if (positiveScores.empty() || negativeScores.empty())
        return kNaN;
    // Mann-Whitney U through the positives' ranks among all scores, O((m + n) log(m + n)).
    std::vector<double> all = positiveScores;
    all.insert(all.end(), negativeScores.begin(), negativeScores.end());
    const std::vector<double> ranks = averageRanks(all);
    double positiveRankSum = 0.0;
    for (std::size_t i = 0; i < positiveScores.size(); ++i)
        positiveRankSum += ranks[i];
    const double m = double(positiveScores.size());
    const double n = double(negativeScores.size());
    return (positiveRankSum - m * (m + 1.0) / 2.0) / (m * n);
}

std::vector<RocPoint> rocCurve(const std::vector<double>& positiveScores, const std::vector<double>& negativeScores)
{
    if (positiveScores.empty() || negativeScores.empty())
        return {};
    std::vector<std::pair<double, bool>> items;
    items.reserve(positiveScores.size() + negativeScores.size());
    for (double s : positiveScores)
        items.emplace_back(s, true);
    for (double s : negativeScores)
        items.emplace_back(s, false);
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const double positives = double(positiveScores.size());
    const double negatives = double(negativeScores.size());
    std::vector<RocPoint> curve { { items.front().first + 1.0, 0.0, 0.0 } };
    double tp = 0.0;
    double fp = 0.0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        (items[i].second ? tp : fp) += 1.0;
        // One point per distinct score, after all items of that score.
        if (i + 1 == items.size() || items[i + 1].first != items[i].first)
            curve.push_back({ items[i].first, fp / negatives, tp / positives });
    }
    return curve;
}

namespace {

double pooledAuc(const std::vector<const ScoredCluster*>& clusters, int* positives, int* negatives)
{
    std::vector<double> pos;
    std::vector<double> neg;
    for (const ScoredCluster* c : clusters) {
        for (const auto& [score, positive] : *c)
            (positive ? pos : neg).push_back(score);
    }
    if (positives)
        *positives = int(pos.size());
    if (negatives)
        *negatives = int(neg.size());
    return rocAuc(pos, neg);
}

} // namespace

AucEstimate clusterBootstrapAuc(
    const std::vector<ScoredCluster>& clusters, int replicates, std::uint64_t seed, double confidence)
{
    AucEstimate e;
    std::vector<const ScoredCluster*> all;
    for (const ScoredCluster& c : clusters)
        all.push_back(&c);
    e.auc = pooledAuc(all, &e.positives, &e.negatives);
    e.low = e.high = kNaN;
    if (std::isnan(e.auc) || replicates <= 0)
        return e;
    Rng rng(seed);
    std::vector<double> aucs;
    aucs.reserve(std::size_t(replicates));
    std::vector<const ScoredCluster*> drawn(clusters.size());
    for (int r = 0; r < replicates; ++r) {
        for (std::size_t i = 0; i < clusters.size(); ++i)
            drawn[i] = &clusters[std::size_t(rng.below(clusters.size()))];
        const double auc = pooledAuc(drawn, nullptr, nullptr);
        if (!std::isnan(auc))
            aucs.push_back(auc);
    }
    e.replicates = int(aucs.size());
    if (aucs.empty())
        return e;
    std::sort(aucs.begin(), aucs.end());
    const double alpha = 1.0 - confidence;
    e.low = percentile(aucs, alpha / 2.0);
    e.high = percentile(aucs, 1.0 - alpha / 2.0);
    return e;
}

Reliability reliabilityDiagram(const std::vector<std::pair<double, bool>>& predictions, int bins)
{
    Reliability r;
    r.items = int(predictions.size());
    if (predictions.empty() || bins <= 0) {
        r.expectedCalibrationError = kNaN;
        return r;
    }
    // numpy.linspace(0, 1, bins + 1) computes the edges as i * (1 / bins).
    const double step = 1.0 / bins;
    std::vector<double> edges(std::size_t(bins) + 1);
    for (int i = 0; i <= bins; ++i)
        edges[std::size_t(i)] = i * step;
    edges.back() = 1.0;
    std::vector<int> counts(std::size_t(bins), 0);
    std::vector<double> sums(std::size_t(bins), 0.0);
    std::vector<int> positives(std::size_t(bins), 0);
    for (const auto& [raw, positive] : predictions) {
        const double p = std::clamp(raw, 0.0, 1.0);
        // numpy.searchsorted(edges[1:-1], p): the number of inner edges strictly below p.
        const auto bin = std::size_t(std::lower_bound(edges.begin() + 1, edges.end() - 1, p) - (edges.begin() + 1));
        ++counts[bin];
        sums[bin] += p;
        positives[bin] += positive ? 1 : 0;
    }
    for (std::size_t b = 0; b < counts.size(); ++b) {
        if (counts[b] == 0)
            continue;
        ReliabilityBin bin;
        bin.low = edges[b];
        bin.high = edges[b + 1];
        bin.count = counts[b];
        bin.meanPredicted = sums[b] / counts[b];
        bin.observed = double(positives[b]) / counts[b];
        r.expectedCalibrationError += double(bin.count) / r.items * std::abs(bin.observed - bin.meanPredicted);
        r.bins.push_back(bin);
    }
    return r;
}

double spearmanRho(const std::vector<double>& x, const std::vector<double>& y)
{
    if (x.size() != y.size() || x.size() < 2)
        return kNaN;
    const std::vector<double> rx = averageRanks(x);
    const std::vector<double> ry = averageRanks(y);
    const double n = double(x.size());
    const double mean = (n + 1.0) / 2.0; // the mean of ranks 1..n, ties included
    double sxy = 0.0;
    double sxx = 0.0;
    double syy = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    if (sxx <= 0.0 || syy <= 0.0)
        return kNaN;
    return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

RankCorrelation spearmanWithBootstrap(
    const std::vector<double>& x, const std::vector<double>& y, int replicates, std::uint64_t seed, double confidence)
{
    RankCorrelation c;
    c.points = int(std::min(x.size(), y.size()));
    c.rho = spearmanRho(x, y);
    c.low = c.high = kNaN;
    if (x.size() != y.size() || x.size() < 2 || replicates <= 0)
        return c;
    Rng rng(seed);
    std::vector<double> rhos;
    std::vector<double> bx(x.size());
    std::vector<double> by(y.size());
    for (int r = 0; r < replicates; ++r) {
        for (std::size_t i = 0; i < x.size(); ++i) {
            const auto k = std::size_t(rng.below(x.size()));
            bx[i] = x[k];
            by[i] = y[k];
        }
        const double rho = spearmanRho(bx, by);
        if (!std::isnan(rho))
            rhos.push_back(rho);
    }
    c.replicates = int(rhos.size());
    if (rhos.empty())
        return c;
    std::sort(rhos.begin(), rhos.end());
    const double alpha = 1.0 - confidence;
    c.low = percentile(rhos, alpha / 2.0);
    c.high = percentile(rhos, 1.0 - alpha / 2.0);
    return c;
}

} // namespace ntt

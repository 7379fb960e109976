#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace ntt {

/// A proportion with its interval.
struct Proportion
{
    int successes = 0;
    int trials = 0;
    double estimate = 0.0; ///< successes / trials; NaN without trials
    double low = 0.0; ///< interval bounds; NaN without trials
    double high = 0.0;
};

/// The standard normal quantile (inverse CDF) for 0 < p < 1 (Wichura's AS 241, about 1e-16).
double normalQuantile(double p);
/// The standard normal CDF.
double normalCdf(double z);

/// Accuracy with its Wilson score interval at `confidence` (default 95 %), as
/// statsmodels.stats.proportion.proportion_confint(method="wilson").
Proportion wilsonInterval(int successes, int trials, double confidence = 0.95);

/**
 * Two-sided exact binomial test of `successes` in `trials` against chance `p`, as
 * scipy.stats.binomtest(k, n, p).pvalue: the probability of every outcome no more likely than the
 * one observed (with SciPy's relative tolerance of 1e-7).
 */
double binomialTestTwoSided(int successes, int trials, double p);
/// One-sided: P(X >= successes) under chance p (better than chance), as binomtest(..., alternative="greater").
double binomialTestGreater(int successes, int trials, double p);

/// Signal detection for real-or-fake judgements: "real" answers to real images are hits.
struct SignalDetection
{
    double hitRate = 0.0; ///< as used (corrected when a rate was 0 or 1)
    double falseAlarmRate = 0.0;
    double dPrime = 0.0; ///< z(H) - z(F)
    double criterion = 0.0; ///< c = -(z(H) + z(F)) / 2
    bool corrected = false; ///< the log-linear correction was applied
};

/**
 * d' and c from counts. When a rate is 0 or 1 (z would be infinite) the log-linear correction of
 * Hautus (1995) is applied to both rates: (count + 0.5) / (trials + 1). Without real or generated
 * trials there is nothing to compute (nullopt).
 */
std::optional<SignalDetection> signalDetection(int hits, int realTrials, int falseAlarms, int generatedTrials);

/// Error consistency of two agents on the same trials (Geirhos et al. 2020, model-vs-human).
struct ErrorConsistency
{
    int trials = 0;
    double observed = 0.0; ///< c_obs: share of trials both got right or both got wrong
    double expected = 0.0; ///< c_exp = p1 p2 + (1 - p1)(1 - p2)
    double kappa = 0.0; ///< (c_obs - c_exp) / (1 - c_exp); 1 when c_obs = 1; NaN without trials
};

/// From the two agents' correctness on the same trials, in the same order (equal sizes).
ErrorConsistency errorConsistency(const std::vector<bool>& first, const std::vector<bool>& second);

/**
 * Percentile bootstrap interval of the pooled accuracy, resampling participants (clusters) with
 * replacement: each replicate draws as many participants as there are and pools their trials.
 * `clusters` holds (correct, trials) per participant. Deterministic for a seed.
 */
Proportion clusterBootstrapAccuracy(
    const std::vector<std::pair<int, int>>& clusters, int replicates, std::uint64_t seed, double confidence = 0.95);

/// ROC AUC of scores for positives against negatives (ties count one half), as
/// sklearn.metrics.roc_auc_score. NaN when either set is empty.
double rocAuc(const std::vector<double>& positiveScores, const std::vector<double>& negativeScores);

/// One point of an ROC curve: at scores >= threshold an item is called positive.
struct RocPoint
{
    double threshold = 0.0;
    double falsePositiveRate = 0.0;
    double truePositiveRate = 0.0;
};

/**
 * The ROC curve of scores (higher = more likely positive), as
 * sklearn.metrics.roc_curve(y, score, drop_intermediate=False) in scikit-learn 1.2: a point per
 * distinct score, thresholds descending, preceded by (0, 0) at the highest score + 1. Empty when
 * either set is empty.
 */
std::vector<RocPoint> rocCurve(const std::vector<double>& positiveScores, const std::vector<double>& negativeScores);

/// Scores of one cluster (a participant, or one image): (score, is positive) per item.
using ScoredCluster = std::vector<std::pair<double, bool>>;

/// ROC AUC with a bootstrap interval.
struct AucEstimate
{
    int positives = 0;
    int negatives = 0;
    double auc = 0.0; ///< NaN without positives or negatives
    double low = 0.0; ///< percentile bootstrap interval; NaN when no replicate had both kinds
    double high = 0.0;
    int replicates = 0; ///< replicates that had positives and negatives
};

/**
 * ROC AUC (rocAuc) of all items with a percentile bootstrap over clusters: each replicate draws as
 * many clusters as there are with replacement (ntt::Rng seeded with `seed`, one Rng::below(k) per
 * draw) and pools their items; replicates without positives or negatives are left out; percentiles
 * as numpy's default (linear). A participant-level bootstrap when clusters are participants, an
 * ordinary one when each cluster is one item. Deterministic for a seed.
 */
AucEstimate clusterBootstrapAuc(
    const std::vector<ScoredCluster>& clusters, int replicates, std::uint64_t seed, double confidence = 0.95);

/// One bin of a reliability diagram.
struct ReliabilityBin
{
    double low = 0.0; ///< bin edges of the predicted probability
    double high = 0.0;
    int count = 0;
    double meanPredicted = 0.0; ///< mean predicted probability in the bin
    double observed = 0.0; ///< share of positives in the bin
};

/// A reliability diagram with its expected calibration error.
struct Reliability
{
    int items = 0;
    std::vector<ReliabilityBin> bins; ///< the non-empty bins, in order
    double expectedCalibrationError
        = 0.0; ///< sum over bins of count / items * |observed - meanPredicted|; NaN without items
};

/**
 * Reliability diagram of predicted probabilities of the positive class in `bins` equal-width bins,
 * as sklearn.calibration.calibration_curve(y, p, n_bins=bins, strategy="uniform") in scikit-learn
 * 1.2 (edges i * (1 / bins); a probability on an inner edge falls in the bin below it), and the
 * expected calibration error over those bins (Naeini et al. 2015; Guo et al. 2017). Probabilities
 * outside [0, 1] are clamped.
 */
Reliability reliabilityDiagram(const std::vector<std::pair<double, bool>>& predictions, int bins = 10);

/// Ranks 1..n of `values`, ties given their average rank (scipy.stats.rankdata(method="average")).
std::vector<double> averageRanks(const std::vector<double>& values);

/// A rank correlation with its bootstrap interval.
struct RankCorrelation
{
    int points = 0;
    double rho = 0.0; ///< Spearman's rho; NaN with fewer than 2 points or a constant variable
    double low = 0.0; ///< percentile bootstrap interval; NaN when no replicate has a defined rho
    double high = 0.0;
    int replicates = 0; ///< replicates with a defined rho (a resample may make a variable constant)
};

/// Spearman's rank correlation of x and y (equal sizes): Pearson's r of their average ranks, as
/// scipy.stats.spearmanr(x, y).statistic. NaN with fewer than 2 points or when either is constant.
double spearmanRho(const std::vector<double>& x, const std::vector<double>& y);

/**
 * Spearman's rho with a percentile bootstrap interval: each replicate draws n (x, y) points with
 * replacement (ntt::Rng seeded with `seed`, one Rng::below(n) per draw) and computes rho; replicates
 * whose rho is undefined are left out; percentiles as numpy's default (linear). Deterministic for a seed.
 */
RankCorrelation spearmanWithBootstrap(const std::vector<double>& x, const std::vector<double>& y, int replicates,
    std::uint64_t seed, double confidence = 0.95);

} // namespace ntt

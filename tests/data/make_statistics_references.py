#!/usr/bin/python3
"""Reference values for tests/core/tst_statistics.cpp, computed independently of the C++ code with
SciPy, statsmodels and scikit-learn (Debian's python3-scipy, python3-statsmodels, python3-sklearn):

    /usr/bin/python3 tests/data/make_statistics_references.py

writes tests/data/statistics/references.json. The cluster bootstrap's reference re-implements the
project's generator (xoshiro256** seeded through splitmix64, rejection-sampled bounded integers: see
core/rng.cpp) in plain Python and takes percentiles with numpy's default (linear) method.
"""

import json
import os

import numpy as np
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score, roc_curve
from statsmodels.stats.proportion import proportion_confint

HERE = os.path.dirname(os.path.abspath(__file__))
MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Rng:
    def __init__(self, seed):
        x = seed & MASK
        self.s = []
        for _ in range(4):
            x, v = splitmix64(x)
            self.s.append(v)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, bound):
        limit = MASK - (MASK % bound)
        while True:
            r = self.next()
            if r < limit:
                return r % bound


def cluster_bootstrap(clusters, replicates, seed, confidence):
    rng = Rng(seed)
    accuracies = []
    for _ in range(replicates):
        correct = trials = 0
        for _ in range(len(clusters)):
            c = clusters[rng.below(len(clusters))]
            correct += c[0]
            trials += c[1]
        accuracies.append(correct / trials)
    alpha = 1 - confidence
    return float(np.percentile(accuracies, 100 * alpha / 2)), float(np.percentile(accuracies, 100 * (1 - alpha / 2)))


def spearman_bootstrap(x, y, replicates, seed, confidence):
    """Resamples (x, y) points with the project's generator, as spearmanWithBootstrap does, and
    takes SciPy's Spearman rho of each replicate; undefined replicates (a constant resample) are
    left out."""
    rng = Rng(seed)
    n = len(x)
    rhos = []
    for _ in range(replicates):
        idx = [rng.below(n) for _ in range(n)]
        bx = [x[i] for i in idx]
        by = [y[i] for i in idx]
        if len(set(bx)) < 2 or len(set(by)) < 2:
            continue
        rhos.append(float(stats.spearmanr(bx, by).statistic))
    alpha = 1 - confidence
    return (float(np.percentile(rhos, 100 * alpha / 2)), float(np.percentile(rhos, 100 * (1 - alpha / 2))),
            len(rhos))


def auc_bootstrap(clusters, replicates, seed, confidence):
    """Resamples clusters (lists of (score, positive)) with the project's generator and takes
    scikit-learn's ROC AUC of the pooled items of each replicate; replicates without both kinds are
    left out."""
    rng = Rng(seed)
    aucs = []
    for _ in range(replicates):
        drawn = [clusters[rng.below(len(clusters))] for _ in range(len(clusters))]
        items = [item for c in drawn for item in c]
        y = [int(p) for _, p in items]
        if len(set(y)) < 2:
            continue
        aucs.append(float(roc_auc_score(y, [s for s, _ in items])))
    alpha = 1 - confidence
    return (float(np.percentile(aucs, 100 * alpha / 2)), float(np.percentile(aucs, 100 * (1 - alpha / 2))),
            len(aucs))


def rogan_gladen(flagged, n, gen, gen_flagged, real, real_flagged, confidence):
    """Rogan and Gladen (1978) with the delta-method variance (Greiner and Gardner 2000, eq. 5),
    written out here from the formula, with SciPy's normal quantile."""
    p = flagged / n
    se = gen_flagged / gen
    sp = (real - real_flagged) / real
    j = se + sp - 1
    pi = (p + sp - 1) / j
    var = (p * (1 - p) / n + pi ** 2 * se * (1 - se) / gen + (1 - pi) ** 2 * sp * (1 - sp) / real) / j ** 2
    z = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    half = z * var ** 0.5
    clip = lambda v: min(1.0, max(0.0, v))
    return dict(flagged=flagged, images=n, generated=gen, generated_flagged=gen_flagged, real=real,
                real_flagged=real_flagged, confidence=confidence, raw=pi, estimate=clip(pi), low=clip(pi - half),
                high=clip(pi + half))


def dprime(h, nr, f, ng):
    hr, fr = h / nr, f / ng
    corrected = hr in (0, 1) or fr in (0, 1)
    if corrected:
        hr, fr = (h + 0.5) / (nr + 1), (f + 0.5) / (ng + 1)
    zh, zf = stats.norm.ppf(hr), stats.norm.ppf(fr)
    return dict(hits=h, real=nr, false_alarms=f, generated=ng, hit_rate=hr, false_alarm_rate=fr,
                dprime=zh - zf, criterion=-(zh + zf) / 2, corrected=corrected)


def kappa(a, b):
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    cobs = float(np.mean(a == b))
    p1, p2 = float(a.mean()), float(b.mean())
    cexp = p1 * p2 + (1 - p1) * (1 - p2)
    k = 1.0 if cobs == 1.0 else (cobs - cexp) / (1 - cexp)
    return dict(first=a.astype(int).tolist(), second=b.astype(int).tolist(), observed=cobs, expected=cexp, kappa=k)


def main():
    out = {}
    out["normal_quantile"] = [dict(p=p, z=float(stats.norm.ppf(p))) for p in
                              (1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.975, 0.999999, 1 - 1e-12)]
    out["wilson"] = []
    for k, n, conf in ((0, 10, 0.95), (10, 10, 0.95), (7, 10, 0.95), (48, 100, 0.95), (1, 3, 0.9),
                       (612, 1000, 0.99), (50, 200, 0.95)):
        low, high = proportion_confint(k, n, alpha=1 - conf, method="wilson")
        out["wilson"].append(dict(k=k, n=n, confidence=conf, low=float(low), high=float(high)))
    out["binomial"] = []
    for k, n, p in ((7, 10, 0.5), (3, 10, 0.5), (60, 100, 0.5), (40, 100, 0.25), (10, 100, 0.25),
                    (33, 60, 1 / 3), (0, 20, 0.5), (20, 20, 0.5), (101, 200, 1 / 6), (5, 6, 0.5)):
        out["binomial"].append(dict(k=k, n=n, p=p, two_sided=float(stats.binomtest(k, n, p).pvalue),
                                    greater=float(stats.binomtest(k, n, p, alternative="greater").pvalue)))
    out["signal_detection"] = [dprime(*c) for c in ((40, 50, 10, 50), (50, 50, 10, 50), (30, 50, 0, 50),
                                                    (0, 20, 20, 20), (25, 50, 25, 50), (61, 80, 23, 70))]
    rng = np.random.default_rng(7)
    a = rng.random(40) < 0.7
    b = np.where(rng.random(40) < 0.8, a, ~a)
    out["error_consistency"] = [
        kappa(a, b),
        kappa([1, 1, 0, 0], [1, 1, 0, 0]),  # identical: kappa 1
        kappa([1, 1, 1, 1], [1, 1, 1, 1]),  # all right: c_exp = 1, kappa 1 by definition
        kappa([1, 0, 1, 0], [0, 1, 0, 1]),  # always opposite
        kappa([1, 1, 1, 1], [1, 0, 1, 1]),  # one always right: c_exp = p2 = c_obs, kappa 0
    ]
    clusters = [(int(c), int(t)) for c, t in zip(rng.integers(5, 40, 12), rng.integers(40, 41, 12))]
    clusters = [(min(c, t), t) for c, t in clusters]
    low, high = cluster_bootstrap(clusters, 2000, 20261122, 0.95)
    out["cluster_bootstrap"] = dict(clusters=clusters, replicates=2000, seed=20261122, confidence=0.95,
                                    low=low, high=high)
    pos = [0.9, 0.8, 0.8, 0.55, 0.3]
    neg = [0.1, 0.8, 0.4, 0.35, 0.2, 0.6]
    u = stats.mannwhitneyu(pos, neg, alternative="two-sided").statistic
    out["roc_auc"] = dict(positives=pos, negatives=neg, auc=float(u / (len(pos) * len(neg))))
    # Spearman's rho (ties among them) and its pair-level bootstrap: people's and a model's accuracy
    # over ten pairs of generators, the "opposite trends" comparison.
    cases = [([0.62, 0.55, 0.71, 0.58, 0.66, 0.52, 0.60, 0.74, 0.57, 0.69],
              [0.99, 0.97, 0.81, 0.95, 0.88, 0.99, 0.93, 0.76, 0.96, 0.85]),
             ([1, 2, 2, 3, 4, 4, 4, 5], [2, 1, 3, 3, 5, 4, 6, 6]),
             ([0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1])]
    out["spearman"] = [dict(x=x, y=y, rho=float(stats.spearmanr(x, y).statistic)) for x, y in cases]
    x, y = cases[0]
    low, high, used = spearman_bootstrap(x, y, 2000, 20261130, 0.95)
    out["spearman_bootstrap"] = dict(x=x, y=y, replicates=2000, seed=20261130, confidence=0.95, low=low, high=high,
                                     defined_replicates=used)
    # Contamination: a folder of 500 "real" images, 62 flagged; a detector with Se 0.9, Sp 0.95 on
    # 200 + 200 labelled images; one whose raw estimate falls below 0; a 90 % interval.
    out["rogan_gladen"] = [rogan_gladen(62, 500, 200, 180, 200, 10, 0.95),
                           rogan_gladen(8, 400, 120, 100, 150, 9, 0.95),
                           rogan_gladen(130, 1000, 60, 41, 80, 12, 0.9)]
    # ROC curves as scikit-learn draws them: people's 8-level ratings (ties) and P(real) scores.
    roc_cases = [([8, 7, 7, 6, 5, 8, 3, 6, 2], [1, 2, 4, 3, 5, 6, 1, 2, 7, 4]),
                 ([0.91, 0.62, 0.77, 0.40, 0.88, 0.55], [0.12, 0.45, 0.61, 0.05, 0.33, 0.40, 0.71])]
    out["roc_curve"] = []
    for pos, neg in roc_cases:
        y = [1] * len(pos) + [0] * len(neg)
        fpr, tpr, thr = roc_curve(y, pos + neg, drop_intermediate=False)
        out["roc_curve"].append(dict(positives=pos, negatives=neg, fpr=fpr.tolist(), tpr=tpr.tolist(),
                                     thresholds=thr.tolist(), auc=float(roc_auc_score(y, pos + neg))))
    # A participant-level bootstrap of people's AUC: 8 participants with 6-12 rated trials each.
    clusters = []
    for _ in range(8):
        n = int(rng.integers(6, 13))
        real = rng.random(n) < 0.5
        rating = np.clip(np.round(4.5 + np.where(real, 1.2, -1.2) + rng.normal(0, 2, n)), 1, 8)
        clusters.append([(float(r), bool(p)) for r, p in zip(rating, real)])
    low, high, used = auc_bootstrap(clusters, 2000, 20261201, 0.95)
    items = [item for c in clusters for item in c]
    out["auc_bootstrap"] = dict(clusters=[[[s, int(p)] for s, p in c] for c in clusters], replicates=2000,
                                seed=20261201, confidence=0.95, low=low, high=high, defined_replicates=used,
                                auc=float(roc_auc_score([int(p) for _, p in items], [s for s, _ in items])))
    # Reliability diagrams: P(real) with values on bin edges, one empty bin, and 5 bins.
    probs = [0.0, 0.05, 0.1, 0.1000001, 0.2, 0.3, 0.35, 0.5, 0.62, 0.7, 0.7, 0.81, 0.9, 0.95, 1.0, 0.44, 0.27]
    truth = [0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0]
    out["reliability"] = []
    for bins in (10, 5):
        prob_true, prob_pred = calibration_curve(truth, probs, n_bins=bins, strategy="uniform")
        edges = np.linspace(0.0, 1.0, bins + 1)
        ids = np.searchsorted(edges[1:-1], probs)
        counts = np.bincount(ids, minlength=bins)
        counts = counts[counts != 0]
        ece = float(np.sum(counts / len(probs) * np.abs(prob_true - prob_pred)))
        out["reliability"].append(dict(probabilities=probs, positives=truth, bins=bins, observed=prob_true.tolist(),
                                       mean_predicted=prob_pred.tolist(), counts=counts.tolist(), ece=ece))
    path = os.path.join(HERE, "statistics", "references.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(path)


if __name__ == "__main__":
    main()

"""The expected best validation score after k tuning trials, with a bootstrap interval (Dodge et al. 2021).

With N trials drawn i.i.d. from the search space and their scores sorted,
v_(1) ≤ … ≤ v_(N), the best of k of them drawn *without* replacement is v_(i)
with probability C(i−1, k−1) / C(N, k) (i ≥ k), so

    Û_k = Σ_{i=k}^{N} v_(i) · C(i−1, k−1) / C(N, k)

the U-statistic of the maximum: an unbiased estimate of the best of k fresh
trials, for k = 1…N.  It starts at the mean score (k = 1) and ends at the best
trial (k = N).  The with-replacement estimator of Dodge et al. (2019),
Σ v_(i)·[(i/N)^k − ((i−1)/N)^k], is biased low as k approaches N (it reaches
the best trial only as k → ∞); a k above N has no unbiased estimate and is
refused.  The interval resamples the N trials with replacement (percentile
bootstrap) and recomputes the curve.

Sources: Dodge, Gururangan, Card, Schwartz & Smith, "Show your work: improved
reporting of experimental results", EMNLP 2019, §3; Dodge, Gururangan, Card,
Schwartz & Smith, "Expected validation performance and estimation of a random
variable's maximum", Findings of EMNLP 2021, §3 (the unbiased estimator).

>>> expected_max(np.array([0.0, 1.0, 2.0]), np.array([1, 2, 3])).round(4).tolist()   # mean, best of pairs, best
[1.0, 1.6667, 2.0]
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

RESAMPLES = 2000


def expected_max(scores: np.ndarray, ks) -> np.ndarray:
    """Û_k, the unbiased expected best of k trials drawn without replacement, for each k in ``ks``, from the
    trials' ``scores`` (last axis; leading axes are separate sets of trials)."""
    ordered = np.sort(np.asarray(scores, dtype=np.float64), axis=-1)
    return np.einsum("...n,kn->...k", ordered, max_weights(ordered.shape[-1], ks))


def max_weights(trials: int, ks) -> np.ndarray:
    """(len(ks), trials): P(the best of k distinct trials is the i-th smallest) = C(i−1, k−1) / C(N, k), through
    log-gamma so that hundreds of trials do not overflow the binomials."""
    ks = np.asarray(ks, dtype=np.int64)
    if ks.size and (ks.min() < 1 or ks.max() > trials):
        raise ValueError(f"k = {ks[(ks < 1) | (ks > trials)][0]} is not between 1 and the {trials} trials")
    i = np.arange(1, trials + 1)[None, :]
    k = ks[:, None]
    with np.errstate(invalid="ignore"):  # i < k: no such choice, weight 0
        log_weight = gammaln(i) - gammaln(k) - gammaln(i - k + 1) - gammaln(trials + 1) + gammaln(k + 1)
        log_weight += gammaln(trials - k + 1)
    return np.where(i >= k, np.exp(np.where(i >= k, log_weight, 0.0)), 0.0)


def expected_max_interval(scores: np.ndarray, ks, seed: int = 0, confidence: float = 0.95):
    """(curve, low, high) for ``scores`` (studies, trials): the curve averaged over the studies, and a percentile
    bootstrap interval that resamples the trials of every study with replacement."""
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, scores.shape[-1], size=(RESAMPLES, *scores.shape))
    resampled = np.take_along_axis(scores[None], picks, axis=-1)
    curves = expected_max(resampled, ks).mean(axis=-2)  # (resamples, len(ks))
    tail = (1 - confidence) / 2
    low, high = np.quantile(curves, [tail, 1 - tail], axis=0)
    return expected_max(scores, ks).mean(axis=0), low, high

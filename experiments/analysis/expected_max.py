"""The expected best validation score after k tuning trials, with a bootstrap interval (Dodge et al. 2019).

With N trials drawn i.i.d. from the search space and their scores sorted,
v_(1) ≤ … ≤ v_(N), the best of k draws from them (with replacement) is v_(i)
with probability (i/N)^k − ((i−1)/N)^k, so

    E[max of k] = Σ_i v_(i)·[(i/N)^k − ((i−1)/N)^k]

a curve in k that starts at the mean score (k = 1) and rises to the best
(k → ∞).  A method that needs little tuning reaches its plateau at small k.
The interval resamples the N trials with replacement (percentile bootstrap)
and recomputes the curve.

Source: Dodge, Gururangan, Card, Schwartz & Smith, "Show your work: improved
reporting of experimental results", EMNLP 2019, §3.

>>> expected_max(np.array([0.0, 1.0]), np.array([1, 2, 3])).tolist()   # 1 − (1/2)^k
[0.5, 0.75, 0.875]
"""

from __future__ import annotations

import numpy as np

RESAMPLES = 2000


def expected_max(scores: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """E[max of k draws] for each k in ``ks``, from the trials' ``scores`` (last axis; leading axes are
    separate sets of trials)."""
    ordered = np.sort(np.asarray(scores, dtype=np.float64), axis=-1)
    n = ordered.shape[-1]
    ks = np.asarray(ks, dtype=np.float64)[:, None]
    ranks = np.arange(1, n + 1) / n
    weights = ranks**ks - (ranks - 1 / n) ** ks  # (len(ks), N): P(the best of k is v_(i))
    return np.einsum("...n,kn->...k", ordered, weights)


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

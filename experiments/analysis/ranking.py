"""One ranking across tasks: the AlgoPerf performance-profile score and a pairwise win-rate matrix.

Performance profile (Dolan & Moré 2002).  t_{p,s} is the cost for method s to
reach the target on problem p (∞ when it never does).  With the ratio to the
fastest, r_{p,s} = t_{p,s} / min_s' t_{p,s'}, the profile ρ_s(τ) is the
fraction of problems with r_{p,s} ≤ τ.  A problem no method solves is left out.

AlgoPerf score (Dahl et al. 2023, `scoring/performance_profile.py`): ratios
above τ_max = 4 count as ∞, and the profile is integrated and normalised,

    B_s = 1/(τ_max − 1) ∫_1^{τ_max} ρ_s(τ) dτ = Σ_p max(0, τ_max − r_{p,s}) / (|P|·(τ_max − 1))

1 for a method that is fastest everywhere, 0 for one never within 4× of the fastest.

Win rates: W[a, b] is the fraction of problems on which a scores better than
b, ties counted half, so W[a, b] + W[b, a] = 1 (where both have a score).

>>> score = profile_score(np.array([[10.0, 20.0], [10.0, np.inf]]))   # problems × methods
>>> score.round(4).tolist()     # method 0 fastest on both; method 1 2× on one, never on the other
[1.0, 0.3333]
"""

from __future__ import annotations

import numpy as np

TAU_MAX = 4.0


def ratios(costs: np.ndarray) -> np.ndarray:
    """r_{p,s}: ``costs`` (problems × methods, ∞ for not solved) over each problem's lowest; problems nobody
    solved are dropped."""
    costs = np.asarray(costs, dtype=np.float64)
    solved = np.isfinite(costs).any(axis=1)
    costs = costs[solved]
    return costs / costs.min(axis=1, keepdims=True)


def profile(costs: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """ρ_s(τ) for each τ in ``taus``: (len(taus), methods)."""
    r = ratios(costs)
    return (r[None, :, :] <= np.asarray(taus, dtype=np.float64)[:, None, None]).mean(axis=1)


def profile_score(costs: np.ndarray, tau_max: float = TAU_MAX) -> np.ndarray:
    """B_s, the normalised area under ρ_s from 1 to ``tau_max`` (the closed form above), per method."""
    r = ratios(costs)
    if not len(r):
        return np.full(np.shape(costs)[1], np.nan)
    return np.maximum(0.0, tau_max - r).sum(axis=0) / (len(r) * (tau_max - 1))


def win_rates(scores: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """W (methods × methods) from ``scores`` (problems × methods; NaN where a method has none): the fraction of
    the problems both have a score on where the row's method beats the column's, ties half; NaN on the diagonal.

    >>> win_rates(np.array([[0.9, 0.8], [0.7, 0.7], [0.5, 0.6]])).round(3).tolist()
    [[nan, 0.5], [0.5, nan]]
    """
    scores = np.asarray(scores, dtype=np.float64)
    if not higher_is_better:
        scores = -scores
    a, b = scores[:, :, None], scores[:, None, :]
    both = ~(np.isnan(a) | np.isnan(b))
    points = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))
    with np.errstate(invalid="ignore"):
        rates = (points * both).sum(axis=0) / both.sum(axis=0)
    np.fill_diagonal(rates, np.nan)
    return rates

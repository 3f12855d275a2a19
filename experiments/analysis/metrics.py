"""Fixed-target metrics over a set of runs: success, hit times, ERT and its confidence interval, tests.

Notation (COCO; Auger & Hansen 2005): runs r = 1…R; T_r the cost (gradient
evaluations) at which run r first reached the target, N_r the whole cost of a
run that never did, n_s the number of successes.

    ERT = (Σ_{r succ} T_r + Σ_{r fail} N_r) / n_s          (+inf when n_s = 0)

Its 95 % confidence interval is a percentile bootstrap over runs
(`scipy.stats.bootstrap`, paired resampling of (cost, success)).

Pairwise comparisons (Igel & Hüsken 2003 and COCO use rank-sum tests):
Mann–Whitney U on hit times with failures ranked worst (as +inf), Fisher's
exact test on success counts, both Holm-corrected within a family.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
from scipy import stats


def ert(cost_to_hit: np.ndarray, total_cost: np.ndarray) -> float:
    """Expected running time: ``cost_to_hit`` is NaN for failed runs, whose ``total_cost`` counts instead.

    >>> ert(np.array([10.0, np.nan, 30.0]), np.array([50, 100, 50]))
    70.0
    """
    success = ~np.isnan(cost_to_hit)
    if not success.any():
        return float("inf")
    spent = np.where(success, cost_to_hit, total_cost)
    return float(spent.sum() / success.sum())


def ert_confidence_interval(
    cost_to_hit: np.ndarray, total_cost: np.ndarray, seed: int = 0, confidence: float = 0.95
) -> tuple[float, float]:
    """A percentile-bootstrap interval for `ert` (resampling runs); (inf, inf) when nothing succeeded.

    >>> ert_confidence_interval(np.array([10.0, 10.0]), np.array([10, 10]))
    (10.0, 10.0)
    """
    success = ~np.isnan(cost_to_hit)
    spent = np.where(success, cost_to_hit, total_cost).astype(float)
    if not success.any():
        return float("inf"), float("inf")
    if success.all() and np.all(spent == spent[0]):
        return float(spent[0]), float(spent[0])

    def resampled_ert(spent, success, axis=-1):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(success.sum(axis) > 0, spent.sum(axis) / success.sum(axis), np.inf)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.bootstrap(
            (spent, success.astype(float)),
            resampled_ert,
            paired=True,
            vectorized=True,
            n_resamples=2000,
            confidence_level=confidence,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def mean_confidence_interval(values: np.ndarray, seed: int = 0, confidence: float = 0.95) -> tuple[float, float]:
    """A percentile-bootstrap interval for the mean of ``values``: (inf, inf) for none, (nan, nan) for one.

    >>> mean_confidence_interval(np.array([4.0, 4.0, 4.0]))
    (4.0, 4.0)
    """
    if values.size == 0:
        return float("inf"), float("inf")
    if values.size == 1:
        return float("nan"), float("nan")
    if np.all(values == values[0]):
        return float(values[0]), float(values[0])
    result = stats.bootstrap(
        (values,),
        np.mean,
        vectorized=True,
        n_resamples=2000,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def wilson_interval(successes: int, runs: int) -> tuple[float, float]:
    """The Wilson 95 % interval of a fraction of runs (scipy.stats.binomtest).

    >>> [round(x, 3) for x in wilson_interval(5, 10)]
    [0.237, 0.763]
    """
    interval = stats.binomtest(int(successes), int(runs)).proportion_ci(confidence_level=0.95, method="wilson")
    return float(interval.low), float(interval.high)


def quartiles(values: np.ndarray) -> tuple[float, float, float]:
    """(25th percentile, median, 75th percentile) of the finite values; NaNs when there are none.

    >>> quartiles(np.array([1.0, 2.0, 3.0, np.nan]))
    (1.5, 2.0, 2.5)
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("nan"), float("nan"), float("nan")
    q1, median, q3 = np.percentile(finite, [25, 50, 75])
    return float(q1), float(median), float(q3)


def mann_whitney_on_hit_times(hits_a: np.ndarray, hits_b: np.ndarray) -> float:
    """Two-sided Mann–Whitney U p-value on hit times, failures (NaN) ranked worst.

    >>> round(mann_whitney_on_hit_times(np.array([1.0, 2, 3, 4, 5]), np.array([np.nan] * 5)), 4)
    0.0075
    """
    return float(mann_whitney_batch(np.asarray(hits_a)[None], np.asarray(hits_b)[None])[1][0])


def mann_whitney_batch(hits_a: np.ndarray, hits_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`mann_whitney_on_hit_times` for K pairs at once, rows of ``hits_a`` (K, n_a) against ``hits_b`` (K, n_b).

    Returns (U of a, p): U < n_a·n_b/2 when a has the lower mean rank (the
    faster side).  With both sides above 8 runs scipy takes its asymptotic
    test whatever the ties, so one vectorized call gives each pair's own
    p-value; smaller sides are tested pair by pair (scipy's exact test).

    >>> u, p = mann_whitney_batch(np.array([[1.0] * 9, [2.0] * 9]), np.array([[np.nan] * 9, [2.0] * 9]))
    >>> u.tolist(), p.round(6).tolist()
    ([0.0, 40.5], [4.7e-05, 1.0])
    """
    a, b = np.nan_to_num(hits_a, nan=np.inf), np.nan_to_num(hits_b, nan=np.inf)
    everything = np.concatenate([a, b], axis=-1)
    constant = (everything == everything[:, :1]).all(axis=-1)
    if a.shape[-1] > 8 and b.shape[-1] > 8:
        with np.errstate(invalid="ignore", divide="ignore"):  # constant rows: scipy's NaN, replaced below
            result = stats.mannwhitneyu(a, b, alternative="two-sided", axis=-1)
        u, p = np.asarray(result.statistic, dtype=float), np.asarray(result.pvalue, dtype=float)
    else:
        pairs = [stats.mannwhitneyu(x, y, alternative="two-sided") if not same else None
                 for x, y, same in zip(a, b, constant, strict=True)]  # fmt: skip
        u = np.array([a.shape[-1] * b.shape[-1] / 2 if r is None else r.statistic for r in pairs], dtype=float)
        p = np.array([1.0 if r is None else r.pvalue for r in pairs], dtype=float)
    u[constant], p[constant] = a.shape[-1] * b.shape[-1] / 2, 1.0
    return u, p


@functools.lru_cache(maxsize=4096)
def fisher_on_successes(successes_a: int, runs_a: int, successes_b: int, runs_b: int) -> float:
    """Two-sided Fisher's exact test p-value on two success counts (remembered: families repeat counts).

    >>> round(fisher_on_successes(10, 10, 0, 10), 6)
    1.1e-05
    """
    table = [[successes_a, runs_a - successes_a], [successes_b, runs_b - successes_b]]
    return float(stats.fisher_exact(table).pvalue)


def holm(p_values) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (step-down, monotone, capped at 1).

    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    scaled = (p.size - np.arange(p.size)) * p[order]
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return adjusted

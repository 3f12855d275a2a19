"""Fixed-target metrics against values computed by hand."""

import numpy as np
import pytest
from scipy import stats

from experiments.analysis.metrics import (
    ert,
    ert_confidence_interval,
    fisher_on_successes,
    holm,
    mann_whitney_on_hit_times,
    quartiles,
)


def test_ert_is_total_cost_over_successes():
    # Successes cost 10 and 30; the two failures spent 100 and 60: (10 + 30 + 100 + 60) / 2 = 100.
    assert ert(np.array([10.0, np.nan, 30.0, np.nan]), np.array([50, 100, 70, 60])) == 100.0


def test_ert_of_all_successes_is_their_mean_cost():
    assert ert(np.array([4.0, 8.0]), np.array([99, 99])) == 6.0


def test_ert_without_success_is_infinite():
    assert ert(np.array([np.nan, np.nan]), np.array([10, 10])) == np.inf
    assert ert_confidence_interval(np.array([np.nan]), np.array([10])) == (np.inf, np.inf)


def test_ert_interval_brackets_the_estimate_and_is_reproducible():
    rng = np.random.default_rng(0)
    hits = np.where(rng.random(200) < 0.6, rng.integers(10, 50, 200).astype(float), np.nan)
    totals = np.full(200, 100)
    low, high = ert_confidence_interval(hits, totals)
    assert low < ert(hits, totals) < high
    assert (low, high) == ert_confidence_interval(hits, totals)


def test_ert_interval_matches_a_hand_written_percentile_bootstrap():
    hits = np.array([10.0, 20.0, np.nan, 40.0, np.nan, 15.0, 25.0, np.nan])
    totals = np.full(8, 100)
    low, high = ert_confidence_interval(hits, totals)
    rng = np.random.default_rng(1)
    spent = np.where(np.isnan(hits), totals, hits)
    draws = rng.integers(0, 8, size=(20000, 8))
    with np.errstate(divide="ignore"):
        resampled = spent[draws].sum(1) / (~np.isnan(hits))[draws].sum(1)
    assert low == pytest.approx(np.percentile(resampled, 2.5), rel=0.05)
    assert high == pytest.approx(np.percentile(resampled, 97.5), rel=0.08)


def test_quartiles_ignore_failures():
    assert quartiles(np.array([4.0, np.nan, 1.0, 2.0, 3.0, 5.0])) == (2.0, 3.0, 4.0)
    assert all(np.isnan(quartiles(np.array([np.nan]))))


def test_failures_rank_worst_in_mann_whitney():
    fast = np.array([1.0, 2.0, 3.0])
    slow_but_successful = np.array([100.0, 200.0, 300.0])
    failed = np.array([np.nan, np.nan, np.nan])
    expected = stats.mannwhitneyu(fast, [np.inf] * 3).pvalue
    assert mann_whitney_on_hit_times(fast, failed) == expected
    assert mann_whitney_on_hit_times(slow_but_successful, failed) == expected
    assert mann_whitney_on_hit_times(failed, failed) == 1.0


def test_fisher_matches_the_hypergeometric_hand_value():
    # 3/3 against 0/3: p = 2 · C(3,3)C(3,0)/C(6,3) = 2/20.
    assert fisher_on_successes(3, 3, 0, 3) == pytest.approx(0.1)


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.04 → 3·0.01, 2·0.02, 1·0.04 → 0.03, 0.04, 0.04 (monotone)
    assert holm([0.04, 0.01, 0.02]).tolist() == pytest.approx([0.04, 0.03, 0.04])
    assert holm([0.5, 0.9]).tolist() == [1.0, 1.0]  # 2·0.5 caps at 1, and the step-down keeps it monotone

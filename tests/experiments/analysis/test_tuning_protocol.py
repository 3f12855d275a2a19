"""The tuning protocol's statistics on crafted data whose answers are known: the expected best of k trials, the
AlgoPerf performance-profile score and the pairwise win rates."""

import numpy as np
import pytest

from experiments.analysis.expected_max import expected_max, expected_max_interval
from experiments.analysis.ranking import TAU_MAX, profile, profile_score, win_rates


def test_the_expected_best_of_k_distinct_trials_of_known_scores():
    # three trials 0, 1, 2: pairs {0,1} {0,2} {1,2} have best 1, 2, 2
    np.testing.assert_allclose(expected_max(np.array([2.0, 0.0, 1.0]), [1, 2, 3]), [1.0, 5 / 3, 2.0], rtol=1e-15)


def test_one_trial_expects_the_mean_and_all_of_them_the_best():
    scores = np.random.default_rng(0).random(20)
    assert expected_max(scores, [1])[0] == pytest.approx(scores.mean(), rel=1e-14)
    assert expected_max(scores, [20])[0] == pytest.approx(scores.max(), rel=1e-14)
    assert (np.diff(expected_max(scores, np.arange(1, 21))) >= 0).all()


def test_the_estimate_is_unbiased_where_drawing_with_replacement_is_biased_low():
    # Dodge et al. 2021: at k = N the with-replacement estimator stays below the trials' best; ours is the best
    scores = np.array([0.9724, 0.9711, 0.95, 0.93, 0.90, 0.88, 0.97, 0.96, 0.94, 0.92, 0.91, 0.89, 0.965, 0.955,
                       0.945, 0.935])  # fmt: skip
    with_replacement = np.sum(np.sort(scores) * (np.arange(1, 17) ** 16 - np.arange(16) ** 16) / 16**16)
    assert with_replacement < scores.max() == expected_max(scores, [16])[0]


def test_the_closed_form_matches_drawing_distinct_trials():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=9)
    draws = np.array([scores[rng.permutation(9)[:4]].max() for _ in range(100_000)])
    assert expected_max(scores, [4])[0] == pytest.approx(draws.mean(), abs=4 * draws.std() / np.sqrt(len(draws)))


def test_hundreds_of_trials_do_not_overflow_the_binomials():
    scores = np.random.default_rng(3).random(600)
    curve = expected_max(scores, [1, 300, 600])
    assert np.isfinite(curve).all() and curve[0] == pytest.approx(scores.mean(), rel=1e-12)
    assert curve[2] == pytest.approx(scores.max(), rel=1e-12)


@pytest.mark.parametrize("k", [0, 17])
def test_a_k_outside_the_trials_is_refused(k):
    with pytest.raises(ValueError, match=f"k = {k} is not between 1 and the 16 trials"):
        expected_max(np.zeros(16), [1, k])


def test_the_interval_averages_the_studies_and_brackets_the_curve():
    scores = np.random.default_rng(2).random((5, 16))
    curve, low, high = expected_max_interval(scores, [1, 4, 16])
    np.testing.assert_allclose(curve, expected_max(scores, [1, 4, 16]).mean(axis=0), rtol=1e-14)
    assert (low <= curve).all() and (curve <= high).all() and (low < high).all()
    constant = expected_max_interval(np.full((3, 8), 0.9), [1, 8])
    assert all(np.allclose(values, 0.9, rtol=1e-15) for values in constant)


def test_the_profile_score_of_known_ratios():
    costs = np.array([[10.0, 20.0, 50.0, np.inf], [5.0, 10.0, 25.0, 5.0]])  # problems × methods
    # method 0: fastest on both (1); 1: twice the best on both ((4 − 2)/3); 2: 5× (beyond τ_max: 0);
    # 3: unsolved on one, fastest on the other ((0 + 3)/(2·3))
    np.testing.assert_allclose(profile_score(costs), [1.0, 2 / 3, 0.0, 0.5], rtol=1e-15)


def test_the_closed_form_is_the_area_under_the_profile():
    costs = np.random.default_rng(3).uniform(1, 10, size=(12, 5))
    costs[np.random.default_rng(4).random(costs.shape) < 0.2] = np.inf
    taus = np.linspace(1, TAU_MAX, 300_001)
    area = profile(costs, taus)[:-1].mean(axis=0)  # left Riemann sum over [1, τ_max], normalised
    np.testing.assert_allclose(profile_score(costs), area, atol=1e-4)


def test_a_problem_nobody_solves_is_left_out():
    costs = np.array([[1.0, 2.0], [np.inf, np.inf]])
    np.testing.assert_allclose(profile_score(costs), [1.0, 2 / 3], rtol=1e-15)
    assert profile(costs, [1.0]).tolist() == [[1.0, 0.0]]


def test_win_rates_halve_ties_and_pair_up_to_one():
    scores = np.array([[0.9, 0.8, 0.9], [0.7, 0.7, 0.6], [0.5, 0.6, np.nan]])  # problems × methods
    rates = win_rates(scores)
    assert rates[0, 1] == pytest.approx(0.5)  # wins, ties, loses
    assert rates[0, 2] == pytest.approx(0.75)  # ties, wins; the third problem has no score for method 2
    off_diagonal = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose((rates + rates.T)[off_diagonal], 1.0)
    assert np.isnan(np.diag(rates)).all()
    np.testing.assert_allclose(win_rates(-scores, higher_is_better=False), rates, equal_nan=True)

"""The shared exp: within about an ulp of the true e^y, the same bits compiled or in numpy, and safe at the edges."""

import math

import mpmath
import numba
import numpy as np
import pytest

from network import exponential
from network.exponential import exp_nonpositive

compiled = numba.vectorize(["float64(float64)"])(exp_nonpositive.py_func)


def transcription_in_numpy(y: np.ndarray) -> np.ndarray:
    """The same formula, one numpy operation per IEEE operation: what a compiler may not change."""
    e = exponential
    clamped = np.where(y < e.LOWEST, e.LOWEST, y)
    k = (clamped * e.LOG2_E + e.ROUNDING_SHIFT) - e.ROUNDING_SHIFT
    r = (clamped - k * e.LN2_HI) - k * e.LN2_LO
    series = np.zeros_like(y)
    for coefficient in e.TAYLOR_FROM_HIGHEST:
        series = series * r + coefficient
    index = np.where(np.isnan(k), 0, -np.nan_to_num(k)).astype(np.int64)
    return series * e.TWO_TO_MINUS[index]


def ulps_from_truth(y: float, value: float) -> float:
    with mpmath.workprec(200):
        true = mpmath.exp(mpmath.mpf(y))
        return float(abs(mpmath.mpf(value) - true) / math.ulp(float(true)))


SAMPLES = np.concatenate(
    [
        -np.random.default_rng(0).uniform(0, 1, 3000),
        -np.random.default_rng(1).uniform(0, 60, 3000),
        -np.random.default_rng(2).uniform(700, 744, 500),  # subnormal results
        -np.abs(np.random.default_rng(3).standard_cauchy(1000)),
    ]
)


def test_it_is_within_about_an_ulp_of_the_true_exponential():
    values = compiled(SAMPLES)
    normal = values >= np.finfo(float).tiny
    worst = max(ulps_from_truth(y, v) for y, v in zip(SAMPLES[normal], values[normal], strict=True))
    assert worst <= 1.2


def test_subnormal_results_lose_no_more_than_their_missing_bits():
    y = SAMPLES[SAMPLES < -708.5]
    with mpmath.workprec(200):
        true = np.array([float(mpmath.exp(mpmath.mpf(v))) for v in y])
    assert np.all(np.abs(compiled(y) - true) <= 2 * 5e-324)


def test_the_compiled_function_gives_the_bits_of_its_numpy_transcription():
    y = np.concatenate([SAMPLES, -np.random.default_rng(4).uniform(0, 750, 100_000)])
    np.testing.assert_array_equal(compiled(y), transcription_in_numpy(y))


@pytest.mark.parametrize(
    ("y", "expected"),
    [(0.0, 1.0), (-0.0, 1.0), (-math.inf, 0.0), (-746.0, 0.0), (-1e300, 0.0), (-1e-300, 1.0), (-math.log(2), 0.5)],
)
def test_edge_values(y, expected):
    assert exp_nonpositive(y) == expected


def test_nan_gives_nan():
    assert math.isnan(exp_nonpositive(math.nan))

"""The logistic sigmoid and its derivative, safe over the whole float64 range.

    σ(x)  = 1 / (1 + e^(−x))
    σ′(x) = σ(x)·(1 − σ(x)) = σ(x)·σ(−x)

σ′ is computed from the pre-activation x as σ(x)·σ(−x), never from a rounded
output s as s·(1 − s): for x ≥ 37, σ(x) rounds to exactly 1.0 and s·(1 − s)
collapses to 0, while σ(x)·σ(−x) stays positive up to |x| ≈ 745, where
e^(−|x|) itself underflows.  A collapsed derivative would freeze sign-based
methods such as Rprop, whose sign test then sees an exact zero.

The pair (σ(x), 1 − σ(x)) takes one exponential: the smaller of the two is

    σ(−|x|) = u / (1 + u),   u = e^(−|x|) ∈ [0, 1],

at full relative precision, and the larger is 1 minus it, exact to rounding
because it lies in [0.5, 1]; each is within 2.5 ulp of the true value.  u comes
from `network.exponential`, the exp that the compiled kernel of
`experiments.running.kernels.fused` shares with this module, so the two reproduce each other's
values to the last bit.  ±inf give 1 and 0; NaN gives NaN, without a warning.
"""

from __future__ import annotations

import numba
import numpy as np

from network.compiled_map import apply
from network.exponential import exp_nonpositive


@numba.njit(cache=True, error_model="numpy")  # 1 + u ≥ 1 never divides by 0: no check needed
def sigmoid_of_minus_abs(x: float) -> float:
    """σ(−|x|) = u / (1 + u) with u = e^(−|x|), for one x: the smaller of σ(x) and 1 − σ(x).

    >>> sigmoid_of_minus_abs(0.0), sigmoid_of_minus_abs(-800.0)
    (0.5, 0.0)
    """
    return sigmoid_from_exponential(exp_nonpositive(-abs(x)))


@numba.njit(cache=True, error_model="numpy", inline="always")
def sigmoid_from_exponential(u: float) -> float:
    """σ(−|x|) = u / (1 + u) from u = e^(−|x|): for callers that have u already (tanh takes the same one)."""
    return u / (1.0 + u)


@numba.njit(cache=True, error_model="numpy")
def _sigmoid_of_minus_abs_each(x: np.ndarray, out: np.ndarray) -> None:
    """out[i] = sigmoid_of_minus_abs(x[i]) over flat arrays (`network.compiled_map.apply`)."""
    for i in range(x.size):
        out[i] = sigmoid_of_minus_abs(x[i])


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^(−x)), elementwise.

    >>> float(sigmoid(0.0)), float(sigmoid(-40.0)) > 0.0
    (0.5, True)
    """
    return sigmoid_and_complement(x)[0]


def sigmoid_and_complement(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(σ(x), 1 − σ(x)) from one exponential, each at full relative precision.

    >>> s, one_minus_s = sigmoid_and_complement(40.0)
    >>> float(s), float(one_minus_s) > 0
    (1.0, True)
    """
    with np.errstate(invalid="ignore"):  # NaN in, NaN out, quietly (the compiled comparisons flag it)
        return sigmoid_and_complement_unguarded(x)


def sigmoid_and_complement_unguarded(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`sigmoid_and_complement` for callers that already ignore floating-point flags (np.errstate)."""
    small = apply(_sigmoid_of_minus_abs_each, x)  # σ(−|x|) ≤ 0.5
    large = 1.0 - small
    non_negative = np.greater_equal(x, 0)
    return np.where(non_negative, large, small), np.where(non_negative, small, large)


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    """σ′(x) = σ(x)·σ(−x), elementwise, positive wherever float64 can say so.

    >>> float(sigmoid_derivative(0.0))
    0.25
    >>> float(sigmoid_derivative(40.0)) > 0.0
    True
    """
    s, one_minus_s = sigmoid_and_complement(x)
    return s * one_minus_s

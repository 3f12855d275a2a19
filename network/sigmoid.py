"""The logistic sigmoid and its derivative, safe over the whole float64 range.

    σ(x)  = 1 / (1 + e^(−x))
    σ′(x) = σ(x)·(1 − σ(x)) = σ(x)·σ(−x)

σ′ is computed from the pre-activation x as σ(x)·σ(−x), never from a rounded
output s as s·(1 − s): for x ≥ 37, σ(x) rounds to exactly 1.0 and s·(1 − s)
collapses to 0, while σ(x)·σ(−x) stays positive up to |x| ≈ 709, where exp
itself overflows.  A collapsed derivative would freeze sign-based methods such
as Rprop, whose sign test then sees an exact zero.

The pair (σ(x), 1 − σ(x)) takes one exponential: the smaller of the two is
σ(−|x|) = `scipy.special.expit`(−|x|) = 1 / (1 + e^|x|), at full relative
precision, and the larger is 1 minus it, exact to rounding because it lies in
[0.5, 1].  expit maps ±inf to 1/0 and never warns about overflow; it calls the
C library's exp, so the compiled kernel of `experiments.fused` reproduces
every value to the last bit.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^(−x)), elementwise.

    >>> float(sigmoid(0.0))
    0.5
    """
    return expit(x)


def sigmoid_and_complement(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(σ(x), 1 − σ(x)) from one exponential, each at full relative precision.

    >>> s, one_minus_s = sigmoid_and_complement(40.0)
    >>> float(s), float(one_minus_s) > 0
    (1.0, True)
    """
    small = expit(-np.abs(x))  # σ(−|x|) ≤ 0.5
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

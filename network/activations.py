"""The units' activation functions f, each with its derivative and its residual t − f(x) at full precision.

    name        f(x)                       f′(x), from the pre-activation x     range
    sigmoid     σ(x) = 1/(1 + e^(−x))      σ(x)·σ(−x)                          [0, 1]
    tanh        tanh(x) = 2σ(2x) − 1       4·σ(2x)·σ(−2x)                      [−1, 1]
    identity    x                          1                                   (−∞, ∞)

Each derivative is taken from x, never from the rounded output r: σ(x) rounds
to 1 for x ≥ 37, where r·(1 − r) would be 0 but σ(x)·σ(−x) stays positive up
to |x| ≈ 745 (`network.sigmoid`).  Near an asymptote the residual t − r is
formed from the distance to it, computed directly (1 − σ(x) = σ(−x),
1 − tanh(x) = 2σ(−2x)), so it keeps its relative precision where t and r
both approach the bound.  With Fahlman's flat-spot offset c, the saturating
units use f′ + c in the gradient; the identity never saturates and keeps f′ = 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from network.hyperbolic_tangent import tanh
from network.sigmoid import sigmoid_and_complement_unguarded
from network.validation import did_you_mean


@dataclass(frozen=True)
class Sigmoid:
    """The article's logistic unit."""

    name: ClassVar[str] = "sigmoid"
    low: ClassVar[float] = 0.0
    high: ClassVar[float] = 1.0

    def value(self, x: np.ndarray) -> np.ndarray:
        return sigmoid_and_complement_unguarded(x)[0]

    def value_and_slope(self, x: np.ndarray, flat_spot: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        r, one_minus_r = sigmoid_and_complement_unguarded(x)
        return r, r * one_minus_r + flat_spot

    def output_terms(self, x, targets, flat_spot: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(r, f′ + flat_spot, t − r), the residual from 1 − r = σ(−x) where r > 1/2."""
        r, one_minus_r = sigmoid_and_complement_unguarded(x)
        residual = np.where(x > 0, (targets - 1.0) + one_minus_r, targets - r)
        return r, r * one_minus_r + flat_spot, residual


@dataclass(frozen=True)
class Tanh:
    """The symmetric unit of Lang & Witbrock's and Riedmiller & Braun's two-spirals networks."""

    name: ClassVar[str] = "tanh"
    low: ClassVar[float] = -1.0
    high: ClassVar[float] = 1.0

    def value(self, x: np.ndarray) -> np.ndarray:
        return tanh(x)

    def value_and_slope(self, x: np.ndarray, flat_spot: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        upper, lower = sigmoid_and_complement_unguarded(2.0 * x)  # σ(2x), σ(−2x)
        return tanh(x), 4.0 * (upper * lower) + flat_spot

    def output_terms(self, x, targets, flat_spot: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(r, f′ + flat_spot, t − r), the residual from the distance to ±1 where |r| > 1/2."""
        upper, lower = sigmoid_and_complement_unguarded(2.0 * x)
        r = tanh(x)
        residual = np.where(
            r > 0.5, (targets - 1.0) + 2.0 * lower, np.where(r < -0.5, (targets + 1.0) - 2.0 * upper, targets - r)
        )
        return r, 4.0 * (upper * lower) + flat_spot, residual


@dataclass(frozen=True)
class Identity:
    """A linear unit, for regression outputs."""

    name: ClassVar[str] = "identity"
    low: ClassVar[float] = -np.inf
    high: ClassVar[float] = np.inf

    def value(self, x: np.ndarray) -> np.ndarray:
        return x

    def value_and_slope(self, x: np.ndarray, flat_spot: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        return x, np.ones_like(x)

    def output_terms(self, x, targets, flat_spot: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return x, np.ones_like(x), targets - x


ACTIVATIONS = {activation.name: activation for activation in (Sigmoid(), Tanh(), Identity())}


def get_activation(name: str):
    """The activation called ``name``, or a one-line ValueError naming the ones there are.

    >>> get_activation("tanh").high
    1.0
    """
    if name not in ACTIVATIONS:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}{did_you_mean(name, ACTIVATIONS)}; available: {known}")
    return ACTIVATIONS[name]

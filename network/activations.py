"""The units' activation functions f, each with its derivative and its residual t − f(x) at full precision.

    name        f(x)                       f′(x), from the pre-activation x     range
    sigmoid     σ(x) = 1/(1 + e^(−x))      σ(x)·σ(−x)                          [0, 1]
    tanh        tanh(x) = 2σ(2x) − 1       4·σ(2x)·σ(−2x)                      [−1, 1]
    identity    x                          1                                   (−∞, ∞)
    relu        max(0, x)                  1 for x > 0, else 0 (torch's at 0)   [0, ∞)

Each derivative is taken from x, never from the rounded output r: σ(x) rounds
to 1 for x ≥ 37, where r·(1 − r) would be 0 but σ(x)·σ(−x) stays positive up
to |x| ≈ 745 (`network.sigmoid`).  Near an asymptote the residual t − r is
formed from the distance to it, computed directly (1 − σ(x) = σ(−x),
1 − tanh(x) = 2σ(−2x)), so it keeps its relative precision where t and r
both approach the bound.  With Fahlman's flat-spot offset c, the saturating
units use f′ + c in the gradient; the identity never saturates and keeps f′ = 1,
and the ReLU keeps its own f′ (its flat side is a dead unit, not a saturated one).
The period arithmetic (`network.validation.FlatSpot`) forms f′ and t − r from
the rounded output instead, as the codes of 1986–1993 did: r·(1 − r) and
1 − r², which are 0 once r rounds to its bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from network.validation import EXACT_ARITHMETIC, PERIOD, did_you_mean


def tanh(x):
    """`network.hyperbolic_tangent.tanh`, imported on first use (the network's definition loads no compiler)."""
    from network.hyperbolic_tangent import tanh

    return tanh(x)


def sigmoid_and_complement_unguarded(x):
    """`network.sigmoid.sigmoid_and_complement_unguarded`, imported on first use."""
    from network.sigmoid import sigmoid_and_complement_unguarded

    return sigmoid_and_complement_unguarded(x)


def single(values):
    """``values`` rounded to float32 and back: what a single-precision code of the time stored."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def period_residual(r, targets, residual, arithmetic: int = EXACT_ARITHMETIC):
    """The t − r the gradient of a sigmoid or tanh output uses: the exact ``residual`` (optarena's), or t − r from
    the rounded output r (the period arithmetic; r and t − r rounded to float32 in "period-single")."""
    if arithmetic == EXACT_ARITHMETIC:
        return residual
    return targets - r if arithmetic == PERIOD else single(targets - single(r))


@dataclass(frozen=True)
class Sigmoid:
    """The article's logistic unit."""

    name: ClassVar[str] = "sigmoid"
    low: ClassVar[float] = 0.0
    high: ClassVar[float] = 1.0

    def value(self, x: np.ndarray) -> np.ndarray:
        return sigmoid_and_complement_unguarded(x)[0]

    def value_and_slope(self, x: np.ndarray, flat_spot: float = 0.0, arithmetic: int = EXACT_ARITHMETIC):
        """(r, f′ + flat_spot): f′ = σ(x)·σ(−x), or r·(1 − r) from the rounded r in the period arithmetic."""
        return _sigmoid_slope(*sigmoid_and_complement_unguarded(x), flat_spot, arithmetic)

    gradient_residual = staticmethod(period_residual)

    def output_terms(self, x, targets, flat_spot: float = 0.0, arithmetic: int = EXACT_ARITHMETIC):
        """(r, f′ + flat_spot, t − r) as `value_and_slope` gives r and f′; t − r exact, from 1 − r = σ(−x) where
        r > 1/2 (E is exact in every arithmetic; ``gradient_residual`` gives the gradient's)."""
        exact_r, one_minus_r = sigmoid_and_complement_unguarded(x)
        residual = np.where(x > 0, (targets - 1.0) + one_minus_r, targets - exact_r)
        return *_sigmoid_slope(exact_r, one_minus_r, flat_spot, arithmetic), residual


def _sigmoid_slope(r, one_minus_r, flat_spot: float, arithmetic: int):
    """(r, f′ + c) in ``arithmetic`` from σ(x) and σ(−x); r itself, which the next layer reads, stays float64."""
    if arithmetic == EXACT_ARITHMETIC:
        return r, r * one_minus_r + flat_spot
    if arithmetic == PERIOD:
        return r, r * (1.0 - r) + flat_spot
    rounded = single(r)
    return r, single(rounded * (1.0 - rounded)) + flat_spot


@dataclass(frozen=True)
class Tanh:
    """The symmetric unit of Lang & Witbrock's and Riedmiller & Braun's two-spirals networks."""

    name: ClassVar[str] = "tanh"
    low: ClassVar[float] = -1.0
    high: ClassVar[float] = 1.0

    def value(self, x: np.ndarray) -> np.ndarray:
        return tanh(x)

    def value_and_slope(self, x: np.ndarray, flat_spot: float = 0.0, arithmetic: int = EXACT_ARITHMETIC):
        """(r, f′ + flat_spot): f′ = 4·σ(2x)·σ(−2x), or 1 − r² from the rounded r in the period arithmetic."""
        if arithmetic == EXACT_ARITHMETIC:
            upper, lower = sigmoid_and_complement_unguarded(2.0 * x)  # σ(2x), σ(−2x)
            return tanh(x), 4.0 * (upper * lower) + flat_spot
        return _tanh_period_slope(tanh(x), flat_spot, arithmetic)

    gradient_residual = staticmethod(period_residual)

    def output_terms(self, x, targets, flat_spot: float = 0.0, arithmetic: int = EXACT_ARITHMETIC):
        """(r, f′ + flat_spot, t − r) as `value_and_slope` gives r and f′; t − r exact, from the distance to ±1
        where |r| > 1/2."""
        upper, lower = sigmoid_and_complement_unguarded(2.0 * x)
        r = tanh(x)
        residual = np.where(
            r > 0.5, (targets - 1.0) + 2.0 * lower, np.where(r < -0.5, (targets + 1.0) - 2.0 * upper, targets - r)
        )
        if arithmetic == EXACT_ARITHMETIC:
            return r, 4.0 * (upper * lower) + flat_spot, residual
        return *_tanh_period_slope(r, flat_spot, arithmetic), residual


def _tanh_period_slope(r, flat_spot: float, arithmetic: int):
    """(r, 1 − r² + c) from the rounded tanh(x), r rounded to float32 for f′ in "period-single"."""
    if arithmetic == PERIOD:
        return r, (1.0 - r * r) + flat_spot
    rounded = single(r)
    return r, single(1.0 - rounded * rounded) + flat_spot


@dataclass(frozen=True)
class Identity:
    """A linear unit, for regression outputs (every arithmetic is exact here)."""

    name: ClassVar[str] = "identity"
    low: ClassVar[float] = -np.inf
    high: ClassVar[float] = np.inf

    def value(self, x: np.ndarray) -> np.ndarray:
        return x

    def value_and_slope(self, x: np.ndarray, flat_spot: float = 0.0, arithmetic: int = EXACT_ARITHMETIC):
        return x, np.ones_like(x)

    def output_terms(self, x, targets, flat_spot: float = 0.0, arithmetic: int = EXACT_ARITHMETIC):
        return x, np.ones_like(x), targets - x

    @staticmethod
    def gradient_residual(r, targets, residual, arithmetic: int = EXACT_ARITHMETIC):
        return residual


@dataclass(frozen=True)
class ReLU:
    """The rectified linear unit of today's networks (MNIST-1D's MLP): max(0, x), NaN kept (as torch.relu)."""

    name: ClassVar[str] = "relu"
    low: ClassVar[float] = 0.0
    high: ClassVar[float] = np.inf

    def value(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """max(x, 0), NaN kept (numpy's maximum propagates NaN), as the compiled unit's ``x if x > 0 or x != x
        else 0``; into ``out`` if given."""
        return np.maximum(x, 0.0, out=out)

    def value_and_slope(self, x: np.ndarray, flat_spot: float = 0.0, arithmetic: int = EXACT_ARITHMETIC):
        """(r, f′): f′ = 1 where x > 0, else 0 (torch's derivative at 0; NaN too); no flat-spot offset."""
        return self.value(x), (x > 0).astype(np.float64)

    def output_terms(self, x, targets, flat_spot: float = 0.0, arithmetic: int = EXACT_ARITHMETIC):
        r, slope = self.value_and_slope(x)
        return r, slope, targets - r

    gradient_residual = staticmethod(Identity.gradient_residual)


ACTIVATIONS = {activation.name: activation for activation in (Sigmoid(), Tanh(), Identity(), ReLU())}


def get_activation(name: str):
    """The activation called ``name``, or a one-line ValueError naming the ones there are.

    >>> get_activation("tanh").high
    1.0
    """
    if name not in ACTIVATIONS:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}{did_you_mean(name, ACTIVATIONS)}; available: {known}")
    return ACTIVATIONS[name]

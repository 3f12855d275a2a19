"""Delta-bar-delta (Jacobs 1988): per-weight learning rates, raised additively, cut multiplicatively."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_between, require_positive, require_unit_interval
from optimizers.elementwise import ElementwiseOptimizer, choose
from optimizers.registry import register


class DeltaBarDeltaState(NamedTuple):
    learning_rate: np.ndarray  # ε per weight
    bar_delta: np.ndarray  # δ̄, the exponential average of past gradients


def delta_bar_delta_rule(c, weight, grad, learning_rate, bar_delta):
    """One delta-bar-delta step (`DeltaBarDelta`), with c = (initial ε, κ, φ, θ)."""
    agreement = bar_delta * grad
    learning_rate = choose(
        agreement > 0, learning_rate + c[1], choose(agreement < 0, (1 - c[2]) * learning_rate, learning_rate)
    )
    bar_delta = (1 - c[3]) * grad + c[3] * bar_delta
    return weight - learning_rate * grad, learning_rate, bar_delta


@register("delta-bar-delta")
@dataclass(frozen=True)
class DeltaBarDelta(ElementwiseOptimizer):
    """Delta-bar-delta: each weight's learning rate follows the agreement of its gradient with a running average.

    Symbols: δ = ∂E/∂w, δ̄ its exponential average (δ̄₀ = 0), ε the weight's
    learning rate, κ the additive increase, φ the multiplicative decrease,
    θ the averaging constant.  Per weight, each step:

        ε ← ε + κ        if δ̄·δ > 0    (δ̄ from the previous step)
        ε ← (1 − φ)·ε    if δ̄·δ < 0
        w ← w − ε·δ
        δ̄ ← (1 − θ)·δ + θ·δ̄

    On the first step δ̄ = 0, so ε keeps its initial value.  Jacobs gives no
    universal defaults; these are Tveter's documented example settings.

    Args: learning_rate = initial ε (0.1), increase = κ (0.25), decrease = φ (0.5),
    theta = θ (0.7).

    Source: Jacobs, "Increased rates of convergence through learning rate
    adaptation", Neural Networks 1:295–307 (1988); Tveter, *The Pattern
    Recognition Basis of AI*, backprop documentation (settings).

    >>> dbd = DeltaBarDelta()
    >>> dbd.step([0.0, 0.0], [1.0, -2.0], dbd.init([0.0, 0.0]))[0].tolist()
    [-0.1, 0.2]
    """

    learning_rate: float = 0.1
    increase: float = 0.25
    decrease: float = 0.5
    theta: float = 0.7

    State, slots, rule = DeltaBarDeltaState, 2, staticmethod(delta_bar_delta_rule)
    schedulable = False  # its learning_rate only starts the per-weight rates, which adapt themselves

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_positive(self.name, "increase", self.increase)
        require_between(self.name, "decrease", self.decrease, 0.0, 1.0)
        require_unit_interval(self.name, "theta", self.theta)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.increase, self.decrease, self.theta])

    def initial_slots(self, weights):
        return np.full_like(weights, self.learning_rate), np.zeros_like(weights)

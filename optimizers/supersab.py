"""SuperSAB (Tollenaere 1990): per-weight learning rates with momentum, and retraction on a sign change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_between, require_positive, require_unit_interval
from optimizers.elementwise import ElementwiseOptimizer, choose, smaller
from optimizers.registry import register


class SuperSABState(NamedTuple):
    learning_rate: np.ndarray  # η per weight
    prev_grad: np.ndarray  # g⁻, 0 after a retraction
    prev_update: np.ndarray  # Δw⁻, 0 after a retraction


def supersab_rule(c, weight, grad, learning_rate, prev_grad, prev_update):
    """One SuperSAB step (`SuperSAB`), with c = (initial η, η+, η−, η_max, α)."""
    product = prev_grad * grad
    grew, flipped = product > 0, product < 0
    learning_rate = choose(
        grew, smaller(learning_rate * c[1], c[3]), choose(flipped, learning_rate * c[2], learning_rate)
    )
    update = choose(flipped, -prev_update, -learning_rate * grad + c[4] * prev_update)
    return weight + update, learning_rate, choose(flipped, 0.0, grad), choose(flipped, 0.0, update)


@register("supersab")
@dataclass(frozen=True)
class SuperSAB(ElementwiseOptimizer):
    """SuperSAB: grow a weight's learning rate while its gradient keeps its sign, retract the step when it flips.

    Symbols: g = ∂E/∂w now, g⁻ the gradient the last step was taken on, Δw⁻
    that step, η the weight's learning rate, η+ > 1 > η− > 0 its factors,
    η_max its cap, α the momentum.  Per weight, with p = g⁻·g:

        p > 0:   η ← min(η·η+, η_max),   Δw = −η·g + α·Δw⁻
        p = 0:   Δw = −η·g + α·Δw⁻                      (the first step, and after a retraction)
        p < 0:   Δw = −Δw⁻ (retract), η ← η·η−, and g⁻ ← 0, Δw⁻ ← 0 (no momentum next step)

    One call is one gradient evaluation: a retraction spends it, and the next
    call steps from the restored weight with the smaller η (Reed & Marks'
    loop, one gradient per iteration).

    Args: learning_rate = initial η (0.5), eta_plus = η+ (1.05), eta_minus = η−
    (0.5), learning_rate_max = η_max (30), momentum = α (0.9): Tveter's
    documented defaults (Reed & Marks suggest η+ = 1.2).

    Source: Tollenaere, "SuperSAB: fast adaptive back propagation with good
    scaling properties", Neural Networks 3:561–573 (1990); Reed & Marks,
    *Neural Smithing* (1999), §9.5.

    >>> sab = SuperSAB()
    >>> sab.step([0.0, 0.0], [1.0, -1.0], sab.init([0.0, 0.0]))[0].tolist()
    [-0.5, 0.5]
    """

    learning_rate: float = 0.5
    eta_plus: float = 1.05
    eta_minus: float = 0.5
    learning_rate_max: float = 30.0
    momentum: float = 0.9

    State, slots, rule = SuperSABState, 3, staticmethod(supersab_rule)
    schedulable = False  # its learning_rate only starts the per-weight rates, which adapt themselves

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_positive(self.name, "eta_plus", self.eta_plus)
        if not self.eta_plus > 1:
            raise ValueError(f"{self.name}: eta_plus must be > 1, got {self.eta_plus!r}")
        require_between(self.name, "eta_minus", self.eta_minus, 0.0, 1.0)
        require_positive(self.name, "learning_rate_max", self.learning_rate_max)
        require_unit_interval(self.name, "momentum", self.momentum)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.eta_plus, self.eta_minus, self.learning_rate_max, self.momentum])

    def initial_slots(self, weights):
        return np.full_like(weights, self.learning_rate), np.zeros_like(weights), np.zeros_like(weights)

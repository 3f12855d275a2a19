"""Lion as lion-pytorch computes it: the sign of an interpolated momentum, with decoupled weight decay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_non_negative, require_positive, require_unit_interval
from optimizers.elementwise import ElementwiseOptimizer, sign
from optimizers.registry import register


class LionState(NamedTuple):
    momentum: np.ndarray  # m per weight


def lion_coefficients(hyperparameters, count):
    """(1 − η·λ, −η, β1, 1 − β1, β2, 1 − β2) from (η, β1, β2, λ)."""
    learning_rate, beta1, beta2 = hyperparameters[0], hyperparameters[1], hyperparameters[2]
    return np.array([1.0 - learning_rate * hyperparameters[3], -learning_rate, beta1, 1.0 - beta1, beta2, 1.0 - beta2])


def lion_rule(c, weight, grad, momentum):
    """w ← w·(1 − η·λ), then w ← w + (−η)·sign(m·β1 + (1 − β1)·g) with the *old* m, then m ← m·β2 + (1 − β2)·g
    (lion-pytorch's ``update_fn``, operation by operation); c as `lion_coefficients` gives it."""
    direction = sign(momentum * c[2] + c[3] * grad)
    weight = weight * c[0] + c[1] * direction
    return weight, momentum * c[4] + c[5] * grad


@register("lion")
@dataclass(frozen=True)
class Lion(ElementwiseOptimizer):
    """Lion (EvoLved Sign Momentum): every weight moves by ±η, in the sign of a blend of momentum and gradient.

    Symbols: g = ∂E/∂w, m the momentum (m₀ = 0), β1 the blend of the step, β2 the momentum's decay,
    η the step, λ the weight decay.

        w ← w·(1 − η·λ)
        w ← w − η·sign(β1·m + (1 − β1)·g)        (the old m)
        m ← β2·m + (1 − β2)·g

    Swapping the last two lines changes the rule (by 4e-3 in 60 steps on a test problem).  Its authors
    advise η 3–10× smaller and λ 3–10× larger than AdamW's.

    Args: learning_rate = η (lion-pytorch's 1e-4), beta1 = β1 (0.9), beta2 = β2 (0.99), weight_decay = λ (0).

    Source: Chen et al., "Symbolic discovery of optimization algorithms", NeurIPS 2023, Program 1;
    ``lion-pytorch`` 0.2.5 (``lion_pytorch/lion_pytorch.py``, ``update_fn``).

    >>> lion = Lion(learning_rate=0.1)
    >>> lion.step([0.0, 0.0], [3.0, -1e-9], lion.init([0.0, 0.0]))[0].round(6).tolist()
    [-0.1, 0.1]
    """

    learning_rate: float = 1e-4
    beta1: float = 0.9
    beta2: float = 0.99
    weight_decay: float = 0.0

    State, slots = LionState, 1
    rule, coefficients = staticmethod(lion_rule), staticmethod(lion_coefficients)

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_unit_interval(self.name, "beta1", self.beta1)
        require_unit_interval(self.name, "beta2", self.beta2)
        require_non_negative(self.name, "weight_decay", self.weight_decay)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.beta1, self.beta2, self.weight_decay])

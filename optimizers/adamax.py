"""Adamax as torch.optim.Adamax computes it: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_moment_settings
from optimizers.elementwise import ElementwiseOptimizer, larger, lerp, power
from optimizers.registry import register


class AdamaxState(NamedTuple):
    first_moment: np.ndarray  # m per weight
    infinity_norm: np.ndarray  # u per weight
    count: int  # steps taken, t


def adamax_coefficients(hyperparameters, count):
    """(1 − β1, β2, ε, −η/(1 − β1^t)) from (η, β1, β2, ε)."""
    learning_rate, beta1 = hyperparameters[0], hyperparameters[1]
    return np.array(
        [1 - beta1, hyperparameters[2], hyperparameters[3], -(learning_rate / (1 - power(beta1, float(count))))]
    )


def adamax_rule(c, weight, grad, first_moment, infinity_norm):
    """m ← lerp(m, g, 1 − β1), u ← max(u·β2, |g| + ε) (ε inside the max, as torch), w ← w + (−η/(1 − β1^t))·m/u
    (torch's addcdiv); c as `adamax_coefficients` gives it."""
    first_moment = lerp(first_moment, grad, c[0])
    infinity_norm = larger(infinity_norm * c[1], np.abs(grad) + c[2])
    return weight + (c[3] * first_moment) / infinity_norm, first_moment, infinity_norm


@register("adamax")
@dataclass(frozen=True)
class Adamax(ElementwiseOptimizer):
    """Adamax: Adam that divides by a decaying maximum of |g| instead of the root of a mean of g².

    Symbols: as `Adam`, with u the decaying infinity norm (u₀ = 0).

        m ← β1·m + (1 − β1)·g,    u ← max(β2·u, |g| + ε)
        w ← w − η/(1 − β1^t) · m/u

    Args: learning_rate = η (torch's 2e-3), beta1 = β1 (0.9), beta2 = β2 (0.999), eps = ε (1e-8; torch adds
    it to |g| inside the max, where the paper has none).

    Source: Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015, §7.1;
    ``torch.optim.Adamax`` (torch 2.13, ``optim/adamax.py``, ``_single_tensor_adamax``).

    >>> adamax = Adamax(learning_rate=0.1)
    >>> adamax.step([0.0], [4.0], adamax.init([0.0]))[0].round(6).tolist()
    [-0.1]
    """

    learning_rate: float = 2e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    State, slots = AdamaxState, 2
    rule, coefficients = staticmethod(adamax_rule), staticmethod(adamax_coefficients)
    coefficients_change = True  # the bias correction

    def __post_init__(self):
        require_moment_settings(self)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.beta1, self.beta2, self.eps])

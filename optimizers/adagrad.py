"""Adagrad: per-weight learning rates from the sum of squared gradients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_non_negative, require_positive
from optimizers.elementwise import ElementwiseOptimizer
from optimizers.registry import register


class AdagradState(NamedTuple):
    sum_of_squares: np.ndarray  # S per weight
    count: int  # steps taken, t


def adagrad_coefficients(hyperparameters, count):
    """(−η_t, ε) with η_t = η/(1 + (t − 1)·d), from (η, d, S₀, ε)."""
    rate = hyperparameters[0] / (1 + (count - 1) * hyperparameters[1])
    return np.array([-rate, hyperparameters[3]])


def adagrad_rule(c, weight, grad, sum_of_squares):
    """S ← S + g², w ← w + (−η_t)·g / (√S + ε) (torch's addcdiv order); c = (−η_t, ε)."""
    sum_of_squares = sum_of_squares + grad * grad
    return weight + c[0] * grad / (np.sqrt(sum_of_squares) + c[1]), sum_of_squares


@register("adagrad")
@dataclass(frozen=True)
class Adagrad(ElementwiseOptimizer):
    """Adagrad, with torch.optim's semantics (eps outside the square root).

    Symbols: g = ∂E/∂w, S the running sum of g², t the step count, η the
    learning rate, d the learning-rate decay, ε a small constant.

        t ← t + 1,    η_t = η / (1 + (t − 1)·d)
        S ← S + g²
        w ← w − η_t · g / (√S + ε)

    Args: learning_rate = η (0.5), lr_decay = d (0), initial_accumulator_value
    = S₀ (0), eps = ε (1e-10, torch's).

    Source: Duchi, Hazan & Singer, JMLR 12 (2011); ``torch.optim.Adagrad``.

    >>> adagrad = Adagrad(learning_rate=0.5)
    >>> adagrad.step([0.0, 0.0], [2.0, -0.5], adagrad.init([0.0, 0.0]))[0].round(6).tolist()
    [-0.5, 0.5]
    """

    learning_rate: float = 0.5
    lr_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10

    State, slots = AdagradState, 1
    rule, coefficients = staticmethod(adagrad_rule), staticmethod(adagrad_coefficients)
    coefficients_change = True  # the learning-rate decay

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_non_negative(self.name, "lr_decay", self.lr_decay)
        require_non_negative(self.name, "initial_accumulator_value", self.initial_accumulator_value)
        require_positive(self.name, "eps", self.eps)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.lr_decay, self.initial_accumulator_value, self.eps])

    def initial_slots(self, weights):
        return (np.full_like(weights, self.initial_accumulator_value),)

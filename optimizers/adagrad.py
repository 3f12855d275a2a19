"""Adagrad: per-weight learning rates from the sum of squared gradients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import as_step_arrays, require_non_negative, require_positive
from optimizers.registry import register


class AdagradState(NamedTuple):
    sum_of_squares: np.ndarray  # S per weight
    count: int  # steps taken, t


@register("adagrad")
@dataclass(frozen=True)
class Adagrad:
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

    needs_loss = False

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_non_negative(self.name, "lr_decay", self.lr_decay)
        require_non_negative(self.name, "initial_accumulator_value", self.initial_accumulator_value)
        require_positive(self.name, "eps", self.eps)

    def init(self, weights) -> AdagradState:
        weights = np.asarray(weights, dtype=np.float64)
        return AdagradState(np.full_like(weights, self.initial_accumulator_value), 0)

    def step(self, weights, grad, state: AdagradState, loss=None):
        weights, grad = as_step_arrays(self.name, weights, grad)
        count = state.count + 1
        rate = self.learning_rate / (1 + (count - 1) * self.lr_decay)
        sum_of_squares = state.sum_of_squares + grad * grad
        new_weights = weights + (-rate) * grad / (np.sqrt(sum_of_squares) + self.eps)  # torch's addcdiv order
        return new_weights, AdagradState(sum_of_squares, count)

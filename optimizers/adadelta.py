"""Adadelta as torch.optim.Adadelta computes it: steps in the units of the weights, from two running means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_positive, require_unit_interval
from optimizers.elementwise import ElementwiseOptimizer
from optimizers.registry import register


class AdadeltaState(NamedTuple):
    square_average: np.ndarray  # v, the running mean of g²
    delta_average: np.ndarray  # u, the running mean of the squared steps


def adadelta_rule(c, weight, grad, square_average, delta_average):
    """v ← v·ρ + ((1 − ρ)·g)·g, δ = (√(u + ε)/√(v + ε))·g, u ← u·ρ + ((1 − ρ)·δ)·δ, w ← w + (−η)·δ (torch's
    order of operations); c = (ρ, 1 − ρ, ε, −η)."""
    square_average = square_average * c[0] + (c[1] * grad) * grad
    delta = (np.sqrt(delta_average + c[2]) / np.sqrt(square_average + c[2])) * grad
    delta_average = delta_average * c[0] + (c[1] * delta) * delta
    return weight + c[3] * delta, square_average, delta_average


def adadelta_coefficients(hyperparameters, count):
    """(ρ, 1 − ρ, ε, −η) from (η, ρ, ε)."""
    return np.array([hyperparameters[1], 1 - hyperparameters[1], hyperparameters[2], -hyperparameters[0]])


@register("adadelta")
@dataclass(frozen=True)
class Adadelta(ElementwiseOptimizer):
    """Adadelta: a step whose size is the ratio of two running root mean squares, of past steps and of gradients.

    Symbols: g = ∂E/∂w, v and u the running means of g² and of the squared steps δ² (v₀ = u₀ = 0),
    ρ their decay, ε a constant that also sizes the first steps, η a multiplier (1 in the paper).

        v ← ρ·v + (1 − ρ)·g²,    δ = √(u + ε)/√(v + ε) · g,    u ← ρ·u + (1 − ρ)·δ²
        w ← w − η·δ

    Args: learning_rate = η (torch's 1.0), rho = ρ (0.9), eps = ε (torch's 1e-6).

    Source: Zeiler, "ADADELTA: an adaptive learning rate method", arXiv:1212.5701 (2012), Algorithm 1;
    ``torch.optim.Adadelta`` (torch 2.13, ``optim/adadelta.py``, ``_single_tensor_adadelta``).

    >>> adadelta = Adadelta()
    >>> adadelta.step([0.0], [1.0], adadelta.init([0.0]))[0].round(6).tolist()
    [-0.003162]
    """

    learning_rate: float = 1.0
    rho: float = 0.9
    eps: float = 1e-6

    State, slots = AdadeltaState, 2
    rule, coefficients = staticmethod(adadelta_rule), staticmethod(adadelta_coefficients)

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_unit_interval(self.name, "rho", self.rho)
        require_positive(self.name, "eps", self.eps)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.rho, self.eps])

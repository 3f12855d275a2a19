"""Gradient descent with momentum: the classic heavy ball and Nesterov's look-ahead variant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from optimizers.base import require_positive, require_unit_interval
from optimizers.elementwise import ElementwiseOptimizer
from optimizers.registry import register


class MomentumState(NamedTuple):
    """The velocity buffer b, one entry per weight (zeros before the first step)."""

    buffer: np.ndarray


def momentum_rule(c, weight, grad, buffer):
    """b ← μ·b + g (b = g exactly on the first step, as torch does), w ← w − η·d with d = g + μ·b (Nesterov)
    or d = b; c = (η, μ, Nesterov)."""
    buffer = buffer * c[1] + grad
    direction = grad + c[1] * buffer if c[2] else buffer
    return weight - c[0] * direction, buffer


@dataclass(frozen=True)
class _Momentum(ElementwiseOptimizer):
    learning_rate: float = 0.5
    momentum: float = 0.9

    name: ClassVar[str]
    nesterov: ClassVar[bool]
    State, slots, rule = MomentumState, 1, staticmethod(momentum_rule)

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_unit_interval(self.name, "momentum", self.momentum)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.momentum, float(self.nesterov)])


@register("momentum")
class Momentum(_Momentum):
    """Gradient descent with classic (heavy-ball) momentum.

    Symbols: g = ∂E/∂w, b the velocity (b₀ = 0), η the learning rate, μ the momentum.

        b ← μ·b + g,    w ← w − η·b

    equivalently Δw(t) = −η·g(t) + μ·Δw(t−1), Mitchell's form.

    Args: learning_rate = η (0.5, as `gd`), momentum = μ (0.9).

    Source: Rumelhart, Hinton & Williams (1986); Mitchell, *Machine Learning*
    (1997), §4.5.2; equal to ``torch.optim.SGD(lr=η, momentum=μ)``.

    >>> heavy_ball = Momentum(learning_rate=0.5, momentum=0.9)
    >>> heavy_ball.step([0.0, 0.0], [1.0, -2.0], heavy_ball.init([0.0, 0.0]))[0].tolist()
    [-0.5, 1.0]
    """

    nesterov = False


@register("nesterov")
class Nesterov(_Momentum):
    """Gradient descent with Nesterov momentum, in the form torch.optim uses.

    Symbols: as `Momentum`.

        b ← μ·b + g,    w ← w − η·(g + μ·b)

    Args: learning_rate = η (0.5), momentum = μ (0.9).

    Source: Nesterov (1983); Sutskever, Martens, Dahl & Hinton, ICML 2013;
    equal to ``torch.optim.SGD(lr=η, momentum=μ, nesterov=True)``.

    >>> look_ahead = Nesterov(learning_rate=0.5, momentum=0.9)
    >>> look_ahead.step([0.0, 0.0], [1.0, 0.0], look_ahead.init([0.0, 0.0]))[0].tolist()
    [-0.95, 0.0]
    """

    nesterov = True

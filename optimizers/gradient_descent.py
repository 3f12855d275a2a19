"""Plain gradient descent, the article's update rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_positive
from optimizers.elementwise import ElementwiseOptimizer
from optimizers.registry import register


class GradientDescentState(NamedTuple):
    """Gradient descent keeps no state."""


def gradient_descent_rule(c, weight, grad):
    """w − η·g, with c = (η,)."""
    return (weight - c[0] * grad,)


@register("gd")
@dataclass(frozen=True)
class GradientDescent(ElementwiseOptimizer):
    r"""Gradient descent with a fixed learning rate.

    Symbols: w a weight, E the error, η the learning rate.

        Δw = −η·∂E/∂w,    w ← w + Δw

    Args:
        learning_rate: η > 0 (default 0.5, a classic back-propagation value;
            the article leaves η open).

    Source: the seed article's update rule ("Δw_o = −η·∂E/∂w_o", "Δw_h =
    −η·∂E/∂w_h"); Rumelhart, Hinton & Williams (1986).  Equal to
    ``torch.optim.SGD(lr=η)`` without momentum or weight decay.

    >>> gd = GradientDescent(learning_rate=0.5)
    >>> gd.step([1.0, 2.0], [0.2, -0.4], gd.init([1.0, 2.0]))[0].tolist()
    [0.9, 2.2]
    """

    learning_rate: float = 0.5

    State, slots, rule = GradientDescentState, 0, staticmethod(gradient_descent_rule)

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate])

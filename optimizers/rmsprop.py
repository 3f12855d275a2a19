"""RMSprop: gradients divided by a running root mean square, plain and centered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from optimizers.base import require_positive, require_unit_interval
from optimizers.elementwise import ElementwiseOptimizer, lerp
from optimizers.registry import register


class RMSpropState(NamedTuple):
    square_average: np.ndarray  # v per weight
    grad_average: np.ndarray  # ḡ per weight (used by the centered variant)


def rmsprop_rule(c, weight, grad, square_average, grad_average):
    """v ← v·α + ((1 − α)·g)·g (torch's addcmul); centered: ḡ ← lerp(ḡ, g, 1 − α), r = √(v − ḡ²), else r = √v;
    w ← w + (−η)·g / (r + ε) (torch's addcdiv).  c = (η, α, ε, centered)."""
    square_average = square_average * c[1] + (1 - c[1]) * grad * grad
    if c[3]:
        grad_average = lerp(grad_average, grad, 1 - c[1])
        root_mean_square = np.sqrt(square_average - grad_average * grad_average)
    else:
        root_mean_square = np.sqrt(square_average)
    return weight + (-c[0]) * grad / (root_mean_square + c[2]), square_average, grad_average


@dataclass(frozen=True)
class _RMSprop(ElementwiseOptimizer):
    learning_rate: float = 0.01
    alpha: float = 0.99
    eps: float = 1e-8

    name: ClassVar[str]
    centered: ClassVar[bool]
    State, slots, rule = RMSpropState, 2, staticmethod(rmsprop_rule)

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_unit_interval(self.name, "alpha", self.alpha)
        require_positive(self.name, "eps", self.eps)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.alpha, self.eps, float(self.centered)])


@register("rmsprop")
class RMSprop(_RMSprop):
    """RMSprop, with torch.optim's semantics (no bias correction, eps outside the square root).

    Symbols: g = ∂E/∂w, v the running mean of g² (v₀ = 0), α its decay, η the
    learning rate, ε a small constant.

        v ← α·v + (1 − α)·g²,    w ← w − η · g / (√v + ε)

    The first step is about −η·sign(g)/√(1 − α): ten times η for α = 0.99.

    Args: learning_rate = η (0.01, torch's), alpha = α (0.99), eps = ε (1e-8).

    Source: Tieleman & Hinton, Coursera lecture 6.5 (2012); ``torch.optim.RMSprop``.

    >>> rms = RMSprop(learning_rate=0.01)
    >>> rms.step([0.0, 0.0], [2.0, -0.5], rms.init([0.0, 0.0]))[0].round(6).tolist()
    [-0.1, 0.1]
    """

    centered = False


@register("rmsprop-centered")
class CenteredRMSprop(_RMSprop):
    """Centered RMSprop: divide by the running standard deviation instead of the root mean square.

    Symbols: as `RMSprop`, plus ḡ the running mean of g (ḡ₀ = 0).

        v ← α·v + (1 − α)·g²,    ḡ ← α·ḡ + (1 − α)·g
        w ← w − η · g / (√(v − ḡ²) + ε)

    Args: as `RMSprop`.

    Source: Graves, "Generating sequences with recurrent neural networks" (2013),
    eq. 38; ``torch.optim.RMSprop(centered=True)``.

    >>> rms = CenteredRMSprop(learning_rate=0.01)
    >>> rms.step([0.0, 0.0], [2.0, -0.5], rms.init([0.0, 0.0]))[0].round(6).tolist()
    [-0.100504, 0.100504]
    """

    centered = True

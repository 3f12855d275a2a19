"""The Manhattan rule: a fixed step against the sign of the gradient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_positive
from optimizers.elementwise import ElementwiseOptimizer, sign
from optimizers.registry import register


class SignState(NamedTuple):
    """The Manhattan rule keeps no state."""


def sign_rule(c, weight, grad):
    """w − Δ·sign(g), with c = (Δ,)."""
    return (weight - c[0] * sign(grad),)


@register("sign")
@dataclass(frozen=True)
class Sign(ElementwiseOptimizer):
    r"""Sign-gradient descent (the Manhattan update rule).

    Symbols: w a weight, E the error, Δ the fixed step size.

        Δw = −Δ·sign(∂E/∂w),    sign(0) = 0

    Only the sign of each derivative is used: the seed article's closing remark
    in its plainest form, and Rprop with η+ = η− = 1.

    Args:
        step_size: Δ > 0 (default 0.05).

    Source: the seed article ("the only information we need is their ± sign");
    Riedmiller & Braun (1993), who call a constant Δ "the Manhattan update rule".

    >>> rule = Sign(step_size=0.05)
    >>> rule.step([1.0, 2.0], [3.0, 0.0], rule.init([1.0, 2.0]))[0].tolist()
    [0.95, 2.0]
    """

    step_size: float = 0.05

    State, slots, rule = SignState, 0, staticmethod(sign_rule)

    def __post_init__(self):
        require_positive(self.name, "step_size", self.step_size)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.step_size])

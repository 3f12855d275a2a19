"""Quickprop (Fahlman 1988): a per-weight secant (parabola) step, capped by a maximum growth factor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_non_negative, require_positive
from optimizers.elementwise import ElementwiseOptimizer, choose, sign
from optimizers.registry import register


class QuickpropState(NamedTuple):
    prev_slope: np.ndarray  # S⁻ = −∂E/∂w at the previous step
    prev_update: np.ndarray  # Δw⁻, the last weight change (0 before the first)


def quickprop_coefficients(hyperparameters, count):
    """(ε, μ, λ, shrink = μ/(1 + μ)) from (ε, μ, λ)."""
    growth = hyperparameters[1]
    return np.array([hyperparameters[0], growth, hyperparameters[2], growth / (1 + growth)])


def quickprop_rule(c, weight, grad, prev_slope, prev_update):
    """One Quickprop step (`Quickprop`), with c as `quickprop_coefficients` gives it."""
    learning_rate, max_growth, weight_decay, shrink = c[0], c[1], c[2], c[3]
    slope = -grad if weight_decay == 0 else -grad - weight_decay * weight
    direction = sign(prev_update)  # +1, −1, or 0 for "no previous step"
    downhill = slope * direction > 0  # the slope still points the way the last step went
    capped = (slope * direction > shrink * prev_slope * direction) | (slope == prev_slope)
    denominator = choose(capped, 1.0, prev_slope - slope)
    secant = choose(capped, max_growth * prev_update, slope / denominator * prev_update)
    update = choose(direction == 0, learning_rate * slope, choose(downhill, learning_rate * slope, 0.0) + secant)
    return weight + update, slope, update


@register("quickprop")
@dataclass(frozen=True)
class Quickprop(ElementwiseOptimizer):
    """Quickprop, as in Fahlman's own code (Regier's C port of "Quickprop 1", 1988).

    Symbols: S = −∂E/∂w − λ·w the slope (λ the weight decay), S⁻ and Δw⁻ the
    previous slope and weight change, ε the learning rate, μ the maximum
    growth factor, and shrink = μ/(1 + μ).  Per weight:

        Δw⁻ = 0:   Δw = ε·S                                   (a gradient step, also the first)
        Δw⁻ > 0:   Δw = [ε·S if S > 0] + (μ·Δw⁻                  if S > shrink·S⁻ or S = S⁻
                                          S/(S⁻ − S)·Δw⁻         otherwise)
        Δw⁻ < 0:   the mirror image (S < 0, S < shrink·S⁻)

    S/(S⁻ − S)·Δw⁻ jumps to the minimum of the parabola through the last two
    slopes; S > shrink·S⁻ is exactly when that jump would exceed μ·Δw⁻ (or
    there is no minimum ahead), and the step is then capped at μ·Δw⁻.  The
    case S = S⁻, whose parabola step divides by zero, is taken as the capped
    step too.  Fahlman's code adds a weight decay λ = 1e-4 to the slope, which
    keeps weights from running away; it is off by default here (λ = 0), and
    his σ′ + 0.1 offset is the network's separate flat-spot configuration.

    Args: learning_rate = ε (0.55), max_growth = μ (1.75), weight_decay = λ
    (0; Fahlman's code: 1e-4).  The default ε = 0.55 is not Fahlman's: it
    comes from a modified copy of his code.  His own quickprop1.c uses
    ε = 1.0, divided by each unit's fan-in (which optarena does not do: ε is
    one number for every weight here).

    Source: Fahlman, "An empirical study of learning speed in back-propagation
    networks", CMU-CS-88-162 (1988); quickprop1.c.

    >>> quickprop = Quickprop()
    >>> weights, state = quickprop.step([0.0, 0.0], [-1.0, 1.0], quickprop.init([0.0, 0.0]))
    >>> weights.tolist()
    [0.55, -0.55]
    """

    learning_rate: float = 0.55
    max_growth: float = 1.75
    weight_decay: float = 0.0

    State, slots = QuickpropState, 2
    rule, coefficients = staticmethod(quickprop_rule), staticmethod(quickprop_coefficients)

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_positive(self.name, "max_growth", self.max_growth)
        require_non_negative(self.name, "weight_decay", self.weight_decay)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.max_growth, self.weight_decay])

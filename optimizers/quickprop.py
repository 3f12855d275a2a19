"""Quickprop (Fahlman 1988): a per-weight secant (parabola) step, capped by a maximum growth factor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import as_step_arrays, require_non_negative, require_positive
from optimizers.registry import register


class QuickpropState(NamedTuple):
    prev_slope: np.ndarray  # S⁻ = −∂E/∂w at the previous step
    prev_update: np.ndarray  # Δw⁻, the last weight change (0 before the first)


@register("quickprop")
@dataclass(frozen=True)
class Quickprop:
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

    needs_loss = False

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_positive(self.name, "max_growth", self.max_growth)
        require_non_negative(self.name, "weight_decay", self.weight_decay)

    def init(self, weights) -> QuickpropState:
        zeros = np.zeros_like(np.asarray(weights, dtype=np.float64))
        return QuickpropState(zeros, zeros)

    def step(self, weights, grad, state: QuickpropState, loss=None):
        weights, grad = as_step_arrays(self.name, weights, grad)
        slope = -grad if self.weight_decay == 0 else -grad - self.weight_decay * weights
        prev_slope, prev_update = state.prev_slope, state.prev_update
        shrink = self.max_growth / (1 + self.max_growth)
        direction = np.sign(prev_update)  # +1, −1, or 0 for "no previous step"
        downhill = slope * direction > 0  # the slope still points the way the last step went
        capped = (slope * direction > shrink * prev_slope * direction) | (slope == prev_slope)
        denominator = np.where(capped, 1.0, prev_slope - slope)
        secant = np.where(capped, self.max_growth * prev_update, slope / denominator * prev_update)
        update = np.where(
            direction == 0,
            self.learning_rate * slope,
            np.where(downhill, self.learning_rate * slope, 0.0) + secant,
        )
        return weights + update, QuickpropState(slope, update)

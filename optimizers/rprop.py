"""Resilient backpropagation (Rprop): one state, one update core, the four published variants.

Symbols, per weight: g = ∂E/∂w now, g⁻ the stored previous gradient, Δ the
step size, Δw⁻ the weight change applied last, E and E⁻ the errors now and at
the previous step, η+ > 1 > η− > 0 the step-size factors.  sign(0) = 0.

Every variant adapts Δ from the sign of p = g⁻·g, then clamps it:

    Δ ← clip(Δ·η+, Δmin, Δmax)   if p > 0
    Δ ← clip(Δ·η−, Δmin, Δmax)   if p < 0
    Δ ← clip(Δ,    Δmin, Δmax)   if p = 0   (so a Δ0 outside the range is clamped
                                             on the first step, as torch.optim.Rprop does)

and, where p ≥ 0, moves by Δw = −sign(g)·Δ.  They differ only on a sign change
(p < 0):

    variant   on p < 0                                           stored g⁻
    rprop+    w ← w − Δw⁻  (undo the last step)                   0  (freeze)
    rprop−    Δw = −sign(g)·Δ with the shrunken Δ                 g
    irprop−   no weight change                                    0
    irprop+   w ← w − Δw⁻ if E > E⁻, else no weight change       0

Freezing (g⁻ = 0) makes the next step take the p = 0 branch, so Δ is not
shrunk twice in a row.

Sources: Riedmiller & Braun, "A direct adaptive method for faster
backpropagation learning: the RPROP algorithm", IEEE ICNN 1993 (rprop+);
Riedmiller, "Advanced supervised learning in multi-layer perceptrons", 1994
(rprop−, irprop−); Igel & Hüsken, "Improving the Rprop learning algorithm",
NC 2000, and Neurocomputing 50:105–123, 2003 (the names, irprop+).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple

import numpy as np

from optimizers.base import require_between, require_non_negative, require_positive, require_real
from optimizers.elementwise import ElementwiseOptimizer, choose, clip, sign
from optimizers.registry import register

NEVER, ALWAYS, IF_ERROR_ROSE = 0, 1, 2
BACKTRACKING = {"never": NEVER, "always": ALWAYS, "if_error_rose": IF_ERROR_ROSE}


class RpropState(NamedTuple):
    """Explicit Rprop state; every array has the weights' shape except ``prev_loss``."""

    step_size: np.ndarray  # Δ per weight
    prev_grad: np.ndarray  # g⁻, 0 after a sign change (freezing)
    prev_update: np.ndarray  # Δw⁻, the weight change applied at the previous step
    prev_loss: np.ndarray  # E⁻ per network, +inf before the first step


def rprop_rule(c, weight, grad, step_size, prev_grad, prev_update, error_rose):
    """One Rprop step of any variant (module docstring): (w, Δ, g⁻, Δw⁻).

    c = (Δ0, η+, η−, Δmin, Δmax, backtracking: NEVER, ALWAYS or IF_ERROR_ROSE, step on a sign change);
    ``error_rose`` is E > E⁻ for irprop+.
    """
    product = prev_grad * grad
    flipped = product < 0
    step_size = clip(step_size * choose(product > 0, c[1], choose(flipped, c[2], 1.0)), c[3], c[4])
    moving_grad = grad if c[6] else choose(flipped, 0.0, grad)
    update = -(step_size * sign(moving_grad))
    undo = flipped & ((c[5] == ALWAYS) | ((c[5] == IF_ERROR_ROSE) & error_rose))
    return weight + choose(undo, -prev_update, update), step_size, moving_grad, choose(undo, 0.0, update)


@dataclass(frozen=True)
class _Rprop(ElementwiseOptimizer):
    """Hyperparameters and the update core shared by the four variants."""

    delta0: float = 0.1
    eta_plus: float = 1.2
    eta_minus: float = 0.5
    delta_min: float = 1e-6
    delta_max: float = 50.0

    name: ClassVar[str]
    backtracking: ClassVar[Literal["never", "always", "if_error_rose"]]
    step_on_sign_change: ClassVar[bool] = False
    needs_loss: ClassVar[bool] = False
    State, slots, rule = RpropState, 3, staticmethod(rprop_rule)

    def __post_init__(self):
        require_positive(self.name, "delta0", self.delta0)
        require_real(self.name, "eta_plus", self.eta_plus)
        if not self.eta_plus > 1:
            raise ValueError(f"{self.name}: eta_plus must be > 1, got {self.eta_plus!r}")
        require_between(self.name, "eta_minus", self.eta_minus, 0.0, 1.0)
        require_non_negative(self.name, "delta_min", self.delta_min)
        require_real(self.name, "delta_max", self.delta_max)
        if not self.delta_max > self.delta_min:
            raise ValueError(f"{self.name}: delta_max must be > delta_min = {self.delta_min!r}, got {self.delta_max!r}")

    def hyperparameter_vector(self) -> np.ndarray:
        rates = [self.delta0, self.eta_plus, self.eta_minus, self.delta_min, self.delta_max]
        return np.array([*rates, BACKTRACKING[self.backtracking], float(self.step_on_sign_change)])

    def initial_slots(self, weights):
        return np.full_like(weights, self.delta0), np.zeros_like(weights), np.zeros_like(weights)


@register("rprop+")
class RpropPlus(_Rprop):
    """Rprop+ (Riedmiller & Braun 1993): Rprop with weight backtracking on every sign change.

    On p = g⁻·g < 0: Δ ← max(Δ·η−, Δmin), w ← w − Δw⁻ (the last step is undone),
    g⁻ ← 0.  Otherwise Δw = −sign(g)·Δ after adapting Δ (module docstring).

    Args: delta0 = Δ0 (0.1, Riedmiller's and SNNS's value), eta_plus = η+ (1.2),
    eta_minus = η− (0.5), delta_min = Δmin (1e-6), delta_max = Δmax (50).

    Source: Riedmiller & Braun, IEEE ICNN 1993, pp. 586–591.

    >>> rprop = RpropPlus(delta0=0.1)
    >>> w, s = rprop.step([0.0, 0.0], [1.0, -1.0], rprop.init([0.0, 0.0]))
    >>> w.tolist()
    [-0.1, 0.1]
    """

    backtracking = "always"


@register("rprop-")
class RpropMinus(_Rprop):
    """Rprop− (Riedmiller 1994): Rprop without backtracking or freezing.

    On every step, Δ is adapted by p = g⁻·g and Δw = −sign(g)·Δ, so on a sign
    change the weight moves back with the shrunken Δ; g⁻ ← g always.

    Args: as `RpropPlus`.

    Source: Riedmiller, "Advanced supervised learning in multi-layer
    perceptrons", 1994; named Rprop− by Igel & Hüsken (2000).

    >>> rprop = RpropMinus()
    >>> rprop.step([0.0, 0.0], [1.0, 0.0], rprop.init([0.0, 0.0]))[0].tolist()
    [-0.1, 0.0]
    """

    backtracking = "never"
    step_on_sign_change = True


@register("irprop+")
class IRpropPlus(_Rprop):
    """iRprop+ (Igel & Hüsken 2000): backtrack on a sign change only if the error rose.

    On p = g⁻·g < 0: Δ ← max(Δ·η−, Δmin); if E > E⁻ (strict, as in Igel's
    code) then w ← w − Δw⁻, else the weight stays put; g⁻ ← 0, Δw⁻ ← 0.
    E⁻ ← E on every step, starting from +inf.  Needs ``loss`` in `step`.

    Args: as `RpropPlus`.

    Source: Igel & Hüsken, NC 2000 and Neurocomputing 50:105–123 (2003);
    Shark's IRpropPlus.

    >>> rprop = IRpropPlus()
    >>> rprop.step([0.0, 0.0], [1.0, 1.0], rprop.init([0.0, 0.0]), loss=0.3)[0].tolist()
    [-0.1, -0.1]
    """

    backtracking = "if_error_rose"
    needs_loss = True


@register("irprop-")
class IRpropMinus(_Rprop):
    """iRprop− (Igel & Hüsken 2000): no weight change on a sign change, no backtracking.

    On p = g⁻·g < 0: Δ ← max(Δ·η−, Δmin), the weight stays put and g⁻ ← 0.
    This is exactly ``torch.optim.Rprop`` (lr = Δ0, etas = (η−, η+),
    step_sizes = (Δmin, Δmax)), including its clamp of Δ0 into [Δmin, Δmax]
    on the first step; torch calls it simply "Rprop".

    Args: as `RpropPlus`.

    Source: Igel & Hüsken, "Improving the Rprop learning algorithm", NC 2000;
    the SNNS ≥ 3.3 Rprop ("the backtracking step is no longer performed").

    >>> rprop = IRpropMinus(delta0=0.1)
    >>> rprop.step([0.0, 0.0], [1.0, 1.0], rprop.init([0.0, 0.0]))[0].tolist()
    [-0.1, -0.1]
    """

    backtracking = "never"

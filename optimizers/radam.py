"""RAdam as torch.optim.RAdam computes it: Adam whose adaptive step is switched on, and rectified, once the
variance of its second moment is tractable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_moment_settings
from optimizers.elementwise import ElementwiseOptimizer, choose, larger, lerp, power
from optimizers.registry import register


class RAdamState(NamedTuple):
    first_moment: np.ndarray  # m per weight
    second_moment: np.ndarray  # v per weight
    count: int  # steps taken, t


def radam_coefficients(hyperparameters, count):
    """(1 − β1, β2, 1 − β2, 1 − β1^t, η, √(1 − β2^t), r_t or 0, ε) from (η, β1, β2, ε): r_t the rectifier where
    ρ_t > 5, else 0 (then the step is plain momentum)."""
    learning_rate, beta1, beta2, eps = hyperparameters[0], hyperparameters[1], hyperparameters[2], hyperparameters[3]
    step = float(count)
    correction2 = 1 - power(beta2, step)
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * step * power(beta2, step) / correction2
    ratio = (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
    rectifier = choose(rho > 5.0, power(larger(ratio, 0.0), 0.5), 0.0)
    correction1 = 1 - power(beta1, step)
    return np.array([1 - beta1, beta2, 1 - beta2, correction1, learning_rate, power(correction2, 0.5), rectifier, eps])


def radam_rule(c, weight, grad, first_moment, second_moment):
    """m ← lerp(m, g, 1 − β1), v ← v·β2 + ((1 − β2)·g)·g, s = (m / (1 − β1^t))·η;
    where ρ_t > 5: s ← (s·((1/(√v + ε))·√(1 − β2^t)))·r_t; w ← w − s (torch's order of operations: its
    number / tensor is the tensor's reciprocal times the number)."""
    first_moment = lerp(first_moment, grad, c[0])
    second_moment = second_moment * c[1] + (c[2] * grad) * grad
    step = (first_moment / c[3]) * c[4]
    if c[6] > 0:
        step = (step * ((1.0 / (np.sqrt(second_moment) + c[7])) * c[5])) * c[6]
    return weight - step, first_moment, second_moment


@register("radam")
@dataclass(frozen=True)
class RAdam(ElementwiseOptimizer):
    """RAdam: Adam that takes plain momentum steps until its second moment is reliable, then rectified ones.

    Symbols: as `Adam`, plus ρ∞ = 2/(1 − β2) − 1, ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t) and the rectifier
    r_t = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)).

        m ← β1·m + (1 − β1)·g,    v ← β2·v + (1 − β2)·g²,    m̂ = m/(1 − β1^t)
        ρ_t > 5:  w ← w − η·m̂ · √(1 − β2^t)/(√v + ε) · r_t
        else:     w ← w − η·m̂

    With torch's β2 = 0.999, ρ_t passes 5 at t = 6: the first five steps are un-normalised momentum
    steps, whose size grows with |g|.

    Args: learning_rate = η (torch's 1e-3), beta1 = β1 (0.9), beta2 = β2 (0.999), eps = ε (1e-8).

    Source: Liu et al., "On the variance of the adaptive learning rate and beyond", ICLR 2020;
    ``torch.optim.RAdam`` (torch 2.13, ``optim/radam.py``, ``_single_tensor_radam``).

    >>> radam = RAdam(learning_rate=0.1)
    >>> radam.step([0.0], [3.0], radam.init([0.0]))[0].round(6).tolist()
    [-0.3]
    """

    learning_rate: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    State, slots = RAdamState, 2
    rule, coefficients = staticmethod(radam_rule), staticmethod(radam_coefficients)
    coefficients_change = True  # the bias corrections and the rectifier

    def __post_init__(self):
        require_moment_settings(self)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.beta1, self.beta2, self.eps])

"""Schedule-Free SGD as ``schedulefree``'s reference implementation computes it: SGD's step on z, the model x
their average, the gradient taken at y."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_unit_interval
from optimizers.elementwise import choose, first_step
from optimizers.registry import register
from optimizers.schedule_free import ScheduleFree, averaged, rate_and_weight


class ScheduleFreeSGDState(NamedTuple):
    z: np.ndarray  # the base sequence, per weight
    x: np.ndarray  # the average: the model
    weight_sum: np.ndarray  # Σω so far, the same in every weight of a network
    count: int  # steps taken, t


def schedule_free_sgd_coefficients(hyperparameters, count):
    """(first step, ω_t, λ, λ ≠ 0, −η_t, β) from (η, β, λ, W, r, p), η_t the warmed-up rate
    (`optimizers.schedule_free`)."""
    learning_rate, decay = hyperparameters[0], hyperparameters[2]
    rate, weight = rate_and_weight(learning_rate, hyperparameters[3], hyperparameters[4], hyperparameters[5], count)
    return np.array([first_step(count, learning_rate), weight, decay, choose(decay != 0.0, 1.0, 0.0), -rate,
                     hyperparameters[1]])  # fmt: skip


def schedule_free_sgd_rule(c, weight, grad, z, x, weight_sum):
    """On the first step z = x = y (the weights given); then g ← g + λ·y (if λ ≠ 0), z ← z + (−η_t)·g and the
    average (`optimizers.schedule_free.averaged`), the reference's operations in its order; the new y is the new
    weight.  c as `schedule_free_sgd_coefficients` gives it."""
    if c[0]:
        z, x = weight, weight
    grad = choose(c[3], grad + c[2] * weight, grad)
    z = z + c[4] * grad
    weight, x, weight_sum = averaged(x, z, weight_sum, c[1], c[5])
    return weight, z, x, weight_sum


@register("schedule-free-sgd")
@dataclass(frozen=True)
class ScheduleFreeSGD(ScheduleFree):
    """Schedule-Free SGD: plain gradient steps on a sequence z, the model x their running average, the gradient
    taken at y between them; no learning-rate schedule.

    Symbols: g = ∇E(y), η the rate (warmed up over the first W steps: η_t), β the interpolation (the
    reference's ``momentum``), λ the weight decay (added to the gradient, at y), ω_t = t^r·η_t^p the
    averaging weights (`optimizers.schedule_free`).

        z ← z − η_t·(g + λ·y)
        x ← (1 − c_t)·x + c_t·z,   c_t = ω_t / Σ_{k≤t} ω_k
        y ← β·x + (1 − β)·z

    With β = 0 the gradient is taken at z: the average of plain gradient descent (Polyak–Ruppert for
    r = 0 and no warm-up).  Measured at x (`evaluation_point`), stepped at y.

    Args: learning_rate = η (the reference's 1.0), momentum = β (0.9), weight_decay = λ (0), warmup_steps = W
    (0), r (0), weight_lr_power = p (2).

    Source: Defazio et al., "The road less scheduled", NeurIPS 2024; ``schedulefree`` 1.4.1
    (``SGDScheduleFreeReference``, ``sgd_schedulefree_reference.py``).

    >>> sf = ScheduleFreeSGD(learning_rate=0.1)
    >>> y, state = sf.step([1.0, 1.0], [2.0, -0.5], sf.init([1.0, 1.0]))  # the first x is the first z
    >>> y, state = sf.step(y, [2.0, -0.5], state)
    >>> y.round(4).tolist(), sf.evaluation_point(y, state).round(4).tolist()  # where it steps, its model
    ([0.69, 1.0775], [0.7, 1.075])
    """

    learning_rate: float = 1.0
    momentum: float = 0.9
    weight_decay: float = 0.0
    warmup_steps: int = 0
    r: float = 0.0
    weight_lr_power: float = 2.0

    State, slots = ScheduleFreeSGDState, 3
    rule, coefficients = staticmethod(schedule_free_sgd_rule), staticmethod(schedule_free_sgd_coefficients)

    def __post_init__(self):
        require_unit_interval(self.name, "momentum", self.momentum)
        super().__post_init__()

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.momentum, self.weight_decay, float(self.warmup_steps), self.r,
                         self.weight_lr_power])  # fmt: skip

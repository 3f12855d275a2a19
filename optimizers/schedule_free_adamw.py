"""Schedule-Free AdamW as ``schedulefree``'s reference implementation computes it: AdamW's step on z, the model x
their average, the gradient taken at y."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_moment_settings
from optimizers.elementwise import choose, first_step, power
from optimizers.registry import register
from optimizers.schedule_free import ScheduleFree, averaged, rate_and_weight


class ScheduleFreeAdamWState(NamedTuple):
    z: np.ndarray  # the base sequence, per weight
    x: np.ndarray  # the average: the model
    second_moment: np.ndarray  # v per weight
    weight_sum: np.ndarray  # Σω so far, the same in every weight of a network
    count: int  # steps taken, t


def schedule_free_adamw_coefficients(hyperparameters, count):
    """(first step, ω_t, η_t·λ, λ ≠ 0, β2, 1 − β2, 1 − β2^t, ε, −η_t, β1) from (η, β1, β2, ε, λ, W, r, p), η_t the
    warmed-up rate (`optimizers.schedule_free`)."""
    h = hyperparameters
    beta1, beta2, decay = h[1], h[2], h[4]
    rate, weight = rate_and_weight(h[0], h[5], h[6], h[7], count)
    return np.array([first_step(count, beta1), weight, rate * decay, choose(decay != 0.0, 1.0, 0.0), beta2,
                     1.0 - beta2, 1.0 - power(beta2, float(count)), h[3], -rate, beta1])  # fmt: skip


def schedule_free_adamw_rule(c, weight, grad, z, x, second_moment, weight_sum):
    """On the first step z = x = y (the weights given); then, the reference's operations in its order:
    z ← z − (η_t·λ)·y (if λ ≠ 0), v ← v·β2 + ((1 − β2)·g)·g, z ← z + ((−η_t)·g) / (√(v / (1 − β2^t)) + ε),
    and the average (`optimizers.schedule_free.averaged`); the new y is the new weight.  c as
    `schedule_free_adamw_coefficients` gives it."""
    if c[0]:
        z, x = weight, weight
    z = choose(c[3], z - c[2] * weight, z)
    second_moment = second_moment * c[4] + (c[5] * grad) * grad
    z = z + (c[8] * grad) / (np.sqrt(second_moment / c[6]) + c[7])
    weight, x, weight_sum = averaged(x, z, weight_sum, c[1], c[9])
    return weight, z, x, second_moment, weight_sum


@register("schedule-free-adamw")
@dataclass(frozen=True)
class ScheduleFreeAdamW(ScheduleFree):
    """Schedule-Free AdamW: Adam's normalised step on a sequence z, the model x the running average of z,
    the gradient taken at y between them; no learning-rate schedule.

    Symbols: g = ∇E(y), v the running mean of g², η the rate (warmed up over the first W steps: η_t),
    β1 the interpolation, β2 v's decay, ε, λ the weight decay, ω_t = t^r·η_t^p the averaging weights
    (`optimizers.schedule_free`).

        z ← z − η_t·λ·y
        v ← β2·v + (1 − β2)·g²
        z ← z − η_t·g / (√(v / (1 − β2^t)) + ε)
        x ← (1 − c_t)·x + c_t·z,   c_t = ω_t / Σ_{k≤t} ω_k
        y ← β1·x + (1 − β1)·z

    E, success, held-out errors and drawn paths are measured at x (`evaluation_point`); the gradient is
    taken at y, the weights the step returns.  Unlike AdamW there is no first moment: β1 moves y instead.

    Args: learning_rate = η (the reference's 0.0025), beta1 = β1 (0.9), beta2 = β2 (0.999), eps = ε (1e-8),
    weight_decay = λ (0), warmup_steps = W (0), r (0), weight_lr_power = p (2).

    Source: Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, "The road less scheduled", NeurIPS 2024;
    ``schedulefree`` 1.4.1 (``AdamWScheduleFreeReference``, ``adamw_schedulefree_reference.py``).

    >>> sf = ScheduleFreeAdamW(learning_rate=0.1)
    >>> y, state = sf.step([1.0, 1.0], [2.0, -0.5], sf.init([1.0, 1.0]))  # the first x is the first z
    >>> y, state = sf.step(y, [2.0, -0.5], state)
    >>> y.round(4).tolist(), sf.evaluation_point(y, state).round(4).tolist()  # where it steps, its model
    ([0.845, 1.155], [0.85, 1.15])
    """

    learning_rate: float = 0.0025
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    warmup_steps: int = 0
    r: float = 0.0
    weight_lr_power: float = 2.0

    State, slots = ScheduleFreeAdamWState, 4
    rule, coefficients = staticmethod(schedule_free_adamw_rule), staticmethod(schedule_free_adamw_coefficients)

    def __post_init__(self):
        require_moment_settings(self)
        super().__post_init__()

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.beta1, self.beta2, self.eps, self.weight_decay,
                         float(self.warmup_steps), self.r, self.weight_lr_power])  # fmt: skip

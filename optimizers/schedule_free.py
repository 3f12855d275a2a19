"""What Schedule-Free AdamW and SGD share: the averaging weights, the average x and the gradient point y.

Schedule-Free replaces a decaying learning-rate schedule by an average.  Three
sequences run side by side (Defazio et al., "The road less scheduled",
NeurIPS 2024, Algorithm 1; ``schedulefree`` 1.4.1, ``*_schedulefree_reference.py``):

    z   the base optimizer's iterates (SGD's or AdamW's step, its gradient taken at y)
    x   their weighted average, the model: x ← (1 − c)·x + c·z with c = ω_t / Σ_{k≤t} ω_k
    y   where the gradient is taken: y = β·x + (1 − β)·z

with weights ω_t = t^r·(η_max,t)^p (p = 2 by default), η_max,t the largest warmed-up rate so far:
during a warm-up of W steps the rate is η·t/W, so the early, short steps count little in the
average.  The optimizer steps y (the weights it is given and returns) and keeps z, x and the
running sum Σω in its state (the sum in every weight of a network, so that each network of a
population has its own when its rate is its own); the arena measures x
(`optimizers.base.evaluation_point`).  Before the first step z = x = y = the initial weights.
"""

from __future__ import annotations

from typing import ClassVar

from optimizers.base import require_non_negative, require_positive, require_real
from optimizers.elementwise import ElementwiseOptimizer, choose, larger, power, shared


@shared
def rate_and_weight(learning_rate, warmup_steps, polynomial_power, rate_power, count):
    """(η_t, ω_t) of step ``count``: η_t = η·t/W during the first W steps, then η (``schedulefree``'s ``sched``;
    W = 0: no warm-up), and ω_t = t^r·η_t^p, the weight of step t's z in the average x (η_t never decreases,
    so that it is also the largest so far)."""
    step = float(count)
    rate = choose(step - 1.0 < warmup_steps, learning_rate * (step / larger(warmup_steps, 1.0)), learning_rate)
    return rate, power(step, polynomial_power) * power(rate, rate_power)


@shared
def averaged(x, z, weight_sum, weight, beta):
    """Σω ← Σω + ω_t, c = ω_t / Σω, x ← x·(1 − c) + c·z, y = x·β + (1 − β)·z: (y, x, Σω), in the reference's
    order of operations (``x.mul_(1 - ckp1).add_(z, alpha=ckp1)``, ``x.mul(beta1).add_(z, alpha=1 - beta1)``)."""
    weight_sum = weight_sum + weight
    fraction = weight / weight_sum
    x = x * (1.0 - fraction) + fraction * z
    return x * beta + (1.0 - beta) * z, x, weight_sum


def require_averaging_settings(optimizer) -> None:
    """The checks both Schedule-Free optimizers make on the rate, the decay and the averaging weights."""
    require_positive(optimizer.name, "learning_rate", optimizer.learning_rate)
    require_non_negative(optimizer.name, "weight_decay", optimizer.weight_decay)
    steps = optimizer.warmup_steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"{optimizer.name}: warmup_steps must be a whole number >= 0, got {steps!r}")
    require_real(optimizer.name, "r", optimizer.r)
    require_non_negative(optimizer.name, "weight_lr_power", optimizer.weight_lr_power)


class ScheduleFree(ElementwiseOptimizer):
    """What Schedule-Free AdamW and SGD declare alike: coefficients that change every step, the model in the
    state array x (slot 1), no learning-rate schedule, and the checks of `require_averaging_settings`."""

    coefficients_change = True
    evaluated_slot: ClassVar[int] = 1  # x
    schedulable = False
    why_no_schedule = "Schedule-Free replaces the schedule by its average; it warms up by its own warmup_steps"

    def __post_init__(self):
        require_averaging_settings(self)

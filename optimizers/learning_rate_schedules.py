"""Learning-rate schedules, step by step as torch.optim.lr_scheduler computes them, for any optimizer with a
learning rate.

A schedule multiplies the optimizer's learning rate η step by step over a run of T steps (its kind and its
fractions are what a spec declares; the experiment knows T):

    constant                 η at every step (no schedule)
    warmup-cosine            linear warm-up from s·η to η over the first W = round(warmup·T) steps, then cosine
                             decay to 0 over the rest: torch's SequentialLR([LinearLR(s, 1, W),
                             CosineAnnealingLR(T − W)], milestones=[W]), AlgoPerf's baselines' shape
    linear-decay             from η down to 0 at step T + 1: torch's LinearLR(1, 0, T)
    warmup-stable-decay      warm-up over W steps, η until the last D = round(decay·T), linear decay to 0 over
                             those: SequentialLR([LinearLR(s, 1, W), LinearLR(1, 1, 1), LinearLR(1, 0, D)],
                             milestones=[W, T − D]) (WSD: Hu et al., MiniCPM, 2024)

torch computes each rate from the previous one (its "chainable" form), not from η, so the rates here do too,
operation by operation: they equal torch's to the bit (tests/optimizers/test_learning_rate_schedules.py), so an
optimizer under a schedule retraces torch's optimizer under torch's scheduler.  The rate for step t is the one
torch's optimizer uses after t − 1 calls of ``scheduler.step()``.

`Scheduled` puts a schedule on an optimizer whose update is an elementwise rule with a learning rate (or on a
`PerNetwork` of them, each network with its own η); its state carries the step count and the current rate.

>>> import numpy as np, optimizers
>>> schedule = LearningRateSchedule("warmup-cosine", warmup=0.25)
>>> [round(float(rate), 4) for rate in schedule.rates(1.0, total_steps=8)]
[0.01, 0.505, 1.0, 0.933, 0.75, 0.5, 0.25, 0.067]
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import evaluation_point, require_positive, require_real

KINDS = ("constant", "warmup-cosine", "linear-decay", "warmup-stable-decay")
FIELDS = ("warmup", "decay", "start_factor")  # what a tuning space may draw, beside the optimizer's hyperparameters


@dataclass(frozen=True)
class LearningRateSchedule:
    """A schedule's kind and fractions (module docstring): ``warmup`` and ``decay`` are fractions of the run's
    steps, ``start_factor`` = s the first warm-up step's multiple of η (torch's LinearLR needs s > 0)."""

    kind: str = "constant"
    warmup: float = 0.05
    decay: float = 0.2
    start_factor: float = 0.01

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"learning_rate_schedule must be one of {', '.join(KINDS)}, got {self.kind!r}")
        for name in ("warmup", "decay"):
            if not 0 <= require_real("learning_rate_schedule", name, getattr(self, name)) < 1:
                raise ValueError(f"learning_rate_schedule: {name} must be in [0, 1), got {getattr(self, name)!r}")
        if self.warmup + self.decay >= 1 and self.kind == "warmup-stable-decay":
            raise ValueError(f"learning_rate_schedule: warmup + decay must be < 1, got {self.warmup + self.decay:g}")
        require_positive("learning_rate_schedule", "start_factor", self.start_factor)
        if self.start_factor > 1:
            raise ValueError(f"learning_rate_schedule: start_factor must be in (0, 1], got {self.start_factor!r}")

    @property
    def label(self) -> str:
        """How results name it: '' for constant, else e.g. 'warmup-cosine(warmup=0.05)' (the start factor where it
        is not the default 0.01)."""
        if self.kind == "constant":
            return ""
        if self.kind == "linear-decay":
            return "linear-decay"
        fractions = f"warmup={self.warmup:g}" + (
            f", decay={self.decay:g}" if self.kind == "warmup-stable-decay" else ""
        )
        fractions += f", start_factor={self.start_factor:g}" if self.start_factor != 0.01 else ""
        return f"{self.kind}({fractions})"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "warmup": self.warmup, "decay": self.decay, "start_factor": self.start_factor}

    @classmethod
    def from_entry(cls, entry, where: str = "learning_rate_schedule") -> LearningRateSchedule:
        """A schedule from a spec's entry: its kind (``"warmup-cosine"``) or a table
        (``{ kind = "warmup-cosine", warmup = 0.1 }``), or a one-line ValueError naming what is allowed.

        >>> LearningRateSchedule.from_entry({"kind": "warmup-stable-decay", "decay": 0.1}).label
        'warmup-stable-decay(warmup=0.05, decay=0.1)'
        """
        if isinstance(entry, str):
            entry = {"kind": entry}
        if not isinstance(entry, dict):
            raise ValueError(f'{where} must be a kind such as "warmup-cosine" or a table such as '
                             f'{{ kind = "warmup-cosine", warmup = 0.1 }}, got {entry!r}')  # fmt: skip
        allowed = ("kind", "warmup", "decay", "start_factor")
        unknown = sorted(set(entry) - set(allowed))
        if unknown:
            raise ValueError(f"{where} has an unknown key {unknown[0]!r}; allowed: {', '.join(allowed)}")
        return cls(**entry)

    def rate(self, step: int, total_steps: int, previous, base):
        """The learning rate of step ``step`` (1, 2, …) of ``total_steps``, from the rate of the step before
        (``previous``; anything at step 1) and η = ``base`` (a number, or an array: one η per network)."""
        warmup = round(self.warmup * total_steps) if self.kind in ("warmup-cosine", "warmup-stable-decay") else 0
        decay = round(self.decay * total_steps) if self.kind == "warmup-stable-decay" else 0
        n = step - 1  # torch's scheduler.step() calls before this step
        if self.kind == "constant":
            return base
        if self.kind == "linear-decay":
            return _linear(n, previous, base, 1.0, 0.0, total_steps)
        if n < warmup:
            return _linear(n, previous, base, self.start_factor, 1.0, warmup)
        if self.kind == "warmup-cosine":
            return _cosine(n - warmup, previous, base, total_steps - warmup)
        if n < total_steps - decay:
            return base if n == warmup else previous  # the stable stage: LinearLR(1, 1, 1)
        return _linear(n - (total_steps - decay), previous, base, 1.0, 0.0, decay)

    def rates(self, base, total_steps: int) -> list:
        """The rate of every step of a run of ``total_steps``."""
        found, previous = [], base
        for step in range(1, total_steps + 1):
            previous = self.rate(step, total_steps, previous, base)
            found.append(previous)
        return found


def _linear(epoch: int, previous, base, start: float, end: float, total: int):
    """torch's LinearLR(start, end, total) at its ``epoch`` (0: the closed form base·start, as SequentialLR sets
    it at a milestone; then each rate from the one before)."""
    if epoch == 0:
        return base * (start + (end - start) * min(total, 0) / total)
    if epoch > total:
        return previous
    return previous * (1.0 + (end - start) / (total * start + (epoch - 1) * (end - start)))


def _cosine(epoch: int, previous, base, period: int):
    """torch's CosineAnnealingLR(period) to 0 at its ``epoch`` (0: the closed form, η)."""
    if epoch == 0:
        return 0.0 + (base - 0.0) * (1 + math.cos(0 * math.pi / period)) / 2
    if (epoch - 1 - period) % (2 * period) == 0:
        return previous + (base - 0.0) * (1 - math.cos(math.pi / period)) / 2
    ratio = (1 + math.cos(math.pi * epoch / period)) / (1 + math.cos(math.pi * (epoch - 1) / period))
    return ratio * (previous - 0.0) + 0.0


def as_schedule(entry, where: str = "learning_rate_schedule") -> LearningRateSchedule | None:
    """``entry`` (None, a kind, a table or a schedule) as a schedule; None for a constant learning rate."""
    if entry is not None and not isinstance(entry, LearningRateSchedule):
        entry = LearningRateSchedule.from_entry(entry, where)
    return None if entry is None or entry.kind == "constant" else entry


def require_schedulable(optimizer, name: str) -> None:
    """A one-line ValueError unless ``optimizer`` (None: a method without steps) has a learning rate that
    scales its steps (`ElementwiseOptimizer.schedulable`)."""
    if not getattr(optimizer, "schedulable", False):
        why = getattr(optimizer, "why_no_schedule", "it has no learning rate that scales its steps")
        raise ValueError(f"{name}: no learning-rate schedule applies: {why}")


class ScheduledState(NamedTuple):
    inner: object  # the optimizer's own state
    count: int  # steps taken
    learning_rate: object  # the rate of the last step (per network for a PerNetwork)


class Scheduled:
    """``optimizer`` (an elementwise rule with a learning rate, a `PerNetwork` of one, or another optimizer with a
    ``learning_rate`` that scales its steps: Prodigy, Muon, Adafactor) under ``schedule`` over runs of
    ``total_steps`` steps: each step takes the optimizer with η replaced by the schedule's rate (as torch's
    schedulers rewrite a parameter group's ``lr``).  For a `PerNetwork`, ``schedule`` may be a list, one
    schedule per network (a tuning study that draws the warm-up)."""

    def __init__(self, optimizer, schedule, total_steps: int):
        first = getattr(optimizer, "settings", [optimizer])[0]
        require_schedulable(first, first.name)
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
            raise ValueError(
                f"a learning-rate schedule needs the run's steps, a whole number >= 1, got {total_steps!r}"
            )
        self.optimizer, self.schedule, self.total_steps = optimizer, schedule, total_steps
        self.stepper = first  # whose step_with takes the scaled hyperparameters
        self.name, self.needs_loss = first.name, first.needs_loss
        vector = getattr(optimizer, "hyperparameters", None)
        self.hyperparameters = None  # an optimizer without a rule's hyperparameter vector: its learning_rate
        if hasattr(first, "step_with"):
            self.hyperparameters = first.hyperparameter_vector() if vector is None else vector
        self.base = first.learning_rate if self.hyperparameters is None else self.hyperparameters[0]
        self.groups = None  # with one schedule per network: (schedule, its networks) for each distinct schedule
        if isinstance(schedule, (list, tuple)):
            if vector is None or len(schedule) != vector.shape[1]:
                raise ValueError("one learning-rate schedule per network needs a PerNetwork of as many settings")
            distinct = list(dict.fromkeys(schedule))
            self.groups = [(one, np.flatnonzero([s == one for s in schedule])) for one in distinct]

    def init(self, weights) -> ScheduledState:
        return ScheduledState(self.optimizer.init(weights), 0, self.base)

    def step(self, weights, grad, state: ScheduledState, loss=None):
        count = state.count + 1
        if self.groups is None:
            rate = self.schedule.rate(count, self.total_steps, state.learning_rate, self.base)
        else:
            rate = np.empty(self.hyperparameters.shape[1])
            for schedule, rows in self.groups:
                rate[rows] = schedule.rate(count, self.total_steps, state.learning_rate[rows], self.base[rows])
        if self.hyperparameters is None:
            weights, inner = at_rate(self.optimizer, rate).step(weights, grad, state.inner, loss)
        else:
            hyperparameters = self.hyperparameters.copy()
            hyperparameters[0] = rate
            weights, inner = self.stepper.step_with(hyperparameters, weights, grad, state.inner, loss)
        return weights, ScheduledState(inner, count, rate)

    def evaluation_point(self, weights, state: ScheduledState):
        return evaluation_point(self.optimizer, weights, state.inner)

    @property
    def needs_layout(self) -> bool:
        """Whether the optimizer under the schedule steps per weight matrix (`optimizers.layout`)."""
        return getattr(self.optimizer, "needs_layout", False)

    @property
    def layout(self):
        return getattr(self.optimizer, "layout", None)

    def laid_out(self, layout):
        """This schedule over the optimizer laid out by ``layout``."""
        bound = copy.copy(self)
        bound.optimizer = self.optimizer.laid_out(layout)
        bound.stepper = getattr(bound.optimizer, "settings", [bound.optimizer])[0]
        return bound


def at_rate(optimizer, rate: float):
    """``optimizer`` (a frozen dataclass with a ``learning_rate``) with η = ``rate``, everything else (a layout
    included) as it was; unchecked, since the schedule's rates come from a checked η (the last may be 0)."""
    stepped = copy.copy(optimizer)
    object.__setattr__(stepped, "learning_rate", rate)
    return stepped

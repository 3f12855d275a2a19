"""How a population trains, apart from its optimizer, its task and its starting points: one record.

`experiments.running.runner.train_population` and the functions that follow runs (`trace`, `traces`)
take it whole, or its fields by name::

    train_population(optimizer, task, starts, budget=Budget(500), seed=3)
    train_population(optimizer, task, starts, TrainingSetup(Schedule("per-sample"), Budget(500)))
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from experiments.definition.budget import Budget, Targets
from experiments.definition.schedules import Schedule


def default_targets() -> Targets:
    """E − E* ≤ 10⁻¹ down to 10⁻⁸, five per decade, success at 10⁻⁶."""
    return Targets.ladder(1e-1, 1e-8, 5, headline=1e-6)


@dataclass(frozen=True)
class TrainingSetup:
    """The schedule, the budget, the targets, the seed of the sample order, the flat spot, and the reference
    minimum E* (None: the task's own, or 0 where it is unknown)."""

    schedule: Schedule = field(default_factory=Schedule)
    budget: Budget = field(default_factory=Budget)
    targets: Targets = field(default_factory=default_targets)
    seed: int = 0
    flat_spot: object = 0.0  # a number, a (hidden, output) pair or a `network.validation.FlatSpot`
    minimum: float | None = None

    @classmethod
    def of(cls, setup: TrainingSetup | None, caller: str, **fields) -> TrainingSetup:
        """``setup`` (the defaults if None) with ``fields`` replaced; a field it does not have is a one-line
        TypeError naming ``caller`` and the fields there are.  A field given as None keeps its default."""
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [name for name in fields if name not in names]
        if unknown:
            raise TypeError(f"{caller}() got an unexpected argument {unknown[0]!r}; its setup has {', '.join(names)}")
        if setup is not None and not isinstance(setup, cls):
            raise TypeError(f"{caller}()'s setup must be a TrainingSetup, got {setup!r}")
        given = {name: value for name, value in fields.items() if value is not None}
        return dataclasses.replace(setup or cls(), **given)

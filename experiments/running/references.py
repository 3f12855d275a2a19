"""Each task's reference minimum E*, which relative targets (E − E* ≤ τ) are measured from, and where it came from.

As COCO measures f − f_opt, a target is met when E − E* ≤ τ.  E* is

- known: the task says so (0 at a teacher's weights; 0 where the network
  reaches or approaches every target, as on the built-in tasks);
- given: the spec sets ``minimum_error`` for the task;
- found: the lowest E any run of the experiment reached, when neither is
  known (a task without biases' reach, a data file).

A found E* is only known once every run has finished, and a run's targets
decide when it stops.  So an experiment first trains those tasks' units with
absolute targets (E ≤ τ, `explore`): a run stops there only once E ≤ τ_finest,
when E − E* ≤ τ_finest holds too, so every run goes at least as far as it would
against E*, and the lowest E of these runs is E*.  Then the units with a run
that came within the coarsest target of E* are trained again against it
(`to_replay`; the same runs, bit for bit, now recording E − E* hits).  The
others have no relative hit, nothing to stop them earlier, and are final as
they are.  ``--resume`` recomputes E* from every stored unit, new ones
included, and replays what a lower E* changes.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from experiments.definition.spec import ExperimentSpec
from experiments.records import Reference, known


def explore(spec: ExperimentSpec, unit):
    """The unit as first trained: with absolute targets (minimum 0) where its task's E* must be found."""
    if spec.targets.reference == "minimum" and unit.task.minimum_error is None:
        return dataclasses.replace(unit, minimum=0.0)
    return unit


def references(spec: ExperimentSpec, results) -> dict[str, Reference]:
    """Every task's E*: its known one, or the lowest E reached by any run in ``results`` (explored unit results)."""
    found: dict[str, Reference] = {}
    for task in spec.tasks:
        reference = known(task)
        if reference is None:
            reference = _best_found(task.name, [r for r in results if r.unit.task.name == task.name])
        found[task.name] = reference
    return found


def _best_found(task: str, results) -> Reference:
    best, where = math.inf, None
    for result in results:
        errors = result.population.best_error
        if np.isfinite(errors).any() and np.nanmin(errors) < best:
            run = int(np.nanargmin(errors))
            best, where = float(errors[run]), (result.unit, run)
    if where is None:
        return Reference(math.nan, "found", f"no run of task {task!r} kept a finite error")
    unit, run = where
    start = run + (unit.chunk[0] if unit.chunk else 0)
    where = f"the best E of any run: {unit.setting.label}, {unit.schedule.label}, seed {unit.seed}, start {start}"
    return Reference(best, "found", where)


def to_replay(spec: ExperimentSpec, result, reference: Reference) -> bool:
    """Whether an explored unit's result must be trained again against the E* found: a run of it came within the
    coarsest target of E*, so its relative hits (and when it stops) differ from the explored ones."""
    if result.unit.minimum != 0.0 or spec.targets.reference != "minimum" or not reference.value > 0:
        return False  # E* = 0 (or none): the explored runs already measured E − E*
    return bool(np.any(result.population.best_error <= spec.targets.thresholds(reference.value)[0]))

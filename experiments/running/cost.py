"""What a run will cost, said before it starts: its network-epochs at most, and a time measured on a short probe.

A network-epoch is one network trained for one epoch on its task.  A run
costs at most units × starts × max_epochs of them (fewer where runs stop at
their target); the probe trains the first unit's first starts for up to
`PROBE_EPOCHS` epochs, in the same code the run will use, and the rate it
measures turns the bound into a time.  A budget nobody meant (10⁷ epochs for
a quick look) then shows before the minutes go.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

from experiments.definition.initial_points import InitialPoints
from experiments.definition.spec import ExperimentSpec
from experiments.running.units import plan, run_unit

PROBE_EPOCHS, PROBE_STARTS = 1000, 8
LONG = 2e8  # network-epochs: a run that may train this many gets its cost said first (1e8: about 15 s here)


class Cost(NamedTuple):
    network_epochs: int  # at most
    rate: float  # network-epochs per second, measured on the probe
    seconds: float  # network_epochs / rate: the time at most (units running side by side share the cores)


def planned_network_epochs(spec: ExperimentSpec) -> int:
    """units × starts × max_epochs: what the run trains if no run stops before its budget.

    >>> from experiments import load_spec
    >>> planned_network_epochs(load_spec("quick"))  # 120 units × 16 starts × 300 epochs
    576000
    """
    return len(plan(spec)) * spec.initial_points.size * spec.budget.max_epochs


def estimate(spec: ExperimentSpec) -> Cost | None:
    """The run's `Cost`, or None for a run under `LONG` network-epochs (not worth a probe)."""
    planned = planned_network_epochs(spec)
    if planned < LONG:
        return None
    probe = dataclasses.replace(
        spec,
        initial_points=InitialPoints("uniform", PROBE_STARTS, spec.initial_points.low, spec.initial_points.high),
        budget=dataclasses.replace(spec.budget, max_epochs=min(spec.budget.max_epochs, PROBE_EPOCHS)),
    )
    result = run_unit(probe, plan(probe)[0])  # its warm-up compiles first: the rate is the training's
    trained = float((result.population.stop_epoch + 1).sum())
    rate = trained / max(result.wall_time, 1e-6)
    return Cost(planned, rate, planned / rate)


def describe(cost: Cost) -> str:
    """One line for the terminal: the bound, the measured rate and the time they give."""
    minutes, seconds = divmod(math.ceil(cost.seconds), 60)
    hours, minutes = divmod(minutes, 60)
    span = f"{hours} h {minutes} min" if hours else f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    return (
        f"up to {cost.network_epochs:.2g} network-epochs (units × starts × max_epochs); at the "
        f"{cost.rate:.2g} network-epochs/s measured on the first {PROBE_EPOCHS} epochs, up to {span}"
    )

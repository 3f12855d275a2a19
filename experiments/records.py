"""The records a run leaves, in one low module: every layer reads them (running writes them, analysis tabulates
them, plots and the report draw them).

- `PopulationResult`: per run of one population, what happened (the statuses of `STATUSES`);
- `UnitResult`: a unit of work (`experiments.running.units.Unit`) with its population and wall time;
- `Reference`: a task's reference minimum E* and where it came from (`experiments.running.references`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import network
from experiments.definition.budget import Targets

STATUSES = ("converged", "minimum", "flat-spot", "stopped", "diverged", "budget")
STATUS = f"<U{max(map(len, STATUSES))}"  # the dtype of a status array (an object array of them costs twice as much)


@dataclass(frozen=True)
class PopulationResult:
    """Per-run outcomes of one optimizer setting, task, schedule and seed: one entry per initial point."""

    initial_weights: np.ndarray  # (N, P)
    final_weights: np.ndarray  # (N, P) where each run stopped
    final_error: np.ndarray  # (N,) E at the stop epoch
    best_error: np.ndarray  # (N,) the lowest E seen at an epoch boundary
    final_grad_norm: np.ndarray  # (N,) ‖∂E/∂w‖ (full batch) at the final weights
    hit_epochs: np.ndarray  # (N, targets) first epoch with E ≤ E* + target; NaN if never (float32, see HIT_EPOCHS)
    bit_hit_epoch: np.ndarray  # (N,) first epoch meeting the bit criterion; NaN if never or without 0/1 targets
    stop_epoch: np.ndarray  # (N,) the epoch at which the run stopped
    diverged_epoch: np.ndarray  # (N,) the epoch at which divergence was seen; NaN if never
    grad_evaluations: np.ndarray  # (N,) per-sample gradient evaluations spent: stop_epoch · S
    status: np.ndarray  # (N,) one of STATUSES
    history_epochs: np.ndarray  # (K,) log-spaced epochs at which E was recorded
    history: np.ndarray  # (N, K) E at those epochs; NaN after the run stopped (float32, see HISTORY)

    FIELDS = (
        "initial_weights final_weights final_error best_error final_grad_norm hit_epochs bit_hit_epoch stop_epoch "
        "diverged_epoch grad_evaluations status history_epochs history"
    ).split()

    def success_epochs(self, targets: Targets) -> np.ndarray:
        """Per run, the epoch at which it met the success criterion of ``targets``; NaN if it never did."""
        return self.bit_hit_epoch if targets.criterion == "bit" else self.hit_epochs[:, targets.headline_index]


@dataclass(frozen=True)
class UnitResult:
    unit: object  # the `experiments.running.units.Unit` it trained (running is a layer above the records)
    population: PopulationResult
    wall_time: float


KINDS = ("known", "given", "found")


@dataclass(frozen=True)
class Reference:
    """A task's E*, which of `KINDS` it is, and where it came from in words."""

    value: float
    kind: str
    source: str


def known(task: network.Task) -> Reference | None:
    """The task's own E*, or None when it has none (then the runs find it)."""
    if task.minimum_error is None:
        return None
    built_in = network.tasks().get(task.name)
    if task.minimum_weights is not None and task.minimum_error == 0.0:
        return Reference(0.0, "known", "E = 0 at the task's minimum_weights")
    if built_in is not None and built_in.minimum_error == task.minimum_error and built_in.network == task.network:
        return Reference(task.minimum_error, "known", "the network reaches (or approaches) every target")
    return Reference(task.minimum_error, "given", "the spec's minimum_error")

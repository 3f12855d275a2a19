"""Work units: an experiment splits into independent (task, schedule, optimizer setting, seed, chunk) units.

A unit is a pure function of its slice of the spec: its digest names exactly
what determines its runs, so a finished unit can be stored, found again and
reused by ``--resume`` without ever mixing results of different specs.  A chunk
is a slice of the seed's initial points: every run is independent of the
others and the sample orders depend on the seed alone (drawn from
``numpy.random.SeedSequence([seed, stream])``), so the runs come out the same
however the points are chunked and wherever the chunks are trained.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import optimizers
from experiments.definition.schedules import Schedule
from experiments.definition.spec import ExperimentSpec, OptimizerSetting, canonical_json, task_to_dict
from experiments.definition.training_setup import TrainingSetup
from experiments.errors import InputError
from experiments.records import PopulationResult, UnitResult
from experiments.running.evaluators import network_evaluator
from experiments.running.runner import train_population
from experiments.running.scipy_baselines import run_scipy_population
from experiments.running.storage import UNITS, read_npz, write_npz
from network import Task


@dataclass(frozen=True)
class Unit:
    """One population to train: a task, a schedule, an optimizer setting, a seed, and which of its starts."""

    task: Task
    schedule: Schedule
    setting: OptimizerSetting
    seed: int
    chunk: tuple[int, int] | None = None  # initial points [start, stop); None: all of them
    minimum: float | None = None  # the E* its targets are relative to; None: the task's own (see `references`)

    @property
    def label(self) -> str:
        where = f" · starts {self.chunk[0]}–{self.chunk[1] - 1}" if self.chunk else ""
        return f"{self.task.name} · {self.schedule.label} · {self.setting.label} · seed {self.seed}{where}"

    @property
    def population(self) -> tuple:
        """What identifies the population this unit is (a chunk of): everything but the chunk."""
        return (self.task.name, self.schedule, self.setting.label, self.seed)

    def setup(self, spec: ExperimentSpec) -> TrainingSetup:
        """How this unit trains (`ExperimentSpec.setup_for`)."""
        return spec.setup_for(self.setting, self.schedule, self.seed, self.minimum)

    def digest(self, spec: ExperimentSpec) -> str:
        """A hash of everything that determines this unit's runs."""
        spec_dict = spec.to_dict()
        slice_of_spec = {
            "task": task_to_dict(self.task),
            "schedule": self.schedule.to_dict(),
            "optimizer": {
                "name": self.setting.name,
                "hyperparameters": self.setting.hyperparameters,
                "flat_spot": self.setting.flat_spot,
            }
            | ({"flat_spot_units": self.setting.flat_spot_units} if self.setting.flat_spot_units != "all" else {}),
            "seed": self.seed,
            "chunk": list(self.chunk) if self.chunk else None,
            "initial_points": spec_dict["initial_points"],
            "budget": spec_dict["budget"],
            "targets": spec_dict["targets"],
        }
        if self.minimum is not None:
            slice_of_spec["minimum"] = self.minimum
        return hashlib.sha256(canonical_json(slice_of_spec).encode()).hexdigest()[:20]


def plan(spec: ExperimentSpec, chunk_size: int | None = None) -> list[Unit]:
    """Every unit of ``spec``, in table order: task, schedule, optimizer setting, seed, chunk.

    scipy's methods train on the full batch only: they have no per-sample or
    mini-batch form, so those units do not exist, and neither do those of
    seeds that would repeat the first seed's runs (`ExperimentSpec.seeds_for`).
    ``chunk_size`` splits each seed's initial points into chunks of at most
    that many starts.
    """
    size = spec.initial_points.size
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1):
        raise InputError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    chunks = [None] if not chunk_size or chunk_size >= size else [
        (start, min(start + chunk_size, size)) for start in range(0, size, chunk_size)
    ]  # fmt: skip
    return [
        Unit(task, schedule, setting, seed, chunk)
        for task in spec.tasks
        for schedule in spec.schedules
        for setting in spec.optimizers
        for seed in spec.seeds_for(task, schedule)
        for chunk in chunks
        if schedule.kind == "full-batch" or not setting.is_scipy
    ]


def merge_chunks(results: list[UnitResult]) -> list[UnitResult]:
    """One result per population: its chunks' runs joined in order of their starts, wall times added."""
    merged: dict[tuple, list[UnitResult]] = {}
    for result in results:
        merged.setdefault(result.unit.population, []).append(result)
    joined = []
    for parts in merged.values():
        if len(parts) == 1 and parts[0].unit.chunk is None:
            joined.append(parts[0])
            continue
        parts.sort(key=lambda part: part.unit.chunk[0])
        fields = {
            name: np.concatenate([getattr(part.population, name) for part in parts])
            for name in PopulationResult.FIELDS
            if name != "history_epochs"
        }
        population = PopulationResult(**fields, history_epochs=parts[0].population.history_epochs)
        whole = dataclasses.replace(parts[0].unit, chunk=None)
        joined.append(UnitResult(whole, population, sum(part.wall_time for part in parts)))
    return joined


def run_unit(spec: ExperimentSpec, unit: Unit, optimizer=None) -> UnitResult:
    """Train the unit's whole population in one vectorized call.

    ``optimizer`` is the setting's optimizer object, built here when not
    given (a worker process gets it pickled, so optimizers registered in a
    notebook or script work there too).  The unit's wall time leaves out
    numba's compilation (or loading) of the kernels it uses (`warm_up`).
    """
    optimizer = (
        None if unit.setting.is_scipy else optimizer or spec.optimizer_for(unit.setting, unit.task, unit.schedule)
    )
    points = spec.initial_points.points(unit.seed, unit.task.network.size)
    if unit.chunk:
        points = points[unit.chunk[0] : unit.chunk[1]]
    warm_up(spec, unit, optimizer, points[0])
    started = time.perf_counter()
    if optimizer is None:
        population = run_scipy_population(
            unit.setting.name, unit.task, points, spec.budget, spec.targets, minimum=unit.minimum
        )
    else:
        population = train_population(optimizer, unit.task, points, unit.setup(spec))
    return UnitResult(unit, population, time.perf_counter() - started)


def warm_up(spec: ExperimentSpec, unit: Unit, optimizer, start: np.ndarray) -> None:
    """Compile (or load from numba's cache) the code a unit runs, on one start, for one epoch: the compiled network
    and whichever kernel or compiled step trains this optimizer (the 1-1-1 or the layered kernel), so that the
    unit's measured time is training alone.  Only built-in optimizers are run here: a user's is never called."""
    network_evaluator(unit.task, unit.setting.flat_spots)(start[None])
    if optimizer is not None and optimizers.origin_of(unit.setting.name) == "built-in":
        one_epoch = dataclasses.replace(spec.budget, max_epochs=1)
        train_population(optimizer, unit.task, start[None], unit.setup(spec), budget=one_epoch)


def unit_path(out: Path, spec: ExperimentSpec, unit: Unit) -> Path:
    return Path(out) / UNITS / f"{unit.digest(spec)}.npz"


def save_unit(out: Path, spec: ExperimentSpec, result: UnitResult) -> None:
    arrays = {name: getattr(result.population, name) for name in PopulationResult.FIELDS}
    meta = {"label": result.unit.label, "digest": result.unit.digest(spec), "wall_time": result.wall_time}
    write_npz(unit_path(out, spec, result.unit), arrays | {"meta": np.array(json.dumps(meta))})


def load_unit(out: Path, spec: ExperimentSpec, unit: Unit) -> UnitResult | None:
    """The stored result of ``unit``, or None when it is missing or unreadable."""
    path = unit_path(out, spec, unit)
    if not path.is_file():
        return None
    try:
        stored = read_npz(path)
        meta = json.loads(str(stored["meta"]))
        population = PopulationResult(**{name: stored[name] for name in PopulationResult.FIELDS})
    except (OSError, ValueError, KeyError):
        return None
    expected = unit.chunk[1] - unit.chunk[0] if unit.chunk else spec.initial_points.size
    if meta.get("digest") != unit.digest(spec) or len(population.status) != expected:
        return None
    return UnitResult(unit, population, float(meta["wall_time"]))

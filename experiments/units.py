"""Work units: an experiment splits into independent (task, schedule, optimizer setting, seed) units.

A unit is a pure function of its slice of the spec: its digest names exactly
what determines its runs, so a finished unit can be stored, found again and
reused by ``--resume`` without ever mixing results of different specs.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.runner import PopulationResult, train_population
from experiments.schedules import Schedule
from experiments.scipy_baselines import run_scipy_population
from experiments.spec import ExperimentSpec, OptimizerSetting, canonical_json, task_to_dict
from experiments.storage import UNITS, read_npz, write_npz
from network import Task


@dataclass(frozen=True)
class Unit:
    """One population to train: a task, a schedule, an optimizer setting and a seed."""

    task: Task
    schedule: Schedule
    setting: OptimizerSetting
    seed: int

    @property
    def label(self) -> str:
        return f"{self.task.name} · {self.schedule.label} · {self.setting.label} · seed {self.seed}"

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
            },
            "seed": self.seed,
            "initial_points": spec_dict["initial_points"],
            "budget": spec_dict["budget"],
            "targets": spec_dict["targets"],
        }
        return hashlib.sha256(canonical_json(slice_of_spec).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class UnitResult:
    unit: Unit
    population: PopulationResult
    wall_time: float


def plan(spec: ExperimentSpec) -> list[Unit]:
    """Every unit of ``spec``, in table order: task, schedule, optimizer setting, seed.

    scipy's methods train on the full batch only: they have no per-sample or
    mini-batch form, so those units do not exist.
    """
    return [
        Unit(task, schedule, setting, seed)
        for task in spec.tasks
        for schedule in spec.schedules
        for setting in spec.optimizers
        for seed in spec.seeds
        if schedule.kind == "full-batch" or not setting.is_scipy
    ]


def run_unit(spec: ExperimentSpec, unit: Unit, optimizer=None) -> UnitResult:
    """Train the unit's whole population in one vectorized call.

    ``optimizer`` is the setting's optimizer object, built here when not
    given (a worker process gets it pickled, so optimizers registered in a
    notebook or script work there too).
    """
    started = time.perf_counter()
    points = spec.initial_points.points(unit.seed)
    if unit.setting.is_scipy:
        population = run_scipy_population(unit.setting.name, unit.task, points, spec.budget, spec.targets)
    else:
        population = train_population(
            optimizer or unit.setting.build(),
            unit.task,
            points,
            unit.schedule,
            spec.budget,
            spec.targets,
            unit.seed,
            flat_spot=unit.setting.flat_spot,
        )
    return UnitResult(unit, population, time.perf_counter() - started)


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
    if meta.get("digest") != unit.digest(spec) or len(population.status) != spec.initial_points.size:
        return None
    return UnitResult(unit, population, float(meta["wall_time"]))

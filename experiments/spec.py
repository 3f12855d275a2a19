"""The experiment spec: what to train, how, from where, with which optimizers, for how long.

A spec is a TOML (or JSON) file, or the same thing built in Python::

    name = "mine"
    seeds = [0]
    optimizers = "all"                     # or [[optimizers]] tables, see below
    schedules = ["full-batch", "per-sample", { kind = "mini-batch", batch_size = 2 }]

    [[tasks]]
    name = "teacher"                       # a built-in task, or give data inline:
    [[tasks]]
    name = "my-data"
    inputs = [-1.0, 0.5, 2.0]
    targets = [0.2, 0.6, 0.9]              # or teacher = [w_h, w_o] to label the inputs

    [initial_points]
    kind = "uniform"                       # uniform (count, low, high) | grid | list
    count = 500
    low = -10.0
    high = 10.0

    [[optimizers]]
    name = "gd"
    settings = [{ learning_rate = 0.5 }, { learning_rate = 2.0 }]

    [budget]
    max_epochs = 2000

    [targets]                              # a log ladder, or values = [...]
    high = 0.1
    low = 1e-8
    per_decade = 5
    headline = 1e-6

Every key is checked: an unknown one is named together with the allowed ones.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

import network
import optimizers
from experiments.initial_points import InitialPoints
from experiments.schedules import Schedule

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

SPEC_DIRECTORY = Path(__file__).parent / "specs"


@dataclass(frozen=True)
class OptimizerSetting:
    """One optimizer with one set of hyperparameters (the rest keep their defaults)."""

    name: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        optimizers.get(self.name, **self.hyperparameters)  # validates name and values now

    def build(self):
        return optimizers.get(self.name, **self.hyperparameters)

    @property
    def label(self) -> str:
        """``name`` alone, or ``name(key=value, ...)`` when hyperparameters are set."""
        if not self.hyperparameters:
            return self.name
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.hyperparameters.items())})"


@dataclass(frozen=True)
class Budget:
    """When a run stops, and how a failed run is classified."""

    max_epochs: int = 2000
    plateau_gradient: float = 1e-8
    weight_bound: float = 1e6

    def __post_init__(self):
        require_int("budget.max_epochs", self.max_epochs, minimum=1)
        require_positive("budget.plateau_gradient", self.plateau_gradient)
        require_positive("budget.weight_bound", self.weight_bound)


@dataclass(frozen=True)
class Targets:
    """A ladder of error targets, finest last, and the headline target that defines success.

    >>> [f"{target:.3g}" for target in Targets.ladder(1e-1, 1e-3, per_decade=2).values]
    ['0.1', '0.0316', '0.01', '0.00316', '0.001']
    """

    values: tuple[float, ...] = ()
    headline: float | None = None  # default: the finest target

    def __post_init__(self):
        values = tuple(float(require_positive("targets.values", v)) for v in self.values)
        if not values:
            raise ValueError("targets.values must list at least one error target")
        if any(a <= b for a, b in pairwise(values)):
            raise ValueError(f"targets.values must decrease strictly, got {list(values)}")
        headline = values[-1] if self.headline is None else require_positive("targets.headline", self.headline)
        if not any(math.isclose(headline, v, rel_tol=1e-9) for v in values):
            raise ValueError(f"targets.headline {headline!r} must be one of targets.values {list(values)}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "headline", next(v for v in values if math.isclose(headline, v, rel_tol=1e-9)))

    @classmethod
    def ladder(cls, high: float, low: float, per_decade: int = 5, headline: float | None = None) -> Targets:
        """Targets 10^(log10(high) − k/per_decade) from ``high`` down to ``low``."""
        require_positive("targets.high", high)
        require_positive("targets.low", low)
        require_int("targets.per_decade", per_decade, minimum=1)
        if not low < high:
            raise ValueError(f"targets.low must be below targets.high = {high!r}, got {low!r}")
        steps = round(math.log10(high / low) * per_decade)
        exponents = math.log10(high) - np.arange(steps + 1) / per_decade
        values = tuple(float(10.0**e) for e in exponents)
        return cls(values, headline)

    @property
    def headline_index(self) -> int:
        return self.values.index(self.headline)


@dataclass(frozen=True)
class ExperimentSpec:
    """A complete, validated experiment: every run it implies is determined by it and its seeds."""

    name: str
    tasks: tuple[network.Task, ...]
    optimizers: tuple[OptimizerSetting, ...]
    initial_points: InitialPoints = field(default_factory=InitialPoints)
    schedules: tuple[Schedule, ...] = (Schedule("full-batch"),)
    budget: Budget = field(default_factory=Budget)
    targets: Targets = field(default_factory=lambda: Targets.ladder(1e-1, 1e-8, 5, headline=1e-6))
    seeds: tuple[int, ...] = (0,)
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip() or "/" in self.name:
            raise ValueError(f"name must be a non-empty string without '/', got {self.name!r}")
        for key in ("tasks", "optimizers", "schedules", "seeds"):
            value = tuple(getattr(self, key))
            if not value:
                raise ValueError(f"{key} must not be empty")
            object.__setattr__(self, key, value)
        for seed in self.seeds:
            require_int("seeds", seed, minimum=0)
        _require_unique("tasks", [task.name for task in self.tasks])
        _require_unique("optimizers", [setting.label for setting in self.optimizers])
        _require_unique("schedules", [schedule.label for schedule in self.schedules])
        _require_unique("seeds", list(self.seeds))

    def to_dict(self) -> dict:
        """A plain, JSON-ready description that `from_dict` reads back to an equal spec."""
        return {
            "name": self.name,
            "description": self.description,
            "seeds": list(self.seeds),
            "tasks": [task_to_dict(task) for task in self.tasks],
            "schedules": [schedule.to_dict() for schedule in self.schedules],
            "initial_points": self.initial_points.to_dict(),
            "optimizers": [{"name": s.name, "settings": [s.hyperparameters]} for s in self.optimizers],
            "budget": {
                "max_epochs": self.budget.max_epochs,
                "plateau_gradient": self.budget.plateau_gradient,
                "weight_bound": self.budget.weight_bound,
            },
            "targets": {"values": list(self.targets.values), "headline": self.targets.headline},
        }

    def digest(self) -> str:
        """A hash of everything that determines the results."""
        return hashlib.sha256(canonical_json(self.to_dict()).encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict) -> ExperimentSpec:
        """Build and validate a spec from parsed TOML or JSON."""
        keys = _Keys("spec", data, required=("name", "tasks", "optimizers"))
        keys.allow("description", "seeds", "schedules", "initial_points", "budget", "targets")
        budget = _Keys("budget", keys.get("budget", {}))
        budget.allow("max_epochs", "plateau_gradient", "weight_bound")
        return cls(
            name=keys["name"],
            description=keys.get("description", ""),
            tasks=tuple(_task_from(entry, f"tasks[{i}]") for i, entry in enumerate(_list(keys, "tasks"))),
            optimizers=_optimizers_from(keys["optimizers"]),
            initial_points=InitialPoints.from_dict(keys.get("initial_points", {})),
            schedules=tuple(Schedule.from_entry(entry) for entry in _list(keys, "schedules", ["full-batch"])),
            budget=Budget(**budget.data),
            targets=_targets_from(keys.get("targets", {})),
            seeds=tuple(_list(keys, "seeds", [0])),
        )


def load_spec(spec_or_name: str | Path) -> ExperimentSpec:
    """A spec from a .toml or .json file, or a built-in experiment by name.

    >>> load_spec("default").name
    'default'
    """
    path = Path(spec_or_name)
    if path.suffix not in (".toml", ".json"):
        path = SPEC_DIRECTORY / f"{spec_or_name}.toml"
        if not path.is_file():
            raise ValueError(
                f"no spec file or built-in experiment named {str(spec_or_name)!r}; "
                f"built-in: {', '.join(built_in_experiments())}"
            )
    if not path.is_file():
        raise ValueError(f"spec file {str(path)!r} does not exist")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as problem:
        raise ValueError(f"spec file {str(path)!r} is not valid {path.suffix[1:].upper()}: {problem}") from None
    return ExperimentSpec.from_dict(data)


def built_in_experiments() -> list[str]:
    """Names of the experiments shipped in ``experiments/specs``."""
    return sorted(path.stem for path in SPEC_DIRECTORY.glob("*.toml"))


def canonical_json(data) -> str:
    """JSON with sorted keys and exact float reprs: equal data, equal text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def require_int(name: str, value, minimum: int) -> int:
    """Raise unless ``value`` is an integer ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def require_positive(name: str, value) -> float:
    """Raise unless ``value`` is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


class _Keys:
    """A table of a spec, read with one clear error for a missing, unknown or mistyped key."""

    def __init__(self, where: str, data, required: tuple[str, ...] = ()):
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a table, got {data!r}")
        self.where, self.data, self.allowed = where, data, set(required)
        for key in required:
            if key not in data:
                raise ValueError(f"{where} is missing the key {key!r}")

    def allow(self, *keys: str) -> None:
        self.allowed.update(keys)
        unknown = sorted(set(self.data) - self.allowed)
        if unknown:
            raise ValueError(
                f"{self.where} has an unknown key {unknown[0]!r}; allowed: {', '.join(sorted(self.allowed))}"
            )

    def __getitem__(self, key):
        return self.data[key]

    def get(self, key, default=None):
        return self.data.get(key, default)


def _list(keys: _Keys, key: str, default=None) -> list:
    value = keys.get(key, default)
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list, got {value!r}")
    return value


def _task_from(entry, where: str) -> network.Task:
    if isinstance(entry, str):
        return network.get_task(entry)
    keys = _Keys(where, entry, required=("name",))
    keys.allow("description", "inputs", "targets", "teacher", "minimum_weights")
    if "inputs" not in entry:
        if len(entry) > 1:
            raise ValueError(f"{where}: a built-in task takes only a name; inline tasks need inputs")
        return network.get_task(entry["name"])
    description = entry.get("description", "inline task")
    if "teacher" in entry:
        if "targets" in entry:
            raise ValueError(f"{where}: give either targets or teacher, not both")
        return network.Task.from_teacher(entry["name"], description, entry["inputs"], entry["teacher"])
    if "targets" not in entry:
        raise ValueError(f"{where}: an inline task needs targets (or teacher = [w_h, w_o])")
    return network.Task(entry["name"], description, entry["inputs"], entry["targets"], entry.get("minimum_weights"))


def task_to_dict(task: network.Task) -> dict:
    data = {
        "name": task.name,
        "description": task.description,
        "inputs": task.inputs.tolist(),
        "targets": task.targets.tolist(),
    }
    if task.minimum_weights is not None:
        data["minimum_weights"] = task.minimum_weights.tolist()
    return data


def _optimizers_from(entries) -> tuple[OptimizerSetting, ...]:
    if entries == "all":
        return tuple(OptimizerSetting(name) for name in optimizers.available())
    if not isinstance(entries, list):
        raise ValueError(f'optimizers must be "all" or a list of tables, got {entries!r}')
    settings = []
    for i, entry in enumerate(entries):
        keys = _Keys(f"optimizers[{i}]", entry if not isinstance(entry, str) else {"name": entry}, ("name",))
        keys.allow("settings")
        for hyperparameters in keys.get("settings", [{}]):
            if not isinstance(hyperparameters, dict):
                raise ValueError(f"optimizers[{i}].settings must be a list of tables, got {hyperparameters!r}")
            settings.append(OptimizerSetting(keys["name"], dict(hyperparameters)))
    return tuple(settings)


def _targets_from(data) -> Targets:
    keys = _Keys("targets", data)
    keys.allow("values", "high", "low", "per_decade", "headline")
    if "values" in data:
        if {"high", "low", "per_decade"} & set(data):
            raise ValueError("targets: give either values or high/low/per_decade, not both")
        values = data["values"]
        if not isinstance(values, list):
            raise ValueError(f"targets.values must be a list, got {values!r}")
        return Targets(tuple(values), data.get("headline"))
    return Targets.ladder(
        data.get("high", 1e-1), data.get("low", 1e-8), data.get("per_decade", 5), data.get("headline", 1e-6)
    )


def _require_unique(key: str, labels: list) -> None:
    repeated = sorted({label for label in labels if labels.count(label) > 1}, key=str)
    if repeated:
        raise ValueError(f"{key} lists {repeated[0]!r} more than once")

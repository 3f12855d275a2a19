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
    inputs = [-1.0, 0.5, 2.0]              # one column: the article's 1-1-1 network
    targets = [0.2, 0.6, 0.9]              # or teacher = [w_h, w_o] to label the inputs
    [[tasks]]
    name = "my-xor"                        # rows of vectors need a network (see network.Layered)
    inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]
    targets = [[0], [1], [1], [0]]
    network = { sizes = [2, 3, 1], activation = "tanh", output_activation = "sigmoid" }
    [[tasks]]
    name = "from-a-file"                   # named columns of a .csv (header row), .npy or .npz
    file = "data.csv"                      # relative to the spec file
    input_columns = ["x", "y"]
    target_columns = ["label"]
    network = { sizes = [2, 4, 1] }

    [initial_points]
    kind = "uniform"                       # uniform (count, low, high) in [low, high]^P | grid | list
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
    criterion = "error"                    # success: E <= headline; or "bit" (every output within
    bit_margin = 0.4                       # bit_margin of its 0/1 target), for 0/1 tasks

Every key is checked: an unknown one is named together with the allowed ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import network
import optimizers
from experiments.definition.budget import Budget, Targets, require_int
from experiments.definition.data_files import read_columns
from experiments.definition.initial_points import InitialPoints
from experiments.definition.published_results import Published
from experiments.definition.schedules import Schedule
from experiments.definition.scipy_methods import SCIPY_METHODS
from experiments.definition.spec_tables import SpecTable, canonical_json, listed, require_unique
from experiments.definition.training_setup import TrainingSetup
from experiments.definition.tuning import Tuning, sweep_values
from experiments.definition.variants import Variant
from network.validation import ARITHMETICS, FlatSpot, did_you_mean
from optimizers.layout import with_layout
from optimizers.learning_rate_schedules import LearningRateSchedule, Scheduled, as_schedule, require_schedulable

FLAT_SPOT_UNITS = ("all", "output")  # where a setting's flat_spot is added: every non-input unit, or the outputs


@dataclass(frozen=True)
class OptimizerSetting:
    """One optimizer with one set of hyperparameters (the rest keep their defaults).

    ``name`` is a registered optimizer or one of scipy's baselines (`SCIPY_METHODS`).
    ``flat_spot`` = c > 0 trains on σ′ + c instead of σ′ (Fahlman's flat-spot
    elimination), a separate configuration with its own label; E stays exact.
    ``flat_spot_units`` says where: "all" (Fahlman's: every non-input unit) or
    "output" (the output units only, as much of the literature does it).
    ``swept`` names the hyperparameter this setting is one value of, in a
    sweep (`experiments.definition.tuning`); the others are its fixed part.
    ``arithmetic`` is how the gradient forms f′ and t − r: "exact" (optarena's),
    "period" (r·(1 − r) and t − r from the rounded output, as the codes of
    1986–1993 did) or "period-single" (the same in float32, as SNNS ran);
    `network.validation.FlatSpot` says what each computes.  E stays exact.
    ``learning_rate_schedule`` scales the learning rate step by step over the run
    (`optimizers.learning_rate_schedules`; None: constant), a configuration with its own label.
    """

    name: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    flat_spot: float = 0.0
    swept: str | None = None
    flat_spot_units: str = "all"
    arithmetic: str = "exact"
    learning_rate_schedule: LearningRateSchedule | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f'an optimizer\'s name must be a non-empty string such as "adam", got {self.name!r}')
        if not isinstance(self.hyperparameters, dict):
            raise ValueError(f"{self.name}: hyperparameters must be a table, got {self.hyperparameters!r}")
        if self.swept is not None and self.swept not in self.hyperparameters:
            raise ValueError(f"{self.name}: the swept hyperparameter {self.swept!r} has no value in this setting")
        if self.is_scipy:
            if self.hyperparameters:
                raise ValueError(f"{self.name} takes no hyperparameters, got {sorted(self.hyperparameters)}")
        elif not optimizers.is_known(self.name):
            names = [*optimizers.available(), *SCIPY_METHODS]
            raise ValueError(
                f"unknown optimizer {self.name!r}{did_you_mean(self.name, names)}; available: {', '.join(names)}, "
                "and torch:CLASS (a plugin's "
                "optimizer needs its package installed; your own module's, --import MODULE or imports = [...])"
            )
        else:
            optimizers.get(self.name, **self.hyperparameters)  # validates the values now
        if isinstance(self.flat_spot, bool) or not isinstance(self.flat_spot, (int, float)):
            raise ValueError(f"flat_spot must be a number >= 0, got {self.flat_spot!r}")
        if not (math.isfinite(self.flat_spot) and self.flat_spot >= 0):
            raise ValueError(f"flat_spot must be a number >= 0, got {self.flat_spot!r}")
        if self.is_scipy and self.flat_spot:
            raise ValueError(f"{self.name} minimizes the exact E; flat_spot applies to the step-wise optimizers only")
        if self.flat_spot_units not in FLAT_SPOT_UNITS:
            raise ValueError(
                f"flat_spot_units must be one of {', '.join(FLAT_SPOT_UNITS)}, got {self.flat_spot_units!r}"
            )
        if not self.flat_spot:  # no offset anywhere: where it would go does not matter
            object.__setattr__(self, "flat_spot_units", "all")
        if self.arithmetic not in ARITHMETICS:
            raise ValueError(f"arithmetic must be one of {', '.join(ARITHMETICS)}, got {self.arithmetic!r}")
        if self.is_scipy and self.arithmetic != "exact":
            raise ValueError(f"{self.name} minimizes the exact E; arithmetic applies to the step-wise optimizers only")
        schedule = as_schedule(self.learning_rate_schedule, f"{self.name}: learning_rate_schedule")
        object.__setattr__(self, "learning_rate_schedule", schedule)
        if schedule is not None:
            require_schedulable(None if self.is_scipy else self.build_step(), self.name)

    @property
    def flat_spots(self) -> FlatSpot:
        """The offsets the training gradient adds to f′ at the hidden and at the output units.

        >>> OptimizerSetting("gd", flat_spot=0.1, flat_spot_units="output").flat_spots
        FlatSpot(hidden=0.0, output=0.1, arithmetic=0)
        """
        hidden = 0.0 if self.flat_spot_units == "output" else float(self.flat_spot)
        return FlatSpot(hidden, float(self.flat_spot), ARITHMETICS.index(self.arithmetic))

    @property
    def _flat_spot_label(self) -> str:
        """`` [σ′+c]`` (every unit), `` [σ′+c at outputs]``, with the period arithmetic `` [σ′+c, o(1−o)]`` or
        `` [o(1−o) in float32]``, or nothing for the exact gradient."""
        parts = [f"σ′+{self.flat_spot:g}{' at outputs' if self.flat_spot_units == 'output' else ''}"] * bool(
            self.flat_spot
        )
        parts += {"exact": [], "period": ["o(1−o)"], "period-single": ["o(1−o) in float32"]}[self.arithmetic]
        parts += [self.learning_rate_schedule.label] if self.learning_rate_schedule else []
        return f" [{', '.join(parts)}]" if parts else ""

    @property
    def is_scipy(self) -> bool:
        return self.name in SCIPY_METHODS

    def build_step(self):
        """The optimizer with these hyperparameters, without its learning-rate schedule."""
        return optimizers.get(self.name, **self.hyperparameters)

    def build(self, total_steps: int | None = None):
        """The optimizer, under its learning-rate schedule over runs of ``total_steps`` steps if it has one
        (`ExperimentSpec.optimizer_for` knows them)."""
        if self.learning_rate_schedule is None:
            return self.build_step()
        if total_steps is None:
            raise ValueError(f"{self.label}: a learning-rate schedule needs the run's number of steps")
        return Scheduled(self.build_step(), self.learning_rate_schedule, total_steps)

    @property
    def swept_value(self) -> float | None:
        """The value this setting gives the swept hyperparameter (None outside a sweep)."""
        return None if self.swept is None else self.hyperparameters[self.swept]

    @property
    def group(self) -> str:
        """The sweep this setting belongs to: its name, the fixed hyperparameters and the flat spot, with ``key=·``.

        >>> OptimizerSetting("momentum", {"learning_rate": 0.5, "momentum": 0.9}, swept="learning_rate").group
        'momentum(learning_rate=·, momentum=0.9)'
        """
        fixed = {k: ("·" if k == self.swept else repr(v)) for k, v in self.hyperparameters.items()}
        label = self.name + (f"({', '.join(f'{k}={v}' for k, v in fixed.items())})" if fixed else "")
        return label + self._flat_spot_label

    def to_dict(self) -> dict:
        """The setting as one ``[[optimizers]]`` table of a spec, read back by `experiments.load_spec`."""
        data = {"name": self.name, "settings": [self.hyperparameters]}
        return (
            data
            | ({"flat_spot": self.flat_spot} if self.flat_spot else {})
            | ({"flat_spot_units": self.flat_spot_units} if self.flat_spot_units != "all" else {})
            | ({"swept": self.swept} if self.swept else {})
            | ({"arithmetic": self.arithmetic} if self.arithmetic != "exact" else {})
            | ({"learning_rate_schedule": self.learning_rate_schedule.to_dict()} if self.learning_rate_schedule else {})
        )

    @property
    def label(self) -> str:
        """``name``, ``name(key=value, ...)`` with hyperparameters, and `` [σ′+c]`` with a flat-spot offset."""
        label = self.name
        if self.hyperparameters:
            label += f"({', '.join(f'{k}={v!r}' for k, v in self.hyperparameters.items())})"
        return label + self._flat_spot_label


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
    tuning: Tuning = field(default_factory=Tuning)
    published: Published | None = None
    variants: tuple[Variant, ...] = ()
    imports: tuple[str, ...] = ()  # modules that register optimizers (`optimizers.import_modules`)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip() or "/" in self.name:
            raise ValueError(f"name must be a non-empty string without '/', got {self.name!r}")
        imports = self.imports if isinstance(self.imports, (list, tuple)) else [self.imports]
        if not all(isinstance(module, str) and module for module in imports):
            raise ValueError(f"imports must list module names or .py files, got {self.imports!r}")
        object.__setattr__(self, "imports", tuple(imports))
        optimizers.import_modules(self.imports)
        for key in ("tasks", "optimizers", "schedules", "seeds"):
            value = tuple(getattr(self, key))
            if not value:
                raise ValueError(f"{key} must not be empty")
            object.__setattr__(self, key, value)
        for seed in self.seeds:
            require_int("seeds", seed, minimum=0)
        require_unique("tasks", [task.name for task in self.tasks])
        require_unique("optimizers", [setting.label for setting in self.optimizers])
        require_unique("schedules", [schedule.label for schedule in self.schedules])
        require_unique("seeds", list(self.seeds))
        object.__setattr__(self, "variants", tuple(self.variants))
        require_unique("variants", [variant.slug for variant in self.variants])
        self._check_published_and_variants()
        if all(setting.is_scipy for setting in self.optimizers) and all(
            schedule.kind != "full-batch" for schedule in self.schedules
        ):
            raise ValueError(
                "this spec trains nothing: scipy's methods train the full batch only, and its schedules are "
                f'{", ".join(schedule.label for schedule in self.schedules)}; add "full-batch" to schedules'
            )
        for task in self.tasks:
            self.initial_points.check(task)
            for schedule in self.schedules:
                schedule.check(task)
            if self.targets.criterion == "bit" and not task.binary:
                low, high = task.network.output_range
                raise ValueError(
                    f"targets.criterion = 'bit' needs targets at the ends of the output range ({low:g} or "
                    f"{high:g}); task {task.name!r} has others, such as {_not_binary(task):g}"
                )

    def _check_published_and_variants(self) -> None:
        """Every published result names a task and a sweep (or a setting) of this spec; variants have sweeps."""
        tasks = {task.name for task in self.tasks}
        for result in self.published.results if self.published else ():
            where = f"published result {result.algorithm!r} on {result.task!r}"
            if result.task not in tasks:
                raise ValueError(f"{where}: the spec has no task {result.task!r}; its tasks: {', '.join(tasks)}")
            if result.swept is not None:
                if not any(s.name == result.optimizer and s.swept == result.swept for s in self.optimizers):
                    raise ValueError(f"{where}: the spec has no sweep of {result.optimizer}'s {result.swept}")
            elif not any(s.name == result.optimizer and result.matches(s.hyperparameters) for s in self.optimizers):
                raise ValueError(f"{where}: the spec has no setting {result.optimizer}({result.setting})")
        swept = [setting for setting in self.optimizers if setting.swept is not None]
        if self.variants and not swept:
            raise ValueError("variants rerun the best settings of the spec's sweeps, and this spec has no sweep")
        for variant in self.variants:
            try:
                variant.apply(self, swept[:1])
            except ValueError as problem:
                raise ValueError(f"variant {variant.name!r}: {problem}") from None

    def optimizer_for(self, setting: OptimizerSetting, task: network.Task, schedule: Schedule | None = None):
        """``setting``'s optimizer as it trains ``task`` in ``schedule`` (the spec's first by default): under its
        learning-rate schedule, if it has one, over the budget's steps; laid out for the task's network if it
        steps per weight matrix (`optimizers.layout`)."""
        steps = self.budget.max_epochs * (schedule or self.schedules[0]).updates_per_epoch(task.samples)
        return with_layout(setting.build(steps), task.network)

    def setup_for(self, setting: OptimizerSetting, schedule: Schedule | None = None, seed: int | None = None,
                  minimum: float | None = None) -> TrainingSetup:  # fmt: skip
        """How ``setting`` trains in this spec: on ``schedule`` with ``seed`` (the spec's first of each by default),
        with its budget and targets, the setting's flat spot, the targets relative to ``minimum``."""
        return TrainingSetup(schedule or self.schedules[0], self.budget, self.targets,
                             self.seeds[0] if seed is None else seed, setting.flat_spots, minimum)  # fmt: skip

    def to_dict(self) -> dict:
        """A plain, JSON-ready description that `from_dict` reads back to an equal spec."""
        return {
            "name": self.name,
            "description": self.description,
            "seeds": list(self.seeds),
            "tasks": [task_to_dict(task) for task in self.tasks],
            "schedules": [schedule.to_dict() for schedule in self.schedules],
            "initial_points": self.initial_points.to_dict(),
            "optimizers": [setting.to_dict() for setting in self.optimizers],
            "budget": {
                "max_epochs": self.budget.max_epochs,
                "plateau_gradient": self.budget.plateau_gradient,
                "weight_bound": self.budget.weight_bound,
            },
            "targets": targets_to_dict(self.targets),
        } | (
            ({"tuning": self.tuning.to_dict()} if self.tuning != Tuning() else {})
            | ({"published": self.published.to_dict()} if self.published else {})
            | ({"variants": [variant.to_dict() for variant in self.variants]} if self.variants else {})
            | ({"imports": list(self.imports)} if self.imports else {})
        )

    def seeds_for(self, task: network.Task, schedule: Schedule) -> tuple[int, ...]:
        """The seeds whose runs on ``task`` under ``schedule`` differ: all of them, or only the first.

        A seed draws the random initial points and the sample orders.  Grid
        and listed starts do not depend on it, and neither does a full-batch
        run (nor any run on a one-sample task), so there every seed would
        repeat the first one's runs bit for bit: they are trained and counted
        once, not once per seed.
        """
        deterministic = self.initial_points.kind != "uniform" and (schedule.kind == "full-batch" or task.samples == 1)
        return self.seeds[:1] if deterministic else self.seeds

    def digest(self) -> str:
        """A hash of everything that determines the results."""
        return hashlib.sha256(canonical_json(self.to_dict()).encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict, base: Path | None = None) -> ExperimentSpec:
        """Build and validate a spec from parsed TOML or JSON; data files are found relative to ``base``."""
        keys = SpecTable("spec", data, required=("name", "tasks", "optimizers"))
        keys.allow(
            "description",
            "seeds",
            "schedules",
            "initial_points",
            "budget",
            "targets",
            "tuning",
            "published",
            "variants",
            "imports",
        )
        imports = [_imported(module, base) for module in listed(keys, "imports", [])]
        optimizers.import_modules(imports)  # before the optimizers are looked up
        tuning = SpecTable("tuning", keys.get("tuning", {}))
        tuning.allow("statistic", "wr_factor")
        budget = SpecTable("budget", keys.get("budget", {}))
        budget.allow("max_epochs", "plateau_gradient", "weight_bound")
        return cls(
            name=keys["name"],
            description=keys.get("description", ""),
            tasks=tuple(_task_from(entry, f"tasks[{i}]", base) for i, entry in enumerate(listed(keys, "tasks"))),
            optimizers=_optimizers_from(keys["optimizers"]),
            initial_points=InitialPoints.from_dict(keys.get("initial_points", {})),
            schedules=tuple(Schedule.from_entry(entry) for entry in listed(keys, "schedules", ["full-batch"])),
            budget=Budget(**budget.data),
            targets=_targets_from(keys.get("targets", {})),
            seeds=tuple(listed(keys, "seeds", [0])),
            tuning=Tuning(**tuning.data),
            published=_published_from(keys.get("published"), base),
            variants=tuple(
                Variant.from_dict(entry, f"variants[{i}]") for i, entry in enumerate(listed(keys, "variants", []))
            ),
            imports=tuple(imports),
        )


def _imported(module, base: Path | None) -> str:
    """A spec's ``imports`` entry: a module name, or a .py file relative to the spec's folder."""
    if not isinstance(module, str) or not module:
        raise ValueError(f"imports must list module names or .py files, got {module!r}")
    if module.endswith(".py") and base is not None and not Path(module).is_absolute():
        return str((base / module).resolve())
    return module


def _task_from(entry, where: str, base: Path | None = None) -> network.Task:
    if isinstance(entry, str):
        return network.get_task(entry)
    keys = SpecTable(where, entry, required=("name",))
    keys.allow(
        "description", "inputs", "targets", "teacher", "minimum_weights", "minimum_error", "network", "file",
        "input_columns", "target_columns",
    )  # fmt: skip
    task = _task_data_from(entry, where, base)
    if "minimum_error" in entry:
        return dataclasses.replace(task, minimum_error=entry["minimum_error"])
    return task


def _task_data_from(entry: dict, where: str, base: Path | None) -> network.Task:
    net = network.Layered.from_dict(entry["network"], f"{where}.network") if "network" in entry else None
    if "inputs" not in entry and "file" not in entry:
        if set(entry) - {"name", "network", "minimum_error"}:
            raise ValueError(
                f"{where}: a built-in task takes only a name (and a network, a minimum_error); inline tasks need inputs"
            )
        task = network.get_task(entry["name"])
        return task if net is None else dataclasses.replace(task, network=net, minimum_weights=None, minimum_error=None)
    description = entry.get("description", "inline task")
    if "file" in entry:
        if {"inputs", "targets", "teacher"} & set(entry):
            raise ValueError(f"{where}: give either a data file or inline inputs, not both")
        missing = [key for key in ("input_columns", "target_columns") if key not in entry]
        if missing:
            raise ValueError(f"{where}: a data file needs {' and '.join(missing)} (lists of column names)")
        path = Path(entry["file"]) if base is None else base / entry["file"]
        inputs, targets, _ = read_columns(path, entry["input_columns"], entry["target_columns"])
        return network.Task(entry["name"], entry.get("description", f"data from {path.name}"), inputs, targets,
                            network=net)  # fmt: skip
    if "teacher" in entry:
        if "targets" in entry:
            raise ValueError(f"{where}: give either targets or teacher, not both")
        return network.Task.from_teacher(entry["name"], description, entry["inputs"], entry["teacher"], net)
    if "targets" not in entry:
        raise ValueError(f"{where}: an inline task needs targets (or teacher = [w_h, w_o])")
    return network.Task(
        entry["name"], description, entry["inputs"], entry["targets"], entry.get("minimum_weights"), network=net
    )


def task_to_dict(task: network.Task) -> dict:
    """A task as plain data, read back by `_task_from`; the article's tasks keep their 1-D form of old."""
    if task.is_article:
        inputs, targets = task.inputs[:, 0].tolist(), task.targets[:, 0].tolist()
    else:
        inputs, targets = task.inputs.tolist(), task.targets.tolist()
    data = {"name": task.name, "description": task.description, "inputs": inputs, "targets": targets}
    if not task.is_article:
        data["network"] = task.network.to_dict()
    if task.minimum_weights is not None:
        data["minimum_weights"] = task.minimum_weights.tolist()
    if task.minimum_error is not None:
        data["minimum_error"] = task.minimum_error
    return data


def targets_to_dict(targets: Targets) -> dict:
    """The targets as plain data; the success criterion appears when it is not the default E ≤ headline."""
    data = {"values": list(targets.values), "headline": targets.headline}
    if targets.criterion != "error" or targets.bit_margin != 0.4:
        data |= {"criterion": targets.criterion, "bit_margin": targets.bit_margin}
    if targets.reference != "minimum":
        data["reference"] = targets.reference
    return data


def _published_from(entry, base: Path | None) -> Published | None:
    """The published table a spec names: a TOML file (relative to the spec), or inline (as spec.json keeps it)."""
    if entry is None:
        return None
    if isinstance(entry, str):
        return Published.load(Path(entry) if base is None else base / entry)
    return Published.from_dict(entry)


def _not_binary(task: network.Task) -> float:
    low, high = task.network.output_range
    return float(task.targets[~np.isin(task.targets, [low, high])][0])


def _optimizers_from(entries) -> tuple[OptimizerSetting, ...]:
    if entries == "all":
        return tuple(OptimizerSetting(name) for name in [*optimizers.available(), *SCIPY_METHODS])
    if not isinstance(entries, list):
        raise ValueError(f'optimizers must be "all" or a list of tables, got {entries!r}')
    settings = []
    for i, entry in enumerate(entries):
        where = f"optimizers[{i}]"
        keys = SpecTable(where, entry if not isinstance(entry, str) else {"name": entry}, ("name",))
        keys.allow("settings", "flat_spot", "flat_spot_units", "sweep", "swept", "arithmetic", "learning_rate_schedule")
        fixed_settings = listed(keys, "settings", [{}])
        for hyperparameters in fixed_settings:
            if not isinstance(hyperparameters, dict):
                raise ValueError(f"{where}.settings must be a list of tables, got {hyperparameters!r}")
        flat_spot, swept, units = keys.get("flat_spot", 0.0), keys.get("swept"), keys.get("flat_spot_units", "all")
        arithmetic = keys.get("arithmetic", "exact")
        scheduled = {"learning_rate_schedule": keys.get("learning_rate_schedule")}
        if "sweep" in keys.data:
            if swept is not None:
                raise ValueError(f"{where}: give either sweep or swept, not both")
            sweep = keys["sweep"]
            if not isinstance(sweep, dict) or len(sweep) != 1:
                raise ValueError(f"{where}.sweep must name one hyperparameter, e.g. {{ learning_rate = [0.1, 1.0] }}")
            ((swept, grid),) = sweep.items()
            values = sweep_values(grid, f"{where}.sweep.{swept}")
            for fixed in fixed_settings:
                if swept in fixed:
                    raise ValueError(f"{where}: {swept!r} is swept, so its settings must not fix it")
                settings += [
                    OptimizerSetting(keys["name"], fixed | {swept: v}, flat_spot, swept, units, arithmetic, **scheduled)
                    for v in values
                ]
        else:
            settings += [
                OptimizerSetting(keys["name"], dict(fixed), flat_spot, swept, units, arithmetic, **scheduled)
                for fixed in fixed_settings
            ]
    return tuple(settings)


def _targets_from(data) -> Targets:
    keys = SpecTable("targets", data)
    keys.allow("values", "high", "low", "per_decade", "headline", "criterion", "bit_margin", "reference")
    success = {key: data[key] for key in ("criterion", "bit_margin", "reference") if key in data}
    if "values" in data:
        if {"high", "low", "per_decade"} & set(data):
            raise ValueError("targets: give either values or high/low/per_decade, not both")
        values = data["values"]
        if not isinstance(values, list):
            raise ValueError(f"targets.values must be a list, got {values!r}")
        return Targets(tuple(values), data.get("headline"), **success)
    if {"high", "low", "per_decade"} & set(data):  # a ladder of your own: success is its finest target unless named
        return Targets.ladder(
            data.get("high", 1e-1), data.get("low", 1e-8), data.get("per_decade", 5), data.get("headline"), **success
        )
    return Targets.ladder(1e-1, 1e-8, 5, data.get("headline", 1e-6), **success)

"""A held-out experiment: classification data split train/validation/test, and a tuning budget per optimizer.

A spec with ``kind = "held-out"``::

    name = "mine"
    kind = "held-out"
    seeds = [0, 1, 2, 3, 4]           # one tuning study per seed: its starts, sample orders and trial settings
    schedules = [{ kind = "mini-batch", batch_size = 32 }]
    evaluate_every = 1                # epochs between evaluations of every part (and the last epoch)

    [budget]
    max_epochs = 40

    [tuning]
    budget = 16                       # k: settings drawn per optimizer and study

    [[tasks]]
    name = "digits"
    dataset = "digits"                # digits, breast_cancer, wine, iris (scikit-learn's), or:
    # file = "data.csv"               #   a data file, its input columns and one column of class labels
    # input_columns = ["x", "y"]
    # target_columns = ["label"]     #   integer classes 0 … C − 1, or names (sorted, they number the classes)
    network = { sizes = [64, 32, 10], activation = "tanh" }   # or convolutions first (network.convolutional):
                                      # { sizes = [40, 10], convolutions = [{ channels = 25, kernel = 5,
                                      #   stride = 2, padding = 1 }, …], activation = "relu" }
    loss = "cross-entropy"            # softmax outputs (network.cross_entropy; output_activation is unused)
                                      # or "squared": the article's E on the output_activation's units
    reduction = "sum"                 # E summed over a batch (the article's), or "mean": averaged, as torch's
                                      # default, so that published learning rates carry over
    split = { fractions = [0.5, 0.25, 0.25] }   # stratified, every study its own split (seed = "study");
                                      # seed = 0: one split for all; or { column = "part" }: 0/1/2 per row;
                                      # or { validation = 0.2 }: a dataset's published test part (mnist1d),
                                      # and that fraction of the rest for validation (0: none)

    [[optimizers]]
    name = "adam"
    space = { learning_rate = { low = 1e-4, high = 0.1 } }   # log-uniform ranges (or {}: every trial the same)
    settings = { beta2 = 0.99 }       # fixed hyperparameters (optional)

    result_at = "best-validation"     # a run's result: at its lowest validation error (early stopping), or
                                      # "last": at the last evaluation, as a published table reports it

Tuning draws, for study s, a table of quantiles u ∈ [0, 1)^(k × 8) from
seed s alone; an optimizer's j-th range takes column j, value
exp(log low + u·(log high − log low)).  So every optimizer gets the same
draws (common random numbers), and two optimizers with one range get the
same settings.  Trial t of study s starts every optimizer from the same
initial weights (torch.nn.Linear's: uniform in ±1/√fan_in) and sees the same
sample orders.  Study s also splits the data by seed s (unless the spec fixes
one split), so an interval over the studies covers which samples were held
out as well as the initial weights, the sample orders and the tuning draws.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import optimizers
from experiments.definition.budget import require_int
from experiments.definition.data_files import read_columns
from experiments.definition.published_results import read_table
from experiments.definition.schedules import Schedule
from experiments.definition.spec_tables import SpecTable, canonical_json, listed, require_unique
from experiments.definition.tuning import require_log_range
from network.convolutional import Convolutional
from network.cross_entropy import LOSSES
from network.datasets import SHIPPED, Dataset, load
from network.layered import Layered
from network.splits import PROBEN1, Part, assigned_split, checked_fractions, published_split, stratified_split
from network.validation import did_you_mean
from optimizers.learning_rate_schedules import FIELDS as SCHEDULE_FIELDS
from optimizers.learning_rate_schedules import LearningRateSchedule, Scheduled, as_schedule, require_schedulable
from optimizers.per_network import PerNetwork, takes_columns

KIND = "held-out"
REDUCTIONS = ("sum", "mean")  # E over a batch
RESULT_AT = ("best-validation", "last")  # where a run's result is read
MAX_DIMENSIONS = 8  # log-uniform ranges per optimizer
TUNING_STREAM, START_STREAM = 4, 5  # seed streams of the trial settings and of the initial weights
PER_STUDY = "study"  # split.seed: every study splits the data by its own seed (the default)


@dataclass(frozen=True, eq=False)
class HeldOutTask:
    """A classification dataset split into parts, with the network and the loss it is trained with."""

    name: str
    dataset: Dataset
    network: Layered | Convolutional
    loss: str = "cross-entropy"
    reduction: str = "sum"  # E over a batch: summed (the article's) or "mean" (torch's default)
    fractions: tuple[float, float, float] | None = PROBEN1
    validation: float | None = None  # with a published test part: the fraction of the rest held out to validate
    split_seed: int | None = None  # None: every study splits by its own seed
    split_column: np.ndarray | None = field(default=None, repr=False)  # 0/1/2 per row, instead of fractions
    source: dict = field(default_factory=dict)  # how the spec named the data, for spec.json
    _splits: dict = field(init=False, repr=False, default_factory=dict)  # split seed -> (train, validation, test)

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"task {self.name!r}: loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        if self.reduction not in REDUCTIONS:
            raise ValueError(f"task {self.name!r}: reduction must be one of {', '.join(REDUCTIONS)}, got "
                             f"{self.reduction!r}")  # fmt: skip
        net, data = self.network, self.dataset
        if net.n_inputs != data.features:
            raise ValueError(
                f"task {self.name!r}: the network {'-'.join(map(str, net.sizes))} takes {net.n_inputs} inputs, "
                f"the data has {data.features} features"
            )
        if net.n_outputs != data.classes:
            raise ValueError(
                f"task {self.name!r}: the network {'-'.join(map(str, net.sizes))} has {net.n_outputs} outputs, "
                f"the data has {data.classes} classes (one output per class)"
            )
        if self.loss == "squared" and not np.isfinite(net.output_range).all():
            raise ValueError(f"task {self.name!r}: squared error on classes needs sigmoid or tanh outputs")
        self.parts_of(0)  # a class too rare for a part is refused now (a part's size is the same for every seed)

    def split_seed_of(self, study_seed: int) -> int | None:
        """The seed that splits the data of study ``study_seed``: its own unless the spec fixed one; None for a
        split given by a column."""
        if self.split_column is not None:
            return None
        return study_seed if self.split_seed is None else self.split_seed

    @property
    def mean(self) -> bool:
        """Whether E is averaged over a batch rather than summed."""
        return self.reduction == "mean"

    def parts_of(self, study_seed: int) -> tuple[Part, Part, Part]:
        """(train, validation, test) of study ``study_seed``.

        By default every study draws its own stratified split, so the spread of
        its results over the studies includes which samples were held out."""
        seed = self.split_seed_of(study_seed)
        if seed not in self._splits:
            if seed is None:
                self._splits[seed] = assigned_split(self.dataset, self.split_column)
            elif self.validation is not None:
                self._splits[seed] = published_split(self.dataset, self.validation, seed)
            else:
                self._splits[seed] = stratified_split(self.dataset, checked_fractions(self.fractions), seed)
        return self._splits[seed]

    def targets(self, labels: np.ndarray) -> np.ndarray:
        """One row per label: 1 (the output range's top) at its class, 0 (its bottom) elsewhere."""
        low, high = (0.0, 1.0) if self.loss == "cross-entropy" else self.network.output_range
        return np.where(np.arange(self.dataset.classes) == labels[..., None], high, low)

    def describe(self) -> str:
        train, validation, test = (len(part.labels) for part in self.parts_of(0))
        return (
            f"{self.dataset.description}; {train}/{validation}/{test} train/validation/test; "
            f"{self.network.describe()}; {self.loss}, {self.reduction} over a batch"
        )

    def to_dict(self) -> dict:
        if self.split_column is not None:
            split = {"parts": self.split_column.tolist()}
        elif self.validation is not None:
            split = {"validation": self.validation, "seed": PER_STUDY if self.split_seed is None else self.split_seed}
        else:
            split = {
                "fractions": list(self.fractions),
                "seed": PER_STUDY if self.split_seed is None else self.split_seed,
            }
        data = self.source
        if "dataset" not in data:  # the data itself, so spec.json never depends on a file again
            data = {"inputs": self.dataset.inputs.tolist(), "labels": self.dataset.labels.tolist()}
            if self.dataset.class_names is not None:  # the text labels of a file: class c is class_names[c]
                data["class_names"] = list(self.dataset.class_names)
        reduction = {"reduction": self.reduction} if self.reduction != "sum" else {}  # old specs keep their digests
        return {"name": self.name, **data, "network": self.network.to_dict(), "loss": self.loss, **reduction,
                "split": split}  # fmt: skip


def _apart(setting: dict) -> tuple[dict, dict]:
    """(the optimizer's hyperparameters, the learning-rate schedule's fractions) of a drawn ``setting``."""
    return ({k: v for k, v in setting.items() if k not in SCHEDULE_FIELDS},
            {k: v for k, v in setting.items() if k in SCHEDULE_FIELDS})  # fmt: skip


@dataclass(frozen=True)
class SearchSpace:
    """An optimizer, its fixed hyperparameters and the log-uniform ranges its tuning draws the others from, and
    the learning-rate schedule every trial trains under (None: constant)."""

    name: str
    ranges: dict[str, tuple[float, float]]
    fixed: dict = field(default_factory=dict)
    learning_rate_schedule: LearningRateSchedule | None = None

    def __post_init__(self):
        where = f"optimizer {self.name!r}"
        if not optimizers.is_known(self.name):
            names = optimizers.available()
            raise ValueError(
                f"unknown optimizer {self.name!r}{did_you_mean(self.name, names)}; available: {', '.join(names)}"
            )
        if not isinstance(self.ranges, dict) or len(self.ranges) > MAX_DIMENSIONS:
            raise ValueError(f"{where}: space must name at most {MAX_DIMENSIONS} hyperparameters with ranges")
        for key, bounds in self.ranges.items():
            require_log_range(*bounds, f"{where}: space.{key}")
            if key in self.fixed:
                raise ValueError(f"{where}: {key!r} is in the space, so settings must not fix it")
        schedule = as_schedule(self.learning_rate_schedule, f"{where}: learning_rate_schedule")
        object.__setattr__(self, "learning_rate_schedule", schedule)
        drawn = [k for k in [*self.ranges, *self.fixed] if k in SCHEDULE_FIELDS]
        if drawn and schedule is None:
            raise ValueError(f"{where}: {drawn[0]!r} shapes a learning-rate schedule; give learning_rate_schedule")
        for values in (self.fixed | {k: low for k, (low, _) in self.ranges.items()},
                       self.fixed | {k: high for k, (_, high) in self.ranges.items()}):  # fmt: skip
            hyperparameters, shape = _apart(values)
            optimizer = optimizers.get(self.name, **hyperparameters)  # unknown names and bad values are refused now
            if schedule is not None:
                dataclasses.replace(schedule, **shape)  # so are bad fractions
        if not takes_columns(type(optimizer)):
            raise ValueError(f"{self.name}: a held-out study gives every trial hyperparameters of its own, which "
                             "needs an optimizer that takes them per network (an elementwise rule, Muon, "
                             "Adafactor or Prodigy); it is not one")  # fmt: skip
        varied = sorted(set(self.ranges) - set(getattr(optimizer, "vector_fields", self.ranges)))
        if varied:
            raise ValueError(f"{self.name}: the trials of a study share {varied[0]!r}, so it cannot be drawn; "
                             f"a space may draw {', '.join(optimizer.vector_fields)}")  # fmt: skip
        if schedule is not None:
            require_schedulable(optimizer, self.name)

    @property
    def label(self) -> str:
        """How the tables name it: the optimizer's name, with its learning-rate schedule in brackets."""
        return self.name + (f" [{self.learning_rate_schedule.label}]" if self.learning_rate_schedule else "")

    def stepper(self, settings: list[dict], total_steps: int):
        """The optimizer for networks of these ``settings`` (one each), under the schedule over ``total_steps``:
        each network's with the fractions its setting draws (``warmup`` in a space, for instance)."""
        parts = [_apart(setting) for setting in settings]
        stepper = PerNetwork([optimizers.get(self.name, **hyperparameters) for hyperparameters, _ in parts])
        if self.learning_rate_schedule is None:
            return stepper
        schedules = [dataclasses.replace(self.learning_rate_schedule, **shape) for _, shape in parts]
        return Scheduled(stepper, schedules, total_steps)

    def setting(self, quantiles: np.ndarray) -> dict:
        """The hyperparameters at ``quantiles`` (one per range, in [0, 1)), fixed ones included."""
        drawn = {
            key: float(math.exp(math.log(low) + u * (math.log(high) - math.log(low))))
            for (key, (low, high)), u in zip(self.ranges.items(), quantiles, strict=False)
        }
        return self.fixed | drawn

    def to_dict(self) -> dict:
        space = {key: {"low": low, "high": high} for key, (low, high) in self.ranges.items()}
        schedule = self.learning_rate_schedule
        return (
            {"name": self.name, "space": space}
            | ({"settings": self.fixed} if self.fixed else {})
            | ({"learning_rate_schedule": schedule.to_dict()} if schedule else {})
        )


@dataclass(frozen=True)
class HeldOutSpec:
    """Every run of a held-out experiment: tasks × schedules × optimizers × studies (seeds) × trials."""

    name: str
    tasks: tuple[HeldOutTask, ...]
    optimizers: tuple[SearchSpace, ...]
    schedules: tuple[Schedule, ...] = (Schedule("mini-batch", 32),)
    seeds: tuple[int, ...] = (0,)
    max_epochs: int = 40
    evaluate_every: int = 1
    trials: int = 16
    description: str = ""
    result_at: str = "best-validation"  # or "last": a run's result at its last evaluation
    published: dict | None = None  # a published table to set beside ours (`analysis.published_accuracies`)

    def __post_init__(self):
        for key in ("tasks", "optimizers", "schedules", "seeds"):
            object.__setattr__(self, key, tuple(getattr(self, key)))
            if not getattr(self, key):
                raise ValueError(f"{key} must not be empty")
        require_unique("tasks", [task.name for task in self.tasks])
        require_unique("optimizers", [space.label for space in self.optimizers])
        require_unique("schedules", [schedule.label for schedule in self.schedules])
        require_unique("seeds", list(self.seeds))
        for seed in self.seeds:
            require_int("seeds", seed, minimum=0)
        require_int("budget.max_epochs", self.max_epochs, minimum=1, maximum=10**6)
        require_int("evaluate_every", self.evaluate_every, minimum=1, maximum=self.max_epochs)
        require_int("tuning.budget", self.trials, minimum=1, maximum=10**4)
        if self.result_at not in RESULT_AT:
            raise ValueError(f"result_at must be one of {', '.join(RESULT_AT)}, got {self.result_at!r}")
        for task in self.tasks:
            if self.result_at == "best-validation" and not len(task.parts_of(0)[1].labels):
                raise ValueError(
                    f"task {task.name!r} has no validation part, so a run's result cannot be taken at "
                    'its lowest validation error: give split.validation > 0 or result_at = "last"'
                )
        if self.published is not None:
            from experiments.definition.published_accuracies import PublishedAccuracies

            PublishedAccuracies.from_dict(self.published, self)  # bad tables are refused now
        for task in self.tasks:
            train = len(task.parts_of(0)[0].labels)
            for schedule in self.schedules:
                if schedule.kind == "mini-batch" and schedule.batch_size > train:
                    raise ValueError(
                        f"schedule {schedule.label} needs batch_size <= the {train} training samples of {task.name!r}"
                    )

    def quantiles(self, seed: int) -> np.ndarray:
        """u, (trials, `MAX_DIMENSIONS`), of study ``seed``: the same for every optimizer."""
        return np.random.default_rng([seed, TUNING_STREAM]).random((self.trials, MAX_DIMENSIONS))

    def settings(self, space: SearchSpace) -> list[list[dict]]:
        """settings[study][trial]: the hyperparameters of each trial of ``space``'s optimizer."""
        return [[space.setting(u) for u in self.quantiles(seed)] for seed in self.seeds]

    def evaluation_epochs(self) -> np.ndarray:
        """The epochs after which every part is evaluated: 0 (the start), every ``evaluate_every``, and the last."""
        epochs = np.arange(0, self.max_epochs + 1, self.evaluate_every)
        return epochs if epochs[-1] == self.max_epochs else np.append(epochs, self.max_epochs)

    def to_dict(self) -> dict:
        return (
            {
                "name": self.name,
                "kind": KIND,
                "description": self.description,
                "seeds": list(self.seeds),
                "schedules": [schedule.to_dict() for schedule in self.schedules],
                "evaluate_every": self.evaluate_every,
                "budget": {"max_epochs": self.max_epochs},
                "tuning": {"budget": self.trials},
                "tasks": [task.to_dict() for task in self.tasks],
                "optimizers": [space.to_dict() for space in self.optimizers],
            }
            | ({"result_at": self.result_at} if self.result_at != "best-validation" else {})
            | ({"published": self.published} if self.published is not None else {})
        )

    def digest(self) -> str:
        return hashlib.sha256(canonical_json(self.to_dict()).encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict, base: Path | None = None) -> HeldOutSpec:
        keys = SpecTable("spec", data, required=("name", "kind", "tasks", "optimizers"))
        keys.allow("description", "seeds", "schedules", "evaluate_every", "budget", "tuning", "result_at", "published")
        budget, tuning = SpecTable("budget", keys.get("budget", {})), SpecTable("tuning", keys.get("tuning", {}))
        budget.allow("max_epochs")
        tuning.allow("budget")
        tasks, spaces = listed(keys, "tasks"), listed(keys, "optimizers")
        return cls(
            name=keys["name"],
            description=keys.get("description", ""),
            tasks=tuple(_task_from(entry, f"tasks[{i}]", base) for i, entry in enumerate(tasks)),
            optimizers=tuple(_space_from(entry, f"optimizers[{i}]") for i, entry in enumerate(spaces)),
            schedules=tuple(Schedule.from_entry(e) for e in listed(keys, "schedules", ["mini-batch(32)"])),
            seeds=tuple(listed(keys, "seeds", [0])),
            max_epochs=budget.get("max_epochs", 40),
            evaluate_every=keys.get("evaluate_every", 1),
            trials=tuning.get("budget", 16),
            result_at=keys.get("result_at", "best-validation"),
            published=_published_from(keys.get("published"), base),
        )  # fmt: skip


def _published_from(entry, base: Path | None) -> dict | None:
    """A published table: inline (as spec.json stores it) or read from the TOML file a spec names beside it."""
    if entry is None or isinstance(entry, dict):
        return entry
    if not isinstance(entry, str):
        raise ValueError(f"published must name a TOML file beside the spec, got {entry!r}")
    return read_table(Path(entry) if base is None else base / entry)


def _task_from(entry, where: str, base: Path | None) -> HeldOutTask:
    keys = SpecTable(where, entry, required=("name", "network"))
    keys.allow(
        "dataset",
        "file",
        "input_columns",
        "target_columns",
        "inputs",
        "labels",
        "class_names",
        "loss",
        "split",
        "reduction",
    )
    sources = [key for key in ("dataset", "file", "inputs") if key in entry]
    if len(sources) != 1:
        raise ValueError(f"{where}: give one of dataset (one of {', '.join(SHIPPED)}), file or inputs + labels")
    name, split_column = entry["name"], None
    split = SpecTable(f"{where}.split", entry.get("split", {}))
    split.allow("fractions", "seed", "column", "parts", "validation")
    if "dataset" in entry:
        dataset, source = load(entry["dataset"]), {"dataset": entry["dataset"]}
    elif "file" in entry:
        targets = entry.get("target_columns")
        if not isinstance(targets, list) or len(targets) != 1:
            raise ValueError(f"{where}: target_columns must name the one column of class labels, got {targets!r}")
        columns = [*entry.get("input_columns", []), *([split["column"]] if "column" in split.data else [])]
        path = Path(entry["file"]) if base is None else base / entry["file"]
        inputs, labels, names = read_columns(path, columns, targets, classes=True)
        if "column" in split.data:
            inputs, split_column = inputs[:, :-1], inputs[:, -1]
        dataset, source = (
            Dataset(name, inputs, labels[:, 0], f"data from {Path(entry['file']).name}", names),
            {"file": entry["file"]},
        )
    else:
        dataset, source = Dataset(name, entry["inputs"], entry.get("labels", []), "", entry.get("class_names")), {}
        split_column = np.asarray(split["parts"]) if "parts" in split.data else None
    if split_column is not None and {"fractions", "seed", "validation"} & set(split.data):
        raise ValueError(f"{where}.split: give either a column (or parts) or fractions and a seed, not both")
    if "validation" in split.data and "fractions" in split.data:
        raise ValueError(f"{where}.split: validation (beside a published test part) or fractions, not both")
    split_seed = split.get("seed", PER_STUDY)
    if split_seed != PER_STUDY:
        require_int(f"{where}.split.seed", split_seed, minimum=0)
    return HeldOutTask(
        name, dataset, network_from_dict(entry["network"], f"{where}.network"), entry.get("loss", "cross-entropy"),
        entry.get("reduction", "sum"), tuple(split.get("fractions", PROBEN1)), split.get("validation"),
        None if split_seed == PER_STUDY else split_seed, split_column, source,
    )  # fmt: skip


def network_from_dict(data, where: str):
    """A `network.Layered`, or a `network.convolutional.Convolutional` where the table lists convolutions."""
    if isinstance(data, dict) and "convolutions" in data:
        return Convolutional.from_dict(data, where)
    return Layered.from_dict(data, where)


def _space_from(entry, where: str) -> SearchSpace:
    keys = SpecTable(where, entry, required=("name", "space"))
    keys.allow("settings", "learning_rate_schedule")
    space, fixed = keys["space"], keys.get("settings", {})
    if not isinstance(space, dict) or not all(
        isinstance(v, dict) and set(v) == {"low", "high"} for v in space.values()
    ):
        raise ValueError(f"{where}.space must map hyperparameters to {{ low, high }} (log-uniform), got {space!r}")
    if not isinstance(fixed, dict):
        raise ValueError(f"{where}.settings must be a table of fixed hyperparameters, got {fixed!r}")
    ranges = {k: (v["low"], v["high"]) for k, v in space.items()}
    return SearchSpace(keys["name"], ranges, dict(fixed), keys.get("learning_rate_schedule"))

"""A published table of test accuracies as data, beside the spec that reruns it (MNIST-1D's table, for one).

The table is data (``experiments/specs/published/mnist1d.toml``)::

    source = "..."                  # the paper and where its table and setup are
    citation = "Greydanus & Kobak (2024)"
    note = "one run per model, its test accuracy after the last step"

    [[results]]
    model = "MLP"                   # the paper's name for the row
    task = "mlp"                    # the spec's task that reruns it (omit with not_reproduced)
    optimizer = "adam"              # the spec's optimizer (label) it was trained with
    parameters = 15210              # optional: checked against the task's network
    accuracy = 0.68                 # the published test accuracy
    logged = 0.651                  # optional: the value the authors' own code logged
    # not_reproduced = "why"        # a row the rerun cannot train; kept in the table, marked

Read once and stored in the results' spec.json; `experiments.analysis.published_accuracies` sets our
runs beside it, a verdict per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROW_KEYS = ("model", "task", "optimizer", "parameters", "accuracy", "logged", "not_reproduced")


@dataclass(frozen=True)
class PublishedRow:
    model: str
    accuracy: float
    task: str | None = None
    optimizer: str | None = None
    parameters: int | None = None
    logged: float | None = None
    not_reproduced: str | None = None


@dataclass(frozen=True)
class PublishedAccuracies:
    source: str
    citation: str
    note: str
    rows: tuple[PublishedRow, ...] = field(default=())

    @classmethod
    def from_dict(cls, data: dict, spec) -> PublishedAccuracies:
        """The table, checked against ``spec`` (a `HeldOutSpec`): every row's task and optimizer are the spec's."""
        if not isinstance(data, dict) or not isinstance(data.get("results"), list) or not data["results"]:
            raise ValueError("published table: needs [[results]] rows (model, accuracy, task, optimizer)")
        tasks = {task.name: task for task in spec.tasks}
        labels = [space.label for space in spec.optimizers]
        rows = []
        for index, entry in enumerate(data["results"]):
            where = f"published table, results[{index}]"
            unknown = sorted(set(entry) - set(ROW_KEYS)) if isinstance(entry, dict) else ["(not a table)"]
            if unknown:
                raise ValueError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(ROW_KEYS)}")
            row = PublishedRow(**entry)
            if not isinstance(row.accuracy, (int, float)) or not 0 <= row.accuracy <= 1:
                raise ValueError(f"{where}: accuracy must be a fraction in [0, 1], got {row.accuracy!r}")
            if row.not_reproduced is None:
                if row.task not in tasks:
                    raise ValueError(f"{where}: task {row.task!r} is not a task of the spec ({', '.join(tasks)}); "
                                     "name one, or say why the row is not_reproduced")  # fmt: skip
                if row.optimizer not in labels:
                    raise ValueError(f"{where}: optimizer {row.optimizer!r} is not one of the spec's "
                                     f"({', '.join(labels)})")  # fmt: skip
                size = tasks[row.task].network.size
                if row.parameters is not None and row.parameters != size:
                    raise ValueError(f"{where}: the paper's {row.model} has {row.parameters} parameters, the "
                                     f"network of task {row.task!r} {size}")  # fmt: skip
            rows.append(row)
        return cls(str(data.get("source", "")), str(data.get("citation", "the paper")), str(data.get("note", "")),
                   tuple(rows))  # fmt: skip

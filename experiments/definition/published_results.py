"""Published results as data: a paper's table in a TOML file beside the spec, to set next to ours.

    source = "M. Riedmiller and H. Braun, ..., IEEE ICNN 1993, pp. 586-591"
    citation = "Riedmiller & Braun (1993)"                # optional: how figures name it
    note = "mean and σ of the epochs to the bit criterion over 10 runs, at the best parameter"

    [[results]]
    task = "encoder-10-5-10"                              # the optarena task it was measured on
    algorithm = "BP"                                      # the paper's name for the method
    optimizer = "momentum"                                # the optarena optimizer that is that method
    parameters = { learning_rate = 1.9, momentum = 0.0 }  # the best setting the paper reports
    swept = "learning_rate"                               # the parameter it searched (omit: a fixed setting)
    mean = 121.0                                          # mean epochs to success
    sigma = 30.0                                          # optional
    wr = [1.1, 2.6]                                       # optional: the well-working region of ``swept``
    # solved = false                                      # instead of mean: the paper found no solution
                                                          # (then parameters may be left out)

A spec names the file (``published = "paper.published.toml"``, relative to the
spec); it is read once and stored inline in the results' spec.json.  Adding
another paper's table needs no code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import optimizers

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

RESULT_KEYS = ("task", "algorithm", "optimizer", "parameters", "swept", "mean", "sigma", "wr", "solved")


@dataclass(frozen=True)
class PublishedResult:
    """One cell of a published table: a method on a problem, its best setting and what it measured."""

    task: str
    algorithm: str
    optimizer: str
    parameters: dict = field(default_factory=dict)
    swept: str | None = None
    mean: float | None = None
    sigma: float | None = None
    wr: tuple[float, float] | None = None
    solved: bool = True

    def __post_init__(self):
        where = f"published result {self.algorithm!r} on {self.task!r}"
        for name in ("task", "algorithm", "optimizer"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"published result: {name} must be a non-empty string, got {getattr(self, name)!r}")
        if not isinstance(self.parameters, dict):
            raise ValueError(f"{where}: parameters must be a table, got {self.parameters!r}")
        try:
            optimizers.get(self.optimizer, **self.parameters)
        except (TypeError, ValueError) as problem:
            raise ValueError(f"{where}: {problem}") from None
        if self.swept is not None and self.solved and self.swept not in self.parameters:
            raise ValueError(f"{where}: swept {self.swept!r} must be one of its parameters")
        if not isinstance(self.solved, bool):
            raise ValueError(f"{where}: solved must be true or false, got {self.solved!r}")
        if self.solved != (self.mean is not None):
            raise ValueError(f"{where}: give mean epochs, or solved = false when the paper found no solution")
        for name in ("mean", "sigma"):
            value = getattr(self, name)
            if value is not None and not _positive(value, allow_zero=name == "sigma"):
                raise ValueError(f"{where}: {name} must be a positive number of epochs, got {value!r}")
        if self.wr is not None:
            wr = tuple(self.wr) if isinstance(self.wr, (list, tuple)) else ()
            if len(wr) != 2 or not all(_positive(v) for v in wr) or not wr[0] <= wr[1] or self.swept is None:
                raise ValueError(f"{where}: wr must be [low, high] of the swept parameter, got {self.wr!r}")
            object.__setattr__(self, "wr", (float(wr[0]), float(wr[1])))

    def matches(self, hyperparameters: dict) -> bool:
        """Whether ``hyperparameters`` are exactly this cell's parameters (numbers compared as numbers)."""
        return hyperparameters.keys() == self.parameters.keys() and all(
            float(hyperparameters[key]) == float(value) for key, value in self.parameters.items()
        )

    @property
    def setting(self) -> str:
        """The reported setting as text, the swept parameter first."""
        ordered = sorted(self.parameters.items(), key=lambda item: item[0] != self.swept)
        return ", ".join(f"{key} = {value:g}" for key, value in ordered)


@dataclass(frozen=True)
class Published:
    """A published table: where it comes from, what its numbers are, and its cells."""

    source: str
    results: tuple[PublishedResult, ...]
    note: str = ""
    citation: str = "the published table"

    def to_dict(self) -> dict:
        rows = []
        for result in self.results:
            row = {key: getattr(result, key) for key in RESULT_KEYS}
            row["wr"] = list(result.wr) if result.wr else None
            rows.append({key: value for key, value in row.items() if value is not None})
        return {"source": self.source, "citation": self.citation, "note": self.note, "results": rows}

    @classmethod
    def from_dict(cls, data, where: str = "published") -> Published:
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a table, got {data!r}")
        unknown = sorted(set(data) - {"source", "citation", "note", "results"})
        if unknown:
            raise ValueError(f"{where} has an unknown key {unknown[0]!r}; allowed: citation, note, results, source")
        if not isinstance(data.get("source"), str) or not data["source"]:
            raise ValueError(f"{where} needs source, the paper the numbers come from")
        rows = data.get("results")
        if not isinstance(rows, list) or not rows:
            raise ValueError(f"{where} needs results, a list of [[results]] tables")
        results = []
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise ValueError(f"{where}.results[{index}] must be a table, got {row!r}")
            unknown = sorted(set(row) - set(RESULT_KEYS))
            if unknown:
                raise ValueError(
                    f"{where}.results[{index}] has an unknown key {unknown[0]!r}; allowed: {', '.join(RESULT_KEYS)}"
                )
            missing = [key for key in ("task", "algorithm", "optimizer") if key not in row]
            if missing:
                raise ValueError(f"{where}.results[{index}] is missing the key {missing[0]!r}")
            results.append(PublishedResult(**row))
        return cls(data["source"], tuple(results), data.get("note", ""), data.get("citation", "the published table"))

    @classmethod
    def load(cls, path: Path) -> Published:
        """The published table in a TOML file, or a one-line ValueError."""
        return cls.from_dict(read_table(path), f"published file {Path(path).name}")


def read_table(path: Path) -> dict:
    """A published table's TOML file as a dict (a population spec's or a held-out spec's), or a one-line
    ValueError naming the file."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as problem:
        raise ValueError(f"published file {str(path)!r} cannot be read: {problem.strerror or problem}") from None
    except tomllib.TOMLDecodeError as problem:
        raise ValueError(f"published file {str(path)!r} is not valid TOML: {problem}") from None


def _positive(value, allow_zero: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    return value >= 0 if allow_zero else value > 0

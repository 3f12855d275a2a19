"""Where the population starts: a seeded uniform draw in [low, high]^P, a grid over two weights, or a list."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from experiments.definition.budget import MAX_COUNT, require_int

KINDS = ("uniform", "grid", "list")
MAX_GRID_COUNT = 3000
INITIAL_POINTS_STREAM = 1  # the seed stream of initial points; other streams draw other numbers


@dataclass(frozen=True)
class InitialPoints:
    """How to place the initial parameters of every run, for a network with P of them.

    - ``uniform``: ``count`` points uniform in [low, high]^P, drawn from the seed;
    - ``grid``: ``count`` × ``count`` points evenly spaced over [low, high]², the same for every
      seed (networks with two parameters only, such as the article's (w_h, w_o));
    - ``list``: exactly ``points``, each a list of P values.

    >>> InitialPoints("grid", count=3, low=-1.0, high=1.0).points(seed=0)[:4].tolist()
    [[-1.0, -1.0], [-1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]]
    >>> InitialPoints("uniform", count=5, low=-1.0, high=1.0).points(seed=0, dimension=9).shape
    (5, 9)
    """

    kind: str = "uniform"
    count: int = 500
    low: float = -10.0
    high: float = 10.0
    listed: tuple[tuple[float, float], ...] = field(default=())

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"initial_points.kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.kind == "list":
            try:
                points = np.array(self.listed, dtype=np.float64)
            except (TypeError, ValueError):
                points = np.empty(0)
            if points.ndim != 2 or points.size == 0 or not np.isfinite(points).all():
                raise ValueError(
                    "initial_points.points must be a non-empty list of points of equal length, each a list of "
                    f"finite numbers (one per parameter), got {self.listed!r}"
                )
            object.__setattr__(self, "listed", tuple(map(tuple, points.tolist())))
            return
        largest = MAX_GRID_COUNT if self.kind == "grid" else MAX_COUNT  # a grid has count² points
        require_int("initial_points.count", self.count, minimum=1, maximum=largest)
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"initial_points.{name} must be a finite number, got {value!r}")
        if not self.low < self.high:
            raise ValueError(f"initial_points.low must be below high = {self.high!r}, got {self.low!r}")

    @property
    def size(self) -> int:
        """How many initial points (runs per seed) this gives."""
        return {"uniform": self.count, "grid": self.count**2, "list": len(self.listed)}[self.kind]

    def check(self, task) -> None:
        """Raise a one-line ValueError unless these points fit ``task``'s network."""
        dimension = task.network.size
        if self.kind == "grid" and dimension != 2:
            raise ValueError(
                f"initial_points of kind 'grid' span two weights; task {task.name!r} has {dimension} parameters "
                "(use kind = 'uniform' or 'list')"
            )
        if self.kind == "list" and len(self.listed[0]) != dimension:
            raise ValueError(
                f"initial_points.points have {len(self.listed[0])} values each; task {task.name!r} has "
                f"{dimension} parameters"
            )

    def points(self, seed: int, dimension: int = 2) -> np.ndarray:
        """The initial parameters, shape (size, dimension): a pure function of this spec, ``seed`` and the dimension."""
        if self.kind == "list":
            return np.array(self.listed, dtype=np.float64)
        if self.kind == "grid":
            axis = np.linspace(self.low, self.high, self.count)
            w_h, w_o = np.meshgrid(axis, axis, indexing="ij")
            return np.stack([w_h.ravel(), w_o.ravel()], axis=-1)
        rng = np.random.default_rng([seed, INITIAL_POINTS_STREAM])
        return rng.uniform(self.low, self.high, size=(self.count, dimension))

    def to_dict(self) -> dict:
        if self.kind == "list":
            return {"kind": "list", "points": [list(p) for p in self.listed]}
        return {"kind": self.kind, "count": self.count, "low": self.low, "high": self.high}

    @classmethod
    def from_dict(cls, data) -> InitialPoints:
        if not isinstance(data, dict):
            raise ValueError(f"initial_points must be a table, got {data!r}")
        kind = data.get("kind", "uniform")
        allowed = {"kind", "points"} if kind == "list" else {"kind", "count", "low", "high"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValueError(
                f"initial_points ({kind}) has an unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}"
            )
        if kind == "list":
            if "points" not in data:
                raise ValueError("initial_points of kind 'list' needs points = [[w_h, w_o], ...] (P values each)")
            try:
                return cls("list", listed=tuple(tuple(point) for point in data["points"]))
            except TypeError:
                raise ValueError(
                    f"initial_points.points must be a list of points, each a list of numbers, got {data['points']!r}"
                ) from None
        return cls(**{key: value for key, value in data.items()})

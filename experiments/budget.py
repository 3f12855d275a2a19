"""The budget of every run and the ladder of error targets it is measured against."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np


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

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


CRITERIA = ("error", "bit")


@dataclass(frozen=True)
class Targets:
    """A ladder of error targets, finest last, and the criterion that defines success.

    Success (``criterion``) is either the headline target of the ladder, E ≤
    ``headline`` ("error"), or the classic "bit" criterion of Fahlman (1988)
    and Riedmiller & Braun (1993): every output of every pattern within
    ``bit_margin`` of its 0/1 target, as a fraction of the output range (0.4:
    below 0.4 for a 0, above 0.6 for a 1).  The ladder is recorded either way.

    >>> [f"{target:.3g}" for target in Targets.ladder(1e-1, 1e-3, per_decade=2).values]
    ['0.1', '0.0316', '0.01', '0.00316', '0.001']
    >>> Targets.ladder(1e-1, 1e-3, criterion="bit").success
    'the bit criterion (every output within 0.4 of its 0/1 target)'
    """

    values: tuple[float, ...] = ()
    headline: float | None = None  # default: the finest target
    criterion: str = "error"
    bit_margin: float = 0.4

    def __post_init__(self):
        if self.criterion not in CRITERIA:
            raise ValueError(f"targets.criterion must be one of {', '.join(CRITERIA)}, got {self.criterion!r}")
        if not 0 < require_positive("targets.bit_margin", self.bit_margin) <= 0.5:
            raise ValueError(f"targets.bit_margin must be in (0, 0.5], got {self.bit_margin!r}")
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
    def ladder(cls, high: float, low: float, per_decade: int = 5, headline: float | None = None, **success) -> Targets:
        """Targets 10^(log10(high) − k/per_decade) from ``high`` down to ``low``; ``success``: criterion, bit_margin."""
        require_positive("targets.high", high)
        require_positive("targets.low", low)
        require_int("targets.per_decade", per_decade, minimum=1)
        if not low < high:
            raise ValueError(f"targets.low must be below targets.high = {high!r}, got {low!r}")
        steps = round(math.log10(high / low) * per_decade)
        exponents = math.log10(high) - np.arange(steps + 1) / per_decade
        values = tuple(float(10.0**e) for e in exponents)
        return cls(values, headline, **success)

    @property
    def headline_index(self) -> int:
        return self.values.index(self.headline)

    @property
    def success(self) -> str:
        """What success means, for tables and captions."""
        if self.criterion == "bit":
            return f"the bit criterion (every output within {self.bit_margin:g} of its 0/1 target)"
        return f"E ≤ {self.headline:g}"

    @property
    def short_success(self) -> str:
        """`success` in a few characters, for axis labels and panel titles."""
        return f"bits (margin {self.bit_margin:g})" if self.criterion == "bit" else f"E ≤ {self.headline:g}"


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

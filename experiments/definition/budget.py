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
        require_int("budget.max_epochs", self.max_epochs, minimum=1, maximum=MAX_EPOCHS)
        require_positive("budget.plateau_gradient", self.plateau_gradient)
        require_positive("budget.weight_bound", self.weight_bound)


CRITERIA = ("error", "bit")
REFERENCES = ("minimum", "zero")
MAX_EPOCHS = 10**7  # every run keeps per-epoch bookkeeping; ten million epochs is far past any use
HIT_EPOCHS = np.float32  # the dtype of hit epochs: every epoch up to MAX_EPOCHS (< 2²⁴) exact, NaN, half the memory
HISTORY = np.float32  # the dtype of E histories (curves): 7 significant digits, 0 below 1.4e-45; half the memory
MAX_COUNT = 10**7  # initial points, batch sizes: beyond this a population no longer fits in memory


@dataclass(frozen=True)
class Targets:
    """A ladder of error targets, finest last, and the criterion that defines success.

    A target τ is met when E − E* ≤ τ, E* the task's reference minimum
    (``reference = "minimum"``, the default, as COCO measures f − f_opt): the
    task's known E*, one given in the spec, or the best E any run of the
    experiment found; or when E ≤ τ (``reference = "zero"``, absolute
    targets, unreachable where no network of the task gets E to 0).  Where E*
    = 0 the two are the same.

    Success (``criterion``) is either the headline target of the ladder, E − E* ≤
    ``headline`` ("error"), or the classic "bit" criterion of Fahlman (1988)
    and Riedmiller & Braun (1993): every output of every pattern within
    ``bit_margin`` of its 0/1 target, as a fraction of the output range (0.4:
    below 0.4 for a 0, above 0.6 for a 1).  The ladder is recorded either way.

    >>> [f"{target:.3g}" for target in Targets.ladder(1e-1, 1e-3, per_decade=2).values]
    ['0.1', '0.0316', '0.01', '0.00316', '0.001']
    >>> Targets.ladder(1e-1, 1e-3, criterion="bit").success
    'the bit criterion (every output within 0.4 of its 0/1 target)'
    >>> Targets.ladder(1e-1, 1e-3).success, Targets.ladder(1e-1, 1e-3, reference="zero").success
    ('E − E* ≤ 0.001', 'E ≤ 0.001')
    """

    values: tuple[float, ...] = ()
    headline: float | None = None  # default: the finest target
    criterion: str = "error"
    bit_margin: float = 0.4
    reference: str = "minimum"

    def __post_init__(self):
        if self.reference not in REFERENCES:
            raise ValueError(f"targets.reference must be one of {', '.join(REFERENCES)}, got {self.reference!r}")
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
            raise ValueError(f"targets.headline {headline:g} {_off_the_ladder(headline, values)}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "headline", next(v for v in values if math.isclose(headline, v, rel_tol=1e-9)))

    @classmethod
    def ladder(cls, high: float, low: float, per_decade: int = 5, headline: float | None = None, **success) -> Targets:
        """Targets 10^(log10(high) − k/per_decade) from ``high`` down to ``low``; ``success``: criterion, bit_margin,
        reference."""
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
    def measured(self) -> str:
        """What a target bounds: "E − E*" (relative to the reference minimum) or "E" (absolute)."""
        return "E − E*" if self.reference == "minimum" else "E"

    @property
    def success(self) -> str:
        """What success means, for tables and captions."""
        if self.criterion == "bit":
            return f"the bit criterion (every output within {self.bit_margin:g} of its 0/1 target)"
        return f"{self.measured} ≤ {self.headline:g}"

    @property
    def short_success(self) -> str:
        """`success` in a few characters, for axis labels and panel titles."""
        return (
            f"bits (margin {self.bit_margin:g})" if self.criterion == "bit" else f"{self.measured} ≤ {self.headline:g}"
        )

    def thresholds(self, minimum: float) -> np.ndarray:
        """The error each target allows on a task whose reference minimum is ``minimum``: E* + τ (or τ).

        >>> Targets((0.1, 0.01)).thresholds(0.5).tolist()
        [0.6, 0.51]
        >>> Targets((0.1, 0.01), reference="zero").thresholds(0.5).tolist()
        [0.1, 0.01]
        """
        values = np.array(self.values)
        if self.reference == "zero":
            return values
        thresholds = minimum + values
        if np.any(np.diff(thresholds) >= 0):
            raise ValueError(
                f"targets down to {self.values[-1]:g} are finer than E* = {minimum:.17g} can resolve in floating "
                'point; raise targets.low or use reference = "zero"'
            )
        return thresholds


def _off_the_ladder(headline: float, values: tuple[float, ...]) -> str:
    """Where a headline that is not one of the targets lies, in words."""
    if headline < values[-1]:
        return f"is below the finest target, {values[-1]:g}"
    if headline > values[0]:
        return f"is above the coarsest target, {values[0]:g}"
    above = min(v for v in values if v > headline)
    below = max(v for v in values if v < headline)
    return f"is not one of the targets; the nearest are {above:g} and {below:g}"


def require_int(name: str, value, minimum: int, maximum: int | None = None) -> int:
    """Raise unless ``value`` is an integer ≥ ``minimum`` (and ≤ ``maximum``, when given).

    >>> require_int("budget.max_epochs", 10**30, 1, MAX_EPOCHS)
    Traceback (most recent call last):
    ...
    ValueError: budget.max_epochs must be an integer from 1 to 10000000, got 1000000000000000000000000000000
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer from {minimum} to {maximum}, got {value!r}")
    return int(value)


def require_positive(name: str, value) -> float:
    """Raise unless ``value`` is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value

"""Tuning: sweep one hyperparameter of an optimizer over a grid, pick the best value, report its well-working region.

In a spec, an ``[[optimizers]]`` table sweeps one hyperparameter, over a list
of values or a log grid, crossed with any fixed ``settings``::

    [[optimizers]]
    name = "momentum"
    settings = [{ momentum = 0.0 }, { momentum = 0.9 }]                 # each crossed with the sweep
    sweep = { learning_rate = { low = 0.01, high = 10.0, count = 13 } }  # or a list: [0.1, 0.3, 1.0]

    [tuning]
    statistic = "ert"      # what the best value optimizes: ert | mean_epochs | success_rate
    wr_factor = 1.5        # the well-working region: values whose statistic is within this factor of the best

The statistics, over the runs of one setting (epochs to success, the runs that
failed counted as in COCO):

    ert           expected running time in epochs: (Σ epochs of every run until it stopped) / successes
    mean_epochs   the mean epochs to success when every run succeeded (∞ otherwise)
    success_rate  the fraction of runs that succeeded (maximized; its WR: at least best / wr_factor)

ert equals mean_epochs when every run succeeds, and still ranks settings where
a few runs fail; it is the default.  The well-working region (WR) is
Riedmiller & Braun's (1993): "the range of the parameter in which the mean
stays ≤ 1.5 × the best mean".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

STATISTICS = ("ert", "mean_epochs", "success_rate")
GRID_DIGITS = 4  # a log grid's values are rounded to this many significant digits, for readable labels


@dataclass(frozen=True)
class Tuning:
    """How the best value of every sweep is chosen, and how wide its well-working region is."""

    statistic: str = "ert"
    wr_factor: float = 1.5

    def __post_init__(self):
        if self.statistic not in STATISTICS:
            raise ValueError(f"tuning.statistic must be one of {', '.join(STATISTICS)}, got {self.statistic!r}")
        factor = self.wr_factor
        if (
            isinstance(factor, bool)
            or not isinstance(factor, (int, float))
            or not (math.isfinite(factor) and factor >= 1)
        ):
            raise ValueError(f"tuning.wr_factor must be a number >= 1, got {factor!r}")

    @property
    def maximize(self) -> bool:
        return self.statistic == "success_rate"

    @property
    def statistic_label(self) -> str:
        """The statistic with its unit, for a table's header.

        >>> Tuning().statistic_label
        'ERT [epochs]'
        """
        return {"ert": "ERT [epochs]", "mean_epochs": "mean epochs", "success_rate": "success rate"}[self.statistic]

    def to_dict(self) -> dict:
        return {"statistic": self.statistic, "wr_factor": self.wr_factor}


def sweep_values(values, where: str) -> list[float]:
    """The values a sweep takes: a list of distinct finite numbers, or a log grid ``{low, high, count}``.

    >>> sweep_values({"low": 0.01, "high": 10.0, "count": 7}, "sweep")
    [0.01, 0.03162, 0.1, 0.3162, 1.0, 3.162, 10.0]
    """
    if isinstance(values, dict):
        unknown = sorted(set(values) - {"low", "high", "count"})
        if unknown or set(values) != {"low", "high", "count"}:
            raise ValueError(f"{where} must be a list of values or a log grid {{ low, high, count }}, got {values!r}")
        low, high, count = values["low"], values["high"], values["count"]
        require_log_range(low, high, f"{where}: a log grid")
        if isinstance(count, bool) or not isinstance(count, int) or count < 2:
            raise ValueError(f"{where}: a log grid needs count, an integer >= 2, got {count!r}")
        values = [float(f"{v:.{GRID_DIGITS}g}") for v in np.geomspace(low, high, count)]
    if not isinstance(values, list) or not values or not all(_is_number(v) for v in values):
        raise ValueError(f"{where} must be a non-empty list of finite numbers, got {values!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"{where} lists a value more than once: {values!r}")
    return list(values)


def require_log_range(low, high, what: str) -> None:
    """A one-line ValueError unless low and high are finite numbers with 0 < low < high (a log grid's or a
    log-uniform space's ends), naming ``what`` needs them."""
    if not all(_is_number(v) for v in (low, high)) or not 0 < low < high:
        raise ValueError(f"{what} needs 0 < low < high, got low = {low!r}, high = {high!r}")


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)

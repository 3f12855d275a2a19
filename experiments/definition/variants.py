"""Variants: the best settings of an experiment's sweeps, trained again under another choice of an unknown.

A paper rarely states every choice its numbers depend on (the range of the
initial weights, the σ′ offset and where it is added, a bound on the weights).
Instead of guessing one, a spec runs its main choice and then measures what the
others change::

    [[variants]]
    name = "initial weights in ±0.5"
    initial_points = { low = -0.5, high = 0.5 }   # replaces these keys of the spec's initial_points

    [[variants]]
    name = "the exact σ′ (no flat-spot offset)"
    flat_spot = 0.0                               # every rerun setting trains with this offset

    [[variants]]
    name = "σ′ + 0.1 at the output units only"
    flat_spot_units = "output"                    # "all" (Fahlman's: every non-input unit) or "output"

    [[variants]]
    name = "no weight bound"
    weight_bound = 1e300                          # replaces the budget's weight_bound

    [[variants]]
    name = "the arithmetic of 1993 in float32"
    arithmetic = "period-single"                  # f′ = o(1 − o) and t − o from the rounded output o

After the main run, each variant trains the best setting of every sweep
(per task, schedule and optimizer, `experiments.analysis.tuning`), the paper's
own setting of every published cell where no setting of ours succeeded, and
every setting a fixed published cell names, on every task with the same seeds;
its results are stored under ``variants/<slug>/`` of the results folder, a
results folder of its own.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field

from experiments.definition.initial_points import InitialPoints
from network.validation import ARITHMETICS

KEYS = ("name", "initial_points", "flat_spot", "flat_spot_units", "weight_bound", "arithmetic")


@dataclass(frozen=True)
class Variant:
    """One alternative choice: new initial points (some of their keys), a flat-spot offset or where it is added
    for every setting, another weight bound, and/or the arithmetic of σ′ and t − o
    (`experiments.definition.spec.OptimizerSetting`)."""

    name: str
    initial_points: dict = field(default_factory=dict)
    flat_spot: float | None = None
    flat_spot_units: str | None = None
    weight_bound: float | None = None
    arithmetic: str | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.slug:
            raise ValueError(f"a variant needs a name with letters or digits, got {self.name!r}")
        if not isinstance(self.initial_points, dict):
            raise ValueError(f"variant {self.name!r}: initial_points must be a table, got {self.initial_points!r}")
        changes = (self.flat_spot, self.flat_spot_units, self.weight_bound, self.arithmetic)
        if not self.initial_points and all(change is None for change in changes):
            raise ValueError(
                f"variant {self.name!r} changes nothing: give initial_points, flat_spot, flat_spot_units, "
                "weight_bound or arithmetic"
            )
        bound = self.weight_bound
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float)) or not bound > 0
                                  or not math.isfinite(bound)):  # fmt: skip
            raise ValueError(f"variant {self.name!r}: weight_bound must be a finite number > 0, got {bound!r}")

    @property
    def slug(self) -> str:
        """The variant's folder name: its name in lower-case letters, digits and dashes.

        >>> Variant("initial weights in ±0.5", flat_spot=0.0).slug
        'initial-weights-in-0-5'
        """
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    def setting(self, setting):
        """``setting`` as this variant trains it: its flat spot and arithmetic changed where the variant says, outside
        any sweep."""
        flat_spot = setting.flat_spot if self.flat_spot is None else self.flat_spot
        units = setting.flat_spot_units if self.flat_spot_units is None else self.flat_spot_units
        arithmetic = setting.arithmetic if self.arithmetic is None else self.arithmetic
        return dataclasses.replace(setting, flat_spot=flat_spot, flat_spot_units=units, arithmetic=arithmetic,
                                   swept=None)  # fmt: skip

    def apply(self, spec, settings):
        """The spec that trains ``settings`` (each once, whatever sweep it came from) under this variant."""
        points = InitialPoints.from_dict(spec.initial_points.to_dict() | self.initial_points)
        budget = spec.budget if self.weight_bound is None else dataclasses.replace(
            spec.budget, weight_bound=float(self.weight_bound)
        )  # fmt: skip
        rerun = list({single.label: single for single in map(self.setting, settings)}.values())
        return dataclasses.replace(
            spec,
            name=f"{spec.name}-{self.slug}",
            description=f"{spec.name}, the best settings of its sweeps, under the variant: {self.name}",
            optimizers=tuple(rerun),
            initial_points=points,
            budget=budget,
            variants=(),
            published=None,
        )

    def conditions(self, spec, setting) -> str:
        """What ``setting`` of ``spec`` trains under in this variant, in the words of `conditions`."""
        changed = self.setting(setting)
        points = spec.initial_points.to_dict() | self.initial_points
        bound = spec.budget.weight_bound if self.weight_bound is None else self.weight_bound
        return conditions(changed.flat_spot, changed.flat_spot_units, points, bound, changed.arithmetic)

    def to_dict(self) -> dict:
        data = {"name": self.name} | ({"initial_points": self.initial_points} if self.initial_points else {})
        return data | {key: getattr(self, key) for key in KEYS[2:] if getattr(self, key) is not None}

    @classmethod
    def from_dict(cls, data, where: str) -> Variant:
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a table, got {data!r}")
        unknown = sorted(set(data) - set(KEYS))
        if unknown:
            raise ValueError(f"{where} has an unknown key {unknown[0]!r}; allowed: {', '.join(sorted(KEYS))}")
        if "name" not in data:
            raise ValueError(f"{where} is missing the key 'name'")
        variant = cls(data["name"], data.get("initial_points", {}), data.get("flat_spot"), data.get("flat_spot_units"),
                      data.get("weight_bound"), data.get("arithmetic"))  # fmt: skip
        if variant.flat_spot_units is not None and variant.flat_spot_units not in ("all", "output"):
            raise ValueError(f"{where}: flat_spot_units must be all or output, got {variant.flat_spot_units!r}")
        if variant.arithmetic is not None and variant.arithmetic not in ARITHMETICS:
            raise ValueError(f"{where}: arithmetic must be one of {', '.join(ARITHMETICS)}, got {variant.arithmetic!r}")
        return variant


def main_conditions(spec, setting) -> str:
    """What ``setting`` of ``spec`` trains under in the main run, in the words of `conditions`."""
    points, bound = spec.initial_points.to_dict(), spec.budget.weight_bound
    return conditions(setting.flat_spot, setting.flat_spot_units, points, bound, setting.arithmetic)


ARITHMETIC_WORDS = {
    "exact": "",
    "period": "σ′ = o(1−o) and t − o from the rounded output (float64), ",
    "period-single": "σ′ = o(1−o) and t − o from the rounded output in float32, ",
}


def conditions(flat_spot: float, units: str, points: dict, weight_bound: float, arithmetic: str = "exact") -> str:
    """The conditions a verdict holds under, in words: the σ′ offset and where, the arithmetic of σ′ and t − o
    where it is not optarena's exact one, the initial weights, the bound.

    >>> conditions(0.1, "all", {"kind": "uniform", "low": -1.0, "high": 1.0}, 1e6)
    'σ′ + 0.1 at every unit, initial weights uniform in [-1, 1], |w| ≤ 10⁶'
    >>> conditions(0.0, "all", {"kind": "list", "points": [[0.5, 0.5]]}, 1e300)
    'exact σ′, initial weights as listed, no weight bound'
    >>> conditions(0.1, "all", {"low": -1.0, "high": 1.0}, 1e6, "period-single").split(", ")[1]
    'σ′ = o(1−o) and t − o from the rounded output in float32'
    """
    where = "every unit" if units == "all" else "the outputs"
    offset = f"σ′ + {flat_spot:g} at {where}" if flat_spot else ("exact σ′" if arithmetic == "exact" else "no offset")
    kind = points.get("kind", "uniform")
    span = f"[{points.get('low', 0):g}, {points.get('high', 0):g}]"
    start = {"uniform": f"uniform in {span}", "grid": f"on a grid over {span}"}.get(kind, "as listed")
    bound = "no weight bound" if weight_bound >= NO_BOUND else f"|w| ≤ {readable_number(weight_bound)}"
    return f"{offset}, {ARITHMETIC_WORDS[arithmetic]}initial weights {start}, {bound}"


def readable_number(value: float) -> str:
    """10⁶ for a power of ten, else the number as %g.

    >>> readable_number(1e6), readable_number(3.0)
    ('10⁶', '3')
    """
    exponent = round(math.log10(value))
    return f"10{str(exponent).translate(SUPERSCRIPTS)}" if value == 10.0**exponent else f"{value:g}"


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
NO_BOUND = 1e300  # a weight bound this large bounds nothing a float64 weight reaches before it overflows

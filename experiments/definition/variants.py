"""Variants: the best settings of an experiment's sweeps, trained again under another choice of an unknown.

A paper rarely states every choice its numbers depend on (the range of the
initial weights, the σ′ offset).  Instead of guessing one, a spec runs its
main choice and then measures what the others change::

    [[variants]]
    name = "initial weights in ±0.5"
    initial_points = { low = -0.5, high = 0.5 }   # replaces these keys of the spec's initial_points

    [[variants]]
    name = "the exact σ′ (no flat-spot offset)"
    flat_spot = 0.0                               # every rerun setting trains with this offset

After the main run, each variant trains the best setting of every sweep
(per task, schedule and optimizer, `experiments.analysis.tuning`), and every
setting a fixed published cell names, on every task with the same seeds; its
results are stored under ``variants/<slug>/`` of the results folder, a
results folder of its own.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from experiments.definition.initial_points import InitialPoints


@dataclass(frozen=True)
class Variant:
    """One alternative choice: new initial points (some of their keys) and/or a flat-spot offset for every setting."""

    name: str
    initial_points: dict = field(default_factory=dict)
    flat_spot: float | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.slug:
            raise ValueError(f"a variant needs a name with letters or digits, got {self.name!r}")
        if not isinstance(self.initial_points, dict):
            raise ValueError(f"variant {self.name!r}: initial_points must be a table, got {self.initial_points!r}")
        if not self.initial_points and self.flat_spot is None:
            raise ValueError(f"variant {self.name!r} changes nothing: give initial_points or flat_spot")

    @property
    def slug(self) -> str:
        """The variant's folder name: its name in lower-case letters, digits and dashes.

        >>> Variant("initial weights in ±0.5", flat_spot=0.0).slug
        'initial-weights-in-0-5'
        """
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    def apply(self, spec, settings):
        """The spec that trains ``settings`` (each once, whatever sweep it came from) under this variant."""
        points = InitialPoints.from_dict(spec.initial_points.to_dict() | self.initial_points)
        rerun, seen = [], set()
        for setting in settings:
            flat_spot = setting.flat_spot if self.flat_spot is None else self.flat_spot
            single = dataclasses.replace(setting, flat_spot=flat_spot, swept=None)
            if single.label not in seen:
                seen.add(single.label)
                rerun.append(single)
        return dataclasses.replace(
            spec,
            name=f"{spec.name}-{self.slug}",
            description=f"{spec.name}, the best settings of its sweeps, under the variant: {self.name}",
            optimizers=tuple(rerun),
            initial_points=points,
            variants=(),
            published=None,
        )

    def to_dict(self) -> dict:
        data = {"name": self.name} | ({"initial_points": self.initial_points} if self.initial_points else {})
        return data | ({"flat_spot": self.flat_spot} if self.flat_spot is not None else {})

    @classmethod
    def from_dict(cls, data, where: str) -> Variant:
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a table, got {data!r}")
        unknown = sorted(set(data) - {"name", "initial_points", "flat_spot"})
        if unknown:
            raise ValueError(f"{where} has an unknown key {unknown[0]!r}; allowed: flat_spot, initial_points, name")
        if "name" not in data:
            raise ValueError(f"{where} is missing the key 'name'")
        return cls(data["name"], data.get("initial_points", {}), data.get("flat_spot"))

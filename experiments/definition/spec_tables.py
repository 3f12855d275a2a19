"""How a spec's tables are read: each with one clear, one-line error for a missing, unknown or mistyped key.

Shared by both kinds of spec (`experiments.definition.spec`, `experiments.definition.held_out_spec`).
"""

from __future__ import annotations

import json

from network.validation import did_you_mean


def canonical_json(data) -> str:
    """JSON with sorted keys and exact float reprs: equal data, equal text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


class SpecTable:
    """A table of a spec, read with one clear error for its missing, unknown or mistyped keys."""

    def __init__(self, where: str, data, required: tuple[str, ...] = ()):
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a table, got {data!r}")
        self.where, self.data, self.required = where, data, tuple(required)

    def allow(self, *keys: str) -> None:
        """A one-line ValueError naming every unknown key (with the allowed key it is closest to) and every
        missing one, unless the table has all ``required`` keys and no other than those and ``keys``."""
        allowed = {*self.required, *keys}
        unknown = [key for key in self.data if key not in allowed]
        missing = [key for key in self.required if key not in self.data]
        problems = [f"has an unknown key {key!r}{did_you_mean(key, allowed)}" for key in unknown]
        if missing:
            problems.append(f"is missing the key{'s' * (len(missing) > 1)} " + ", ".join(map(repr, missing)))
        if problems:
            listing = f"; allowed: {', '.join(sorted(allowed))}" if unknown else ""
            raise ValueError(f"{self.where} {' and '.join(problems)}{listing}")

    def __getitem__(self, key):
        return self.data[key]

    def get(self, key, default=None):
        return self.data.get(key, default)


def listed(keys: SpecTable, key: str, default=None) -> list:
    """The list under ``key`` (``default`` where it is missing); anything else is a one-line ValueError."""
    value = keys.get(key, default)
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list, got {value!r}")
    return value


def require_unique(key: str, labels: list) -> None:
    """A one-line ValueError naming the first label that ``key`` lists more than once."""
    repeated = sorted({label for label in labels if labels.count(label) > 1}, key=str)
    if repeated:
        raise ValueError(f"{key} lists {repeated[0]!r} more than once")

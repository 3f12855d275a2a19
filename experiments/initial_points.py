"""Seeded initial points for a population of 1-1-1 networks."""

from __future__ import annotations

import numpy as np


def uniform_box(count: int, half_width: float, seed: int) -> np.ndarray:
    """``count`` points (w_h, w_o) drawn uniformly from [−half_width, half_width]², reproducibly.

    >>> uniform_box(2, 1.0, seed=0).shape
    (2, 2)
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an integer >= 1, got {count!r}")
    if not (np.isfinite(half_width) and half_width > 0):
        raise ValueError(f"half_width must be a positive finite number, got {half_width!r}")
    return np.random.default_rng(seed).uniform(-half_width, half_width, size=(count, 2))

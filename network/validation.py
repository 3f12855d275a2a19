"""Checks that turn arrays users pass in into what the network computes on, or say clearly why not."""

from __future__ import annotations

import numpy as np


def as_weights(weights) -> np.ndarray:
    """A float64 array of shape ``(..., 2)`` ordered (w_h, w_o); non-finite values are allowed.

    Non-finite weights are the mark of a diverged run: they propagate as NaN so
    the run can be flagged, instead of being refused here.
    """
    array = _as_float_array(weights, "weights")
    if array.ndim == 0 or array.shape[-1] != 2:
        raise ValueError(f"weights must have a last axis of length 2 ordered (w_h, w_o), got shape {array.shape}")
    return array


def as_samples(values, name: str) -> np.ndarray:
    """A non-empty, finite, 1-D float64 array of training samples (inputs or targets)."""
    array = _as_float_array(values, name)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of samples, got shape {array.shape}")
    if not np.isfinite(array).all():
        bad = array[~np.isfinite(array)][0]
        raise ValueError(f"{name} must be finite, got {bad}")
    return array


def _as_float_array(values, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {values!r}") from None
    return array

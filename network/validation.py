"""Checks that turn arrays users pass in into what the networks compute on, or say clearly why not."""

from __future__ import annotations

import difflib
import math
from numbers import Real
from typing import NamedTuple

import numpy as np


def did_you_mean(word, choices) -> str:
    """ " (did you mean 'X'?)" for the choice closest to ``word`` (letter case aside), or "" when none is close.

    >>> did_you_mean("Adam", ["adam", "adagrad"]), did_you_mean("task", ["tasks", "seeds"]), did_you_mean("zzz", ["a"])
    (" (did you mean 'adam'?)", " (did you mean 'tasks'?)", '')
    """
    by_case = {str(choice).lower(): str(choice) for choice in choices}
    close = difflib.get_close_matches(str(word).lower(), list(by_case), n=1, cutoff=0.6)
    return f" (did you mean {by_case[close[0]]!r}?)" if close else ""


def as_weights(weights) -> np.ndarray:
    """A float64 array of shape ``(..., 2)`` ordered (w_h, w_o); non-finite values are allowed.

    Non-finite weights are the mark of a diverged run: they propagate as NaN so
    the run can be flagged, instead of being refused here.
    """
    array = _as_float_array(weights, "weights")
    if array.ndim == 0 or array.shape[-1] != 2:
        raise ValueError(f"weights must have a last axis of length 2 ordered (w_h, w_o), got shape {array.shape}")
    return array


def as_parameters(params, size: int, network: str) -> np.ndarray:
    """A float64 array of shape ``(..., size)``: one parameter vector per network; non-finite values are allowed.

    >>> as_parameters([1, 2, 3], 3, "Layered([2, 1])").dtype
    dtype('float64')
    """
    array = _as_float_array(params, "parameters")
    if array.ndim == 0 or array.shape[-1] != size:
        raise ValueError(f"parameters of {network} must have a last axis of length {size}, got shape {array.shape}")
    return array


def as_samples(values, name: str) -> np.ndarray:
    """A non-empty, finite, 1-D float64 array of training samples (inputs or targets of the 1-1-1 network).

    A single column, shape (samples, 1), is accepted too.
    """
    array = _as_float_array(values, name)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of samples (or one column), got shape {array.shape}")
    _require_finite(array, name)
    return array


def as_sample_matrix(values, name: str, width: int | None = None) -> np.ndarray:
    """A non-empty, finite float64 array of shape (samples, width): one row per sample.

    A 1-D array is one column of samples.  Ragged rows, a wrong width and
    non-finite values get a one-line ValueError naming the row or value.

    >>> as_sample_matrix([1.0, 2.0], "targets").shape
    (2, 1)
    """
    if isinstance(values, (list, tuple)):
        lengths = [len(row) if isinstance(row, (list, tuple)) else None for row in values]
        if len(set(lengths)) > 1:
            first = lengths[0]
            bad = next(i for i, length in enumerate(lengths) if length != first)
            raise ValueError(
                f"{name} must be a rectangular table: row {bad + 1} has "
                f"{_values(lengths[bad])} where row 1 has {_values(first)}"
            )
    array = _as_float_array(values, name)
    if array.ndim == 1 and array.size:
        array = array[:, None]
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty table with one row per sample, got shape {array.shape}")
    if width is not None and array.shape[1] != width:
        raise ValueError(f"{name} must have {width} column{'s' * (width != 1)}, got {array.shape[1]}")
    _require_finite(array, name)
    return array


ARITHMETICS = ("exact", "period", "period-single")  # how the training gradient forms σ′ and t − r: codes 0, 1, 2
EXACT_ARITHMETIC, PERIOD, PERIOD_SINGLE = range(3)


class FlatSpot(NamedTuple):
    """How the training gradient departs from the exact one: the constants it adds to f′ (Fahlman's flat-spot
    elimination) at the hidden and at the output units, and the arithmetic that forms f′ and t − r.

    Fahlman's code adds 0.1 at every non-input unit; much of the literature
    adds it at the output units only, where it keeps the error signal alive
    without giving a saturated hidden unit a slope it has not.

    ``arithmetic`` (a code of `ARITHMETICS`) is optarena's by default (0,
    "exact"): f′ from the pre-activation, σ(x)·σ(−x), and t − r from the
    distance to the asymptote, both positive at a saturated unit as long as
    float64 can say so (|x| up to about 745).  The codes of 1986–1993 (SNNS,
    Fahlman's Quickprop, Riedmiller's Rprop) formed both from the rounded
    output: f′ = r·(1 − r) and t − r, which are exactly 0 once r rounds to 1,
    at |x| ≳ 37 in double precision ("period", 1) and at |x| ≳ 17 in the
    single precision they ran in ("period-single", 2: r rounded to float32
    where f′ and t − r are formed from it, and f′ and t − r rounded too).  The
    forward pass, E, the sums, the weights and the optimizer stay in float64
    in every arithmetic: only the gradient changes."""

    hidden: float = 0.0
    output: float = 0.0
    arithmetic: int = EXACT_ARITHMETIC

    def __bool__(self) -> bool:
        """Whether the gradient differs from the true one anywhere."""
        return self.hidden != 0.0 or self.output != 0.0 or self.arithmetic != EXACT_ARITHMETIC


EXACT = FlatSpot()  # no offset: the true gradient


def closed_form_flat_spot(flat_spot) -> FlatSpot:
    """`checked_flat_spot` for the article's closed-form gradient, which forms σ′ exactly: a period arithmetic gets
    a one-line ValueError saying where it is computed."""
    flat_spot = checked_flat_spot(flat_spot)
    if flat_spot.arithmetic != EXACT_ARITHMETIC:
        raise ValueError(
            f"the article's closed-form gradient forms σ′ exactly; the {ARITHMETICS[flat_spot.arithmetic]} "
            "arithmetic runs in the layered pass (network.ARTICLE_NETWORK.loss_and_grad, or a Task's loss_and_grad)"
        )
    return flat_spot


def checked_flat_spot(flat_spot) -> FlatSpot:
    """``flat_spot`` as a `FlatSpot`: a number c ≥ 0 is c at every unit, a pair is (hidden, output), a `FlatSpot`
    keeps its arithmetic; else a one-line ValueError.

    >>> checked_flat_spot(0.1), checked_flat_spot((0.0, 0.1))
    (FlatSpot(hidden=0.1, output=0.1, arithmetic=0), FlatSpot(hidden=0.0, output=0.1, arithmetic=0))
    """
    arithmetic = EXACT_ARITHMETIC
    if isinstance(flat_spot, FlatSpot):
        flat_spot, arithmetic = (flat_spot.hidden, flat_spot.output), flat_spot.arithmetic
        if arithmetic not in range(len(ARITHMETICS)):
            raise ValueError(f"arithmetic must be a code 0 … {len(ARITHMETICS) - 1} ({', '.join(ARITHMETICS)})")
    offsets = tuple(flat_spot) if isinstance(flat_spot, (tuple, list)) else (flat_spot, flat_spot)
    if len(offsets) != 2 or not all(
        not isinstance(c, bool) and isinstance(c, Real) and math.isfinite(c) and c >= 0 for c in offsets
    ):
        raise ValueError(
            f"flat_spot must be a finite number >= 0 (at every unit) or a pair (hidden, output) of them, "
            f"got {flat_spot!r}"
        )
    return FlatSpot(float(offsets[0]), float(offsets[1]), int(arithmetic))


def _values(length: int | None) -> str:
    return "a single number" if length is None else f"{length} value{'s' * (length != 1)}"


def _require_finite(array: np.ndarray, name: str) -> None:
    """A one-line ValueError naming the first value that is not finite and where it is (its numpy index)."""
    if not np.isfinite(array).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{name} must be finite, got {array[where]} at {list(where)}")


def _as_float_array(values, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {values!r}") from None
    return array

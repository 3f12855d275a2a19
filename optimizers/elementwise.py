"""Update rules written once: the same function steps numpy arrays and, compiled by numba, one weight at a time.

An optimizer whose update acts weight by weight (every built-in one) writes
it once, as a plain function of its coefficients, one weight, its gradient
and its per-weight state values::

    def rule(c, weight, grad, velocity):
        velocity = velocity * c[1] + grad
        return weight - c[0] * velocity, velocity

and a second one, ``coefficients(hyperparameters, count)``, for what
changes with the step count t only (Adam's bias corrections), computed once
per step.  Called with numpy arrays, the rule is the optimizer's numpy step;
compiled by `optimizers.compiled.compile_rule`, it is what the compiled population step
(`optimizers.compiled`) and the fused training kernels
(`experiments.running.kernels.fused`, `experiments.running.kernels.fused_layered`) call for each
weight.  Both evaluate the same IEEE operations in the same order, so they
agree to the last bit, NaN, infinities and signed zeros included.

A rule may use arithmetic, comparisons, ``&`` and ``|`` on comparisons,
``np.sqrt``, ``np.abs``, a branch on a coefficient (the same for every weight), and the
primitives below, which are numpy functions on arrays and, through the
overloads `optimizers.compiled` registers, branches on numbers inside
compiled code (importing this module loads no compiler): `choose` (np.where), `sign` (np.sign), `clip`
(np.clip), `larger` and `smaller` (np.maximum, np.minimum: NaN wins),
`lerp` (torch's rounding of start + w·(end − start)) and, for coefficients, `power` (C's pow).
A piece that several rules share is a function marked `shared`: numpy calls it as it is, and compiled
code compiles it where a rule calls it.

`ElementwiseOptimizer` turns such a rule into the optimizer protocol's
``step``, taking the compiled path where it may (`enabled`).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
from typing import ClassVar

import numpy as np

from optimizers.base import as_step_arrays
from optimizers.base import lerp as lerp_arrays

_numpy_only = contextvars.ContextVar("numpy_only", default=False)
_compiled_steps = None  # () -> `optimizers.compiled`, handed over by the package (`use_compiled_steps`)


def use_compiled_steps(loader) -> None:
    """Take the compiled steps from ``loader()``, called on the first step: the package (`optimizers/__init__.py`)
    hands them over, since `optimizers.compiled` imports every rule module, and so this one."""
    global _compiled_steps
    _compiled_steps = loader


def enabled() -> bool:
    """Whether steps may run compiled: outside ``numpy_only()`` and without ``OPTARENA_ACCELERATE=0``."""
    return not _numpy_only.get() and os.environ.get("OPTARENA_ACCELERATE", "1") != "0"


@contextlib.contextmanager
def numpy_only(active: bool = True):
    """Within this block (if ``active``), every optimizer step runs its rule on numpy arrays."""
    token = _numpy_only.set(active or _numpy_only.get())
    try:
        yield
    finally:
        _numpy_only.reset(token)


_SHARED: list = []


def shared(function):
    """Mark ``function`` (written in the rules' vocabulary) as callable from rules and coefficients functions:
    `optimizers.compiled` registers it with numba, so compiled rules may call it too."""
    _SHARED.append(function)
    return function


def shared_functions() -> tuple:
    """The functions marked `shared` so far."""
    return tuple(_SHARED)


@shared
def first_step(count, like):
    """1.0 on the first step (``count`` 1), else 0.0, shaped as ``like`` (a number, or one per network): a flag a
    rule branches on to start its state from the first weights or gradient."""
    return (1.0 if count == 1 else 0.0) + 0.0 * like


def unchanged(hyperparameters: np.ndarray, count: int) -> np.ndarray:
    """The coefficients of a rule that does not depend on the step count: its hyperparameters."""
    return hyperparameters


def choose(condition, yes, no):
    """np.where(condition, yes, no)."""
    return np.where(condition, yes, no)


def sign(value):
    """np.sign: −1, 0 or 1, NaN for NaN, +0.0 for −0.0."""
    return np.sign(value)


def clip(value, low, high):
    """np.clip(value, low, high): NaN stays NaN."""
    return np.clip(value, low, high)


def larger(a, b):
    """np.maximum(a, b): NaN wins; between equal values (±0) b."""
    return np.maximum(a, b)


def smaller(a, b):
    """np.minimum(a, b): NaN wins; between equal values (±0) b."""
    return np.minimum(a, b)


_C_POWER = np.frompyfunc(math.pow, 2, 1)


def power(base, exponent):
    """base ** exponent, element by element as C's pow computes it (as Python and numba do): numpy's own power
    of an array takes SIMD code that rounds differently on some machines (0.9 ** 8.0 is 0.43046721 there and
    0.4304672100000001 here), and a coefficient must not depend on whether its network trains alone or in a
    population with hyperparameters per network."""
    if np.ndim(base) == 0 and np.ndim(exponent) == 0:
        return math.pow(base, exponent)
    return _C_POWER(base, exponent).astype(np.float64)


def lerp(start, end, weight: float):
    """start + weight·(end − start), rounded as torch's CPU lerp (`optimizers.base.lerp`)."""
    return lerp_arrays(start, end, weight)


def per_network(coefficients: np.ndarray, lead: tuple[int, ...]) -> list:
    """Coefficients of shape (C, networks) as the rule takes them: a number where every network has the same
    (a flag the rule branches on must be one), else one value per network, shaped to broadcast over its weights."""
    return [
        float(row[0]) if (row == row[0]).all() else row.reshape(*lead, 1)
        for row in np.asarray(coefficients, dtype=np.float64)
    ]


class ElementwiseOptimizer:
    """The optimizer protocol's ``init`` and ``step`` from a rule (module docstring).

    A subclass (a frozen dataclass of hyperparameters) declares:

        State          a NamedTuple: the per-weight arrays first, then ``count`` (int) and/or
                       ``prev_loss`` (per network) where the rule needs them
        slots          how many per-weight arrays the state holds
        rule           the update, a plain function (c, weight, grad, *slots[, error_rose]) →
                       (weight, *slots); ``error_rose`` (E > E⁻, per network) only if the state
                       keeps ``prev_loss``
        coefficients   (hyperparameters, count) → c, a plain function (default `unchanged`)
        coefficients_change   True if c depends on the step count (default False: computed once)
        hyperparameter_vector()   the numbers the coefficients are made from, as a float64 array
        initial_slots(weights)    the per-weight arrays before the first step (default: zeros)
        evaluated_slot   the state array that holds the model, when it is not the weights the rule
                         steps (Schedule-Free's x; default None); before the first step the model is
                         the weights (`evaluation_point`)

    Every built-in rule also runs compiled (`optimizers.compiled`); a rule of
    another optimizer steps numpy arrays only.
    """

    State: ClassVar[type]
    slots: ClassVar[int]
    rule: ClassVar
    coefficients: ClassVar = staticmethod(unchanged)
    coefficients_change: ClassVar[bool] = False  # with the step count (Adam's bias corrections): recomputed per step
    needs_loss: ClassVar[bool] = False
    evaluated_slot: ClassVar[int | None] = None

    def hyperparameter_vector(self) -> np.ndarray:
        raise NotImplementedError

    @property
    def schedulable(self) -> bool:
        """Whether a learning-rate schedule applies (`optimizers.learning_rate_schedules`): the first
        hyperparameter is a ``learning_rate`` that scales every step (delta-bar-delta's and SuperSAB's only
        start their per-weight rates, and say so)."""
        return "learning_rate" in getattr(self, "__dataclass_fields__", {}) and (
            self.hyperparameter_vector()[0] == self.learning_rate
        )

    def evaluation_point(self, weights, state):
        """The model (`optimizers.base.evaluation_point`): the weights, or the state array `evaluated_slot` once a
        step has filled it."""
        if self.evaluated_slot is None or state.count == 0:
            return weights
        return state[self.evaluated_slot]

    def initial_slots(self, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.zeros_like(weights) for _ in range(self.slots))

    def init(self, weights):
        weights = np.asarray(weights, dtype=np.float64)
        extras = {"count": 0, "prev_loss": np.full(weights.shape[:-1], np.inf)}
        return self.State(*self.initial_slots(weights), *(extras[field] for field in self.State._fields[self.slots :]))

    def step(self, weights, grad, state, loss=None):
        return self.step_with(self.hyperparameter_vector(), weights, grad, state, loss)

    def step_with(self, hyperparameters, weights, grad, state, loss=None):
        """`step` with the given hyperparameter vector, or with one column of them per network (shape
        (H, networks), `optimizers.per_network`): then the rule steps numpy arrays, each network with its own."""
        compiled = _compiled_steps()
        weights, grad = as_step_arrays(self.name, weights, grad)
        if self.needs_loss and loss is None:
            raise ValueError(f"{self.name} needs the error at the current weights: step(..., loss=E)")
        count = (state.count if "count" in self.State._fields else 0) + 1  # a tuple's .count is a method
        coefficients = self.coefficients(hyperparameters, count)
        slots = tuple(state[: self.slots]) if self.slots else ()
        extra = ()
        if "prev_loss" in self.State._fields:
            rose = np.zeros(weights.shape[:-1], dtype=bool) if loss is None else np.asarray(loss) > state.prev_loss
            extra = (np.broadcast_to(rose[..., None], weights.shape),)
        if hyperparameters.ndim == 2 and compiled.fits(self, weights, *slots) and compiled.kind_of(self) is not None:
            weights, *slots = compiled.step_per_network(self, coefficients, weights, grad, slots, *extra)
        elif hyperparameters.ndim == 1 and compiled.fits(self, weights, *slots):
            weights, *slots = compiled.step(self, coefficients, weights, grad, slots, *extra)
        elif hyperparameters.ndim == 2:
            weights, *slots = self.rule(per_network(coefficients, weights.shape[:-1]), weights, grad, *slots, *extra)
        else:
            weights, *slots = self.rule(coefficients, weights, grad, *slots, *extra)
        if not self.State._fields:
            return weights, state  # no state: whatever was given (None too) goes back
        extras = {"count": count}
        if "prev_loss" in self.State._fields:
            extras["prev_loss"] = state.prev_loss if loss is None else np.asarray(loss, dtype=np.float64)
        return weights, self.State(*slots, *(extras[field] for field in self.State._fields[self.slots :]))

"""The protocol every optimizer follows, and the checks its constructor uses.

An optimizer is an immutable object holding its hyperparameters, with two pure
methods over parameter arrays of shape (..., P): the last axis holds one
model's P parameters (the 1-1-1 network's (w_h, w_o), a layered network's
vector, or any model's flattened parameters) and any leading shape is a
population of independent models:

    state = optimizer.init(weights)
    weights, state = optimizer.step(weights, grad, state, loss=None)

``step`` never mutates its arguments; ``loss`` is the error at ``weights``
(shape ``weights.shape[:-1]``), needed only by optimizers whose ``needs_loss``
is true.

Most optimizers take the gradient where the model is.  One that does not
(Schedule-Free takes it at y and its model is x, an average of the steps)
names its model with a third method, which `evaluation_point` calls:

    model = optimizer.evaluation_point(weights, state)

and everything measured of a run (E, success, the held-out errors, the paths
drawn) is measured there; every other optimizer is evaluated where it steps.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Optimizer(Protocol):
    """What the registry, the runner and the tests rely on."""

    name: ClassVar[str]
    needs_loss: ClassVar[bool]

    def init(self, weights: np.ndarray) -> Any: ...

    def step(
        self, weights: np.ndarray, grad: np.ndarray, state: Any, loss: np.ndarray | None = None
    ) -> tuple[np.ndarray, Any]: ...


def evaluation_point(optimizer, weights, state):
    """Where ``optimizer``'s model is, given the weights it steps and its state: its ``evaluation_point`` if it
    has one, else the weights themselves."""
    point = getattr(optimizer, "evaluation_point", None)
    return weights if point is None else point(weights, state)


def as_step_arrays(name: str, weights, grad) -> tuple[np.ndarray, np.ndarray]:
    """Weights and gradient as float64 arrays of one shape ``(..., P)`` with P ≥ 1, or a ValueError.

    >>> as_step_arrays("gd", [1.0, 2.0, 3.0], [0.0, 0.0, 1.0])[0].shape
    (3,)
    """
    weights, grad = np.asarray(weights, dtype=np.float64), np.asarray(grad, dtype=np.float64)
    if weights.shape != grad.shape or weights.ndim == 0 or weights.shape[-1] == 0:
        raise ValueError(
            f"{name}: weights and grad must share one shape (..., P) with P >= 1, got {weights.shape} and {grad.shape}"
        )
    return weights, grad


def require_real(owner: str, name: str, value) -> float:
    """``value`` as a finite float, or an error naming the hyperparameter."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    return float(value)


def require_positive(owner: str, name: str, value) -> None:
    """Raise unless ``value`` is a finite number > 0."""
    if require_real(owner, name, value) <= 0:
        raise ValueError(f"{owner}: {name} must be > 0, got {value!r}")


def require_non_negative(owner: str, name: str, value) -> None:
    """Raise unless ``value`` is a finite number ≥ 0."""
    if require_real(owner, name, value) < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")


def require_between(owner: str, name: str, value, low: float, high: float) -> None:
    """Raise unless low < ``value`` < high (an open interval)."""
    if not low < require_real(owner, name, value) < high:
        raise ValueError(f"{owner}: {name} must be in ({low:g}, {high:g}), got {value!r}")


def require_unit_interval(owner: str, name: str, value) -> None:
    """Raise unless 0 ≤ ``value`` < 1 (decay rates, momentum coefficients)."""
    if not 0 <= require_real(owner, name, value) < 1:
        raise ValueError(f"{owner}: {name} must be in [0, 1), got {value!r}")


def require_moment_settings(optimizer) -> None:
    """The checks every optimizer of Adam's kind makes: learning_rate > 0, beta1 and beta2 in [0, 1), eps > 0."""
    require_positive(optimizer.name, "learning_rate", optimizer.learning_rate)
    require_unit_interval(optimizer.name, "beta1", optimizer.beta1)
    require_unit_interval(optimizer.name, "beta2", optimizer.beta2)
    require_positive(optimizer.name, "eps", optimizer.eps)


def lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """start + weight·(end − start), rounded as torch's CPU ``lerp`` kernel rounds it.

    torch evaluates ``end − (end − start)·(1 − weight)`` when weight ≥ 0.5, so the
    two agree to the last bit; the exponential averages of Adam and centered
    RMSprop are lerps.

    >>> float(lerp(np.array(1.0), np.array(3.0), 0.25))
    1.5
    """
    difference = end - start
    if np.ndim(weight):  # one weight per network (`optimizers.per_network`): each element as torch rounds it
        return np.where(weight < 0.5, start + weight * difference, end - difference * (1 - weight))
    if weight < 0.5:
        difference *= weight
        difference += start  # start + weight·(end − start)
        return difference
    difference *= 1 - weight
    return np.subtract(end, difference, out=difference)  # end − (end − start)·(1 − weight)

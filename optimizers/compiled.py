"""The update rules of gd, the Rprop family and Adam compiled by numba: one pass over the parameters, same bits.

Each optimizer's numpy ``step`` is the reference and its docstring the math.
Here the same operations run in the same order, one parameter at a time,
inside one compiled loop spread over the cores: a step reads and writes every
array once instead of through a dozen numpy temporaries.  IEEE arithmetic
rounds each operation the same way in both, so the two agree to the last bit,
NaN, infinities and signed zeros included; the tests hold them to it on
random and special values.

The scalar rules (`sign`, `rprop_weight`) are also what the fused 1-1-1
training kernel (`experiments.running.fused`) calls, so the compiled code
holds each rule once too.

A step uses this path when numba is allowed: not inside ``numpy_only()``
(which ``accelerate=False`` in the experiments uses) and not with
``OPTARENA_ACCELERATE=0`` in the environment.
"""

from __future__ import annotations

import contextlib
import contextvars
import os

import numba
import numpy as np

NEVER, ALWAYS, IF_ERROR_ROSE = 0, 1, 2
BACKTRACKING = {"never": NEVER, "always": ALWAYS, "if_error_rose": IF_ERROR_ROSE}
PARALLEL_FROM = 1 << 15  # parameters: below this a step runs on one core (starting threads costs more)

_numpy_only = contextvars.ContextVar("numpy_only", default=False)


def enabled() -> bool:
    """Whether steps may run compiled: outside ``numpy_only()`` and without ``OPTARENA_ACCELERATE=0``."""
    return not _numpy_only.get() and os.environ.get("OPTARENA_ACCELERATE", "1") != "0"


def fits(weights: np.ndarray, *state: np.ndarray) -> bool:
    """Whether a step on ``weights`` with these state arrays may run compiled: `enabled`, and every
    array of the weights' shape (anything else goes to numpy, which broadcasts it or says what is wrong)."""
    return enabled() and all(np.shape(array) == weights.shape for array in state)


@contextlib.contextmanager
def numpy_only(active: bool = True):
    """Within this block (if ``active``), every optimizer step runs its numpy reference code."""
    token = _numpy_only.set(active or _numpy_only.get())
    try:
        yield
    finally:
        _numpy_only.reset(token)


def _compiled(**options):
    """numba.njit with the cache on and numpy's division semantics (no zero check, which would block SIMD)."""
    return numba.njit(cache=True, error_model="numpy", **options)


@_compiled()
def sign(value):
    """np.sign: −1, 0 or 1, and NaN for NaN (+0.0 for −0.0, as numpy gives)."""
    if value > 0:
        return 1.0
    if value < 0:
        return -1.0
    return 0.0 if value == value else value  # ±0.0 → +0.0; NaN stays NaN


@_compiled()
def rprop_weight(grad, prev_grad, step_size, prev_update, error_rose, rates, backtracking, step_on_sign_change):
    """One weight's Rprop step, as `optimizers.rprop._Rprop.step` computes it: (update, g⁻, Δ, Δw⁻).

    ``rates`` holds (Δ0, η+, η−, Δmin, Δmax); ``error_rose`` is E > E⁻ for irprop+.
    """
    product = prev_grad * grad
    flipped = product < 0
    factor = rates[1] if product > 0 else (rates[2] if flipped else 1.0)
    step_size = step_size * factor
    step_size = rates[3] if step_size < rates[3] else (rates[4] if step_size > rates[4] else step_size)  # np.clip
    moving_grad = grad if (step_on_sign_change or not flipped) else 0.0
    update = -(step_size * sign(moving_grad))
    undo = flipped and (backtracking == ALWAYS or (backtracking == IF_ERROR_ROSE and error_rose))
    if undo:
        return -prev_update, moving_grad, step_size, 0.0
    return update, moving_grad, step_size, update


def rprop_rates(optimizer) -> list[float]:
    """An Rprop variant's hyperparameters in the order `rprop_weight` reads them."""
    return [optimizer.delta0, optimizer.eta_plus, optimizer.eta_minus, optimizer.delta_min, optimizer.delta_max]


def gradient_descent(weights: np.ndarray, grad: np.ndarray, learning_rate: float) -> np.ndarray:
    """w − η·g (`optimizers.GradientDescent.step`)."""
    out = np.empty(weights.shape)
    _sized(_gradient_descent, out)(_flat(weights), _flat(grad), learning_rate, out.ravel())
    return out


def rprop(optimizer, weights, grad, state, loss):
    """`optimizers.rprop._Rprop.step` in one pass: (weights, (Δ, g⁻, Δw⁻))."""
    rose = (
        np.broadcast_to((np.asarray(loss, dtype=np.float64) > state.prev_loss)[..., None], weights.shape)
        if optimizer.backtracking == "if_error_rose"
        else np.zeros(weights.shape, dtype=np.bool_)
    )
    rates = np.array(rprop_rates(optimizer))
    outputs = [np.empty(weights.shape) for _ in range(4)]
    _sized(_rprop, weights)(
        *map(_flat, (weights, grad, *state[:3], rose)),
        rates,
        BACKTRACKING[optimizer.backtracking],
        optimizer.step_on_sign_change,
        *(o.ravel() for o in outputs),
    )
    new_weights, step_size, prev_grad, prev_update = outputs
    return new_weights, (step_size, prev_grad, prev_update)


def adam(optimizer, weights, grad, state, count: int):
    """`optimizers.adam._Adam.step` in one pass: (weights, its new `AdamState`)."""
    keep = 1 - optimizer.beta1
    scalars = np.array(
        [
            keep,
            optimizer.beta2,
            1 - optimizer.beta2,
            -(optimizer.learning_rate / (1 - optimizer.beta1 ** float(count))),
            (1 - optimizer.beta2 ** float(count)) ** 0.5,
            optimizer.eps,
        ]
    )
    new_weights, first, second = np.empty(weights.shape), np.empty(weights.shape), np.empty(weights.shape)
    largest = np.empty(weights.shape) if optimizer.amsgrad else np.empty(0)
    _sized(_adam, weights)(
        *map(_flat, (weights, grad, *state[:3])),
        scalars,
        optimizer.amsgrad,
        *(array.ravel() for array in (new_weights, first, second, largest)),
    )
    return new_weights, type(state)(first, second, largest if optimizer.amsgrad else state.max_second_moment, count)


def _sized(kernel, weights: np.ndarray):
    """The parallel or the serial compiled form of ``kernel``, by the number of parameters."""
    return kernel[weights.size >= PARALLEL_FROM]


def _flat(array) -> np.ndarray:
    """A C-ordered float64 (or bool) view of ``array`` as one dimension, copied only when it must be."""
    return np.ascontiguousarray(array).ravel()


def _both(function):
    """A kernel compiled twice: (serial, parallel); ``prange`` is a plain range in the serial one."""
    return _compiled()(function), _compiled(parallel=True)(function)


def _gradient_descent_kernel(weights, grad, learning_rate, out):
    for i in numba.prange(weights.size):
        out[i] = weights[i] - learning_rate * grad[i]


def _rprop_kernel(weights, grad, step_size, prev_grad, prev_update, rose, rates, backtracking, step_on_sign_change,
                  new_weights, new_step_size, new_prev_grad, new_prev_update):  # fmt: skip
    for i in numba.prange(weights.size):
        update, new_prev_grad[i], new_step_size[i], new_prev_update[i] = rprop_weight(
            grad[i], prev_grad[i], step_size[i], prev_update[i], rose[i], rates, backtracking, step_on_sign_change
        )
        new_weights[i] = weights[i] + update


def _adam_kernel(weights, grad, first, second, largest, scalars, amsgrad, new_weights, new_first, new_second,
                 new_largest):  # fmt: skip
    keep, beta2, one_minus_beta2, step_size, corrected_root, eps = (
        scalars[0], scalars[1], scalars[2], scalars[3], scalars[4], scalars[5],
    )  # fmt: skip
    for i in numba.prange(weights.size):
        g, m = grad[i], first[i]
        if keep < 0.5:  # optimizers.base.lerp, as torch rounds it
            m = (g - m) * keep + m
        else:
            m = g - (g - m) * (1 - keep)
        v = second[i] * beta2 + (one_minus_beta2 * g) * g
        root_of = v
        if amsgrad:
            before = largest[i]
            root_of = before if before > v or before != before else v  # np.maximum: NaN wins
            new_largest[i] = root_of
        denominator = np.sqrt(root_of) / corrected_root + eps
        new_weights[i] = weights[i] + (step_size * m) / denominator
        new_first[i], new_second[i] = m, v


_gradient_descent = _both(_gradient_descent_kernel)
_rprop = _both(_rprop_kernel)
_adam = _both(_adam_kernel)

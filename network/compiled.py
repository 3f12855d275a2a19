"""The network's error and gradient compiled by numba, vectorized across networks, equal to the numpy code bit for bit.

`network.loss_and_grad` (numpy) is the reference.  Here the same formulas run
as one loop over networks per sample, which the compiler turns into SIMD
code: no temporary arrays, no per-call overhead of forty small ufuncs.  Every
operation is the numpy code's, in its order (σ from `network.sigmoid`, t − r_o
from 1 − r_o where r_o is near 1, the sums over samples in sample order), so
the results are the same to the last bit; the tests hold them to it.

Two entry points: `loss_and_grad_of_lanes` works in place on per-weight
arrays, for compiled callers (the training kernel of `experiments.running.kernels.fused`);
`population_loss_and_grad` takes and returns arrays shaped as
`network.loss_and_grad`'s, for Python callers that trust their arguments
(float64 weights of shape (N, 2), a task's samples).
"""

from __future__ import annotations

import os

import numba
import numpy as np

from network.sigmoid import sigmoid_of_minus_abs
from network.validation import closed_form_flat_spot

LANES = 256  # networks per block: its arrays stay in the L1 cache
PARALLEL_FROM = 4096  # networks: below this one core computes them all (starting threads costs more)


@numba.njit(cache=True, error_model="numpy")
def sigmoid_pair(x: float) -> tuple[float, float]:
    """`network.sigmoid.sigmoid_and_complement` for one value: σ(−|x|) and 1 minus it, in σ's order."""
    small = sigmoid_of_minus_abs(x)
    large = 1.0 - small
    return (large, small) if x >= 0 else (small, large)


@numba.njit(cache=True, error_model="numpy")
def loss_and_grad_of_lanes(w_h, w_o, active, inputs, targets, hidden_flat_spot, output_flat_spot, order, start, stop,
                           error, grad_h, grad_o):  # fmt: skip
    """E, ∂E/∂w_h, ∂E/∂w_o of networks [0, active) over samples order[start:stop], into error, grad_h, grad_o.

    `network.loss_and_grad` term by term; the sums run in the order the
    samples are listed, as `network.ordered_sum` does.  The inner loop
    runs over networks, so it vectorizes.
    """
    for position in range(start, stop):
        s = order[position]
        i, t, first = inputs[s], targets[s], position == start
        for j in range(active):
            hidden_input = w_h[j] * i
            r_h, one_minus_r_h = sigmoid_pair(hidden_input)
            output_input = w_o[j] * r_h
            r_o, one_minus_r_o = sigmoid_pair(output_input)
            residual = ((t - 1.0) + one_minus_r_o) if output_input > 0 else (t - r_o)
            output_delta = -residual * (r_o * one_minus_r_o + output_flat_spot)
            sample_grad_h = output_delta * (w_o[j] * (r_h * one_minus_r_h + hidden_flat_spot)) * i
            sample_grad_o = output_delta * r_h
            sample_error = 0.5 * (residual * residual)
            error[j] = sample_error if first else error[j] + sample_error
            grad_h[j] = sample_grad_h if first else grad_h[j] + sample_grad_h
            grad_o[j] = sample_grad_o if first else grad_o[j] + sample_grad_o


def population_loss_and_grad(weights, inputs, targets, flat_spot, order) -> tuple[np.ndarray, np.ndarray]:
    """(E of shape (N,), ∂E/∂w of shape (N, 2)) of networks ``weights`` (float64, (N, 2)) over samples ``order``;
    ``flat_spot`` is a number (every unit) or a pair (hidden, output), as `network.loss_and_grad` takes it.

    Blocks of `LANES` networks spread over the cores once N reaches `PARALLEL_FROM`.

    >>> import network
    >>> weights, task = np.array([[0.5, 2.0], [1.0, -1.0]]), network.get_task("teacher")
    >>> inputs, targets = task.inputs[:, 0], task.targets[:, 0]
    >>> compiled = population_loss_and_grad(weights, inputs, targets, 0.0, np.arange(task.samples))
    >>> reference = network.loss_and_grad(weights, task.inputs, task.targets, accelerate=False)
    >>> all(np.array_equal(c, r) for c, r in zip(compiled, reference))
    True
    """
    weights = np.ascontiguousarray(weights)
    error, grad = np.empty(len(weights)), np.empty((len(weights), 2))
    fill = _population_loss_and_grad[len(weights) >= PARALLEL_FROM]
    hidden, output, _ = closed_form_flat_spot(flat_spot)
    fill(weights, inputs, targets, hidden, output, np.asarray(order, dtype=np.int64), error, grad)
    return error, grad


def enabled() -> bool:
    """Whether the public calls may run compiled: not with ``OPTARENA_ACCELERATE=0`` in the environment."""
    return os.environ.get("OPTARENA_ACCELERATE", "1") != "0"


def _fill(weights, inputs, targets, hidden_flat_spot, output_flat_spot, order, error, grad):
    """Fills ``error`` and ``grad`` block by block and returns nothing: numba turns a Ctrl-C that arrives while
    it boxes returned arrays into a lost interrupt (or a crash), so no array crosses back that way."""
    count = weights.shape[0]
    for block in numba.prange((count + LANES - 1) // LANES):
        start = block * LANES
        lanes = min(LANES, count - start)
        w_h, w_o = np.empty(lanes), np.empty(lanes)
        for j in range(lanes):
            w_h[j], w_o[j] = weights[start + j, 0], weights[start + j, 1]
        block_error, grad_h, grad_o = np.empty(lanes), np.empty(lanes), np.empty(lanes)
        loss_and_grad_of_lanes(w_h, w_o, lanes, inputs, targets, hidden_flat_spot, output_flat_spot, order, 0,
                               order.size, block_error, grad_h, grad_o)  # fmt: skip
        for j in range(lanes):
            error[start + j], grad[start + j, 0], grad[start + j, 1] = block_error[j], grad_h[j], grad_o[j]


_population_loss_and_grad = (
    numba.njit(cache=True, error_model="numpy")(_fill),
    numba.njit(cache=True, error_model="numpy", parallel=True)(_fill),
)  # (serial, parallel); prange is a plain range in the serial one

"""A compiled training kernel: network, optimizer step and bookkeeping fused, vectorized across networks.

For every built-in optimizer, in any of the three schedules, the whole
training of a population runs inside one numba function.  The
population is cut into blocks of `LANES` networks, in chunks shared out over the
cores (`chunks.train_in_chunks`); inside a block every epoch is a few loops over the networks
still active, which the compiler turns into SIMD code:

    1. E and ∂E/∂w of every active network, sample by sample   (vectorized)
    2. targets, history, divergence; finished runs leave       (scalar, cheap)
    3. the optimizer's rule on every weight of the remaining networks   (`optimizers.compiled.update`)

It computes exactly what the numpy path (`experiments.running.runner`) computes, in
the same order of operations: the network of `network.compiled` (σ through
the shared exp of `network.exponential`, the sums over samples in sample
order), and each optimizer's own rule (`optimizers.elementwise`).  The tests hold the two paths
equal to the last bit.

An optimizer with a rule of its own (`optimizers.elementwise.ElementwiseOptimizer`)
trains here too, in a kernel compiled with its rule in each process; any
other optimizer (a ``step`` of its own), or an ``observe`` hook, takes the
generic path, where only the network is compiled (`network.compiled`) and
the optimizer's own numpy step runs.  ``OPTARENA_ACCELERATE=0`` in the
environment, or ``accelerate=False``, turns all compiled code off: pure numpy.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from experiments.running.kernels.chunks import train_in_chunks
from experiments.running.kernels.compiler import KERNEL
from experiments.running.kernels.ledger import Judging, Ledger, close_epoch
from network.compiled import loss_and_grad_of_lanes
from network.validation import closed_form_flat_spot
from optimizers import compiled
from optimizers.compiled import SLOTS, coefficients_of, refresh_coefficients, update

LANES = 64  # networks per block: a block's state stays in the L1 cache, and blocks balance over the cores


def enabled(accelerate: bool) -> bool:
    """Whether compiled code may run: ``accelerate`` and no ``OPTARENA_ACCELERATE=0`` in the environment."""
    return accelerate and compiled.enabled()


def applies(optimizer, task, observe, accelerate: bool, flat_spot=0.0) -> bool:
    """Whether the fused kernel can train this population (else the generic path does).

    It trains the article's 1-1-1 network on a task without 0/1 targets (it
    does not track the bit criterion).
    """
    return (
        enabled(accelerate)
        and compiled.compiles(optimizer)
        and observe is None
        and task.closed_form(flat_spot)
        and not task.binary
    )


def initial_slots(optimizer, size: int) -> np.ndarray:
    """(`SLOTS`, ``size``): each per-weight state array of ``optimizer`` before its first step (unused rows 0).

    A built-in rule's initial state depends on its hyperparameters only, never on the weights.
    """
    state = optimizer.init(np.zeros(size))
    slots = np.zeros((SLOTS, size))
    for row in range(optimizer.slots):
        slots[row] = state[row]
    return slots


def sample_orders(schedule, samples: int, seed: int, epochs: int) -> tuple[np.ndarray, int]:
    """The samples of every epoch in update order, (epochs, S) (one row on the full batch), and the batch size.

    Drawn epoch by epoch from the seed, exactly as the generic loop draws them (`Schedule.epochs`).
    """
    if schedule.kind == "full-batch":
        return np.arange(samples, dtype=np.int64)[None, :], samples
    drawn = schedule.epochs(samples, seed)
    orders = np.array([np.concatenate(next(drawn)) for _ in range(epochs)], dtype=np.int64).reshape(epochs, samples)
    return orders, 1 if schedule.kind == "per-sample" else schedule.batch_size


def train(optimizer, task, weights, schedule, seed, judging: Judging, flat_spot, ledger: Ledger) -> None:
    """Train the population ``weights`` (N, 2) in the compiled kernel, writing every run into ``ledger``."""
    orders, batch_size = sample_orders(schedule, task.samples, seed, judging.max_epochs)
    inputs, targets = np.ascontiguousarray(task.inputs[:, 0]), np.ascontiguousarray(task.targets[:, 0])
    kernel, kind = kernel_for(optimizer)
    weights, slots = np.ascontiguousarray(weights, dtype=np.float64), initial_slots(optimizer, 2)
    hyperparameters, evaluated = optimizer.hyperparameter_vector(), evaluated_slot(optimizer)
    full_batch, flat_spots = schedule.kind == "full-batch", closed_form_flat_spot(flat_spot)[:2]
    train_in_chunks(
        lambda part: kernel(
            kind, hyperparameters, slots, evaluated, weights[part], inputs, targets, full_batch, orders, batch_size,
            *flat_spots, judging, ledger.rows(part),
        ),
        len(weights), LANES,
    )  # fmt: skip


def evaluated_slot(optimizer) -> np.int64:
    """The state array that holds ``optimizer``'s model once it has stepped (`optimizers.base.evaluation_point`),
    −1 where the model is the weights it steps."""
    slot = getattr(optimizer, "evaluated_slot", None)
    return np.int64(-1 if slot is None else slot)


def kernel_for(optimizer):
    """(the compiled kernel, the rule's code) for ``optimizer`` (`optimizers.compiled.kernel_with_rule`)."""
    return compiled.kernel_with_rule(optimizer, _kernel, KERNEL)


def _compiled(**options):
    """numba.njit with the cache on and numpy's division semantics (no zero check, which would block SIMD).

    Inside the kernels, integers passed to a compiled function are written ``np.int64(0)``, and counters start
    at ``np.int64(0)``: numba compiles a called function once more for each literal argument
    (``Literal[int](0)`` apart from ``int64``), which compiled the rule and the network pass twice each (a fresh
    install's first run waited for it)."""
    return numba.njit(cache=True, error_model="numpy", **options)


# The rows of a block's lane state: one value per network of the block.
PREV_ERROR, BEST, BIT_HIT = range(3)
W_H, W_O = range(2)  # the rows of its weights


@_compiled()
def _move_lane(j, kept, lane, weights, slots):
    """Lane ``j``'s state moved down to lane ``kept`` (element by element: a slice assignment would compile
    numba's shape checks and their messages)."""
    for row in range(lane.shape[0]):
        lane[row, kept] = lane[row, j]
    for row in range(weights.shape[0]):
        weights[row, kept] = weights[row, j]
        for k in range(slots.shape[0]):
            slots[k, row, kept] = slots[k, row, j]


@_compiled(**KERNEL)
def _kernel(kind, hyperparameters, initial_slots, evaluated, initial, inputs, targets, full_batch, orders, batch_size,
            hidden_flat_spot, output_flat_spot, judging, ledger):  # fmt: skip
    samples, count = inputs.shape[0], initial.shape[0]
    in_order = np.arange(samples)
    exact = hidden_flat_spot == 0.0 and output_flat_spot == 0.0
    final_weights, final_grad, final_error, best_error, hit_epochs, bit_hit_epoch, stop_epoch, diverged, history = (
        ledger[:-1]
    )
    path, keep_path = ledger.path, ledger.path.shape[1] > 0
    for block in range((count + LANES - 1) // LANES):
        # Lane j holds network run[j]; finished networks leave and the others move down, so [0, active) is dense.
        run = np.arange(block * LANES, min(block * LANES + LANES, count))
        active = run.size
        lane, weights, slots = np.empty((3, LANES)), np.zeros((2, LANES)), np.empty((SLOTS, 2, LANES))
        new_weights, new_slots = np.zeros((2, LANES)), np.zeros((SLOTS, 2, LANES))  # the step writes here, then swaps
        for j in range(active):
            weights[W_H, j], weights[W_O, j] = initial[run[j], 0], initial[run[j], 1]
        lane[PREV_ERROR], lane[BEST], lane[BIT_HIT] = np.inf, np.inf, np.nan
        for k in range(SLOTS):
            for row in range(2):
                slots[k, row] = initial_slots[k, row]
        next_target, steps = np.zeros(LANES, dtype=np.int64), np.int64(0)
        coefficients = coefficients_of(kind, hyperparameters, np.int64(1))
        error, grad, rose = np.empty(LANES), np.empty((2, LANES)), np.empty(LANES, np.bool_)
        grad_h, grad_o = grad[W_H], grad[W_O]  # the rows the step reads, filled by the network
        for epoch in range(judging.max_epochs + 1):
            # At each epoch boundary: full-batch E of the model (and, on the full batch, the gradient of the step
            # where the model is what the optimizer steps).
            model = weights if evaluated < 0 or steps == 0 else slots[evaluated]
            loss_and_grad_of_lanes(model[W_H], model[W_O], active, inputs, targets, hidden_flat_spot,
                                   output_flat_spot, in_order, np.int64(0), samples, error, grad_h, grad_o)  # fmt: skip
            kept = np.int64(0)
            for j in range(active):
                n, w_h, w_o, bound = run[j], model[W_H, j], model[W_O, j], judging.weight_bound
                healthy = math.isfinite(error[j]) and abs(w_h) <= bound and abs(w_o) <= bound
                healthy = healthy and math.isfinite(grad_h[j]) and math.isfinite(grad_o[j])
                if keep_path and judging.path_slot[epoch] >= 0:
                    path[n, judging.path_slot[epoch], 0], path[n, judging.path_slot[epoch], 1] = w_h, w_o
                if not close_epoch(final_error, best_error, hit_epochs, bit_hit_epoch, stop_epoch, diverged, history,
                                   judging, n, epoch, error[j], healthy, np.inf, next_target, lane[BEST],
                                   lane[BIT_HIT], j):  # fmt: skip
                    if kept < j:
                        run[kept], next_target[kept] = n, next_target[j]
                        _move_lane(j, kept, lane, weights, slots)
                        error[kept], grad_h[kept], grad_o[kept] = error[j], grad_h[j], grad_o[j]
                    kept += 1
                    continue
                final_weights[n, 0], final_weights[n, 1] = w_h, w_o
                if not exact or not full_batch:  # the status tests use the true full-batch gradient
                    loss_and_grad_of_lanes(model[W_H, j:], model[W_O, j:], np.int64(1), inputs, targets, 0.0,
                                           0.0, in_order, np.int64(0), samples, error[j:], grad_h[j:],
                                           grad_o[j:])  # fmt: skip
                final_grad[n, 0], final_grad[n, 1] = grad_h[j], grad_o[j]
            active = kept
            if active == 0:
                break
            order = orders[0] if full_batch else orders[epoch]
            for start in range(0, samples, batch_size):
                if not full_batch or evaluated >= 0:
                    loss_and_grad_of_lanes(weights[W_H], weights[W_O], active, inputs, targets, hidden_flat_spot,
                                           output_flat_spot, order, start, min(start + batch_size, samples),
                                           error, grad_h, grad_o)  # fmt: skip
                steps += 1
                refresh_coefficients(kind, hyperparameters, steps, coefficients)
                for j in range(active):
                    rose[j] = error[j] > lane[PREV_ERROR, j]
                    lane[PREV_ERROR, j] = error[j]
                update(kind, coefficients, weights, grad, slots[0], slots[1], slots[2], slots[3], rose, new_weights,
                       new_slots[0], new_slots[1], new_slots[2], new_slots[3], active)  # fmt: skip
                weights, new_weights, slots, new_slots = new_weights, weights, new_slots, slots

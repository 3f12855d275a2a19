"""A compiled training kernel: network, optimizer step and bookkeeping fused, vectorized across networks.

For every built-in optimizer, in any of the three schedules, the whole
training of a population runs inside one numba function.  The
population is cut into blocks of `LANES` networks, spread over the cores
(``prange``); inside a block every epoch is a few loops over the networks
still active, which the compiler turns into SIMD code:

    1. E and ∂E/∂w of every active network, sample by sample   (vectorized)
    2. targets, history, divergence; finished runs leave       (scalar, cheap)
    3. the optimizer's rule on every weight of the remaining networks   (`optimizers.compiled.update`)

It computes exactly what the numpy path (`experiments.running.runner`) computes, in
the same order of operations: the network of `network.compiled` (σ through
the shared exp of `network.exponential`, the sums over samples in sample
order), and each optimizer's own rule (`optimizers.elementwise`).  The tests hold the two paths
equal to the last bit.

An optimizer without a built-in rule (a user's), or an ``observe`` hook, takes the
generic path, where only the network is compiled (`network.compiled`) and
the optimizer's own numpy step runs.  ``OPTARENA_ACCELERATE=0`` in the
environment, or ``accelerate=False``, turns all compiled code off: pure numpy.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from experiments.definition.budget import HISTORY, HIT_EPOCHS
from network.compiled import loss_and_grad_of_lanes
from network.validation import checked_flat_spot
from optimizers import compiled
from optimizers.compiled import coefficients_of, update

LANES = 64  # networks per block: a block's state stays in the L1 cache, and blocks balance over the cores


def enabled(accelerate: bool) -> bool:
    """Whether compiled code may run: ``accelerate`` and no ``OPTARENA_ACCELERATE=0`` in the environment."""
    return accelerate and compiled.enabled()


def applies(optimizer, task, observe, accelerate: bool) -> bool:
    """Whether the fused kernel can train this population (else the generic path does).

    It trains the article's 1-1-1 network on a task without 0/1 targets (it
    does not track the bit criterion).
    """
    built_in = compiled.kind_of(optimizer) is not None
    return enabled(accelerate) and built_in and observe is None and task.is_article and not task.binary


def initial_slots(optimizer, size: int) -> np.ndarray:
    """(3, ``size``): each per-weight state array of ``optimizer`` before its first step (unused rows 0).

    A built-in rule's initial state depends on its hyperparameters only, never on the weights.
    """
    state = optimizer.init(np.zeros(size))
    slots = np.zeros((3, size))
    for row in range(optimizer.slots):
        slots[row] = state[row]
    return slots


def train(
    optimizer, task, weights, schedule, seed, budget, target_values, history_slot, flat_spot
) -> dict[str, np.ndarray]:
    """The raw per-run arrays of `experiments.running.runner`, computed by the compiled kernel.

    The schedule's sample orders are drawn here, epoch by epoch from the seed,
    exactly as the numpy path draws them.
    """
    samples = task.samples
    full_batch = schedule.kind == "full-batch"
    batch_size = samples if full_batch else (1 if schedule.kind == "per-sample" else schedule.batch_size)
    epochs = schedule.epochs(samples, seed)
    drawn = 1 if full_batch else budget.max_epochs  # the full batch needs no orders
    orders = np.array([np.concatenate(next(epochs)) for _ in range(drawn)], dtype=np.int64).reshape(drawn, samples)
    count, records = len(weights), int(history_slot.max()) + 1
    out = {
        "final_weights": np.empty((count, 2)),
        "final_error": np.empty(count),
        "best_error": np.empty(count),
        "final_grad_norm": np.empty(count),
        "hit_epochs": np.full((count, target_values.size), np.nan, dtype=HIT_EPOCHS),
        "stop_epoch": np.empty(count, dtype=np.int64),
        "diverged_epoch": np.full(count, np.nan),
        "history": np.full((count, records), np.nan, dtype=HISTORY),
    }
    inputs, targets = np.ascontiguousarray(task.inputs[:, 0]), np.ascontiguousarray(task.targets[:, 0])
    hidden_flat_spot, output_flat_spot = checked_flat_spot(flat_spot)
    _kernel(
        compiled.kind_of(optimizer), optimizer.hyperparameter_vector(), initial_slots(optimizer, 2),
        np.ascontiguousarray(weights, dtype=np.float64),
        inputs, targets, full_batch, orders, batch_size, hidden_flat_spot, output_flat_spot, target_values,
        budget.max_epochs, budget.weight_bound, history_slot, *out.values(),
    )  # fmt: skip
    return out


def _compiled(**options):
    """numba.njit with the cache on and numpy's division semantics (no zero check, which would block SIMD)."""
    return numba.njit(cache=True, error_model="numpy", **options)


# The rows of a block's lane state: one value per network of the block.
W_H, W_O, PREV_ERROR, BEST = range(4)


@_compiled()
def _step(kind, coefficients, active, lane, slots, error, grad_h, grad_o, rose):
    """The optimizer's rule on both weights of networks [0, active), in place on the block's lane arrays."""
    for j in range(active):
        rose[j] = error[j] > lane[PREV_ERROR, j]
        lane[PREV_ERROR, j] = error[j]
    for row in (W_H, W_O):
        w, grad = lane[row, :active], (grad_h if row == W_H else grad_o)[:active]
        s0, s1, s2 = slots[0, row, :active], slots[1, row, :active], slots[2, row, :active]
        update(kind, coefficients, w, grad, s0, s1, s2, rose[:active], w, s0, s1, s2)


@_compiled(parallel=True)
def _kernel(kind, hyperparameters, initial_slots, initial, inputs, targets, full_batch, orders,
            batch_size, hidden_flat_spot, output_flat_spot, ladder, max_epochs, weight_bound, history_slot,
            final_weights, final_error, best_error, final_grad_norm, hit_epochs, stop_epoch, diverged_epoch,
            history):  # fmt: skip
    samples, count = inputs.shape[0], initial.shape[0]
    in_order = np.arange(samples)
    for block in numba.prange((count + LANES - 1) // LANES):
        # Lane j holds network run[j]; finished networks leave and the others move down, so [0, active) is dense.
        run = np.arange(block * LANES, min(block * LANES + LANES, count))
        active = run.size
        lane, slots = np.zeros((4, LANES)), np.empty((3, 2, LANES))
        lane[W_H, :active], lane[W_O, :active] = initial[run, 0], initial[run, 1]
        lane[PREV_ERROR], lane[BEST] = np.inf, np.inf
        for k in range(3):
            for row in range(2):
                slots[k, row] = initial_slots[k, row]
        next_target, steps = np.zeros(LANES, dtype=np.int64), 0
        error, grad_h, grad_o, rose = np.empty(LANES), np.empty(LANES), np.empty(LANES), np.empty(LANES, np.bool_)
        for epoch in range(max_epochs + 1):
            # At each epoch boundary: full-batch E (and, on the full batch, the gradient of the step).
            loss_and_grad_of_lanes(lane[W_H], lane[W_O], active, inputs, targets, hidden_flat_spot, output_flat_spot,
                                   in_order, 0, samples, error, grad_h, grad_o)  # fmt: skip
            kept = 0
            for j in range(active):
                n, w_h, w_o = run[j], lane[W_H, j], lane[W_O, j]
                healthy = math.isfinite(error[j]) and abs(w_h) <= weight_bound and abs(w_o) <= weight_bound
                healthy = healthy and math.isfinite(grad_h[j]) and math.isfinite(grad_o[j])
                if healthy:
                    while next_target[j] < ladder.shape[0] and error[j] <= ladder[next_target[j]]:
                        hit_epochs[n, next_target[j]] = epoch
                        next_target[j] += 1
                    lane[BEST, j] = min(lane[BEST, j], error[j])
                if history_slot[epoch] >= 0:
                    history[n, history_slot[epoch]] = error[j]
                if not healthy or next_target[j] == ladder.shape[0] or epoch == max_epochs:
                    final_weights[n, 0], final_weights[n, 1] = w_h, w_o
                    final_error[n], stop_epoch[n], best_error[n] = error[j], epoch, lane[BEST, j]
                    if not healthy:
                        diverged_epoch[n] = epoch
                    exact = hidden_flat_spot == 0.0 and output_flat_spot == 0.0
                    if not exact or not full_batch:  # the plateau test uses the true full-batch gradient
                        loss_and_grad_of_lanes(lane[W_H, j:], lane[W_O, j:], 1, inputs, targets, 0.0, 0.0, in_order,
                                               0, samples, error[j:], grad_h[j:], grad_o[j:])  # fmt: skip
                    final_grad_norm[n] = math.sqrt(grad_h[j] * grad_h[j] + grad_o[j] * grad_o[j])
                    continue
                if kept < j:
                    run[kept], next_target[kept], lane[:, kept], slots[:, :, kept] = (
                        n,
                        next_target[j],
                        lane[:, j],
                        slots[:, :, j],
                    )
                    error[kept], grad_h[kept], grad_o[kept] = error[j], grad_h[j], grad_o[j]
                kept += 1
            active = kept
            if active == 0:
                break
            for start in range(0, samples, batch_size):
                if not full_batch:
                    loss_and_grad_of_lanes(lane[W_H], lane[W_O], active, inputs, targets, hidden_flat_spot,
                                           output_flat_spot, orders[epoch], start, min(start + batch_size, samples),
                                           error, grad_h, grad_o)  # fmt: skip
                steps += 1
                coefficients = coefficients_of(kind, hyperparameters, steps)
                _step(kind, coefficients, active, lane, slots, error, grad_h, grad_o, rose)

"""The fused training kernel of layered networks: network pass, optimizer rule and bookkeeping in one numba function.

The layered counterpart of `experiments.running.kernels.fused`.  For every built-in
optimizer, in any of the three schedules, a population trains inside
compiled code: it is cut into blocks of networks (`network.compiled_layered`
chooses their width), spread over the cores, and within a block every epoch is

    1. E, ∂E/∂w and max |t − r| of every active network over all samples     (`block_pass`)
    2. targets, the bit criterion, history, divergence; finished runs leave  (scalar, cheap)
    3. per update (one, one per sample, one per mini-batch): the batch's pass, then
       the optimizer's rule on every weight                                  (`optimizers.compiled.update`)

Per-sample and mini-batch updates run inside the kernel too, in the sample
orders the schedule draws from the seed.  It computes what the generic loop
of `experiments.running.runner` computes on the compiled network, operation
for operation, so the results are the same to the last bit; the tests hold
them to it.  The population goes to the kernel in chunks of a few blocks, shared
out over the cores (`chunks.train_in_chunks`), and a Ctrl-C is honoured between chunks.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from experiments.running.kernels.chunks import train_in_chunks
from experiments.running.kernels.compiler import KERNEL
from experiments.running.kernels.fused import evaluated_slot, initial_slots, sample_orders
from experiments.running.kernels.ledger import Judging, Ledger, close_epoch
from network import compiled_layered
from network.compiled_layered import all_finite, block_pass, largest_magnitude, load_block, workspace
from network.validation import checked_flat_spot
from optimizers import compiled
from optimizers.compiled import SLOTS, coefficients_of, refresh_coefficients, update


def applies(optimizer, task, observe, accelerate: bool, flat_spot=0.0) -> bool:
    """Whether this kernel can train the population: a rule that compiles (`optimizers.compiled.compiles`), a
    network the article's closed form does not cover (`network.Task.closed_form`), no hook, compiled code on."""
    rule = compiled.compiles(optimizer)
    return accelerate and compiled.enabled() and rule and observe is None and not task.closed_form(flat_spot)


def train(optimizer, task, weights, schedule, seed, judging: Judging, flat_spot, ledger: Ledger) -> None:
    """Train the population ``weights`` (N, P) in the compiled kernel, writing every run into ``ledger``."""
    count, size = weights.shape
    orders, batch_size = sample_orders(schedule, task.samples, seed, judging.max_epochs)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    width = compiled_layered.lanes_per_block(count)
    kernel, kind = kernel_for(optimizer)
    plan, hyperparameters, slots = (
        compiled_layered.plan_of(task.network)[:-1],
        optimizer.hyperparameter_vector(),
        (initial_slots(optimizer, size)),
    )
    inputs, targets = np.ascontiguousarray(task.inputs), np.ascontiguousarray(task.targets)
    evaluated, flat_spots = evaluated_slot(optimizer), checked_flat_spot(flat_spot)
    full_batch = schedule.kind == "full-batch"
    train_in_chunks(
        lambda part: kernel(
            plan, kind, hyperparameters, slots, evaluated, weights[part], inputs, targets, full_batch, orders,
            batch_size, *flat_spots, judging, width, ledger.rows(part),
        ),
        count, width,
    )  # fmt: skip


def kernel_for(optimizer):
    """(the compiled kernel, the rule's code) for ``optimizer`` (`optimizers.compiled.kernel_with_rule`)."""
    return compiled.kernel_with_rule(optimizer, _kernel, KERNEL)


def _compiled(**options):
    """numba.njit with the cache on and numpy's division semantics (no zero check, which would block SIMD).
    Integers passed to compiled functions are ``np.int64``, as in `fused` (and for the same reason)."""
    return numba.njit(cache=True, error_model="numpy", **options)


@_compiled(**KERNEL)
def _kernel(plan, kind, hyperparameters, initial_slots, evaluated, initial, inputs, targets, full_batch, orders,
            batch_size, hidden_flat_spot, output_flat_spot, arithmetic, judging, width, ledger):  # fmt: skip
    count, size = initial.shape
    samples = inputs.shape[0]
    exact = hidden_flat_spot == 0.0 and output_flat_spot == 0.0 and arithmetic == 0
    final_weights, final_grad, final_error, best_error, hit_epochs, bit_hit_epoch, stop_epoch, diverged, history = (
        ledger[:-1]
    )
    path, keep_path = ledger.path, ledger.path.shape[1] > 0
    every = np.arange(samples)
    for block in range((count + width - 1) // width):
        # Lane j holds network run[j]; finished networks leave and the others move down, so [0, active) is dense.
        run = np.arange(block * width, min(block * width + width, count))
        active = run.size
        w, slots, largest = np.empty((size, width)), np.empty((SLOTS, size, width)), np.empty(width)
        new_w, new_slots = np.zeros((size, width)), np.zeros((SLOTS, size, width))  # the step writes here, then swaps
        load_block(initial, block * width, active, w, largest)
        for k in range(SLOTS):
            for p in range(size):
                slots[k, p, :] = initial_slots[k, p]
        prev_error, best, bit_hit = np.full(width, np.inf), np.full(width, np.inf), np.full(width, np.nan)
        next_target, steps = np.zeros(width, dtype=np.int64), np.int64(0)
        coefficients = coefficients_of(kind, hyperparameters, np.int64(1))
        error, grad, worst, rose = np.empty(width), np.empty((size, width)), np.empty(width), np.empty(width, np.bool_)
        space, alone = workspace(plan[5], width), workspace(plan[5], 1)
        one_w, one_grad, one_error, one_worst = np.empty((size, 1)), np.empty((size, 1)), np.empty(1), np.empty(1)
        for epoch in range(judging.max_epochs + 1):
            # At each epoch boundary, of the model: full-batch E, max |t − r| and the training gradient (the full
            # batch's step, where the model is what the optimizer steps).
            model = w if evaluated < 0 or steps == 0 else slots[evaluated]
            block_pass(*plan, model, active, inputs, targets, hidden_flat_spot, output_flat_spot, arithmetic, every,
                       np.int64(0), samples, space, error, grad, worst)  # fmt: skip
            kept = np.int64(0)
            for j in range(active):
                n = run[j]
                bounded = largest_magnitude(model, j) <= judging.weight_bound  # NaN fails too
                healthy = math.isfinite(error[j]) and bounded and all_finite(grad, j)
                if keep_path and judging.path_slot[epoch] >= 0:
                    for p in range(size):
                        path[n, judging.path_slot[epoch], p] = model[p, j]
                if not close_epoch(final_error, best_error, hit_epochs, bit_hit_epoch, stop_epoch, diverged, history,
                                   judging, n, epoch, error[j], healthy, worst[j], next_target, best, bit_hit,
                                   j):  # fmt: skip
                    if kept < j:
                        run[kept], next_target[kept], bit_hit[kept], best[kept] = n, next_target[j], bit_hit[j], best[j]
                        prev_error[kept], error[kept] = prev_error[j], error[j]
                        for p in range(size):
                            w[p, kept], grad[p, kept] = w[p, j], grad[p, j]
                            for k in range(SLOTS):
                                slots[k, p, kept] = slots[k, p, j]
                    kept += 1
                    continue
                for p in range(size):
                    final_weights[n, p] = one_w[p, 0] = model[p, j]
                    final_grad[n, p] = grad[p, j]
                if not exact or not full_batch:  # the status tests use the true full-batch gradient
                    block_pass(*plan, one_w, np.int64(1), inputs, targets, 0.0, 0.0, np.int64(0), every, np.int64(0),
                               samples, alone, one_error, one_grad, one_worst)  # fmt: skip
                    for p in range(size):
                        final_grad[n, p] = one_grad[p, 0]
            active = kept
            if active == 0:
                break
            order = orders[0] if full_batch else orders[epoch]
            for start in range(0, samples, batch_size):
                if not full_batch or evaluated >= 0:
                    block_pass(*plan, w, active, inputs, targets, hidden_flat_spot, output_flat_spot, arithmetic, order,
                               start, min(start + batch_size, samples), space, error, grad, worst)  # fmt: skip
                steps += 1
                refresh_coefficients(kind, hyperparameters, steps, coefficients)
                for j in range(active):
                    rose[j] = error[j] > prev_error[j]
                    prev_error[j] = error[j]
                update(kind, coefficients, w, grad, slots[0], slots[1], slots[2], slots[3], rose, new_w, new_slots[0],
                       new_slots[1], new_slots[2], new_slots[3], active)  # fmt: skip
                w, new_w, slots, new_slots = new_w, w, new_slots, slots

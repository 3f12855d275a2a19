"""A compiled full-batch kernel: network, optimizer step and bookkeeping fused, one thread per network chunk.

For gd, sign and the four Rprop variants, in any of the three schedules, the
whole training of a population runs inside one numba function: each network
goes through its epochs with every quantity in registers, and the population
is split over the cores (``prange``).  It computes exactly what the generic
numpy path (`experiments.runner`) computes, in the same order of operations:
σ through the C library's ``exp`` as scipy's ``expit`` does, the sums over samples in
sample order, the optimizers' formulas term by term.  The tests hold the two
paths equal to the last bit.

Any other optimizer (a user's included), or an ``observe`` hook, takes the
generic path.  ``OPTARENA_ACCELERATE=0`` in the environment, or
``accelerate=False``, turns the kernel off; without numba it is off.
"""

from __future__ import annotations

import math
import os

import numpy as np

from optimizers import GradientDescent, IRpropMinus, IRpropPlus, RpropMinus, RpropPlus, Sign

try:
    import numba
except ImportError:  # pragma: no cover - numba is a dependency; this keeps optarena usable without it
    numba = None


def _jit(**options):
    """numba.njit(cache=True, ...) when numba is there; the plain function otherwise (it is never called then)."""
    return (lambda function: numba.njit(cache=True, **options)(function)) if numba else (lambda function: function)


GD, SIGN, RPROP = 0, 1, 2
NEVER, ALWAYS, IF_ERROR_ROSE = 0, 1, 2
_KINDS = {GradientDescent: GD, Sign: SIGN, RpropPlus: RPROP, RpropMinus: RPROP, IRpropPlus: RPROP, IRpropMinus: RPROP}
_BACKTRACKING = {"never": NEVER, "always": ALWAYS, "if_error_rose": IF_ERROR_ROSE}


def applies(optimizer, observe, accelerate: bool) -> bool:
    """Whether the fused kernel can train this population (else the generic numpy path does)."""
    return (
        accelerate
        and numba is not None
        and os.environ.get("OPTARENA_ACCELERATE", "1") != "0"
        and type(optimizer) in _KINDS
        and observe is None
    )


def train(
    optimizer, task, weights, schedule, seed, budget, target_values, history_slot, flat_spot
) -> dict[str, np.ndarray]:
    """The raw per-run arrays of `experiments.runner`, computed by the compiled kernel.

    The schedule's sample orders are drawn here, epoch by epoch from the seed,
    exactly as the numpy path draws them.
    """
    kind = _KINDS[type(optimizer)]
    parameters = np.zeros(5)
    backtracking, step_on_sign_change = NEVER, False
    if kind == GD:
        parameters[0] = optimizer.learning_rate
    elif kind == SIGN:
        parameters[0] = optimizer.step_size
    else:
        parameters[:] = [
            optimizer.delta0,
            optimizer.eta_plus,
            optimizer.eta_minus,
            optimizer.delta_min,
            optimizer.delta_max,
        ]
        backtracking = _BACKTRACKING[optimizer.backtracking]
        step_on_sign_change = optimizer.step_on_sign_change
    samples = task.inputs.size
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
        "hit_epochs": np.full((count, target_values.size), np.nan),
        "stop_epoch": np.empty(count, dtype=np.int64),
        "diverged_epoch": np.full(count, np.nan),
        "history": np.full((count, records), np.nan),
    }
    _kernel(
        kind, parameters, backtracking, step_on_sign_change, np.ascontiguousarray(weights, dtype=np.float64),
        task.inputs, task.targets, full_batch, orders, batch_size, float(flat_spot), target_values,
        budget.max_epochs, budget.weight_bound, history_slot, *out.values(),
    )  # fmt: skip
    return out


@_jit()
def _sigmoid_and_complement(x):
    """`network.sigmoid.sigmoid_and_complement` for one value: expit(−|x|) = 1 / (1 + exp(|x|)) and 1 minus it."""
    small = 1.0 / (1.0 + math.exp(abs(x)))
    large = 1.0 - small
    return (large, small) if x >= 0 else (small, large)


@_jit()
def _loss_and_grad(w_h, w_o, inputs, targets, flat_spot, order, start, stop):
    """E, ∂E/∂w_h, ∂E/∂w_o of one network over samples order[start:stop]: `network.loss_and_grad` term by term.

    The sums run in the order the samples are listed, as `network.sum_over_samples` does.
    """
    error = grad_h = grad_o = 0.0
    for position in range(start, stop):
        s = order[position]
        hidden_input = w_h * inputs[s]
        r_h, one_minus_r_h = _sigmoid_and_complement(hidden_input)
        output_input = w_o * r_h
        r_o, one_minus_r_o = _sigmoid_and_complement(output_input)
        if output_input > 0:
            residual = (targets[s] - 1.0) + one_minus_r_o
        else:
            residual = targets[s] - r_o
        output_delta = -residual * (r_o * one_minus_r_o + flat_spot)
        sample_grad_h = output_delta * (w_o * (r_h * one_minus_r_h + flat_spot)) * inputs[s]
        sample_grad_o = output_delta * r_h
        sample_error = 0.5 * (residual * residual)
        if position == start:
            error, grad_h, grad_o = sample_error, sample_grad_h, sample_grad_o
        else:
            error, grad_h, grad_o = error + sample_error, grad_h + sample_grad_h, grad_o + sample_grad_o
    return error, grad_h, grad_o


@_jit()
def _sign(value):
    """np.sign: −1, 0 or 1, and NaN for NaN."""
    if value > 0:
        return 1.0
    if value < 0:
        return -1.0
    return value  # 0.0, −0.0 or NaN


@_jit()
def _rprop_weight(grad, prev_grad, step_size, prev_update, error_rose, parameters, backtracking, step_on_sign_change):
    """One weight's Rprop step, as `optimizers.rprop._Rprop.step` computes it: (update, g⁻, Δ, Δw⁻)."""
    product = prev_grad * grad
    flipped = product < 0
    factor = parameters[1] if product > 0 else (parameters[2] if flipped else 1.0)
    step_size = min(max(step_size * factor, parameters[3]), parameters[4])
    moving_grad = grad if (step_on_sign_change or not flipped) else 0.0
    update = -(step_size * _sign(moving_grad))
    undo = flipped and (backtracking == ALWAYS or (backtracking == IF_ERROR_ROSE and error_rose))
    if undo:
        return -prev_update, moving_grad, step_size, 0.0
    return update, moving_grad, step_size, update


@_jit(parallel=True)
def _kernel(kind, parameters, backtracking, step_on_sign_change, initial, inputs, targets, full_batch, orders,
            batch_size, flat_spot, ladder, max_epochs, weight_bound, history_slot, final_weights, final_error,
            best_error, final_grad_norm, hit_epochs, stop_epoch, diverged_epoch, history):  # fmt: skip
    samples = inputs.shape[0]
    in_order = np.arange(samples)
    for n in numba.prange(initial.shape[0]):
        w_h, w_o = initial[n, 0], initial[n, 1]
        step_h = step_o = parameters[0]
        prev_grad_h = prev_grad_o = prev_update_h = prev_update_o = 0.0
        prev_error = np.inf
        next_target, best = 0, np.inf
        for epoch in range(max_epochs + 1):
            # At each epoch boundary: full-batch E (and, on the full batch, the gradient of the step).
            error, grad_h, grad_o = _loss_and_grad(w_h, w_o, inputs, targets, flat_spot, in_order, 0, samples)
            healthy = math.isfinite(error) and abs(w_h) <= weight_bound and abs(w_o) <= weight_bound
            if full_batch:
                healthy = healthy and math.isfinite(grad_h) and math.isfinite(grad_o)
            if healthy:
                while next_target < ladder.shape[0] and error <= ladder[next_target]:
                    hit_epochs[n, next_target] = epoch
                    next_target += 1
                best = min(best, error)
            if history_slot[epoch] >= 0:
                history[n, history_slot[epoch]] = error
            if not healthy or next_target == ladder.shape[0] or epoch == max_epochs:
                final_weights[n, 0], final_weights[n, 1] = w_h, w_o
                final_error[n], stop_epoch[n] = error, epoch
                if not healthy:
                    diverged_epoch[n] = epoch
                if flat_spot != 0.0 or not full_batch:  # the plateau test uses the true full-batch gradient
                    _, grad_h, grad_o = _loss_and_grad(w_h, w_o, inputs, targets, 0.0, in_order, 0, samples)
                final_grad_norm[n] = math.sqrt(grad_h * grad_h + grad_o * grad_o)
                break
            for start in range(0, samples, batch_size):
                if not full_batch:
                    stop = min(start + batch_size, samples)
                    error, grad_h, grad_o = _loss_and_grad(
                        w_h, w_o, inputs, targets, flat_spot, orders[epoch], start, stop
                    )
                if kind == GD:
                    w_h, w_o = w_h - parameters[0] * grad_h, w_o - parameters[0] * grad_o
                elif kind == SIGN:
                    w_h, w_o = w_h - parameters[0] * _sign(grad_h), w_o - parameters[0] * _sign(grad_o)
                else:
                    rose = error > prev_error
                    update_h, prev_grad_h, step_h, prev_update_h = _rprop_weight(
                        grad_h, prev_grad_h, step_h, prev_update_h, rose, parameters, backtracking,
                        step_on_sign_change,
                    )  # fmt: skip
                    update_o, prev_grad_o, step_o, prev_update_o = _rprop_weight(
                        grad_o, prev_grad_o, step_o, prev_update_o, rose, parameters, backtracking,
                        step_on_sign_change,
                    )  # fmt: skip
                    w_h, w_o, prev_error = w_h + update_h, w_o + update_o, error
        best_error[n] = best

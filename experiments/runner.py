"""Train a whole population of networks with one optimizer, full batch, in one vectorized loop.

The loop runs over epochs, never over networks.  Epoch k is the state after k
weight updates; at each epoch every still-active network gets one
`network.loss_and_grad` evaluation (its error E_k and gradient), then one step.
A run leaves the active set as soon as its status is decided, so finished runs
cost nothing while the others go on:

    converged  E_k ≤ target_error                          (hit_epoch = k)
    diverged   E_k, the gradient or the weights stop being finite, or |w| > weight_bound
    plateau    the budget ran out with max |∂E/∂w| ≤ plateau_gradient: the gradient vanished
    budget     the budget ran out while the gradient was still alive
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

import network
from network import Task
from network.validation import as_weights

STATUSES = ("converged", "plateau", "diverged", "budget")


@dataclass(frozen=True)
class Budget:
    """When to stop: a cap on epochs, the error target, and the bounds that classify failures."""

    max_epochs: int = 2000
    target_error: float = 1e-4
    plateau_gradient: float = 1e-8
    weight_bound: float = 1e6

    def __post_init__(self):
        if isinstance(self.max_epochs, bool) or not isinstance(self.max_epochs, int) or self.max_epochs < 1:
            raise ValueError(f"max_epochs must be an integer >= 1, got {self.max_epochs!r}")
        for name in ("target_error", "plateau_gradient", "weight_bound"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive finite number, got {value!r}")


@dataclass(frozen=True)
class PopulationResult:
    """Per-run outcomes of one optimizer on one task, each array with one entry per initial point."""

    initial_weights: np.ndarray  # (N, 2)
    final_weights: np.ndarray  # (N, 2), where each run stopped
    final_error: np.ndarray  # (N,)
    final_grad_norm: np.ndarray  # (N,), max |∂E/∂w| at the final weights
    hit_epoch: np.ndarray  # (N,), first epoch with E ≤ target_error, −1 if never
    stop_epoch: np.ndarray  # (N,), the epoch at which the run stopped
    grad_evaluations: np.ndarray  # (N,), calls of loss_and_grad per run
    status: np.ndarray  # (N,), one of STATUSES


def train_population(
    optimizer, task: Task, initial_weights, budget: Budget | None = None
) -> PopulationResult:
    """Train every network of ``initial_weights`` (shape (N, 2)) on ``task`` with ``optimizer``.

    >>> import optimizers
    >>> result = train_population(
    ...     optimizers.get("irprop-"), network.get_task("single-sample"), [[0.5, 0.5], [1.0, 3.0]]
    ... )
    >>> result.status.tolist()
    ['converged', 'converged']
    """
    budget = budget or Budget()
    weights = as_weights(initial_weights)
    if weights.ndim != 2:
        raise ValueError(f"initial_weights must have shape (N, 2), got {weights.shape}")
    count = len(weights)
    final_weights = weights.copy()
    final_error = np.full(count, np.nan)
    final_grad_norm = np.full(count, np.nan)
    hit_epoch = np.full(count, -1)
    stop_epoch = np.full(count, budget.max_epochs)
    status = np.full(count, "budget", dtype=object)

    active = np.arange(count)
    state = optimizer.init(weights)
    for epoch in range(budget.max_epochs + 1):
        error, grad = network.loss_and_grad(weights, task.inputs, task.targets)
        grad_norm = np.abs(grad).max(axis=-1)
        with np.errstate(invalid="ignore"):
            diverged = ~(np.isfinite(error) & np.isfinite(grad_norm)) | (
                np.abs(weights).max(axis=-1) > budget.weight_bound
            )
            diverged |= ~np.isfinite(weights).all(axis=-1)
            converged = ~diverged & (error <= budget.target_error)
        out_of_budget = epoch == budget.max_epochs
        done = diverged | converged | out_of_budget
        finished = active[done]
        final_weights[finished] = weights[done]
        final_error[finished] = error[done]
        final_grad_norm[finished] = grad_norm[done]
        stop_epoch[finished] = epoch
        hit_epoch[active[converged]] = epoch
        status[active[converged]] = "converged"
        status[active[diverged]] = "diverged"
        if out_of_budget:
            stalled = ~diverged & ~converged & (grad_norm <= budget.plateau_gradient)
            status[active[stalled]] = "plateau"
            break
        keep = ~done
        if not keep.any():
            break
        if not keep.all():
            active, weights, grad, error = active[keep], weights[keep], grad[keep], error[keep]
            state = _take(state, keep)
        weights, state = optimizer.step(weights, grad, state, loss=error)

    return PopulationResult(
        initial_weights=as_weights(initial_weights).copy(),
        final_weights=final_weights,
        final_error=final_error,
        final_grad_norm=final_grad_norm,
        hit_epoch=hit_epoch,
        stop_epoch=stop_epoch,
        grad_evaluations=stop_epoch + 1,
        status=status.astype(str),
    )


def _take(state, keep: np.ndarray):
    """The optimizer state of the kept runs: every array leaf is indexed on its leading axis.

    Optimizer states are (nested) tuples or NamedTuples whose array leaves have
    the population as their leading axes; scalars are shared by all runs.
    """
    if isinstance(state, np.ndarray) and state.ndim > 0:
        return state[keep]
    if isinstance(state, tuple):
        parts = [_take(part, keep) for part in state]
        return type(state)(*parts) if hasattr(state, "_fields") else tuple(parts)
    if dataclasses.is_dataclass(state) and not isinstance(state, type):
        return dataclasses.replace(
            state, **{f.name: _take(getattr(state, f.name), keep) for f in dataclasses.fields(state)}
        )
    return state

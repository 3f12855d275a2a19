"""How the training loops evaluate a task's network: numpy, or compiled with the same bits.

An evaluator gives E and the training gradient (f′ + the flat spot's c) of a population
on some of the task's samples, ``evaluate(weights, batch)``, for every update;
and at each epoch boundary `Evaluator.measure` adds what the runner checks there:
each network's largest |weight|, whether its gradient is finite, and, on a task
with 0/1 targets, its `network.Task.bit_distance`.

    numpy            Task.loss_and_grad, the reference
    compiled 1-1-1   network.compiled: the article's closed form, vectorized over networks
    compiled layered network.compiled_layered: Part III's recursion, vectorized over networks

The compiled ones compute numpy's operations in numpy's order, so every
backend gives the same bits (the tests hold them to it); ``accelerate=False``
or ``OPTARENA_ACCELERATE=0`` chooses numpy.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from experiments.running.kernels import fused
from network import Task, compiled_layered
from network.compiled import population_loss_and_grad
from network.validation import checked_flat_spot


class Measurement(NamedTuple):
    """A population at an epoch boundary, over every sample."""

    error: np.ndarray  # (N,) E
    grad: np.ndarray  # (N, P) the training gradient (f′ + the flat spot's c)
    largest_weight: np.ndarray  # (N,) max |w|, NaN where a weight is NaN
    finite_grad: np.ndarray  # (N,) every component of the gradient finite
    bit_distance: np.ndarray | None  # (N,) on tasks with 0/1 targets, else None


def network_evaluator(task: Task, flat_spot=0.0, accelerate: bool = True) -> Evaluator:
    """The fastest evaluator of ``task``'s network that ``accelerate`` allows; all give the same bits.

    ``flat_spot``: a number (every unit) or a pair (hidden, output), as `network.loss_and_grad` takes it."""
    if not fused.enabled(accelerate):
        return Evaluator(task, flat_spot)
    closed_form = task.closed_form(flat_spot)
    return CompiledArticleEvaluator(task, flat_spot) if closed_form else CompiledLayeredEvaluator(task, flat_spot)


class Evaluator:
    """The numpy reference: `network.Task.loss_and_grad`."""

    def __init__(self, task: Task, flat_spot=0.0):
        self.task, self.flat_spot = task, checked_flat_spot(flat_spot)

    def __call__(self, weights: np.ndarray, batch: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """E and ∂E/∂w (f′ + c) of ``weights`` (N, P) on the samples ``batch`` (indices; None: all)."""
        return self.task.loss_and_grad(weights, self.flat_spot, batch)

    def measure(self, weights: np.ndarray) -> Measurement:
        """Everything the runner looks at on the full batch at an epoch boundary."""
        error, grad = self(weights)
        return Measurement(
            error,
            grad,
            np.abs(weights).max(axis=-1),
            np.isfinite(grad).all(axis=-1),
            self.task.bit_distance(weights) if self.task.binary else None,
        )


class CompiledArticleEvaluator(Evaluator):
    """The article's 1-1-1 network compiled (`network.compiled`)."""

    def __init__(self, task: Task, flat_spot=0.0):
        super().__init__(task, flat_spot)
        self.every_sample = np.arange(task.samples)
        self.inputs, self.targets = np.ascontiguousarray(task.inputs[:, 0]), np.ascontiguousarray(task.targets[:, 0])

    def __call__(self, weights, batch=None):
        order = self.every_sample if batch is None else batch
        return population_loss_and_grad(weights, self.inputs, self.targets, self.flat_spot, order)


class CompiledLayeredEvaluator(Evaluator):
    """A layered network compiled (`network.compiled_layered`); its pass also yields what `measure` needs."""

    def __init__(self, task: Task, flat_spot=0.0):
        super().__init__(task, flat_spot)
        self.every_sample, self.plan = np.arange(task.samples), compiled_layered.plan_of(task.network)

    def _evaluate(self, weights, order) -> compiled_layered.Evaluation:
        task = self.task
        return compiled_layered.evaluate(self.plan, weights, task.inputs, task.targets, self.flat_spot, order)

    def __call__(self, weights, batch=None):
        evaluation = self._evaluate(weights, self.every_sample if batch is None else batch)
        return evaluation.error, evaluation.grad

    def measure(self, weights):
        evaluation = self._evaluate(weights, self.every_sample)
        low, high = self.task.network.output_range
        bit_distance = evaluation.largest_residual / (high - low) if self.task.binary else None
        return Measurement(
            evaluation.error, evaluation.grad, evaluation.largest_weight, evaluation.finite_grad, bit_distance
        )

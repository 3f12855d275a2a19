"""Training for held-out experiments: every study and trial of one optimizer on one task in one population.

A unit is (task, schedule, optimizer).  Its networks form one array of shape
(studies, trials, P): trial t of study s has its own hyperparameters
(`optimizers.per_network`), its own initial weights (drawn from the study's
seed and the trial's index, the same for every optimizer) and the study's
sample orders (reshuffled every epoch from the seed: the networks of a study
share each mini-batch, `experiments.definition.schedules`).  Each step is one
matrix pass (`network.matrix_pass`) and one optimizer step for all of them.

After epoch 0 (the start), every ``evaluate_every`` epochs and after the
last, each network's error rate and mean loss per sample are measured on the
train, validation and test parts, at its model (`optimizers.base.evaluation_point`:
Schedule-Free's x, where the gradients are taken at y).  A network whose weights or error turn
non-finite is frozen at its last finite weights, and the epoch is recorded
(``diverged_epoch``, −1 for none): one run's trouble never stops the others.
BLAS runs on one thread here (units run side by side instead), so a unit's
numbers depend on its inputs alone, wherever it runs (processes or Dask).
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from experiments.definition.held_out_spec import START_STREAM, HeldOutSpec
from experiments.running import interrupts
from experiments.running.workers import mapped
from network import matrix_pass
from optimizers.base import evaluation_point
from optimizers.layout import with_layout

METRICS = ("error_rate", "loss")  # per part: the fraction misclassified, the mean E per sample


class Unit(NamedTuple):
    task: int
    schedule: int
    optimizer: int


def units_of(spec: HeldOutSpec) -> list[Unit]:
    return [
        Unit(t, s, o)
        for t in range(len(spec.tasks))
        for s in range(len(spec.schedules))
        for o in range(len(spec.optimizers))
    ]


def initial_weights(net, seeds, trials: int) -> np.ndarray:
    """(studies, trials, P): every weight and bias uniform in ±1/√fan_in of its unit (torch.nn.Linear's default)."""
    bound = np.empty(net.size)
    for layer in net.layers:
        bound[layer.weights] = 1.0 / np.sqrt(layer.fan_in)
        if layer.biases:
            bound[layer.biases] = 1.0 / np.sqrt(layer.fan_in)
    draws = [np.random.default_rng([seed, START_STREAM]).uniform(-1.0, 1.0, (trials, net.size)) for seed in seeds]
    return np.stack(draws) * bound


def train_unit(spec: HeldOutSpec, unit: Unit) -> dict[str, np.ndarray]:
    """The unit's records: ``history`` (studies, trials, evaluations, part, metric), ``diverged_epoch``
    (studies, trials), ``seconds``."""
    started = time.perf_counter()
    task, schedule, space = spec.tasks[unit.task], spec.schedules[unit.schedule], spec.optimizers[unit.optimizer]
    net, loss = task.network, task.loss
    parts = study_parts(task, spec.seeds)
    inputs, labels = parts[0]  # (studies, 1, samples, features), (studies, 1, samples): every study's training part
    steps = spec.max_epochs * schedule.updates_per_epoch(inputs.shape[-2])
    stepper = with_layout(space.stepper([h for study in spec.settings(space) for h in study], steps), net)
    weights = initial_weights(net, spec.seeds, spec.trials)
    state = stepper.init(weights)
    targets = task.targets(labels)
    orders = [schedule.epochs(inputs.shape[-2], seed) for seed in spec.seeds]
    studies = np.arange(len(spec.seeds))[:, None, None]
    evaluations = spec.evaluation_epochs()
    history = np.empty((*weights.shape[:-1], len(evaluations), 3, len(METRICS)))
    diverged = np.full(weights.shape[:-1], -1, dtype=np.int64)
    model = weights  # what is evaluated: the weights, or where the optimizer keeps its model (Schedule-Free's x)
    evaluate(task, parts, model, history[..., 0, :, :])
    with threadpool_limits(1, "blas"):
        for epoch in range(1, spec.max_epochs + 1):
            for batch in zip(*(next(order) for order in orders), strict=True):
                rows = np.stack(batch)[:, None]  # (studies, 1, B): a study's trials share the batch
                batch_inputs, batch_targets = inputs[studies, 0, rows], targets[studies, 0, rows]
                error, grad = matrix_pass.loss_and_grad(net, loss, weights, batch_inputs, batch_targets, mean=task.mean)
                stepped, state = stepper.step(weights, grad, state, loss=error)
                stepped_model = evaluation_point(stepper, stepped, state)
                with np.errstate(over="ignore", invalid="ignore"):  # a sum of finite weights is finite, but for
                    total = error + stepped.sum(axis=-1)  # ~1e308: diverged too
                    if stepped_model is not stepped:
                        total += stepped_model.sum(axis=-1)
                    healthy = np.isfinite(total) & (diverged < 0)
                if healthy.all():
                    weights, model = stepped, stepped_model
                else:
                    diverged[~healthy & (diverged < 0)] = epoch
                    weights = np.where(healthy[..., None], stepped, weights)
                    model = np.where(healthy[..., None], stepped_model, model)
            if epoch in evaluations:
                evaluate(task, parts, model, history[..., np.searchsorted(evaluations, epoch), :, :])
            interrupts.checkpoint()
    return {"history": history, "diverged_epoch": diverged, "seconds": np.array(time.perf_counter() - started)}


def study_parts(task, seeds) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per part (train, validation, test): the inputs (studies, 1, samples, features) and labels (studies, 1,
    samples) of every study's own split, stacked (a part has the same size in every study's split)."""
    splits = [task.parts_of(seed) for seed in seeds]
    return [
        (
            np.stack([split[p].inputs for split in splits])[:, None],
            np.stack([split[p].labels for split in splits])[:, None],
        )
        for p in range(3)
    ]


def evaluate(task, parts, weights: np.ndarray, into: np.ndarray) -> None:
    """Error rate and mean loss per sample of networks ``weights`` (studies, trials, P) on each of the studies'
    ``parts`` (`study_parts`), into ``into`` (..., part, metric)."""
    for index, (inputs, labels) in enumerate(parts):
        if not labels.shape[-1]:  # no validation part (a published split that trains on all it has)
            into[..., index, :] = np.nan
            continue
        x = matrix_pass.output_sums(task.network, weights, inputs)
        errors = matrix_pass.errors(task.network, task.loss, x, task.targets(labels))
        predicted = np.argmax(x, axis=-1)  # a row with NaN predicts no class (argmax alone would pick the NaN)
        predicted[np.isnan(x).any(axis=-1)] = -1
        into[..., index, 0] = (predicted != labels).mean(axis=-1)
        into[..., index, 1] = errors.mean(axis=-1)


def train_all(spec: HeldOutSpec, jobs: int = 1, client=None):
    """(unit, records) for every unit, as each finishes: here, in ``jobs`` processes, or on a Dask ``client``."""
    units = units_of(spec)
    yield from zip(units, mapped(train_unit, [(spec, unit) for unit in units], jobs, client), strict=True)

"""Train a whole population of networks with one optimizer and one schedule, in one vectorized loop.

The loop runs over epochs (and the updates within an epoch), never over
networks.  Epoch k is the state after k passes over the training samples; at
every epoch boundary each still-active run's full-batch error E_k is measured
and compared with the target ladder, and on a task with 0/1 targets its
outputs with the bit criterion:

    hit epoch of target τ   the first k with E_k ≤ E* + τ (E* the task's reference minimum; 0 for absolute targets)
    bit hit epoch           the first k with every |t − r| < margin·(output range)
    gradient evaluations    k·S to reach epoch k: one per sample and epoch, in every schedule

A run leaves the active set (and stops costing work) as soon as its fate is
sealed: it diverged, or it met its success criterion and, for the error
criterion, also the finest target of the ladder.  The others go on,
bit-identical to how they would run alone.  At the end each run gets one
status from a fixed taxonomy:

    converged  the success criterion was met (E − E* ≤ the headline target, or the bit criterion)
    minimum    the gradient vanished (|∂E/∂w| ≤ plateau_gradient) where E curves along every direction:
               a local minimum above the target (or the reference minimum itself, when the bit criterion
               was not met there)
    flat-spot  the gradient vanished above the target where E is flat along some direction, a Hessian
               eigenvalue |λ| at most plateau_gradient too: the mark of saturated sigmoids that pass no
               error back (Fahlman's flat spot)
    stopped    a scipy method ended on its own while the gradient was still alive (its line search could
               make no progress)
    diverged   E, the gradient or a weight stopped being finite, or |w| passed weight_bound
    budget     the budget ran out while the gradient was still alive
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import optimizers.compiled
from experiments.definition.budget import Budget, Targets
from experiments.definition.training_setup import TrainingSetup
from experiments.records import STATUS, PopulationResult
from experiments.running import interrupts
from experiments.running.evaluators import network_evaluator
from experiments.running.kernels import fused, fused_layered
from experiments.running.kernels.ledger import Judging, Ledger
from network import Task
from network.validation import checked_flat_spot
from optimizers.base import evaluation_point
from optimizers.layout import with_layout

HESSIAN_BLOCK = 2_000_000  # the flat-spot test probes at most this many parameters at once
HISTORY_POINTS_PER_DECADE = 10


def history_epochs(max_epochs: int) -> np.ndarray:
    """Epoch 0 and about ten log-spaced epochs per decade up to ``max_epochs``.

    >>> history_epochs(100).tolist()
    [0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 63, 79, 100]
    """
    decades = np.log10(max_epochs)
    spaced = np.logspace(0, decades, max(2, int(np.ceil(decades * HISTORY_POINTS_PER_DECADE)) + 1))
    return np.unique(np.concatenate([[0], np.round(spaced).astype(int), [max_epochs]]))


PATH_EVERY_EPOCH = 2000  # a drawn path holds every epoch up to here, then PATH_POINTS_PER_DECADE log-spaced ones
PATH_POINTS_PER_DECADE = 200


def path_epochs(max_epochs: int) -> np.ndarray:
    """The epochs a drawn path keeps (`traces`): every one up to `PATH_EVERY_EPOCH`, then log-spaced to
    ``max_epochs``, so a figure's cost does not grow with the budget (10⁷ epochs keep about 2700).

    >>> path_epochs(5).tolist(), path_epochs(10**7).size
    ([0, 1, 2, 3, 4, 5], 2741)
    """
    dense = np.arange(min(max_epochs, PATH_EVERY_EPOCH) + 1)
    if max_epochs <= PATH_EVERY_EPOCH:
        return dense
    decades = np.log10(max_epochs / PATH_EVERY_EPOCH)
    spaced = np.round(PATH_EVERY_EPOCH * np.logspace(0, decades, int(np.ceil(decades * PATH_POINTS_PER_DECADE)) + 1))
    return np.unique(np.concatenate([dense, spaced.astype(int), [max_epochs]]))


def record_hits(hit_epochs: np.ndarray, next_target: np.ndarray, runs, error, epoch: int, targets) -> None:
    """Record ``epoch`` as the hit of every threshold that runs ``runs`` reach with ``error`` for the first time.

    ``hit_epochs`` (all runs × targets, NaN where not reached yet) and
    ``next_target`` (per run, the index of its coarsest target not reached
    yet) are updated in place.  Targets decrease strictly, so a run is only
    compared with its next target, and again after each hit: the work is
    O(runs) per epoch, whatever the number of targets.

    >>> hits, next_target = np.full((1, 2), np.nan), np.zeros(1, dtype=int)
    >>> for epoch, error in enumerate([0.5, 0.05, 0.2, 0.01]):
    ...     record_hits(hits, next_target, np.array([0]), np.array([error]), epoch, np.array([0.1, 0.01]))
    >>> hits.tolist(), next_target.tolist()
    ([[1.0, 3.0]], [2])
    """
    beyond_the_finest = np.append(targets, -np.inf)  # a run past the last target never hits again
    reached = error <= beyond_the_finest[next_target[runs]]
    while reached.any():
        runs, error = runs[reached], error[reached]
        hit_epochs[runs, next_target[runs]] = epoch
        next_target[runs] += 1
        reached = error <= beyond_the_finest[next_target[runs]]


def train_population(
    optimizer,
    task: Task,
    initial_weights,
    setup: TrainingSetup | None = None,
    *,
    observe: Callable[[int, np.ndarray, np.ndarray, Any], None] | None = None,
    accelerate: bool = True,
    **fields,
) -> PopulationResult:
    """Train every network of ``initial_weights`` (shape (N, P), P the task network's parameters) on ``task``.

    How is a `TrainingSetup` (schedule, budget, targets, seed, flat_spot, minimum): ``setup``, with any of its
    ``fields`` given by name replaced (``budget=Budget(500)``), or the defaults.
    ``observe(epoch, active, weights, state)``, when given, sees every epoch
    boundary before the runs still active there (indices ``active``) take their
    next epoch; `trace` uses it to follow a run's weights and optimizer state.
    Every number recorded of a run (E, hits, the final weights, the paths, the
    weights ``observe`` sees) is measured where its model is
    (`optimizers.base.evaluation_point`: Schedule-Free's x), and the steps'
    gradients are taken where the optimizer steps.
    ``flat_spot`` trains on σ′ + c (a number c at every unit, or a pair
    (hidden, output): see `network.loss_and_grad`); the errors, hits and the
    vanished-gradient tests still use the exact E and gradient.
    ``minimum`` is the reference minimum E* the targets are relative to:
    by default the task's own (``task.minimum_error``), or 0 when that is
    unknown (an experiment passes the best E its runs found).
    ``accelerate`` lets every optimizer with a built-in rule train in a fused
    kernel (`experiments.running.kernels.fused` on the article's 1-1-1 tasks,
    `experiments.running.kernels.fused_layered` on layered ones), and any other
    optimizer, or a run with ``observe``, train on the compiled network
    (`network.compiled`, `network.compiled_layered`) with the optimizer's
    own step (compiled for a built-in rule, `optimizers.compiled`); the
    results are the same to the bit as with ``accelerate=False``, which is
    pure numpy.

    >>> import network, optimizers
    >>> result = train_population(
    ...     optimizers.get("irprop-"), network.get_task("single-sample"), [[0.5, 0.5], [1.0, 3.0]]
    ... )
    >>> result.status.tolist()
    ['converged', 'converged']
    """
    setup = TrainingSetup.of(setup, "train_population", **fields)
    return _train(optimizer, task, initial_weights, setup, observe, accelerate)[0]


def _train(optimizer, task, initial_weights, setup: TrainingSetup, observe=None, accelerate: bool = True,
           paths: bool = False) -> tuple[PopulationResult, Ledger]:  # fmt: skip
    """`train_population`, and its ledger; with ``paths``, the ledger keeps every run's weights at the epochs of
    `path_epochs`."""
    schedule, budget, targets = setup.schedule, setup.budget, setup.targets
    optimizer = with_layout(optimizer, task.network)  # Muon's and Adafactor's matrices: the network's layers
    flat_spot = checked_flat_spot(setup.flat_spot)
    weights = task.check_parameters(initial_weights).copy()
    if weights.ndim != 2:
        raise ValueError(f"initial_weights must have shape (N, {task.network.size}), got {weights.shape}")
    recorded, drawn = history_epochs(budget.max_epochs), path_epochs(budget.max_epochs)
    history_slot, path_slot = np.full(budget.max_epochs + 1, -1), np.full(budget.max_epochs + 1, -1)
    history_slot[recorded], path_slot[drawn] = np.arange(recorded.size), np.arange(drawn.size)
    thresholds = targets.thresholds(reference_minimum(task, setup.minimum))
    schedule.check(task)
    if targets.criterion == "bit" and not task.binary:
        raise ValueError(
            f"the bit criterion needs 0/1 targets (the ends of the output range); task {task.name!r} has others"
        )
    low, high = task.network.output_range
    judging = Judging(
        thresholds, targets.criterion == "bit", task.binary, targets.bit_margin, high - low, budget.max_epochs,
        budget.weight_bound, history_slot, path_slot,
    )  # fmt: skip
    ledger = Ledger.empty(len(weights), task.network.size, thresholds.size, recorded.size, budget.max_epochs,
                          drawn.size if paths else 0)  # fmt: skip
    kernel = next((kernel for kernel in (fused, fused_layered)
                   if kernel.applies(optimizer, task, observe, accelerate, flat_spot)), None)  # fmt: skip
    if kernel is not None:
        kernel.train(optimizer, task, weights, schedule, setup.seed, judging, flat_spot, ledger)
    else:
        evaluate = network_evaluator(task, flat_spot, accelerate)
        with optimizers.compiled.numpy_only(not accelerate):
            _train_generic(optimizer, task, weights, setup, judging, observe, evaluate, ledger)
    return assemble(weights, ledger, recorded, task, budget, targets, thresholds), ledger


def reference_minimum(task: Task, minimum: float | None = None) -> float:
    """E* for relative targets: ``minimum`` when given, else the task's known one, else 0."""
    if minimum is not None:
        return float(minimum)
    return task.minimum_error if task.minimum_error is not None else 0.0


def assemble(initial_weights, ledger: Ledger, recorded, task: Task, budget: Budget, targets: Targets, thresholds,
             stopped_early=None) -> PopulationResult:  # fmt: skip
    """A `PopulationResult` from the ledger of the runs, with each run's status from the fixed taxonomy.

    ``thresholds`` are the errors the targets allow (`Targets.thresholds`);
    ``stopped_early`` marks runs whose method ended by itself (scipy's).
    """
    status = np.full(len(initial_weights), "budget", dtype=STATUS)
    if stopped_early is not None:
        status[stopped_early] = "stopped"
    success = ledger.bit_hit_epoch if targets.criterion == "bit" else ledger.hit_epochs[:, targets.headline_index]
    settled = ~np.isnan(success) | ~np.isnan(ledger.diverged_epoch)  # their status is known without the Hessian
    final_grad_norm = np.linalg.norm(ledger.final_grad, axis=-1)
    vanished = (final_grad_norm <= budget.plateau_gradient) & ~settled
    if vanished.any():
        status[vanished] = vanished_status(
            task, ledger.final_weights[vanished], ledger.final_error[vanished], thresholds[targets.headline_index],
            budget.plateau_gradient,
        )  # fmt: skip
    status[~np.isnan(ledger.diverged_epoch)] = "diverged"
    status[~np.isnan(success)] = "converged"
    return PopulationResult(
        initial_weights=np.array(initial_weights, dtype=np.float64),
        final_weights=ledger.final_weights,
        final_error=ledger.final_error,
        best_error=np.where(np.isinf(ledger.best_error), np.nan, ledger.best_error),
        final_grad_norm=final_grad_norm,
        hit_epochs=ledger.hit_epochs,
        bit_hit_epoch=ledger.bit_hit_epoch,
        stop_epoch=ledger.stop_epoch,
        diverged_epoch=ledger.diverged_epoch,
        grad_evaluations=ledger.stop_epoch * task.samples,
        status=status,
        history_epochs=recorded,
        history=ledger.history,
    )


def vanished_status(task: Task, weights, error, headline_threshold: float, plateau_gradient: float):
    """Status "minimum" or "flat-spot" for runs whose gradient vanished at ``weights`` (runs × P), from E there.

    A flat spot: E is above the headline threshold and flat along some
    direction: the Hessian has an eigenvalue |λ| ≤ plateau_gradient (a unit
    step that way would not wake the gradient up), the mark of saturated
    units that pass no error back.  At a minimum E curves along every
    direction.  The Hessian comes from central differences of the exact
    gradient, with steps of 10⁻³·max(1, |w_p|).

    Its column along the run's largest weight is tried first (2 gradients
    instead of 2P): for a symmetric H every ‖H·v‖ ≥ min |λ|·‖v‖, so a column
    no longer than plateau_gradient is such a flat direction, which a
    saturated unit's weights nearly always give.  Runs it leaves undecided
    get the whole Hessian's eigenvalues.

    >>> import network
    >>> task = network.Task("no bias reaches E = 0", "", [-1, 0.5, 2], [0.2, 0.6, 0.9])
    >>> at = np.array([[3.9672854, 1.1704326], [-1497.8, -1.3863]])  # its minimum; a saturated hidden unit
    >>> vanished_status(task, at, task.error(at), 1e-6, 1e-8).tolist()
    ['minimum', 'flat-spot']
    """
    weights = np.asarray(weights, dtype=np.float64)
    runs, size = weights.shape
    status = np.full(runs, "minimum", dtype=STATUS)
    evaluate = network_evaluator(task)  # compiled where allowed: the same bits, many times faster
    undecided = np.flatnonzero(np.asarray(error) > headline_threshold)  # at or below it, a run is at a minimum
    largest = np.abs(weights[undecided]).argmax(axis=1)[:, None]
    with np.errstate(all="ignore"):
        column = np.linalg.norm(_hessian_columns(evaluate, weights[undecided], largest)[:, 0], axis=-1)
        status[undecided[column <= plateau_gradient]] = "flat-spot"
        undecided = undecided[~(column <= plateau_gradient)]  # NaN columns too
        every = np.broadcast_to(np.arange(size), (len(undecided), size))
        hessian = _hessian_columns(evaluate, weights[undecided], every)  # (runs, P, P), row p: ∂∇E/∂w_p
        hessian = (hessian + np.swapaxes(hessian, -1, -2)) / 2
        finite = np.isfinite(hessian).all(axis=(-2, -1))
        flattest = np.full(len(undecided), np.inf)
        flattest[finite] = np.abs(np.linalg.eigvalsh(hessian[finite])).min(axis=-1)
    status[undecided[flattest <= plateau_gradient]] = "flat-spot"
    return status


def _hessian_columns(evaluate, at, columns) -> np.ndarray:
    """∂∇E/∂w_p at each run of ``at`` (runs × P) for the parameters p in its row of ``columns`` (runs × k):
    central differences of the exact gradient, steps 10⁻³·max(1, |w_p|); shape (runs, k, P).

    The probes go to ``evaluate`` in blocks of at most `HESSIAN_BLOCK` parameters, so that they fit in memory.
    """
    runs, size = at.shape
    chosen = columns.shape[1]
    block = max(1, HESSIAN_BLOCK // (2 * chosen * size))  # runs per call
    result = np.empty((runs, chosen, size))
    for start in range(0, runs, block):
        here, picked = at[start : start + block], columns[start : start + block]
        count = len(here)
        steps = 1e-3 * np.maximum(1.0, np.take_along_axis(np.abs(here), picked, axis=1))  # (count, k)
        along = np.zeros((chosen, count, size))  # a step along w_p per run
        along[np.arange(chosen)[:, None], np.arange(count)[None, :], picked.T] = steps.T
        probes = np.stack([here + along, here - along])  # (2, k, count, P)
        grads = evaluate(probes.reshape(-1, size))[1].reshape(probes.shape)
        result[start : start + block] = np.moveaxis((grads[0] - grads[1]) / (2 * steps.T[:, :, None]), 0, 1)
    return result


def _train_generic(optimizer, task, weights, setup: TrainingSetup, judging, observe, evaluate, ledger):
    """Every active run advanced together, epoch by epoch, through the optimizer's own step, written into
    ``ledger`` (`experiments.running.kernels.ledger.close_epoch`, vectorized over the active runs).

    ``evaluate`` is an `experiments.running.evaluators.Evaluator` of the task's network.
    """
    schedule, seed, flat_spot = setup.schedule, setup.seed, checked_flat_spot(setup.flat_spot)
    count, target_values = len(weights), judging.thresholds
    next_target = np.zeros(count, dtype=np.int64)
    active = np.arange(count)
    state = optimizer.init(weights)
    batches_of_epoch = schedule.epochs(task.samples, seed)
    with np.errstate(all="ignore"):  # a run's overflow or NaN marks it diverged; it never warns
        for epoch in range(judging.max_epochs + 1):
            interrupts.checkpoint()
            model = evaluation_point(optimizer, weights, state)  # where the run is measured (Schedule-Free's x)
            elsewhere = model is not weights  # then the step's gradient is taken apart, where the optimizer steps
            measured = evaluate.measure(model)
            error, grad = measured.error, measured.grad
            healthy = np.isfinite(error) & (measured.largest_weight <= judging.weight_bound)  # NaN fails too
            healthy &= measured.finite_grad  # in every schedule, so that one sample trains alike in all three
            if schedule.kind != "full-batch":
                grad = None  # measured at the epoch boundary only; the updates come batch by batch

            if observe is not None:
                observe(epoch, active, model, state)
            record_hits(ledger.hit_epochs, next_target, active, np.where(healthy, error, np.inf), epoch, target_values)
            if judging.binary:
                bits_met = measured.bit_distance < judging.bit_margin
                bits_met &= healthy & np.isnan(ledger.bit_hit_epoch[active])
                ledger.bit_hit_epoch[active[bits_met]] = epoch
            ledger.best_error[active] = np.fmin(ledger.best_error[active], np.where(healthy, error, np.inf))
            if judging.history_slot[epoch] >= 0:
                ledger.history[active, judging.history_slot[epoch]] = error
            if ledger.path.shape[1] and judging.path_slot[epoch] >= 0:
                ledger.path[active, judging.path_slot[epoch]] = model

            succeeded = (
                ~np.isnan(ledger.bit_hit_epoch[active])
                if judging.bit_criterion
                else next_target[active] == target_values.size
            )
            done = ~healthy | succeeded | (epoch == judging.max_epochs)
            if done.any():
                finished = active[done]
                ledger.final_weights[finished] = model[done]
                ledger.final_error[finished] = error[done]
                ledger.stop_epoch[finished] = epoch
                ledger.diverged_epoch[active[~healthy]] = epoch
                exact = grad is not None and not flat_spot
                ledger.final_grad[finished] = grad[done] if exact else _full_grad(model[done], task)
                keep = ~done
                if not keep.any():
                    break
                active, weights, error = active[keep], weights[keep], error[keep]
                grad = grad[keep] if grad is not None else None
                state = take_runs(state, keep)

            if grad is not None:
                if elsewhere:
                    error, grad = evaluate(weights)
                weights, state = stepped(optimizer, weights, grad, state, error, check=epoch == 0)
            else:
                for batch in next(batches_of_epoch):
                    batch_error, batch_grad = evaluate(weights, batch)
                    weights, state = stepped(optimizer, weights, batch_grad, state, batch_error, check=epoch == 0)


def stepped(optimizer, weights: np.ndarray, grad: np.ndarray, state, loss, check: bool = False):
    """``optimizer.step(weights, grad, state, loss=loss)``; with ``check`` (the first epoch), a one-line ValueError
    unless it kept the optimizer protocol: a pair (weights, state) whose weights are real numbers of the shape it
    was given, not all NaN where every weight and gradient it was given was finite.

    >>> class Broken:
    ...     name = "broken"
    ...     def step(self, weights, grad, state, loss=None):
    ...         return weights[:, :1], state
    >>> stepped(Broken(), np.zeros((3, 2)), np.ones((3, 2)), (), None, check=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: optimizer 'broken' broke the step protocol: its step returned weights of shape (3, 1) for ...
    """
    returned = optimizer.step(weights, grad, state, loss=loss)
    if not check:
        return returned
    protocol = "step(weights, grad, state, loss) must return (new weights of the same shape, new state)"
    broke = f"optimizer {getattr(optimizer, 'name', type(optimizer).__name__)!r} broke the step protocol"
    if not isinstance(returned, tuple) or len(returned) != 2:
        raise ValueError(f"{broke}: its step returned {type(returned).__name__}, not a pair; {protocol}")
    new_weights = np.asarray(returned[0])
    if new_weights.shape != weights.shape:
        raise ValueError(
            f"{broke}: its step returned weights of shape {new_weights.shape} for weights of shape {weights.shape}; "
            f"{protocol}"
        )
    if new_weights.dtype.kind not in "fiu":
        raise ValueError(f"{broke}: its step returned weights of dtype {new_weights.dtype}, not real numbers")
    given_finite = np.isfinite(weights).all() and np.isfinite(grad).all()
    if given_finite and new_weights.size and np.isnan(new_weights).all():
        raise ValueError(f"{broke}: its first step turned finite weights and gradients into NaN for every network")
    return new_weights.astype(np.float64, copy=False), returned[1]


def _full_grad(weights: np.ndarray, task: Task) -> np.ndarray:
    return task.loss_and_grad(weights)[1]


def take_runs(state, keep: np.ndarray):
    """The optimizer state of the kept runs: every array leaf is indexed on its leading axis.

    Optimizer states are (nested) tuples or NamedTuples whose array leaves have
    the population as their leading axis; scalars are shared by all runs.
    """
    if hasattr(state, "take_runs"):  # a state that knows how to split itself (a torch optimizer's)
        return state.take_runs(keep)
    if isinstance(state, np.ndarray) and state.ndim > 0:
        return state[keep]
    if isinstance(state, tuple):
        parts = [take_runs(part, keep) for part in state]
        return type(state)(*parts) if hasattr(state, "_fields") else tuple(parts)
    return state


@dataclass(frozen=True)
class Trace:
    """One run followed epoch by epoch: its weights, full-batch error and optimizer state."""

    epochs: np.ndarray  # (K,) 0, 1, …, the stop epoch (without states: `path_epochs` up to the stop, and the stop)
    weights: np.ndarray  # (K, P)
    errors: np.ndarray  # (K,)
    states: list  # the optimizer state at each epoch boundary


def trace(optimizer, task: Task, start, setup: TrainingSetup | None = None, **fields) -> Trace:
    """Train one network from ``start`` exactly as `train_population` does, keeping every epoch and the
    optimizer's state there.

    >>> import network, optimizers
    >>> path = trace(optimizers.get("irprop-"), network.get_task("single-sample"), [0.5, 0.5])
    >>> path.weights.shape[1], bool(path.errors[-1] <= 1e-8)
    (2, True)
    """
    return traces(optimizer, task, [start], TrainingSetup.of(setup, "trace", **fields))[0]


def traces(optimizer, task: Task, starts, setup: TrainingSetup | None = None, states: bool = True,
           **fields) -> list[Trace]:  # fmt: skip
    """`trace` of every start, trained as one population (each run as it would run alone).

    ``setup`` and ``fields`` as `train_population` takes them.  Without ``states`` the traces
    hold the weights and errors only (``states`` empty) at the epochs of
    `path_epochs` (every one up to 2000, then log-spaced) and the stop, and a
    built-in optimizer trains in its fused kernel: far faster over long runs,
    and bounded in memory whatever the budget.

    >>> import network, optimizers
    >>> paths = traces(optimizers.get("irprop-"), network.get_task("single-sample"), [[0.5, 0.5], [1.0, -2.0]])
    >>> [len(path.epochs) > 1 for path in paths]
    [True, True]
    """
    starts, setup = task.check_parameters(starts), TrainingSetup.of(setup, "traces", **fields)
    if not states:
        _, ledger = _train(optimizer, task, starts, setup, paths=True)
        drawn, found = path_epochs(setup.budget.max_epochs), []
        for path, stop, final in zip(ledger.path, ledger.stop_epoch, ledger.final_weights, strict=True):
            kept = int(np.searchsorted(drawn, stop, side="right"))  # the path's epochs up to the stop
            epochs, path = drawn[:kept], path[:kept]
            if epochs[-1] < stop:  # the stop falls between two kept epochs: end the path where the run ended
                epochs, path = np.append(epochs, stop), np.vstack([path, final])
            found.append(Trace(epochs, path, task.error(path), []))
        return found
    weights, kept_states = [[] for _ in starts], [[] for _ in starts]

    def keep(epoch, active, current_weights, state):
        for row, run in enumerate(active):
            weights[run].append(current_weights[row].copy())
            kept_states[run].append(take_runs(state, np.arange(len(active)) == row))

    train_population(optimizer, task, starts, setup, observe=keep)
    paths = [np.array(path) for path in weights]
    return [
        Trace(np.arange(len(path)), path, task.error(path), run_states)
        for path, run_states in zip(paths, kept_states, strict=True)
    ]

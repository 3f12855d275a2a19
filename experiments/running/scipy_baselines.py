"""scipy.optimize's classic methods as baselines, run per initial point and costed like everything else.

The methods are not population-vectorized and decide their own steps (line
searches, simplex moves), so they run one initial point at a time through one
adapter.  Their cost is counted in the same unit as the runner's epochs:

    epoch k      = after k + 1 evaluations of E (and ∇E) over all training samples,
                   the first being the evaluation at the start
    E at epoch k = the best E among those evaluations (COCO's best-so-far)
    evaluations  = k·S per-sample evaluations to reach epoch k, as for the runner

Nelder–Mead uses E only; the gradient methods get E and ∇E from one
evaluation of the network (compiled unless ``accelerate=False``: the same
bits).  A method that stops on its own before the headline target is a
``minimum`` or a ``flat-spot`` when its gradient fell below
``plateau_gradient`` (told apart as the runner's vanished gradients are),
and ``stopped`` when it could make no further progress with the gradient
still alive; one that hits the evaluation cap is ``budget``.

The methods work on one network's parameters, where BLAS threads only get in
the way: they spin between calls and take the cores from the network's own
evaluation (L-BFGS-B's small matrix routines cost 2 ms a call on two cores
instead of microseconds).  So the baselines run with one BLAS thread.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from scipy import optimize
from threadpoolctl import threadpool_limits

import network
from experiments.definition.budget import Budget, Targets
from experiments.definition.scipy_methods import SCIPY_METHODS as METHODS
from experiments.records import PopulationResult
from experiments.running import interrupts
from experiments.running.evaluators import network_evaluator
from experiments.running.kernels.ledger import Ledger
from experiments.running.runner import assemble, history_epochs, reference_minimum


class _Stop(Exception):
    """Raised inside the objective to end a run at the budget or at the finest target."""


class _Runs(NamedTuple):
    """What every run of one scipy method on one task shares: how it is evaluated, judged and recorded."""

    method: str  # scipy's name for it
    task: network.Task
    evaluate: object  # a `network_evaluator` of the task (one compiled pass per evaluation gives everything recorded)
    budget: Budget
    targets: Targets
    thresholds: np.ndarray  # the errors the targets allow
    recorded: np.ndarray  # the evaluations whose best-so-far E the history keeps


def run_scipy_population(
    name: str,
    task: network.Task,
    initial_weights: np.ndarray,
    budget: Budget,
    targets: Targets,
    accelerate: bool = True,
    minimum: float | None = None,
) -> PopulationResult:
    """Run scipy method ``name`` from every initial point; the same record as `train_population` gives (``minimum``
    as there)."""
    method = METHODS[name][0]
    recorded = history_epochs(budget.max_epochs)
    evaluate = network_evaluator(task, accelerate=accelerate)
    initial_weights = task.check_parameters(initial_weights)
    thresholds = targets.thresholds(reference_minimum(task, minimum))
    count = len(initial_weights)
    ledger = Ledger.empty(count, task.network.size, thresholds.size, recorded.size, budget.max_epochs)
    stopped_early = np.zeros(count, dtype=bool)
    runs = _Runs(method, task, evaluate, budget, targets, thresholds, recorded)
    with threadpool_limits(limits=1, user_api="blas"):
        for run, start in enumerate(initial_weights):
            stopped_early[run] = _run_one(runs, start, ledger, run)
    return assemble(initial_weights, ledger, recorded, task, budget, targets, thresholds, stopped_early)


def scipy_path_and_costs(
    name: str, task: network.Task, start, budget: Budget, targets: Targets, minimum: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The iterates (accepted points) of scipy method ``name`` from ``start``, start first, shape (K, P), and for
    each the full-batch evaluations spent to reach it (0 at the start)."""
    path, costs, evaluations = [np.array(start, dtype=np.float64)], [0], []
    evaluator = network_evaluator(task)

    class Counted:
        def measure(self, weights):
            evaluations.append(1)
            return evaluator.measure(weights)

    def keep(weights):
        path.append(np.array(weights, dtype=np.float64))
        costs.append(len(evaluations))

    thresholds = targets.thresholds(reference_minimum(task, minimum))
    ledger = Ledger.empty(1, task.network.size, thresholds.size, 1, budget.max_epochs)
    runs = _Runs(METHODS[name][0], task, Counted(), budget, targets, thresholds, np.array([0]))
    with threadpool_limits(limits=1, user_api="blas"):
        _run_one(runs, path[0], ledger, 0, keep)
    return np.array(path), np.array(costs)


def _options(method: str, budget: Budget) -> dict:
    """Stopping rules equal to the runner's: the budget, the targets, or a gradient below plateau_gradient.

    scipy's own tolerances (gtol = 1e-5, L-BFGS-B's ftol, Nelder–Mead's
    xatol/fatol = 1e-4) would stop these methods long before the targets.
    """
    cap = 10 * budget.max_epochs + 10  # the objective enforces the real cap; this only keeps scipy from stopping first
    if method == "Nelder-Mead":
        return {"maxfev": cap, "maxiter": cap, "xatol": 0.0, "fatol": 0.0}
    if method == "L-BFGS-B":
        return {"maxiter": cap, "maxfun": cap, "gtol": budget.plateau_gradient, "ftol": 0.0}
    return {"maxiter": cap, "gtol": budget.plateau_gradient}


def _run_one(runs: _Runs, start, ledger: Ledger, run: int, on_iterate=None) -> bool:
    """One start's run, written into row ``run`` of ``ledger``; whether the method stopped on its own before the
    success criterion.  ``on_iterate(weights)`` sees every iterate scipy accepts."""
    method, task, evaluate, budget, targets, thresholds, recorded = runs
    errors, points, bits_met = [], [], []
    finest, bit_success = thresholds[-1], targets.criterion == "bit"

    def evaluated(weights):
        weights = np.array(weights, dtype=np.float64)
        interrupts.checkpoint()
        measured = evaluate.measure(weights[None])
        error = float(measured.error[0])
        if not np.isfinite(error) or measured.largest_weight[0] > budget.weight_bound:
            error = np.inf
        errors.append(error)
        points.append(weights)
        bits_met.append(task.binary and error < np.inf and measured.bit_distance[0] < targets.bit_margin)
        if len(errors) > budget.max_epochs or (bits_met[-1] if bit_success else error <= finest):
            raise _Stop
        return float(measured.error[0]), measured.grad[0]

    stopped_early = False
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # line-search and convergence warnings: the status says it instead
        try:
            if method == "Nelder-Mead":
                optimize.minimize(
                    lambda weights: evaluated(weights)[0], start, method=method, options=_options(method, budget),
                    callback=on_iterate,
                )  # fmt: skip
            else:
                optimize.minimize(
                    evaluated, start, jac=True, method=method, options=_options(method, budget), callback=on_iterate
                )
            stopped_early = True
        except _Stop:
            pass
    best = np.minimum.accumulate(np.array(errors))  # best-so-far E after each evaluation
    stop_epoch = len(best) - 1
    reached = best[None, :] <= thresholds[:, None]
    hits = np.where(reached.any(axis=1), reached.argmax(axis=1), np.nan)
    bit_hit = float(np.argmax(bits_met)) if any(bits_met) else np.nan
    inside = recorded <= stop_epoch
    ledger.history[run, inside] = best[recorded[inside]]
    best_index = int(np.argmin(errors))
    diverged = not np.isfinite(errors[best_index])
    ledger.final_weights[run] = points[best_index]
    ledger.final_error[run] = best[-1] if not diverged else np.nan
    ledger.best_error[run] = best[-1]
    ledger.final_grad[run] = evaluate.measure(points[best_index][None]).grad[0]
    ledger.hit_epochs[run] = hits
    ledger.bit_hit_epoch[run] = bit_hit
    ledger.stop_epoch[run] = stop_epoch
    ledger.diverged_epoch[run] = float(stop_epoch) if diverged else np.nan
    return stopped_early and not np.isfinite(bit_hit if bit_success else hits[targets.headline_index])

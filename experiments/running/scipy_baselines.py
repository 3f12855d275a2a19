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
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import optimize

import network
from experiments.definition.budget import HISTORY, Budget, Targets
from experiments.running import interrupts
from experiments.running.evaluators import network_evaluator
from experiments.running.runner import PopulationResult, assemble, history_epochs, reference_minimum

METHODS = {
    "scipy-bfgs": (
        "BFGS",
        "Broyden–Fletcher–Goldfarb–Shanno quasi-Newton with line search (Nocedal & Wright, Alg. 6.1)",
    ),
    "scipy-lbfgsb": ("L-BFGS-B", "limited-memory BFGS (Byrd, Lu, Nocedal & Zhu 1995)"),
    "scipy-cg": ("CG", "nonlinear conjugate gradient, Polak–Ribière (Nocedal & Wright, §5.2)"),
    "scipy-nelder-mead": ("Nelder-Mead", "derivative-free simplex search (Nelder & Mead 1965)"),
}


class _Stop(Exception):
    """Raised inside the objective to end a run at the budget or at the finest target."""


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
    runs = [_run_one(method, task, evaluate, start, budget, targets, thresholds, recorded) for start in initial_weights]
    raw = {key: np.array([run[key] for run in runs]) for key in runs[0]}
    stopped_early = raw.pop("stopped_early")
    return assemble(initial_weights, raw, recorded, task, budget, targets, thresholds, stopped_early)


def scipy_path(
    name: str, task: network.Task, start, budget: Budget, targets: Targets, minimum: float | None = None
) -> np.ndarray:
    """The iterates (accepted points) of scipy method ``name`` from ``start``, start first, shape (K, P)."""
    return scipy_path_and_costs(name, task, start, budget, targets, minimum)[0]


def scipy_path_and_costs(
    name: str, task: network.Task, start, budget: Budget, targets: Targets, minimum: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """`scipy_path` and, for each iterate, the full-batch evaluations spent to reach it (0 at the start)."""
    path, costs, evaluations = [np.array(start, dtype=np.float64)], [0], []
    evaluator = network_evaluator(task)

    def counted(weights, batch=None):
        evaluations.append(1)
        return evaluator(weights, batch)

    def keep(weights):
        path.append(np.array(weights, dtype=np.float64))
        costs.append(len(evaluations))

    thresholds = targets.thresholds(reference_minimum(task, minimum))
    _run_one(METHODS[name][0], task, counted, path[0], budget, targets, thresholds, np.array([0]), on_iterate=keep)
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


def _run_one(method, task, evaluate, start, budget, targets, thresholds, recorded, on_iterate=None) -> dict:
    """One start's run; ``evaluate`` is a `network_evaluator` of ``task``, ``thresholds`` the errors the targets
    allow."""
    target_values = thresholds
    errors, points, bits_met = [], [], []

    def loss_and_grad(weights):
        error, grad = evaluate(np.asarray(weights, dtype=np.float64).reshape(1, -1))
        return float(error[0]), grad[0]

    def record(weights, error):
        interrupts.checkpoint()
        if not np.isfinite(error) or np.abs(weights).max() > budget.weight_bound:
            error = np.inf
        errors.append(error)
        points.append(np.array(weights, dtype=np.float64))
        bits_met.append(task.binary and np.isfinite(error) and task.bit_distance(weights) < targets.bit_margin)
        succeeded = bits_met[-1] if targets.criterion == "bit" else np.isfinite(error) and error <= target_values[-1]
        if len(errors) > budget.max_epochs or succeeded:
            raise _Stop

    def error_and_grad(weights):
        error, grad = loss_and_grad(weights)
        record(weights, error)
        return error, grad

    def error_only(weights):
        error = loss_and_grad(weights)[0]
        record(weights, error)
        return error

    stopped_early = False
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # line-search and convergence warnings: the status says it instead
        try:
            if method == "Nelder-Mead":
                optimize.minimize(
                    error_only, start, method=method, options=_options(method, budget), callback=on_iterate
                )
            else:
                optimize.minimize(
                    error_and_grad, start, jac=True, method=method, options=_options(method, budget),
                    callback=on_iterate,
                )  # fmt: skip
            stopped_early = True
        except _Stop:
            pass
    best = np.minimum.accumulate(np.array(errors))  # best-so-far E after each evaluation
    stop_epoch = len(best) - 1
    hits = np.array([np.argmax(best <= target) if (best <= target).any() else np.nan for target in target_values])
    bit_hit = float(np.argmax(bits_met)) if any(bits_met) else np.nan
    history = np.full(recorded.size, np.nan, dtype=HISTORY)
    inside = recorded <= stop_epoch
    history[inside] = best[recorded[inside]]
    best_index = int(np.argmin(errors))
    final_weights = points[best_index]
    diverged = not np.isfinite(errors[best_index])
    return {
        "final_weights": final_weights,
        "final_error": best[-1] if not diverged else np.nan,
        "best_error": best[-1],
        "final_grad_norm": float(np.linalg.norm(loss_and_grad(final_weights)[1])),
        "hit_epochs": hits.astype(float),
        "bit_hit_epoch": bit_hit,
        "stop_epoch": stop_epoch,
        "diverged_epoch": float(stop_epoch) if diverged else np.nan,
        "history": history,
        "stopped_early": stopped_early
        and not np.isfinite(bit_hit if targets.criterion == "bit" else hits[targets.headline_index]),
    }

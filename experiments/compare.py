"""Every registered optimizer, on one task, from the same seeded initial points: a convergence table."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import optimizers
from experiments.initial_points import uniform_box
from experiments.runner import STATUSES, Budget, PopulationResult, train_population
from network import Task


def compare(
    task: Task,
    optimizer_names: list[str] | None = None,
    points: int = 1000,
    half_width: float = 10.0,
    seed: int = 0,
    budget: Budget | None = None,
) -> pd.DataFrame:
    """One row per optimizer (default hyperparameters), trained from the same ``points`` initial weights.

    >>> import network
    >>> table = compare(network.get_task("single-sample"), ["gd", "irprop-"], points=20)
    >>> table["runs"].tolist()
    [20, 20]
    """
    budget = budget or Budget()
    names = optimizers.available() if optimizer_names is None else list(optimizer_names)
    initial_weights = uniform_box(points, half_width, seed)
    rows = []
    for name in names:
        started = time.perf_counter()
        result = train_population(optimizers.get(name), task, initial_weights, budget)
        rows.append(summarize(name, result) | {"wall_time_s": time.perf_counter() - started})
    return pd.DataFrame(rows).set_index("optimizer")


def summarize(name: str, result: PopulationResult) -> dict:
    """The table row of one population: counts per status and medians."""
    converged = result.status == "converged"
    counts = {status: int((result.status == status).sum()) for status in STATUSES}
    return {
        "optimizer": name,
        "runs": len(result.status),
        **counts,
        "success_rate": converged.mean(),
        "median_epochs_to_target": np.median(result.hit_epoch[converged]) if converged.any() else np.nan,
        "median_final_error": np.median(result.final_error),
    }

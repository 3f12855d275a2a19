"""Experiments: train every optimizer on the same network from the same initial points, and tabulate."""

from experiments.compare import compare, summarize
from experiments.initial_points import uniform_box
from experiments.runner import STATUSES, Budget, PopulationResult, train_population

__all__ = [
    "STATUSES",
    "Budget",
    "PopulationResult",
    "compare",
    "summarize",
    "train_population",
    "uniform_box",
]

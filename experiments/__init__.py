"""Experiments: train every optimizer on the same network from the same initial points, and tabulate.

>>> import experiments
>>> results = experiments.run("quick")
>>> set(results.runs()["status"]) <= set(experiments.STATUSES)
True
"""

from experiments.engine import check, load, run
from experiments.initial_points import InitialPoints
from experiments.results import Results
from experiments.runner import STATUSES, PopulationResult, train_population
from experiments.schedules import Schedule
from experiments.spec import Budget, ExperimentSpec, OptimizerSetting, Targets, built_in_experiments, load_spec

__all__ = [
    "STATUSES",
    "Budget",
    "ExperimentSpec",
    "InitialPoints",
    "OptimizerSetting",
    "PopulationResult",
    "Results",
    "Schedule",
    "Targets",
    "built_in_experiments",
    "check",
    "load",
    "load_spec",
    "run",
    "train_population",
]

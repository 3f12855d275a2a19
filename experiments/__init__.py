"""Experiments: train every optimizer on the same network from the same initial points, and tabulate.

Each name below is imported from its module on first use, so that training a
population (`train_population`) does not load pandas and the statistics.

>>> import experiments
>>> results = experiments.run("quick")
>>> set(results.runs()["status"]) <= set(experiments.STATUSES)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOME = {  # name: the module that defines it, imported on first use (the engine pulls in pandas and scipy.stats)
    "check": "experiments.engine",
    "load": "experiments.engine",
    "run": "experiments.engine",
    "InitialPoints": "experiments.initial_points",
    "Results": "experiments.results",
    "STATUSES": "experiments.runner",
    "PopulationResult": "experiments.runner",
    "train_population": "experiments.runner",
    "Schedule": "experiments.schedules",
    "Budget": "experiments.spec",
    "ExperimentSpec": "experiments.spec",
    "OptimizerSetting": "experiments.spec",
    "Targets": "experiments.spec",
    "built_in_experiments": "experiments.spec",
    "load_spec": "experiments.spec",
}

if TYPE_CHECKING:
    from experiments.engine import check, load, run
    from experiments.initial_points import InitialPoints
    from experiments.results import Results
    from experiments.runner import STATUSES, PopulationResult, train_population
    from experiments.schedules import Schedule
    from experiments.spec import Budget, ExperimentSpec, OptimizerSetting, Targets, built_in_experiments, load_spec


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'experiments' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


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

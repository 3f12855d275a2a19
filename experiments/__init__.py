"""Experiments: train every optimizer on the same network from the same initial points, and tabulate.

Each name below is imported from its module on first use, so that training a
population (`train_population`) does not load pandas and the statistics.

>>> import experiments
>>> results = experiments.run("quick")
>>> set(results.runs()["status"]) <= set(experiments.STATUSES)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from network.lazy_names import lazy_names

_HOME = {  # name: the module that defines it, imported on first use (the engine pulls in pandas and scipy.stats)
    "check": "experiments.pipeline",
    "load": "experiments.pipeline",
    "run": "experiments.pipeline",
    "InitialPoints": "experiments.definition.initial_points",
    "Results": "experiments.analysis.results",
    "STATUSES": "experiments.records",
    "PopulationResult": "experiments.records",
    "train_population": "experiments.running.runner",
    "Schedule": "experiments.definition.schedules",
    "Budget": "experiments.definition.budget",
    "ExperimentSpec": "experiments.definition.spec",
    "OptimizerSetting": "experiments.definition.spec",
    "Targets": "experiments.definition.budget",
    "TrainingSetup": "experiments.definition.training_setup",
    "built_in_experiments": "experiments.definition.spec_files",
    "load_spec": "experiments.definition.spec_files",
}

if TYPE_CHECKING:
    from experiments.analysis.results import Results
    from experiments.definition.budget import Budget, Targets
    from experiments.definition.initial_points import InitialPoints
    from experiments.definition.schedules import Schedule
    from experiments.definition.spec import ExperimentSpec, OptimizerSetting
    from experiments.definition.spec_files import built_in_experiments, load_spec
    from experiments.definition.training_setup import TrainingSetup
    from experiments.pipeline import check, load, run
    from experiments.records import STATUSES, PopulationResult
    from experiments.running.runner import train_population


__getattr__, __dir__ = lazy_names(__name__, _HOME)


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
    "TrainingSetup",
    "built_in_experiments",
    "check",
    "load",
    "load_spec",
    "run",
    "train_population",
]

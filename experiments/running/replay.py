"""The runs the figures draw, replayed: paths from given starts, populations over a grid of starts, and one run
with its optimizer's state, each trained exactly as the experiment trained its runs.

The figures never train: a `Replay` travels with the results the pipeline hands them (`Results.replay`), so
``plots`` imports nothing from ``running`` and what "a path" is lives once, here: for a step-wise optimizer
the weights at `runner.path_epochs` (every epoch up to 2000, then log-spaced) trained in the spec's first
schedule and seed, exactly as `train_population` trains them; for a scipy method every iterate it accepts,
with the evaluations spent to reach it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from experiments.running.runner import PATH_EVERY_EPOCH, Trace, trace, traces, train_population
from experiments.running.scipy_baselines import scipy_path_and_costs


class Replay:
    """What the figures of an experiment may ask to have trained again (no state: it pickles to the workers
    that draw)."""

    def paths(self, spec, setting, task, starts, minimum: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """(weights (K, P), epochs (K,)) of ``setting``'s run from each of ``starts`` on ``task``, its targets
        relative to E* = ``minimum``; for a scipy method its iterates and the evaluations (its epochs) spent to
        reach each."""
        if setting.is_scipy:
            return [scipy_path_and_costs(setting.name, task, start, spec.budget, spec.targets, minimum)
                    for start in starts]  # fmt: skip
        optimizer = spec.optimizer_for(setting, task)
        found = traces(optimizer, task, starts, spec.setup_for(setting, minimum=minimum), states=False)
        return [(found_trace.weights, found_trace.epochs) for found_trace in found]

    def population(self, spec, setting, task, starts, schedule, minimum: float):
        """``setting``'s population trained from ``starts`` on ``task`` in ``schedule`` (a basin map's grid)."""
        optimizer = spec.optimizer_for(setting, task, schedule)
        return train_population(optimizer, task, starts, spec.setup_for(setting, schedule, minimum=minimum))

    def first_epochs(self, spec, setting, task, start, minimum: float) -> Trace:
        """One run of ``setting`` from ``start`` with its optimizer's state after every epoch, over the first
        `PATH_EVERY_EPOCH` epochs at most (every epoch is kept, so a longer budget would only cost time)."""
        budget = dataclasses.replace(spec.budget, max_epochs=min(spec.budget.max_epochs, PATH_EVERY_EPOCH))
        optimizer = spec.optimizer_for(setting, task)  # its schedule over the whole run's steps
        return trace(optimizer, task, start, spec.setup_for(setting, minimum=minimum), budget=budget)

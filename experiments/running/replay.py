"""The paths the figures draw: a setting's runs replayed from given starts, as the experiment trained them.

Every figure that shows where runs went (the error surface, the loss landscape, the animations) asks
here, so that what "a path" is lives once: for a step-wise optimizer the weights at `runner.path_epochs`
(every epoch up to 2000, then log-spaced) trained in the spec's first schedule and seed, exactly as
`train_population` trains them; for a scipy method every iterate it accepts, with the evaluations spent
to reach it.
"""

from __future__ import annotations

import numpy as np

from experiments.running.runner import traces
from experiments.running.scipy_baselines import scipy_path_and_costs


def replayed_paths(spec, setting, task, starts, minimum: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weights (K, P), epochs (K,)) of ``setting``'s run from each of ``starts`` on ``task``, its targets relative
    to E* = ``minimum``; for a scipy method its iterates and the evaluations (its epochs) spent to reach each."""
    if setting.is_scipy:
        return [scipy_path_and_costs(setting.name, task, start, spec.budget, spec.targets, minimum) for start in starts]
    found = traces(setting.build(), task, starts, spec.setup_for(setting, minimum=minimum), states=False)
    return [(trace.weights, trace.epochs) for trace in found]

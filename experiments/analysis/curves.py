"""Convergence curves over a set of runs: each run's error held after it stopped, and their quartiles per epoch.

A run that reached the finest target stops costing work and stops being
recorded; its history is NaN from then on.  The curves hold its final error
(the best-so-far view), so the median never climbs back up as the successful
runs leave.  A diverged run counts as +inf from its divergence on.  The static
convergence figure and the report's explorer both draw `error_quartiles` of
`filled_histories`.
"""

from __future__ import annotations

import numpy as np


def filled_histories(populations) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, errors) of several populations, each run's error held at its final value after it stopped,
    +inf after it diverged and wherever nothing was recorded."""
    epochs = populations[0].history_epochs
    blocks = []
    for population in populations:
        errors = population.history.copy()
        final = np.where(np.isnan(population.diverged_epoch), population.final_error, np.inf)
        after_stop = epochs[None, :] > population.stop_epoch[:, None]
        errors[after_stop] = np.broadcast_to(final[:, None], errors.shape)[after_stop]
        errors[np.isnan(errors)] = np.inf
        blocks.append(errors)
    return epochs, np.concatenate(blocks)


def error_quartiles(errors: np.ndarray) -> np.ndarray:
    """(3, epochs): the 25th, 50th and 75th percentile of ``errors`` (runs, epochs) at each epoch; NaN where a
    diverged run (+inf) enters the percentile's interpolation (a gap in the curve, in the figure and the explorer).

    >>> error_quartiles(np.array([[1.0, 1.0], [2.0, np.inf], [3.0, np.inf]]))[1].tolist()
    [2.0, nan]
    """
    with np.errstate(invalid="ignore"):  # inf − inf inside the interpolation
        return np.percentile(errors, [25, 50, 75], axis=0)

"""The run ledger: one typed record of what happened to every run of a population, and how its epochs are judged.

Every trainer writes the same record: the fused kernels (`experiments.running.kernels.fused`,
`experiments.running.kernels.fused_layered`), the generic loop of `experiments.running.runner`
and the scipy baselines (`experiments.running.scipy_baselines`).
`experiments.running.runner.assemble` turns it into a `PopulationResult`.

At each epoch boundary a run's E is judged by the `Judging` of the run
(`close_epoch` in compiled code, its vectorized twin in the generic loop):
it records the targets reached, its best E, its history point and, when its
fate is sealed (diverged, succeeded, or out of epochs), where it stopped.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from experiments.definition.budget import HISTORY, HIT_EPOCHS


class Ledger(NamedTuple):
    """Per run (N runs of P parameters), filled in as the population trains."""

    final_weights: np.ndarray  # (N, P) where the run stopped
    final_grad: np.ndarray  # (N, P) the exact full-batch gradient there
    final_error: np.ndarray  # (N,) E there
    best_error: np.ndarray  # (N,) the lowest finite E seen at an epoch boundary (+inf if none)
    hit_epochs: np.ndarray  # (N, targets) first epoch with E ≤ threshold; NaN if never (float32)
    bit_hit_epoch: np.ndarray  # (N,) first epoch meeting the bit criterion; NaN if never
    stop_epoch: np.ndarray  # (N,) int
    diverged_epoch: np.ndarray  # (N,) NaN if never
    history: np.ndarray  # (N, K) E at the recorded epochs; NaN after the stop (float32)
    path: np.ndarray  # (N, path points, P) the weights at the path's epochs, NaN after the stop; or (N, 0, P)

    @classmethod
    def empty(cls, count: int, size: int, targets: int, records: int, max_epochs: int, paths: int = 0) -> Ledger:
        """A ledger of ``count`` runs that have not started: nothing reached, nothing recorded; room for every run's
        weights at ``paths`` epoch boundaries (`Judging.path_slot`)."""
        return cls(
            final_weights=np.full((count, size), np.nan),
            final_grad=np.full((count, size), np.nan),
            final_error=np.full(count, np.nan),
            best_error=np.full(count, np.inf),
            hit_epochs=np.full((count, targets), np.nan, dtype=HIT_EPOCHS),
            bit_hit_epoch=np.full(count, np.nan),
            stop_epoch=np.full(count, max_epochs, dtype=np.int64),
            diverged_epoch=np.full(count, np.nan),
            history=np.full((count, records), np.nan, dtype=HISTORY),
            path=np.full((count, paths, size), np.nan),
        )

    def rows(self, part: slice) -> Ledger:
        """The ledger of runs ``part`` (views: writing them writes this ledger)."""
        return Ledger(*(array[part] for array in self))


class Judging(NamedTuple):
    """How a run's epochs are judged: the same for every run of a population."""

    thresholds: np.ndarray  # the errors the targets allow, decreasing
    bit_criterion: bool  # success is the bit criterion (else E below the finest threshold)
    binary: bool  # the task has 0/1 targets: the bit criterion is tracked
    bit_margin: float  # max |t − r| / (output range) below which the bits are met
    output_span: float  # the output range, high − low
    max_epochs: int
    weight_bound: float  # |w| beyond this is divergence
    history_slot: np.ndarray  # (max_epochs + 1,) where epoch k's E goes in the history, −1 if not recorded
    path_slot: np.ndarray  # (max_epochs + 1,) where epoch k's weights go in a kept path, −1 if not kept


@numba.njit(cache=True, error_model="numpy", inline="always")  # per run and epoch: no call overhead
def close_epoch(final_error, best_error, hit_epochs, bit_hit_epoch, stop_epoch, diverged_epoch, history, judging, n,
                epoch, error, healthy, worst_residual, next_target, best, bit_hit, j) -> bool:  # fmt: skip
    """Judge run ``n`` (lane ``j`` of a kernel's block: its next target, best E and bit hit so far) at ``epoch``
    with E = ``error``, ``healthy`` (E, weights and gradient finite and within the bound) and max |t − r| =
    ``worst_residual``; write its stop into the ledger's arrays if its fate is sealed, and say whether it is.

    The ledger comes as its arrays (`Ledger` order, without the final weights and gradient), not as the
    tuple: inside a parallel loop (``prange``, which the kernels had until issue 31), numba 0.68 loses writes
    made through a tuple's fields.
    """
    ladder = judging.thresholds
    if healthy:
        while next_target[j] < ladder.shape[0] and error <= ladder[next_target[j]]:
            hit_epochs[n, next_target[j]] = epoch
            next_target[j] += 1
        best[j] = min(best[j], error)
        met = worst_residual / judging.output_span < judging.bit_margin
        if judging.binary and bit_hit[j] != bit_hit[j] and met:
            bit_hit[j] = epoch
    if judging.history_slot[epoch] >= 0:
        history[n, judging.history_slot[epoch]] = error
    succeeded = bit_hit[j] == bit_hit[j] if judging.bit_criterion else next_target[j] == ladder.shape[0]
    if healthy and not succeeded and epoch < judging.max_epochs:
        return False
    final_error[n], stop_epoch[n], best_error[n] = error, epoch, best[j]
    bit_hit_epoch[n] = bit_hit[j]
    if not healthy:
        diverged_epoch[n] = epoch
    return True

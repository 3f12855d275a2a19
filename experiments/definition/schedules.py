"""The article's three update schedules: per sample, mini-batch, and full batch.

"The weights can be updated for each training sample (stochastic gradient
descent) or after multiple training samples (batch gradient descent) or after
exhausting the training data (standard/batch gradient descent)." (seed article)

One epoch is one pass over the S training samples:

    full-batch      1 update per epoch, on the gradient summed over all samples
    mini-batch(B)   ⌈S/B⌉ updates per epoch, each on the gradient summed over B samples
    per-sample      S updates per epoch, each on one sample's gradient

Mini-batch and per-sample reshuffle the samples every epoch, unless the
order is "cyclic": the batches then run through the samples in the order they
are stored, the same every epoch (as MNIST-1D's published models were
trained).  The shuffled order is
drawn from the seed alone, so every optimizer and every initial point of a
seed sees the same sequence of samples (common random numbers): differences
between optimizers are not differences of luck in the shuffling.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from experiments.definition.budget import MAX_COUNT, require_int

KINDS = ("full-batch", "mini-batch", "per-sample")
ORDERS = ("shuffled", "cyclic")  # the samples' order within an epoch: drawn anew every epoch, or as stored
SHUFFLE_STREAM = 2  # the seed stream of sample orders


@dataclass(frozen=True)
class Schedule:
    """When the weights are updated within an epoch.

    >>> [batch.tolist() for batch in Schedule("mini-batch", 2).epochs(5, seed=0).__next__()]
    [[4, 2], [1, 0], [3]]
    """

    kind: str = "full-batch"
    batch_size: int | None = None
    order: str = "shuffled"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"schedule kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.kind == "mini-batch":
            size = self.batch_size
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise ValueError(f"a mini-batch schedule needs batch_size, an integer >= 1, got {size!r}")
            require_int("batch_size", size, minimum=1, maximum=MAX_COUNT)
        elif self.batch_size is not None:
            raise ValueError(f"batch_size applies only to the mini-batch schedule, not to {self.kind}")
        if self.order not in ORDERS:
            raise ValueError(f"schedule order must be one of {', '.join(ORDERS)}, got {self.order!r}")
        if self.order != "shuffled" and self.kind == "full-batch":
            raise ValueError("a full-batch schedule has no order: every update sees every sample")

    def check(self, task) -> None:
        """Raise a one-line ValueError if this schedule cannot train ``task``: a batch larger than its samples.

        A one-sample task is the exception: on it every schedule is the same
        training (one update per epoch on that sample), which the engine runs once.
        """
        if self.kind == "mini-batch" and self.batch_size > task.samples > 1:
            raise ValueError(
                f"schedule {self.label} needs batch_size <= the number of samples; task {task.name!r} has "
                f"{task.samples} (a batch of them all is the full-batch schedule)"
            )

    @property
    def label(self) -> str:
        label = f"mini-batch({self.batch_size})" if self.kind == "mini-batch" else self.kind
        return label if self.order == "shuffled" else f"{label}, {self.order}"

    def updates_per_epoch(self, samples: int) -> int:
        """How many weight updates one epoch over ``samples`` samples makes."""
        return {"full-batch": 1, "per-sample": samples}.get(self.kind) or -(-samples // self.batch_size)

    def epochs(self, samples: int, seed: int) -> Iterator[list[np.ndarray]]:
        """For each epoch in turn, the sample indices of each update (a pure function of the seed)."""
        if self.kind == "full-batch":
            everything = [np.arange(samples)]
            while True:
                yield everything
        size = 1 if self.kind == "per-sample" else self.batch_size
        rng = np.random.default_rng([seed, SHUFFLE_STREAM])
        stored = np.arange(samples)
        while True:
            order = stored if self.order == "cyclic" else rng.permutation(samples)
            yield [order[start : start + size] for start in range(0, samples, size)]

    def to_dict(self) -> dict:
        entry = {"kind": self.kind, "batch_size": self.batch_size} if self.kind == "mini-batch" else {"kind": self.kind}
        return entry | ({"order": self.order} if self.order != "shuffled" else {})

    @classmethod
    def from_entry(cls, entry) -> Schedule:
        """A schedule from a spec entry: ``"per-sample"``, ``{kind = "mini-batch", batch_size = 2}`` or its label.

        >>> Schedule.from_entry("mini-batch(4)")
        Schedule(kind='mini-batch', batch_size=4, order='shuffled')
        """
        if isinstance(entry, str):
            size = re.fullmatch(r"mini-batch\((\d+)\)", entry.strip())
            return cls("mini-batch", int(size[1])) if size else cls(entry)
        if not isinstance(entry, dict):
            raise ValueError(f"a schedule must be a name or a table, got {entry!r}")
        unknown = sorted(set(entry) - {"kind", "batch_size", "order"})
        if unknown:
            raise ValueError(f"schedule has an unknown key {unknown[0]!r}; allowed: batch_size, kind, order")
        return cls(entry.get("kind", "full-batch"), entry.get("batch_size"), entry.get("order", "shuffled"))

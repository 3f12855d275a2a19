"""Training sets with the network each is learned by: the article's 1-1-1 tasks and the classic benchmarks.

A task holds ``inputs`` of shape (samples, n_in), ``targets`` of shape
(samples, n_out) and its ``network``.  One column of inputs and one of
targets default to the seed article's 1-1-1 network, whose error and gradient
are computed by the article's closed form (`network.one_one_one`); any other
shape needs a `network.Layered` given with the data.

>>> xor = get_task("xor")
>>> xor.inputs.shape, xor.targets.shape, xor.network.describe()
((4, 2), (4, 1), '2-2-1, sigmoid units, biases, 9 parameters')
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from network import classics
from network.layered import ARTICLE_NETWORK, Layered
from network.validation import (
    EXACT_ARITHMETIC,
    as_parameters,
    as_sample_matrix,
    as_weights,
    checked_flat_spot,
    did_you_mean,
)


@dataclass(frozen=True, eq=False)
class Task:
    """A named training set and the network it is learned by.

    ``minimum_weights`` is a point where E = 0 when one is known (a teacher
    task's own weights); ``None`` otherwise.  ``minimum_error`` is the task's
    reference minimum E* = inf_w E(w) when it is known: 0 with
    ``minimum_weights``, 0 where the network reaches every target (or
    approaches 0/1 targets as its weights grow), or a value a user knows;
    ``None`` when it is not known (an experiment then takes the best E any of
    its runs found).

    >>> Task("one", "a single sample", [1.0], [0.9]).targets.tolist()
    [[0.9]]
    """

    name: str
    description: str
    inputs: np.ndarray
    targets: np.ndarray
    minimum_weights: np.ndarray | None = field(default=None)
    network: Layered | None = field(default=None)
    minimum_error: float | None = field(default=None)

    def __post_init__(self):
        inputs = _data(self.name, self.inputs, "inputs")
        targets = _data(self.name, self.targets, "targets")
        if len(inputs) != len(targets):
            raise ValueError(
                f"task {self.name!r}: inputs and targets must have the same number of samples, "
                f"got {len(inputs)} inputs and {len(targets)} targets"
            )
        net = self.network
        if net is None:
            if inputs.shape[1] != 1 or targets.shape[1] != 1:
                raise ValueError(
                    f"task {self.name!r}: data with {inputs.shape[1]} input and {targets.shape[1]} target columns "
                    f"needs a network, e.g. network = {{ sizes = [{inputs.shape[1]}, 2, {targets.shape[1]}] }}"
                )
            net = ARTICLE_NETWORK
        if not isinstance(net, Layered):
            raise TypeError(f"task {self.name!r}: network must be a network.Layered, got {net!r}")
        for name, columns, expected in (("input", inputs, net.n_inputs), ("target", targets, net.n_outputs)):
            if columns.shape[1] != expected:
                raise ValueError(
                    f"task {self.name!r}: the network {'-'.join(map(str, net.sizes))} takes {expected} {name} "
                    f"column{'s' * (expected != 1)}, the data has {columns.shape[1]}"
                )
        low, high = net.output_range
        outside = targets[(targets < low) | (targets > high)]
        if outside.size:
            raise ValueError(
                f"task {self.name!r}: targets must lie in [{low:g}, {high:g}], the range of the "
                f"{net.output_activation} outputs, got {outside[0]}"
            )
        for array in (inputs, targets):
            array.setflags(write=False)
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "network", net)
        if self.minimum_weights is not None:
            object.__setattr__(self, "minimum_weights", self.check_parameters(self.minimum_weights))
            if self.minimum_error is None:  # E = 0 there, up to the rounding of the targets
                object.__setattr__(self, "minimum_error", 0.0)
        if self.minimum_error is not None:
            if isinstance(self.minimum_error, bool) or not isinstance(self.minimum_error, (int, float)):
                raise TypeError(f"task {self.name!r}: minimum_error must be a number, got {self.minimum_error!r}")
            if not (math.isfinite(self.minimum_error) and self.minimum_error >= 0):
                raise ValueError(
                    f"task {self.name!r}: minimum_error must be finite and >= 0, got {self.minimum_error!r}"
                )
            object.__setattr__(self, "minimum_error", float(self.minimum_error))

    @property
    def samples(self) -> int:
        """S, the number of training samples."""
        return len(self.inputs)

    @property
    def is_article(self) -> bool:
        """Whether the task is learned by the seed article's 1-1-1 network (and its closed-form gradient)."""
        return self.network.is_article

    @cached_property
    def binary(self) -> bool:
        """Whether every target sits at an end of the output range (0 or 1 for sigmoids): the bit criterion applies.

        >>> get_task("xor").binary, get_task("teacher").binary
        (True, False)
        """
        low, high = self.network.output_range
        return bool(np.isin(self.targets, [low, high]).all())

    def check_parameters(self, weights) -> np.ndarray:
        """``weights`` as a float64 array (..., P) of this task's network, or a one-line ValueError."""
        if self.is_article:
            return as_weights(weights)
        return as_parameters(weights, self.network.size, f"task {self.name!r}")

    def error(self, weights) -> np.ndarray:
        """E of networks ``weights`` (shape (..., P)) on this task, without checking the task's samples again.

        >>> round(float(get_task("single-sample").error([0.0, 0.0])), 12)  # (0.9 − 0.5)²/2
        0.08
        """
        weights = self.check_parameters(weights)
        if self.is_article:
            return _closed_form().error_of_checked(weights, self.inputs[:, 0], self.targets[:, 0])
        return self.network.error_of_checked(weights, self.inputs, self.targets)

    def loss_and_grad(self, weights, flat_spot=0.0, batch=None) -> tuple[np.ndarray, np.ndarray]:
        """E and ∂E/∂w on this task, or on its samples ``batch`` (indices), checking only the weights."""
        weights, flat_spot = self.check_parameters(weights), checked_flat_spot(flat_spot)
        inputs, targets = (self.inputs, self.targets) if batch is None else (self.inputs[batch], self.targets[batch])
        if self.closed_form(flat_spot):
            return _closed_form().loss_and_grad_of_checked(weights, inputs[:, 0], targets[:, 0], flat_spot)
        return self.network.loss_and_grad_of_checked(weights, inputs, targets, flat_spot)

    def closed_form(self, flat_spot=0.0) -> bool:
        """Whether the article's closed-form gradient trains this task: its 1-1-1 network in optarena's exact
        arithmetic (the period arithmetic takes the layered pass, which forms f′ and t − r from the outputs).
        ``flat_spot`` as its callers hold it: a number or pair (exact arithmetic) or a `FlatSpot`; it is checked
        where it is used, so this test adds no work to a training step."""
        return self.is_article and getattr(flat_spot, "arithmetic", EXACT_ARITHMETIC) == EXACT_ARITHMETIC

    def bit_distance(self, weights) -> np.ndarray:
        """max over samples and outputs of |t − r| as a fraction of the output range, per network.

        A run meets the classic "bit" criterion with margin m when this is
        below m: with m = 0.4, every sigmoid output is below 0.4 for a 0
        target and above 0.6 for a 1 target (Fahlman 1988).

        >>> float(get_task("xor").bit_distance(np.zeros(9)))
        0.5
        """
        residuals = self.network.residuals_of_checked(self.check_parameters(weights), self.inputs, self.targets)
        low, high = self.network.output_range
        return np.abs(residuals).max(axis=(-2, -1)) / (high - low)

    @classmethod
    def from_teacher(cls, name: str, description: str, inputs, teacher_weights, network: Layered | None = None):
        """A realizable task: targets are the outputs of a network with ``teacher_weights`` (default: the 1-1-1)."""
        if network is None or network.is_article:
            targets = _closed_form().forward(teacher_weights, as_sample_matrix(inputs, "inputs", 1)[:, 0])
        else:
            targets = network.forward(teacher_weights, inputs)
        return cls(name, description, inputs, targets, minimum_weights=teacher_weights, network=network)


def _closed_form():
    """`network.one_one_one`, imported when a task first computes (defining tasks loads no compiled code)."""
    from network import one_one_one

    return one_one_one


def _data(task: str, values, name: str) -> np.ndarray:
    try:
        return as_sample_matrix(values, name)
    except (TypeError, ValueError) as problem:
        raise type(problem)(f"task {task!r}: {problem}") from None


TEACHER_WEIGHTS = (2.0, 3.0)  # (w_h, w_o) of the teacher task's teacher network
TEACHER_TARGETS = (0.5134863854581515, 0.5884614607563967, 0.9335404768183256, 0.9500760587096172)  # its outputs


@functools.cache
def _built_in() -> tuple[Task, ...]:
    """The built-in tasks, made on first use (the teacher's targets need the network's compiled σ)."""
    return (
        Task(
            "single-sample",
            "the article's setting: one training sample, input i = 1, target t = 0.9",
            [1.0],
            [0.9],
            minimum_error=0.0,  # σ(w_o·σ(w_h)) = 0.9 on a whole curve of weights
        ),
        Task(  # Task.from_teacher's targets, written out so that defining the task runs no compiled code
            "teacher",
            "4 inputs in [-2, 2] labelled by a teacher network with (w_h, w_o) = (2, 3); E = 0 there",
            [-2.0, -1.0, 1.0, 2.0],
            TEACHER_TARGETS,
            minimum_weights=TEACHER_WEIGHTS,
        ),
        # the classics' 0/1 targets are approached as the weights grow: E* = 0, an infimum
        Task("xor", **classics.xor(), minimum_error=0.0),
        *(
            Task(f"encoder-{n}-{m}-{n}", **classics.encoder(n, m), minimum_error=0.0)
            for n, m in ((8, 3), (10, 5), (12, 2))
        ),
        *(Task(f"parity-{n}", **classics.parity(n), minimum_error=0.0) for n in range(2, 11)),
        Task("two-spirals", **classics.two_spirals()),
    )


def tasks() -> dict[str, Task]:
    """The built-in tasks by name."""
    return {task.name: task for task in _built_in()}


def get_task(name: str) -> Task:
    """A built-in task by name, or a ValueError listing the names there are.

    >>> get_task("single-sample").inputs.tolist()
    [[1.0]]
    """
    built_in = tasks()
    if name not in built_in:
        raise ValueError(f"unknown task {name!r}{did_you_mean(name, built_in)}; available: {', '.join(built_in)}")
    return built_in[name]

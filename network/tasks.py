"""Training sets for the 1-1-1 network: the article's single sample, and a realizable teacher task."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from network.one_one_one import checked_flat_spot, error_of_checked, forward, loss_and_grad_of_checked
from network.validation import as_samples, as_weights


@dataclass(frozen=True, eq=False)
class Task:
    """A named training set: 1-D ``inputs`` and ``targets`` of equal length, targets in [0, 1].

    ``minimum_weights`` is a point where E = 0 when one is known (a teacher
    task's own weights); ``None`` otherwise.

    >>> Task("one", "a single sample", [1.0], [0.9]).targets.tolist()
    [0.9]
    """

    name: str
    description: str
    inputs: np.ndarray
    targets: np.ndarray
    minimum_weights: np.ndarray | None = field(default=None)

    def __post_init__(self):
        inputs = as_samples(self.inputs, "inputs")
        targets = as_samples(self.targets, "targets")
        if inputs.shape != targets.shape:
            raise ValueError(
                f"task {self.name!r}: inputs and targets must have the same number of samples, "
                f"got {inputs.size} inputs and {targets.size} targets"
            )
        outside = targets[(targets < 0.0) | (targets > 1.0)]
        if outside.size:
            raise ValueError(f"task {self.name!r}: targets must lie in [0, 1], the sigmoid's range, got {outside[0]}")
        for array in (inputs, targets):
            array.setflags(write=False)
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "targets", targets)
        if self.minimum_weights is not None:
            object.__setattr__(self, "minimum_weights", as_weights(self.minimum_weights))

    def error(self, weights) -> np.ndarray:
        """`network.error` of networks ``weights`` on this task, without checking the task's samples again.

        >>> round(float(get_task("single-sample").error([0.0, 0.0])), 12)  # (0.9 − 0.5)²/2
        0.08
        """
        return error_of_checked(as_weights(weights), self.inputs, self.targets)

    def loss_and_grad(self, weights, flat_spot: float = 0.0, batch=None) -> tuple[np.ndarray, np.ndarray]:
        """`network.loss_and_grad` on this task, or on its samples ``batch`` (indices), checking only the weights."""
        inputs, targets = (self.inputs, self.targets) if batch is None else (self.inputs[batch], self.targets[batch])
        return loss_and_grad_of_checked(as_weights(weights), inputs, targets, checked_flat_spot(flat_spot))

    @classmethod
    def from_teacher(cls, name: str, description: str, inputs, teacher_weights) -> Task:
        """A realizable task: targets are the outputs of a network with ``teacher_weights``."""
        targets = forward(teacher_weights, inputs)
        return cls(name, description, inputs, targets, minimum_weights=teacher_weights)


_BUILT_IN = (
    Task(
        "single-sample",
        "the article's setting: one training sample, input i = 1, target t = 0.9",
        [1.0],
        [0.9],
    ),
    Task.from_teacher(
        "teacher",
        "4 inputs in [-2, 2] labelled by a teacher network with (w_h, w_o) = (2, 3); E = 0 there",
        [-2.0, -1.0, 1.0, 2.0],
        [2.0, 3.0],
    ),
)


def tasks() -> dict[str, Task]:
    """The built-in tasks by name."""
    return {task.name: task for task in _BUILT_IN}


def get_task(name: str) -> Task:
    """A built-in task by name, or a ValueError listing the names there are.

    >>> get_task("single-sample").inputs.tolist()
    [1.0]
    """
    built_in = tasks()
    if name not in built_in:
        raise ValueError(f"unknown task {name!r}; available: {', '.join(built_in)}")
    return built_in[name]

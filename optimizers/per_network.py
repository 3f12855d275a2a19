"""One optimizer, each network of a population with hyperparameters of its own: a whole tuning study in one step.

The optimizer's rule (`optimizers.elementwise`) is written for numbers and
numpy arrays alike, so it takes a coefficient that differs from network to
network as readily as one shared by all: an array of shape (..., 1) next to
weights of shape (..., P).  `PerNetwork` stacks the hyperparameter vectors of
its settings, one column per network, and steps every network with its own,
by the same rule and the same operations as the optimizer alone would.  The
optimizers that step per weight matrix (Muon, Adafactor) and Prodigy take
such columns too, for the hyperparameters they name in ``vector_fields``;
the settings must agree on the rest (Muon's Newton–Schulz iteration, for one).

>>> import optimizers
>>> rates = PerNetwork([optimizers.get("gd", learning_rate=r) for r in (0.1, 1.0)])
>>> state = rates.init(np.zeros((2, 3)))
>>> rates.step(np.zeros((2, 3)), np.ones((2, 3)), state)[0].tolist()
[[-0.1, -0.1, -0.1], [-1.0, -1.0, -1.0]]
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np

from optimizers.base import evaluation_point
from optimizers.elementwise import ElementwiseOptimizer, per_network


class HyperparameterColumns:
    """Mixed into an optimizer that is not an elementwise rule (Muon, Adafactor, Prodigy) but takes the
    hyperparameters it names in ``vector_fields`` as a vector, one column per network: it writes
    ``step_with(hyperparameters, weights, grad, state, loss)``; ``step`` is that with its own settings."""

    vector_fields: ClassVar[tuple[str, ...]] = ()

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in self.vector_fields], dtype=np.float64)

    def step(self, weights, grad, state, loss=None):
        return self.step_with(self.hyperparameter_vector(), weights, grad, state, loss)

    @staticmethod
    def values(hyperparameters: np.ndarray, lead: tuple[int, ...]) -> list:
        """The hyperparameters as numbers, or, for one column per network, as `per_network` shapes them
        ((*lead, 1) where the networks differ)."""
        if np.ndim(hyperparameters) == 2:
            return per_network(hyperparameters, lead)
        return [float(value) for value in hyperparameters]


def takes_columns(kind: type) -> bool:
    """Whether optimizers of class ``kind`` step a population with hyperparameters per network."""
    return issubclass(kind, (ElementwiseOptimizer, HyperparameterColumns))


class PerNetwork:
    """Settings of one optimizer class, one per network, in the population's row-major order."""

    def __init__(self, settings):
        settings = list(settings)
        kinds = {type(setting) for setting in settings}
        if not settings or len(kinds) != 1 or not takes_columns(kinds.pop()):
            names = sorted({getattr(setting, "name", type(setting).__name__) for setting in settings})
            raise ValueError(
                "hyperparameters per network need settings of one optimizer that takes them (an elementwise rule, "
                f"Muon, Adafactor or Prodigy), got {', '.join(names) or 'none'}"
            )
        first = settings[0]
        shared = [f.name for f in dataclasses.fields(first) if f.name not in getattr(first, "vector_fields", ())]
        for setting in settings[1:]:
            differs = next((name for name in shared if getattr(setting, name) != getattr(first, name)), None)
            if differs is not None and isinstance(first, HyperparameterColumns):
                raise ValueError(f"{first.name}: networks of one population share {differs!r} (only "
                                 f"{', '.join(first.vector_fields)} may differ), got {getattr(first, differs)!r} "
                                 f"and {getattr(setting, differs)!r}")  # fmt: skip
        self.settings = settings
        self.hyperparameters = np.stack([setting.hyperparameter_vector() for setting in settings], axis=1)
        self.name = settings[0].name
        self.needs_loss = settings[0].needs_loss

    def init(self, weights):
        """The first state of networks ``weights`` (..., P), whose leading axes hold one network per setting."""
        weights = np.asarray(weights, dtype=np.float64)
        rows = weights.reshape(-1, weights.shape[-1])
        if len(rows) != len(self.settings):
            raise ValueError(
                f"{len(self.settings)} settings need as many networks, got weights of shape {weights.shape}"
            )
        first = self.settings[0]
        state = first.init(weights)
        if not getattr(first, "slots", 0):
            return state
        # a first state may hold a hyperparameter (Rprop's Δ0, SuperSAB's η): each network gets its setting's
        firsts = (setting.initial_slots(row[None]) for setting, row in zip(self.settings, rows, strict=True))
        slots = [np.concatenate(arrays).reshape(weights.shape) for arrays in zip(*firsts, strict=True)]
        return state._replace(**dict(zip(first.State._fields[: first.slots], slots, strict=True)))

    def step(self, weights, grad, state, loss=None):
        return self.settings[0].step_with(self.hyperparameters, weights, grad, state, loss)

    def evaluation_point(self, weights, state):
        return evaluation_point(self.settings[0], weights, state)

    @property
    def needs_layout(self) -> bool:
        """Whether the optimizer steps per weight matrix (`optimizers.layout`)."""
        return getattr(self.settings[0], "needs_layout", False)

    @property
    def layout(self):
        return getattr(self.settings[0], "layout", None)

    def laid_out(self, layout):
        """These settings, every one laid out by ``layout``."""
        bound = PerNetwork.__new__(PerNetwork)
        bound.__dict__ = self.__dict__ | {"settings": [setting.laid_out(layout) for setting in self.settings]}
        return bound

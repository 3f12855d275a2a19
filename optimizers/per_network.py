"""One optimizer, each network of a population with hyperparameters of its own: a whole tuning study in one step.

The optimizer's rule (`optimizers.elementwise`) is written for numbers and
numpy arrays alike, so it takes a coefficient that differs from network to
network as readily as one shared by all: an array of shape (..., 1) next to
weights of shape (..., P).  `PerNetwork` stacks the hyperparameter vectors of
its settings, one column per network, and steps every network with its own,
by the same rule and the same operations as the optimizer alone would.

>>> import optimizers
>>> rates = PerNetwork([optimizers.get("gd", learning_rate=r) for r in (0.1, 1.0)])
>>> state = rates.init(np.zeros((2, 3)))
>>> rates.step(np.zeros((2, 3)), np.ones((2, 3)), state)[0].tolist()
[[-0.1, -0.1, -0.1], [-1.0, -1.0, -1.0]]
"""

from __future__ import annotations

import numpy as np

from optimizers.elementwise import ElementwiseOptimizer


class PerNetwork:
    """Settings of one `ElementwiseOptimizer` class, one per network, in the population's row-major order."""

    def __init__(self, settings):
        settings = list(settings)
        kinds = {type(setting) for setting in settings}
        if not settings or len(kinds) != 1 or not issubclass(kinds.pop(), ElementwiseOptimizer):
            names = sorted({getattr(setting, "name", type(setting).__name__) for setting in settings})
            raise ValueError(
                "hyperparameters per network need settings of one optimizer whose update is an elementwise rule "
                f"(every built-in one), got {', '.join(names) or 'none'}"
            )
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
        if not first.slots:
            return state
        # a first state may hold a hyperparameter (Rprop's Δ0, SuperSAB's η): each network gets its setting's
        firsts = (setting.initial_slots(row[None]) for setting, row in zip(self.settings, rows, strict=True))
        slots = [np.concatenate(arrays).reshape(weights.shape) for arrays in zip(*firsts, strict=True)]
        return state._replace(**dict(zip(first.State._fields[: first.slots], slots, strict=True)))

    def step(self, weights, grad, state, loss=None):
        return self.settings[0].step_with(self.hyperparameters, weights, grad, state, loss)

    def evaluation_point(self, weights, state):
        return self.settings[0].evaluation_point(weights, state)

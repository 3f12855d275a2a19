"""What the optimizers' tests share."""

import numpy as np
import pytest

import optimizers


@pytest.fixture
def scripted_steps():
    """``steps(name, gradients, **hyperparameters)``: (applied weight change, state) after each step of optimizer
    ``name``, for one weight fed a scripted gradient sequence (a second weight beside it gets 0)."""

    def steps(name, gradients, **hyperparameters):
        optimizer = optimizers.get(name, **hyperparameters)
        weights = np.zeros(2)
        state = optimizer.init(weights)
        found = []
        for g in gradients:
            new_weights, state = optimizer.step(weights, np.array([g, 0.0]), state)
            found.append((new_weights[0] - weights[0], state))
            weights = new_weights
        return found

    return steps

"""gd and irprop- retrace torch.optim.SGD and torch.optim.Rprop on the seed network.

The trajectories are committed in ``fixtures/torch_trajectories.npz``;
``fixtures/make_torch_trajectories.py`` regenerates them (it alone needs torch).
"""

import json
from pathlib import Path

import numpy as np
import pytest

import network
import optimizers

FIXTURE = np.load(Path(__file__).parent / "fixtures" / "torch_trajectories.npz")
SETTINGS = json.loads(str(FIXTURE["settings"]))
TASKS = ["single-sample", "teacher"]


def replay(name, hyperparameters, starts, inputs, targets, steps):
    optimizer = optimizers.get(name, **hyperparameters)
    weights, state = starts, optimizer.init(starts)
    path = [weights]
    for _ in range(steps):
        error, grad = network.loss_and_grad(weights, inputs, targets)
        weights, state = optimizer.step(weights, grad, state, loss=error)
        path.append(weights)
    return np.stack(path, axis=1)


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("key", sorted(SETTINGS))
def test_trajectory_equals_torch_optim(task, key):
    reference = FIXTURE[f"{task}/{key}"]  # (starts, steps + 1, 2)
    assert reference.shape[1] > 500
    setting = SETTINGS[key]
    path = replay(
        setting["optimizer"],
        setting["hyperparameters"],
        FIXTURE["starts"],
        FIXTURE[f"{task}/inputs"],
        FIXTURE[f"{task}/targets"],
        reference.shape[1] - 1,
    )
    if setting["optimizer"] == "irprop-":
        np.testing.assert_array_equal(path, reference)  # signs only: bit for bit
    else:
        np.testing.assert_allclose(path, reference, rtol=0, atol=1e-12)


def test_the_fixture_moves_far_enough_to_mean_something():
    for task in TASKS:
        travelled = np.abs(FIXTURE[f"{task}/irprop-_lr0.1"][:, -1] - FIXTURE[f"{task}/irprop-_lr0.1"][:, 0])
        assert travelled.max(axis=-1).min() > 0.5


def test_the_fixture_tasks_are_the_built_in_ones():
    for task in TASKS:
        np.testing.assert_array_equal(FIXTURE[f"{task}/inputs"], network.get_task(task).inputs)
        np.testing.assert_array_equal(FIXTURE[f"{task}/targets"], network.get_task(task).targets)

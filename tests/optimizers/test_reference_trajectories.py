"""Conformance: optarena's optimizers retrace torch.optim on the seed network.

The trajectories are committed in ``fixtures/torch_trajectories.npz``;
``fixtures/make_torch_trajectories.py`` regenerates them (it alone needs torch).
Two checks per trajectory:

- closed loop: optarena's network and optimizer from the same start reproduce
  torch's weights at every step, to 1e-12 (Rprop: bit for bit), wherever the
  run does not amplify last-bit differences of the forward pass (the script
  measures that on torch itself and flags the few runs that do);
- replay: fed torch's own gradient sequence, optarena's optimizer reproduces
  torch's weights at every step, flagged runs included.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import network
import optimizers

FIXTURE = np.load(Path(__file__).resolve().parents[1] / "fixtures" / "torch_trajectories.npz")
SETTINGS = json.loads(str(FIXTURE["settings"]))
TASKS = ["single-sample", "teacher"]
CASES = [(task, key) for task in TASKS for key in sorted(SETTINGS)]


def build(key):
    return optimizers.get(SETTINGS[key]["optimizer"], **SETTINGS[key]["hyperparameters"])


def tolerance(key):
    return 0.0 if SETTINGS[key]["optimizer"] == "irprop-" else 1e-12  # Rprop uses signs only: exact


@pytest.mark.parametrize(("task", "key"), CASES)
def test_closed_loop_trajectory_equals_torch_optim(task, key):
    reference = FIXTURE[f"{task}/{key}"]  # (starts, steps + 1, 2)
    steady = ~FIXTURE[f"{task}/{key}/sensitive"]
    assert reference.shape[1] > 500
    inputs, targets = FIXTURE[f"{task}/inputs"], FIXTURE[f"{task}/targets"]
    optimizer = build(key)
    weights = FIXTURE["starts"]
    state = optimizer.init(weights)
    for step in range(reference.shape[1]):
        np.testing.assert_allclose(weights[steady], reference[steady, step], rtol=0, atol=tolerance(key))
        error, grad = network.loss_and_grad(weights, inputs, targets)
        weights, state = optimizer.step(weights, grad, state, loss=error)


@pytest.mark.parametrize(("task", "key"), CASES)
def test_replaying_torchs_gradients_gives_torchs_weights(task, key):
    reference, grads = FIXTURE[f"{task}/{key}"], FIXTURE[f"{task}/{key}/grads"]
    optimizer = build(key)
    weights = reference[:, 0]
    state = optimizer.init(weights)
    for step in range(grads.shape[1]):
        weights, state = optimizer.step(weights, grads[:, step], state, loss=np.zeros(len(weights)))
        np.testing.assert_allclose(weights, reference[:, step + 1], rtol=0, atol=max(tolerance(key), 1e-13))


def test_every_torch_class_in_the_field_is_covered():
    covered = {setting["optimizer"] for setting in SETTINGS.values()}
    assert covered >= {
        "gd",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "rmsprop-centered",
        "adam",
        "amsgrad",
        "irprop-",
    }


def test_few_runs_are_excused_from_the_closed_loop_check():
    flags = np.concatenate([FIXTURE[f"{task}/{key}/sensitive"] for task, key in CASES])
    assert flags.mean() < 0.1


def test_the_fixture_moves_far_enough_to_mean_something():
    for task, key in CASES:
        travelled = np.abs(FIXTURE[f"{task}/{key}"][:, -1] - FIXTURE[f"{task}/{key}"][:, 0]).max(axis=-1)
        assert travelled.max() > 0.2


def test_the_fixture_tasks_are_the_built_in_ones():
    for task in TASKS:
        np.testing.assert_array_equal(FIXTURE[f"{task}/inputs"], network.get_task(task).inputs[:, 0])
        np.testing.assert_array_equal(FIXTURE[f"{task}/targets"], network.get_task(task).targets[:, 0])

"""An optimizer whose model is not where it steps (Schedule-Free: gradient at y, model x) is measured at its model
everywhere: E, success, final weights and paths on every training path, and the held-out errors."""

import numpy as np
import pytest

import network
import optimizers
from experiments import Budget, Schedule
from experiments.definition.held_out_spec import HeldOutSpec
from experiments.definition.training_setup import TrainingSetup
from experiments.running.held_out_training import Unit, train_unit
from experiments.running.runner import traces, train_population


def stepped_by_hand(optimizer, task, starts, epochs):
    """(y, state) after ``epochs`` full-batch steps, one network after another's gradient by numpy."""
    weights, state = starts, optimizer.init(starts)
    for _ in range(epochs):
        weights, state = optimizer.step(weights, task.loss_and_grad(weights)[1], state)
    return weights, state


@pytest.mark.parametrize("name", ["schedule-free-adamw", "schedule-free-sgd"])
@pytest.mark.parametrize("task_name", ["teacher", "xor"])  # the 1-1-1 kernel and the layered one
@pytest.mark.parametrize("accelerate", [True, False], ids=["fused", "numpy"])
def test_a_run_records_the_model_x_not_the_point_y_of_its_gradients(name, task_name, accelerate):
    task, optimizer = network.get_task(task_name), optimizers.get(name, learning_rate=0.05)
    starts = np.random.default_rng(4).uniform(-1, 1, size=(6, task.network.size))
    result = train_population(optimizer, task, starts, budget=Budget(40), accelerate=accelerate)
    y, state = stepped_by_hand(optimizer, task, starts, 40)
    np.testing.assert_array_equal(result.final_weights, state.x)
    np.testing.assert_array_equal(result.final_error, task.error(state.x))
    assert not np.allclose(task.error(y), task.error(state.x))  # y is elsewhere: the test can tell


def test_the_drawn_paths_are_the_models_and_the_kernel_draws_what_the_loop_follows():
    task, optimizer = network.get_task("xor"), optimizers.get("schedule-free-adamw", learning_rate=0.05)
    starts = np.random.default_rng(5).uniform(-1, 1, size=(4, task.network.size))
    setup = TrainingSetup(Schedule("per-sample"), Budget(max_epochs=30), seed=2)
    drawn, followed = traces(optimizer, task, starts, setup, states=False), traces(optimizer, task, starts, setup)
    for quick, slow in zip(drawn, followed, strict=True):
        np.testing.assert_array_equal(quick.weights, slow.weights)
        np.testing.assert_array_equal(quick.weights[0], slow.weights[0])
        for weights, state in zip(slow.weights[1:], slow.states[1:], strict=True):
            np.testing.assert_array_equal(weights, state.x[0])


def test_held_out_errors_are_measured_at_the_model(trial_by_hand):
    """Study 0, trial 1 by hand: its errors on every part after the last epoch are those of x."""
    iris = {"name": "iris", "dataset": "iris", "network": {"sizes": [4, 5, 3], "activation": "tanh"}}
    space = {"name": "schedule-free-adamw", "space": {"learning_rate": {"low": 1e-3, "high": 0.1}}}
    spec = HeldOutSpec.from_dict({
        "name": "tiny", "kind": "held-out", "seeds": [0, 1], "schedules": ["mini-batch(16)"],
        "budget": {"max_epochs": 3}, "tuning": {"budget": 2}, "tasks": [iris], "optimizers": [space],
    })  # fmt: skip
    records = train_unit(spec, Unit(0, 0, 0))
    study, trial = 0, 1
    sf = optimizers.get("schedule-free-adamw", **spec.settings(spec.optimizers[0])[study][trial])
    weights, state, errors = trial_by_hand(spec, study, trial, sf)
    at_x, at_y = errors(state.x), errors(weights)
    np.testing.assert_allclose(records["history"][study, trial, -1], at_x, rtol=1e-9, atol=1e-12)
    assert not np.allclose(at_x[:, 1], at_y[:, 1])

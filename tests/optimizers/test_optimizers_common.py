"""Every registered optimizer is pure, works on any population shape, and trains populations exactly."""

import numpy as np
import pytest

import network
import optimizers
from optimizers.base import evaluation_point
from optimizers.layout import with_layout

ALL = optimizers.available()
TASK = network.get_task("teacher")


def laid_out(name, net=TASK.network, **hyperparameters):
    """Optimizer ``name``, given the layout of ``net``'s parameters if it asks for one (Muon, Adafactor), as the
    arena gives it."""
    return with_layout(optimizers.get(name, **hyperparameters), net)


def leaves(state) -> list:
    """Every array of a (nested) state, copied."""
    if isinstance(state, tuple):
        return [leaf for part in state for leaf in leaves(part)]
    return [np.array(state, copy=True)]


def trajectory(optimizer, weights, steps=60):
    """The model's weights (`optimizers.base.evaluation_point`) after each of ``steps`` full-batch steps on the
    teacher task."""
    state = optimizer.init(weights)
    path = []
    for _ in range(steps):
        error, grad = network.loss_and_grad(weights, TASK.inputs, TASK.targets)
        weights, state = optimizer.step(weights, grad, state, loss=error)
        path.append(evaluation_point(optimizer, weights, state))
    return np.stack(path)


@pytest.mark.parametrize("name", ALL)
def test_training_a_population_is_bit_identical_to_training_each_network_alone(name):
    optimizer = laid_out(name)
    population = np.random.default_rng(3).uniform(-8, 8, size=(25, 2))
    together = trajectory(optimizer, population)
    for index, start in enumerate(population):
        np.testing.assert_array_equal(trajectory(optimizer, start), together[:, index])


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("shape", [(2,), (1, 2), (7, 2), (3, 4, 2)])
def test_any_leading_shape_is_a_population(name, shape):
    optimizer = laid_out(name)
    weights = np.random.default_rng(1).normal(size=shape)
    error, grad = network.loss_and_grad(weights, TASK.inputs, TASK.targets)
    new_weights, _ = optimizer.step(weights, grad, optimizer.init(weights), loss=error)
    assert new_weights.shape == shape and new_weights.dtype == np.float64


XOR = network.get_task("xor")


def layered_trajectory(optimizer, params, steps=40):
    """Parameters after each of ``steps`` full-batch steps of the 2-2-1 network on XOR."""
    state = optimizer.init(params)
    path = []
    for _ in range(steps):
        error, grad = XOR.loss_and_grad(params)
        params, state = optimizer.step(params, grad, state, loss=error)
        path.append(params)
    return np.stack(path)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("lead", [(), (6,), (2, 3)])
def test_any_parameter_vector_trains_one_model_or_a_population_of_any_shape(name, lead):
    optimizer = laid_out(name, XOR.network)
    starts = np.random.default_rng(4).uniform(-2, 2, size=(6, XOR.network.size))
    population = starts[0] if lead == () else starts.reshape(*lead, XOR.network.size)
    together = layered_trajectory(optimizer, population)
    assert together.shape == (40, *lead, 9)
    for index, start in enumerate(starts[:1] if lead == () else starts):
        alone = layered_trajectory(optimizer, start)
        np.testing.assert_array_equal(alone, together.reshape(40, -1, 9)[:, index])


@pytest.mark.parametrize("name", ALL)
def test_a_single_parameter_is_a_model_too(name):
    optimizer = laid_out(name, network.Layered([1, 1], bias=False))
    weights, state = np.array([3.0]), optimizer.init(np.array([3.0]))
    for _ in range(100):  # E = w²/2
        weights, state = optimizer.step(weights, weights.copy(), state, loss=0.5 * weights[0] ** 2)
    assert weights.shape == (1,) and abs(weights[0]) < 3.0


@pytest.mark.parametrize("name", ALL)
def test_steps_never_mutate_their_arguments(name):
    optimizer = laid_out(name)
    weights = np.random.default_rng(2).normal(size=(5, 2))
    state = optimizer.init(weights)
    for _ in range(4):  # several steps, so sign changes and backtracking get exercised
        error, grad = network.loss_and_grad(weights, TASK.inputs, TASK.targets)
        snapshot = [a.copy() for a in (weights, grad, error)]
        state_snapshot = leaves(state)
        new_weights, new_state = optimizer.step(weights, grad, state, loss=error)
        for before, after in zip(snapshot, (weights, grad, error), strict=True):
            np.testing.assert_array_equal(before, after)
        for before, after in zip(state_snapshot, leaves(state), strict=True):
            np.testing.assert_array_equal(before, after)
        assert not np.shares_memory(new_weights, weights)
        weights, state = new_weights, new_state


# The modern optimizers' defaults are their references', made for networks of millions of weights; on the
# article's two they crawl (AdamW's η = 1e-3 lowers E by 30 % in 200 steps), so they take a step of this size;
# Prodigy's estimate of d leaps to 0.76 in its first steps and stalls at E/8.5, unless its growth is capped.
SUITED = {"adamw": {"learning_rate": 0.05}, "nadam": {"learning_rate": 0.05}, "radam": {"learning_rate": 0.05},
          "adamax": {"learning_rate": 0.05}, "adadelta": {"learning_rate": 5.0}, "lion": {"learning_rate": 0.01},
          "prodigy": {"growth_rate": 1.1}, "adan": {"learning_rate": 0.05},
          "schedule-free-adamw": {"learning_rate": 0.05}, "muon": {"learning_rate": 0.05}}  # fmt: skip


@pytest.mark.parametrize("name", ALL)
def test_every_optimizer_lowers_the_error_from_an_easy_start(name):
    weights = np.array([1.0, 1.0])
    start_error = network.error(weights, TASK.inputs, TASK.targets)
    suited = SUITED.get(name, {})
    end = trajectory(laid_out(name, **suited), weights, steps=200)[-1]
    assert network.error(end, TASK.inputs, TASK.targets) < start_error / 10


@pytest.mark.parametrize("name", ALL)
def test_mismatched_weights_and_gradient_get_a_clear_message(name):
    optimizer = laid_out(name)
    weights = np.zeros((3, 2))
    with pytest.raises(
        ValueError, match=r"weights and grad must share one shape \(\.\.\., P\) with P >= 1, got \(3, 2\) and \(2,\)"
    ):
        optimizer.step(weights, np.zeros(2), optimizer.init(weights), loss=np.zeros(3))

"""Built-in tasks are valid training sets; a teacher task's minimum is where its targets came from."""

import numpy as np
import pytest

import network


def test_teacher_task_has_zero_error_at_the_teacher_weights():
    task = network.get_task("teacher")
    assert network.error(task.minimum_weights, task.inputs, task.targets) < 1e-30


def test_single_sample_task_is_the_articles_setting():
    task = network.get_task("single-sample")
    assert task.inputs.tolist() == [[1.0]] and task.targets.tolist() == [[0.9]] and task.network.is_article


def test_task_arrays_are_read_only():
    with pytest.raises(ValueError):
        network.get_task("teacher").inputs[0] = 5.0


@pytest.mark.parametrize(
    ("inputs", "targets", "message"),
    [
        ([1.0], [1.5], r"targets must lie in \[0, 1\], the range of the sigmoid outputs, got 1.5"),
        ([1.0], [-0.1], r"targets must lie in \[0, 1\], the range of the sigmoid outputs, got -0.1"),
        ([1.0, 2.0], [0.5], "same number of samples, got 2 inputs and 1 targets"),
        ([], [], "inputs must be a non-empty table with one row per sample"),
    ],
)
def test_bad_task_data_is_refused(inputs, targets, message):
    with pytest.raises(ValueError, match=message):
        network.Task("mine", "a bad task", inputs, targets)


def test_unknown_task_lists_the_available_ones():
    with pytest.raises(ValueError, match="unknown task 'xnor'; available: single-sample, teacher, xor, encoder-8-3-8"):
        network.get_task("xnor")


def test_teacher_targets_are_the_network_outputs():
    task = network.Task.from_teacher("t", "d", [0.0, 1.0], [1.0, -2.0])
    np.testing.assert_array_equal(task.targets[:, 0], network.forward([1.0, -2.0], [0.0, 1.0]))


@pytest.mark.parametrize("task", ["single-sample", "teacher"])
def test_a_tasks_own_error_and_gradient_are_the_networks_bit_for_bit(task):
    task = network.get_task(task)
    weights = np.random.default_rng(7).normal(scale=8, size=(50, 2))
    np.testing.assert_array_equal(task.error(weights), network.error(weights, task.inputs, task.targets))
    for got, expected in zip(
        task.loss_and_grad(weights, flat_spot=0.1),
        network.loss_and_grad(weights, task.inputs, task.targets, flat_spot=0.1),
        strict=True,
    ):
        np.testing.assert_array_equal(got, expected)
    batch = np.array([task.inputs.size - 1, 0])
    for got, expected in zip(
        task.loss_and_grad(weights, batch=batch),
        network.loss_and_grad(weights, task.inputs[batch], task.targets[batch]),
        strict=True,
    ):
        np.testing.assert_array_equal(got, expected)


def test_a_tasks_gradient_checks_the_weights_and_the_flat_spot():
    task = network.get_task("teacher")
    with pytest.raises(ValueError, match="last axis of length 2"):
        task.loss_and_grad([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="flat_spot must be a finite number >= 0, got -1"):
        task.loss_and_grad([1.0, 2.0], flat_spot=-1)

"""Built-in tasks are valid training sets; a teacher task's minimum is where its targets came from."""

import numpy as np
import pytest

import network


def test_teacher_task_has_zero_error_at_the_teacher_weights():
    task = network.get_task("teacher")
    assert network.error(task.minimum_weights, task.inputs, task.targets) < 1e-30


def test_the_teacher_tasks_written_out_targets_are_its_teachers_outputs_to_the_bit():
    task = network.get_task("teacher")
    made = network.Task.from_teacher("again", "", task.inputs[:, 0], task.minimum_weights)
    assert np.array_equal(made.targets, task.targets) and task.minimum_weights.tolist() == [2.0, 3.0]


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
    expected = r"unknown task 'xnor' \(did you mean 'xor'\?\); available: single-sample, teacher"
    with pytest.raises(ValueError, match=expected):
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
    with pytest.raises(ValueError, match=r"flat_spot must be a finite number >= 0 .*, got -1"):
        task.loss_and_grad([1.0, 2.0], flat_spot=-1)


# The classic tasks


def test_the_built_in_tasks_have_these_exact_names():
    assert list(network.tasks()) == [
        "single-sample", "teacher", "xor", "encoder-8-3-8", "encoder-10-5-10", "encoder-12-2-12",
        *[f"parity-{n}" for n in range(2, 11)], "two-spirals",
    ]  # fmt: skip


def test_xor_is_the_exclusive_or_of_its_two_inputs_on_a_2_2_1_network():
    task = network.get_task("xor")
    assert task.inputs.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and task.targets.ravel().tolist() == [0, 1, 1, 0]
    assert task.network == network.Layered([2, 2, 1], bias=True) and task.binary


@pytest.mark.parametrize(("n", "m"), [(8, 3), (10, 5), (12, 2)])
def test_an_encoder_reproduces_n_one_hot_patterns_through_m_hidden_units(n, m):
    task = network.get_task(f"encoder-{n}-{m}-{n}")
    np.testing.assert_array_equal(task.inputs, np.eye(n))
    np.testing.assert_array_equal(task.targets, np.eye(n))
    assert task.network == network.Layered([n, m, n]) and task.network.bias


@pytest.mark.parametrize("n", range(2, 11))
def test_parity_n_is_1_for_an_odd_number_of_ones_over_all_2_to_the_n_patterns(n):
    task = network.get_task(f"parity-{n}")
    assert task.inputs.shape == (2**n, n) and len({tuple(row) for row in task.inputs}) == 2**n
    assert set(task.inputs.ravel()) == {0.0, 1.0}
    np.testing.assert_array_equal(task.targets[:, 0], task.inputs.sum(axis=1) % 2)
    assert task.network == network.Layered([n, n, 1])


def test_two_spirals_are_lang_and_witbrocks_194_points():
    task = network.get_task("two-spirals")
    assert task.inputs.shape == (194, 2) and task.targets.ravel().tolist() == [1.0, 0.0] * 97
    for i in (0, 1, 48, 96):  # φ = iπ/16, ρ = 6.5(104 − i)/104, class 1 at (ρ sin φ, ρ cos φ), its mirror class 0
        radius, angle = 6.5 * (104 - i) / 104, i * np.pi / 16
        np.testing.assert_allclose(task.inputs[2 * i], [radius * np.sin(angle), radius * np.cos(angle)], rtol=1e-15)
        np.testing.assert_array_equal(task.inputs[2 * i + 1], -task.inputs[2 * i])
    np.testing.assert_allclose(np.hypot(*task.inputs.T).max(), 6.5)
    assert task.network.sizes == (2, 5, 5, 5, 1) and task.network.shortcuts and task.network.activation == "tanh"


def test_a_tasks_network_and_data_must_fit_each_other():
    with pytest.raises(ValueError, match="data with 2 input and 1 target columns needs a network"):
        network.Task("v", "vectors", [[0, 1], [1, 0]], [[1], [0]])
    with pytest.raises(ValueError, match="the network 3-2-1 takes 3 input columns, the data has 2"):
        network.Task("v", "vectors", [[0, 1], [1, 0]], [[1], [0]], network=network.Layered([3, 2, 1]))
    with pytest.raises(ValueError, match=r"targets must lie in \[-1, 1\], the range of the tanh outputs, got 2.0"):
        network.Task("v", "vectors", [[0, 1]], [[2.0]], network=network.Layered([2, 1], activation="tanh"))
    with pytest.raises(ValueError, match=r"task 'v': inputs must be a rectangular table: row 2 has 1 value"):
        network.Task("v", "ragged", [[0, 1], [1]], [[1], [0]], network=network.Layered([2, 1]))


def test_identity_outputs_take_any_targets_and_never_count_as_binary():
    task = network.Task("r", "regression", [[0.0], [1.0]], [[-5.0], [7.5]], network=network.Layered([1, 2, 1],
                        output_activation="identity"))  # fmt: skip
    assert not task.binary and task.error(np.zeros(task.network.size)) == (25 + 56.25) / 2


# The bit criterion


def test_the_bit_distance_is_the_worst_output_as_a_fraction_of_the_output_range():
    sigmoid_task = network.Task("s", "sigmoid outputs", [[0.0], [0.0]], [[0.0], [1.0]], network=network.Layered([1, 1]))
    # one output unit, no input signal (x = b): r = σ(b) for both patterns
    for b, distance in ((0.0, 0.5), (np.log(0.39 / 0.61), 0.61), (np.log(0.61 / 0.39), 0.61)):
        np.testing.assert_allclose(sigmoid_task.bit_distance([0.0, b]), distance, rtol=1e-12)
    tanh_task = network.Task("t", "tanh outputs", [[0.0]], [[-1.0]], network=network.Layered([1, 1], activation="tanh"))
    np.testing.assert_allclose(tanh_task.bit_distance([0.0, np.arctanh(-0.2)]), 0.4, rtol=1e-12)  # |−1 − (−0.2)|/2


def test_a_run_meets_the_bit_criterion_when_every_output_is_strictly_within_the_margin():
    task = network.get_task("xor")
    params = np.random.default_rng(0).normal(size=(200, task.network.size))
    outputs = task.network.forward(params, task.inputs)
    met = (np.abs(task.targets - outputs) < 0.4).all(axis=(-2, -1))
    np.testing.assert_array_equal(task.bit_distance(params) < 0.4, met)

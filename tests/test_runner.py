"""The population runner: statuses, hit epochs, counts, and exactness of the shrinking active set."""

import numpy as np
import pytest

import network
import optimizers
from experiments import Budget, train_population

TEACHER = network.get_task("teacher")


def test_each_status_comes_from_a_crafted_start():
    near_teacher = train_population(optimizers.get("irprop-"), TEACHER, [[2.1, 2.9]], Budget(max_epochs=100))
    assert near_teacher.status.tolist() == ["converged"]
    saturated = train_population(optimizers.get("gd"), TEACHER, [[30.0, -30.0]], Budget(max_epochs=50))
    assert saturated.status.tolist() == ["plateau"]
    huge_step = train_population(
        optimizers.get("gd", learning_rate=1e9), TEACHER, [[1.0, 1.0]], Budget(max_epochs=50)
    )
    assert huge_step.status.tolist() == ["diverged"] and huge_step.stop_epoch.tolist() == [1]
    tiny_budget = train_population(optimizers.get("gd"), TEACHER, [[1.0, 1.0]], Budget(max_epochs=2))
    assert tiny_budget.status.tolist() == ["budget"] and tiny_budget.grad_evaluations.tolist() == [3]


def test_hit_epoch_is_the_first_epoch_at_or_below_the_target():
    start = np.array([[1.0, 1.0]])
    optimizer = optimizers.get("irprop-")
    result = train_population(optimizer, TEACHER, start, Budget(max_epochs=500, target_error=1e-4))
    errors, weights, state = [], start, optimizer.init(start)
    for _ in range(500):
        error, grad = network.loss_and_grad(weights, TEACHER.inputs, TEACHER.targets)
        errors.append(error[0])
        weights, state = optimizer.step(weights, grad, state, loss=error)
    first = next(epoch for epoch, error in enumerate(errors) if error <= 1e-4)
    assert result.hit_epoch.tolist() == [first]
    assert result.final_error[0] == errors[first]
    assert result.grad_evaluations.tolist() == [first + 1]


def test_finished_runs_leave_the_others_bit_identical():
    starts = np.random.default_rng(5).uniform(-10, 10, size=(200, 2))
    budget = Budget(max_epochs=300, target_error=1e-3)
    together = train_population(optimizers.get("irprop+"), TEACHER, starts, budget)
    assert 0 < (together.status == "converged").sum() < 200
    for index in range(0, 200, 20):
        alone = train_population(optimizers.get("irprop+"), TEACHER, starts[index : index + 1], budget)
        assert alone.status[0] == together.status[index]
        np.testing.assert_array_equal(alone.final_weights[0], together.final_weights[index])
        assert alone.hit_epoch[0] == together.hit_epoch[index]


def test_initial_weights_must_be_a_list_of_points():
    with pytest.raises(ValueError, match=r"initial_weights must have shape \(N, 2\), got \(2,\)"):
        train_population(optimizers.get("gd"), TEACHER, [1.0, 1.0])


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ({"max_epochs": 0}, "max_epochs must be an integer >= 1, got 0"),
        ({"max_epochs": 2.5}, "max_epochs must be an integer >= 1, got 2.5"),
        ({"target_error": -1.0}, "target_error must be a positive finite number, got -1.0"),
        ({"weight_bound": float("nan")}, "weight_bound must be a positive finite number, got nan"),
    ],
)
def test_bad_budgets_are_refused(budget, message):
    with pytest.raises(ValueError, match=message):
        Budget(**budget)

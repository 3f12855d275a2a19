"""Compiled code gives the numpy path's results to the last bit, whatever the optimizer, schedule or fate of a run.

The fused kernel trains every optimizer with a built-in rule; any other
optimizer runs its numpy step on the compiled network.  ``accelerate=False`` is pure numpy.
"""

import numpy as np
import pytest

import network
import optimizers
from experiments import Budget, Schedule, Targets, train_population
from experiments.definition.training_setup import TrainingSetup
from experiments.running.kernels import fused

STARTS = np.concatenate(
    [
        np.random.default_rng(11).uniform(-12, 12, size=(300, 2)),
        # saturated, symmetric, broken, huge, at the teacher
        [[40.0, -40.0], [0.0, 0.0], [np.nan, 1.0], [1e5, 1.0], [2.0, 3.0]],
    ]
)
SETTINGS = [
    ("gd", {}),
    ("gd", {"learning_rate": 50.0}),  # diverges from many starts
    ("sign", {"step_size": 0.02}),
    ("rprop+", {}),
    ("rprop-", {"delta0": 5.0, "delta_max": 10.0}),
    ("irprop+", {"eta_plus": 1.5, "eta_minus": 0.3}),
    ("irprop-", {"delta0": 1e-4}),
]


def both_paths(name, hyperparameters, task, schedule, flat_spot=0.0):
    results = [
        train_population(
            optimizers.get(name, **hyperparameters), task, STARTS,
            TrainingSetup(schedule, Budget(300, weight_bound=1e6), Targets.ladder(0.1, 1e-9, 3, headline=1e-6), 5,
                          flat_spot), accelerate=accelerate,
        )
        for accelerate in (True, False)
    ]  # fmt: skip
    return results


@pytest.mark.parametrize(("name", "hyperparameters"), SETTINGS)
@pytest.mark.parametrize("schedule", [Schedule("full-batch"), Schedule("per-sample"), Schedule("mini-batch", 3)])
@pytest.mark.parametrize("task", ["teacher", "single-sample"])
def test_the_kernel_equals_the_numpy_path_bit_for_bit(name, hyperparameters, schedule, task):
    fast, plain = both_paths(name, hyperparameters, network.get_task(task), schedule)
    for field in fast.FIELDS:
        np.testing.assert_array_equal(getattr(fast, field), getattr(plain, field), err_msg=field)


@pytest.mark.parametrize("flat_spot", [0.1, (0.0, 0.1)], ids=["every unit", "outputs only"])
@pytest.mark.parametrize("schedule", [Schedule("full-batch"), Schedule("per-sample")])
def test_the_kernel_equals_the_numpy_path_with_the_flat_spot(schedule, flat_spot):
    fast, plain = both_paths("irprop+", {}, network.get_task("teacher"), schedule, flat_spot=flat_spot)
    for field in fast.FIELDS:
        np.testing.assert_array_equal(getattr(fast, field), getattr(plain, field), err_msg=field)


@pytest.mark.parametrize("name", optimizers.available())
@pytest.mark.parametrize("schedule", [Schedule("full-batch"), *(pytest.param(s, marks=pytest.mark.slow)
                                      for s in (Schedule("per-sample"), Schedule("mini-batch", 3)))])  # fmt: skip
def test_every_optimizer_gives_the_same_bits_with_and_without_compiled_code(name, schedule):
    fast, plain = both_paths(name, {}, network.get_task("teacher"), schedule, flat_spot=0.05)
    for field in fast.FIELDS:
        np.testing.assert_array_equal(getattr(fast, field), getattr(plain, field), err_msg=field)


def test_a_users_optimizer_runs_on_the_compiled_network_with_the_same_bits():
    class HalfStep(optimizers.GradientDescent):  # a step of its own: the generic path
        def step(self, weights, grad, state, loss=None):
            return weights - 0.5 * self.learning_rate * grad, state

    task, schedule = network.get_task("teacher"), Schedule("mini-batch", 2)
    fast, plain = (
        train_population(HalfStep(learning_rate=3.0), task, STARTS, schedule=schedule, accelerate=accelerate)
        for accelerate in (True, False)
    )
    assert not fused.applies(HalfStep(), task, None, True)
    for field in fast.FIELDS:
        np.testing.assert_array_equal(getattr(fast, field), getattr(plain, field), err_msg=field)


def test_the_statuses_cover_every_fate():
    fast, _ = both_paths("gd", {"learning_rate": 50.0}, network.get_task("teacher"), Schedule())
    assert {"converged", "diverged"} <= set(fast.status)


def test_only_built_in_rules_and_no_hooks_take_the_kernel(monkeypatch):
    class MyGD(optimizers.GradientDescent):
        def step(self, weights, grad, state, loss=None):
            return super().step(weights, grad, state, loss)

    class SameGD(optimizers.GradientDescent):  # the built-in rule, unchanged
        pass

    teacher = network.get_task("teacher")
    not_rules = ("prodigy", "muon", "adafactor")  # sums over a network or a matrix are not a rule per weight
    rules = [name for name in optimizers.available() if name not in not_rules]
    assert all(fused.applies(optimizers.get(name), teacher, None, True) for name in rules)
    assert not any(fused.applies(optimizers.get(name), teacher, None, True) for name in not_rules)
    assert fused.applies(SameGD(), teacher, None, True)
    assert not fused.applies(MyGD(), teacher, None, True)
    assert not fused.applies(optimizers.get("gd"), teacher, lambda *args: None, True)
    assert not fused.applies(optimizers.get("gd"), teacher, None, False)
    assert not fused.applies(optimizers.get("irprop-"), network.get_task("xor"), None, True)  # layered
    ones = network.Task("ones", "0/1 targets: the bit criterion is tracked", [1.0, -1.0], [1.0, 0.0])
    assert not fused.applies(optimizers.get("irprop-"), ones, None, True)
    monkeypatch.setenv("OPTARENA_ACCELERATE", "0")
    assert not fused.applies(optimizers.get("gd"), teacher, None, True)

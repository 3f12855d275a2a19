"""The fused layered kernel gives the numpy path's results to the last bit: every optimizer, schedule and fate.

And each optimizer's rule is one function: numpy step, compiled step, the fused
1-1-1 kernel and the fused layered kernel all run it and agree bit for bit.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest

import network
import optimizers
from experiments import Budget, Schedule, Targets, train_population
from experiments.definition.training_setup import TrainingSetup
from experiments.running.kernels import chunks, fused, fused_layered
from experiments.running.runner import traces
from network.validation import PERIOD, PERIOD_SINGLE, FlatSpot
from optimizers import compiled
from optimizers.elementwise import ElementwiseOptimizer, sign

SCHEDULES = [Schedule("full-batch"), Schedule("per-sample"), Schedule("mini-batch", 3)]
RULES = [name for name in optimizers.available() if compiled.compiles(optimizers.get(name))]  # not Prodigy (its sums)


def starts(task, count=60, seed=4):
    """Random starts, plus a NaN, a saturated, a symmetric (all zero) and a huge one."""
    points = np.random.default_rng(seed).uniform(-2, 2, size=(count, task.network.size))
    points[0, 0], points[1], points[2], points[3, -1] = np.nan, 25.0, 0.0, 1e5
    return points


def both_paths(optimizer, task, schedule, flat_spot=0.0, targets=None, max_epochs=150):
    budget, targets = Budget(max_epochs=max_epochs, weight_bound=1e3), targets or Targets.ladder(0.5, 1e-4, 3)
    return [
        train_population(
            optimizer, task, starts(task), TrainingSetup(schedule, budget, targets, 7, flat_spot), accelerate=fast
        )
        for fast in (True, False)
    ]


def assert_same_results(fast, plain):
    for field in fast.FIELDS:
        np.testing.assert_array_equal(getattr(fast, field), getattr(plain, field), err_msg=field)


@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize(
    "schedule", [SCHEDULES[0], *(pytest.param(s, marks=pytest.mark.slow) for s in SCHEDULES[1:])], ids=str
)  # fmt: skip  (the fast tier: full batch; the others in the whole suite)
def test_every_optimizer_trains_a_layered_network_in_the_kernel_with_numpys_bits(name, schedule):
    assert sorted(set(optimizers.available()) - set(RULES)) == ["adafactor", "muon", "prodigy"]  # the others: rules
    task = network.get_task("xor")
    assert fused_layered.applies(optimizers.get(name), task, None, True)
    fast, plain = both_paths(optimizers.get(name), task, schedule, flat_spot=0.05)
    assert_same_results(fast, plain)


@pytest.mark.parametrize("flat_spot", [0.1, (0.0, 0.1)], ids=["every unit", "outputs only"])
@pytest.mark.parametrize("schedule", SCHEDULES[:2], ids=str)
def test_the_flat_spot_and_the_bit_criterion_give_numpys_bits(flat_spot, schedule):
    task = network.get_task("encoder-8-3-8")
    bits = Targets.ladder(0.5, 1e-3, 2, criterion="bit", bit_margin=0.4)
    fast, plain = both_paths(optimizers.get("gd", learning_rate=2.0), task, schedule, flat_spot, bits)
    assert_same_results(fast, plain)
    assert {"converged", "diverged"} <= set(fast.status)


@pytest.mark.parametrize("arithmetic", [PERIOD, PERIOD_SINGLE], ids=["period", "period-single"])
@pytest.mark.parametrize("flat_spot", [0.0, 0.1])
def test_the_period_arithmetic_gives_numpys_bits(arithmetic, flat_spot):
    """σ′ = o(1 − o) and t − o from the rounded output, in float64 and in float32, on a sigmoid encoder (with
    saturated starts), on tanh units with shortcuts, and on the article's 1-1-1 network (which then takes the
    layered pass: the closed form is exact)."""
    task = network.get_task("encoder-8-3-8")
    bits = Targets.ladder(0.5, 1e-3, 2, criterion="bit", bit_margin=0.4)
    rule = FlatSpot(flat_spot, flat_spot, arithmetic)
    assert_same_results(*both_paths(optimizers.get("irprop-"), task, Schedule(), rule, bits))
    spirals = network.get_task("two-spirals")
    assert_same_results(*both_paths(optimizers.get("adam"), spirals, Schedule("mini-batch", 50), rule, max_epochs=8))
    teacher = network.get_task("teacher")
    assert fused_layered.applies(optimizers.get("gd"), teacher, None, True, rule) and not teacher.closed_form(rule)
    assert_same_results(*both_paths(optimizers.get("gd", learning_rate=2.0), teacher, Schedule("per-sample"), rule))


@pytest.mark.parametrize("name", ["irprop+", "adam", "supersab"])
def test_a_network_with_shortcuts_and_tanh_units_gives_numpys_bits(name):
    task = network.get_task("two-spirals")
    fast, plain = both_paths(optimizers.get(name), task, Schedule("mini-batch", 50), max_epochs=8)
    assert_same_results(fast, plain)


@pytest.mark.parametrize("name", ["adam", "irprop-"])
@pytest.mark.parametrize(
    "net",
    [
        network.Layered([3, 6, 4, 2], activation="relu", output_activation="identity", shortcuts=True),
        network.Layered([3, 6, 6, 2], activation="relu", output_activation="identity", residual=[2]),
    ],
    ids=["shortcuts", "residual"],
)
def test_a_network_of_relu_units_gives_numpys_bits(name, net):
    inputs = np.random.default_rng(5).normal(size=(12, 3))
    targets = np.stack([inputs.sum(axis=1), inputs[:, 0] ** 2], axis=1)
    task = network.Task("relu-regression", "", inputs, targets, network=net)
    for schedule in (Schedule("full-batch"), Schedule("mini-batch", 5)):
        assert fused_layered.applies(optimizers.get(name), task, None, True)
        assert_same_results(*both_paths(optimizers.get(name), task, schedule, max_epochs=60))


def test_every_fate_is_reached_and_recorded_alike():
    task = network.get_task("xor")
    targets = Targets.ladder(0.5, 1e-2, 3)
    fast, plain = both_paths(
        optimizers.get("gd", learning_rate=10.0), task, Schedule(), targets=targets, max_epochs=300
    )
    assert_same_results(fast, plain)
    assert set(fast.status) == {"converged", "diverged", "flat-spot", "budget"}


def test_populations_larger_than_one_chunk_give_the_same_bits(monkeypatch):
    monkeypatch.setattr(chunks, "BLOCKS_PER_CHUNK", 1)
    task = network.get_task("parity-3")
    points = np.random.default_rng(2).normal(size=(700, task.network.size))
    fast, plain = (
        train_population(optimizers.get("irprop-"), task, points, budget=Budget(max_epochs=60), accelerate=accelerate)
        for accelerate in (True, False)
    )
    assert_same_results(fast, plain)


def test_a_step_of_its_own_or_a_hook_takes_the_generic_path():
    class Halved(optimizers.GradientDescent):
        def step(self, weights, grad, state, loss=None):
            return weights - 0.5 * self.learning_rate * grad, state

    xor = network.get_task("xor")
    assert not fused_layered.applies(Halved(), xor, None, True)
    assert not fused_layered.applies(optimizers.get("gd"), xor, lambda *args: None, True)
    assert not fused_layered.applies(optimizers.get("gd"), xor, None, False)
    assert not fused_layered.applies(optimizers.get("gd"), network.get_task("teacher"), None, True)


def one_rule_through_every_path(name, hyperparameters):
    """The trajectories of one optimizer on one task through each path, as final weights, errors and statuses."""
    optimizer = optimizers.get(name, **hyperparameters)
    for task_name in ("teacher", "xor"):
        task = network.get_task(task_name)
        points = starts(task, count=40, seed=9)
        results = {}
        for path in ("numpy", "compiled step", "fused"):
            if path == "compiled step":  # the generic loop with the compiled step: switch the fused kernels off
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(fused, "applies", lambda *args: False)
                    patch.setattr(fused_layered, "applies", lambda *args: False)
                    results[path] = train_population(optimizer, task, points, budget=Budget(max_epochs=80), seed=1)
            else:
                results[path] = train_population(
                    optimizer, task, points, budget=Budget(max_epochs=80), seed=1, accelerate=path == "fused"
                )
        yield task_name, results


@pytest.mark.parametrize("name", RULES)
def test_each_rule_gives_the_same_bits_through_numpy_the_compiled_step_and_both_fused_kernels(name):
    optimizer = optimizers.get(name)
    assert compiled.kind_of(optimizer) is not None  # a built-in rule: every path runs it
    for task_name, results in one_rule_through_every_path(name, {}):
        reference = results["numpy"]
        for path, result in results.items():
            for field in reference.FIELDS:
                np.testing.assert_array_equal(
                    getattr(result, field), getattr(reference, field), err_msg=f"{task_name}, {path}: {field}"
                )


@pytest.mark.parametrize("task_name", ["teacher", "xor"])
@pytest.mark.parametrize("flat_spot", [0.0, 0.1])
def test_paths_from_the_kernel_equal_the_paths_followed_epoch_by_epoch(task_name, flat_spot):
    task = network.get_task(task_name)
    points, budget = starts(task, count=6, seed=3), Budget(max_epochs=120, weight_bound=1e3)
    setup = TrainingSetup(Schedule("per-sample"), budget, seed=2, flat_spot=flat_spot)
    fast = traces(optimizers.get("irprop+"), task, points, setup, states=False)
    followed = traces(optimizers.get("irprop+"), task, points, setup)
    for quick, slow in zip(fast, followed, strict=True):
        np.testing.assert_array_equal(quick.epochs, slow.epochs)
        np.testing.assert_array_equal(quick.weights, slow.weights)
        np.testing.assert_array_equal(quick.errors, slow.errors)


class SignMomentumState(NamedTuple):
    velocity: np.ndarray
    count: int


def sign_momentum_rule(c, weight, grad, velocity):
    """A plugin's rule: v ← μ·v + g, w ← w − η_t·sign(v), with η_t from its own coefficients."""
    velocity = c[1] * velocity + grad
    return weight - c[0] * sign(velocity), velocity


def sign_momentum_coefficients(hyperparameters, count):
    """η_t = η / √t, and μ: coefficients that change with the step count."""
    return np.array([hyperparameters[0] / np.sqrt(float(count)), hyperparameters[1]])


@dataclass(frozen=True)
class SignMomentum(ElementwiseOptimizer):
    learning_rate: float = 0.2
    momentum: float = 0.8
    name = "sign-momentum"
    State, slots = SignMomentumState, 1
    rule, coefficients = staticmethod(sign_momentum_rule), staticmethod(sign_momentum_coefficients)

    def hyperparameter_vector(self):
        return np.array([self.learning_rate, self.momentum])


@pytest.mark.slow  # the kernels are compiled for the rule in every process: about 18 s the first time
@pytest.mark.parametrize("task_name", ["teacher", "xor"])
@pytest.mark.parametrize("schedule", SCHEDULES, ids=str)
def test_a_plugins_own_rule_trains_in_the_fused_kernels_with_numpys_bits(task_name, schedule):
    task, optimizer = network.get_task(task_name), SignMomentum()
    assert compiled.own_rule(optimizer)
    assert (fused if task.is_article else fused_layered).applies(optimizer, task, None, True)
    fast, plain = both_paths(optimizer, task, schedule)
    assert_same_results(fast, plain)
    weights, grad = np.random.default_rng(1).normal(size=(2, 7, 3))
    stepped = optimizer.step(weights, grad, optimizer.init(weights))
    with compiled.numpy_only():
        reference = optimizer.step(weights, grad, optimizer.init(weights))
    np.testing.assert_array_equal(stepped[0], reference[0])
    np.testing.assert_array_equal(stepped[1].velocity, reference[1].velocity)


def test_a_rule_with_more_state_than_compiled_code_carries_steps_numpy_arrays():
    class FiveStates(NamedTuple):
        a: np.ndarray
        b: np.ndarray
        c: np.ndarray
        d: np.ndarray
        e: np.ndarray

    def five_rule(c, weight, grad, a, b, c_, d, e):
        return weight - c[0] * grad, a + grad, b, c_, d, e

    @dataclass(frozen=True)
    class Five(ElementwiseOptimizer):
        name = "five"
        State, slots, rule = FiveStates, 5, staticmethod(five_rule)

        def hyperparameter_vector(self):
            return np.array([0.5])

    five = Five()
    assert five.slots > compiled.SLOTS
    assert not compiled.compiles(five) and not fused_layered.applies(five, network.get_task("xor"), None, True)
    weights, state = five.step([[1.0, 2.0]], [[1.0, -1.0]], five.init([[1.0, 2.0]]))
    assert weights.tolist() == [[0.5, 2.5]] and state.a.tolist() == [[1.0, -1.0]]


def test_a_cyclic_batch_order_gives_numpys_bits_and_differs_from_the_shuffled_one():
    task = network.get_task("parity-3")
    cyclic, shuffled = Schedule("mini-batch", 3, order="cyclic"), Schedule("mini-batch", 3)
    fast, plain = both_paths(optimizers.get("adam"), task, cyclic, max_epochs=40)
    assert_same_results(fast, plain)
    other = both_paths(optimizers.get("adam"), task, shuffled, max_epochs=40)[0]
    assert not np.array_equal(fast.final_error, other.final_error)

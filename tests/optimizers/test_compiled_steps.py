"""Every optimizer's rule compiled (`optimizers.compiled`) steps as its numpy step does, bit for bit."""

import numpy as np
import pytest

import optimizers
from optimizers import compiled

COMPILED = [name for name in optimizers.available() if compiled.compiles(optimizers.get(name))]
SPECIAL = np.array([0.0, -0.0, 1e-310, -1e-310, 1.0, -1.0, 1e300, -1e300, np.inf, -np.inf, np.nan])


def same_bits(a, b) -> bool:
    """Equal values, NaN where the other has NaN, and the same sign on every zero (a NaN's sign bit carries
    no arithmetic meaning, and x86 sets it on NaNs it creates, numpy's or not)."""
    a, b = np.asarray(a), np.asarray(b)
    numbers = ~np.isnan(a)
    return (
        a.shape == b.shape
        and np.array_equal(a, b, equal_nan=True)
        and np.array_equal(np.signbit(a[numbers]), np.signbit(b[numbers]))
    )


def gradients(rng, shape, steps):
    """Random gradients whose signs flip often, with special values mixed in."""
    for _ in range(steps):
        grad = rng.normal(size=shape) * 10.0 ** rng.integers(-8, 3, size=shape)
        mask = rng.random(shape) < 0.05
        grad[mask] = rng.choice(SPECIAL, size=mask.sum())
        yield grad


def trajectories(name, shape, steps=60, parallel=False, **hyperparameters):
    """The same steps taken compiled and in numpy: yields both (weights, state) after each step."""
    rng = np.random.default_rng(sum(map(ord, name)) + len(shape))
    optimizer = optimizers.get(name, **hyperparameters)
    start = rng.normal(size=shape)
    fast, slow = (start, optimizer.init(start)), (start, optimizer.init(start))
    for grad in gradients(rng, shape, steps):
        loss = rng.random(shape[:-1]) if optimizer.needs_loss else None
        fast = optimizer.step(fast[0], grad, fast[1], loss=loss)
        with compiled.numpy_only(), np.errstate(all="ignore"):  # numpy warns about inf·0; the step is still defined
            slow = optimizer.step(slow[0], grad, slow[1], loss=loss)
        yield fast, slow


def assert_same(fast, slow):
    assert same_bits(fast[0], slow[0])
    for got, expected in zip(fast[1], slow[1], strict=True):
        assert same_bits(got, expected) if isinstance(expected, np.ndarray) else got == expected


@pytest.mark.parametrize("name", COMPILED)
@pytest.mark.parametrize("shape", [(2,), (7, 2), (3, 4, 9)])
def test_a_compiled_step_equals_the_numpy_step_to_the_bit_with_special_values(name, shape):
    for fast, slow in trajectories(name, shape):
        assert_same(fast, slow)


@pytest.mark.parametrize("name", COMPILED)
def test_populations_large_enough_to_use_every_core_step_the_same(name):
    for fast, slow in trajectories(name, (compiled.PARALLEL_FROM // 4 + 3, 5), steps=5):
        assert_same(fast, slow)


@pytest.mark.parametrize("name", ["rprop+", "irprop-", "adam"])
def test_hyperparameters_reach_the_compiled_step(name):
    setting = {"delta0": 0.3, "eta_plus": 1.5, "eta_minus": 0.3, "delta_min": 1e-3, "delta_max": 0.9}
    setting = {"learning_rate": 0.2, "beta1": 0.3, "beta2": 0.5, "eps": 1e-3} if name == "adam" else setting
    for fast, slow in trajectories(name, (5, 3), **setting):
        assert_same(fast, slow)


def test_steps_on_views_and_lists_return_fresh_arrays_and_leave_the_inputs_alone():
    rprop = optimizers.get("irprop-")
    weights = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    grad = np.ones((4, 3)).T  # a transposed view
    state = rprop.init(weights)
    kept = weights.copy(), [array.copy() for array in state]
    new, _ = rprop.step(weights, grad, state)
    with compiled.numpy_only():
        expected, _ = rprop.step(weights, grad, state)
    assert same_bits(new, expected) and new.shape == (3, 4)
    assert same_bits(weights, kept[0]) and all(same_bits(a, b) for a, b in zip(state, kept[1], strict=True))
    assert rprop.step([1.0, 2.0], [1.0, -1.0], rprop.init([1.0, 2.0]))[0].tolist() == [0.9, 2.1]


def test_a_state_of_another_shape_goes_to_numpy_which_says_what_is_wrong():
    adam = optimizers.get("adam")
    with pytest.raises(ValueError):
        adam.step(np.zeros((3, 2)), np.ones((3, 2)), adam.init(np.zeros((4, 2))))


def test_numpy_only_and_the_environment_turn_the_compiled_steps_off(monkeypatch):
    assert compiled.enabled()
    with compiled.numpy_only():
        assert not compiled.enabled()
        with compiled.numpy_only(False):  # an inner block cannot turn it back on
            assert not compiled.enabled()
    assert compiled.enabled()
    monkeypatch.setenv("OPTARENA_ACCELERATE", "0")
    assert not compiled.enabled()

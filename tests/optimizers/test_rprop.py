"""The four Rprop variants follow their papers step by step (hand vectors from the specs)."""

import numpy as np
import pytest

import optimizers

GRADIENTS = [1.0, 1.0, 1.0, -1.0, 1.0]
PAPER_SETTINGS = {"delta0": 0.1, "eta_plus": 1.2, "eta_minus": 0.5, "delta_min": 0.0, "delta_max": 50.0}


def applied_updates(name, gradients, losses=None, **hyperparameters):
    """The weight change each step applies, for one weight fed a scripted gradient sequence."""
    rprop = optimizers.get(name, **hyperparameters)
    weights = np.zeros(2)
    state = rprop.init(weights)
    losses = losses or [None] * len(gradients)
    updates = []
    for g, loss in zip(gradients, losses, strict=True):
        new_weights, state = rprop.step(weights, np.array([g, 0.0]), state, loss=loss)
        updates.append(new_weights[0] - weights[0])
        weights = new_weights
    return updates


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rprop+", [-0.1, -0.12, -0.144, +0.144, -0.072]),
        ("rprop-", [-0.1, -0.12, -0.144, +0.072, -0.036]),
        ("irprop-", [-0.1, -0.12, -0.144, 0.0, -0.072]),
    ],
)
def test_hand_vectors_from_the_specs(name, expected):
    assert applied_updates(name, GRADIENTS, **PAPER_SETTINGS) == pytest.approx(expected, abs=1e-15)


def test_irprop_plus_backtracks_when_the_error_rose():
    rose = [5.0, 4.0, 3.0, 3.5, 2.0]
    updates = applied_updates("irprop+", GRADIENTS, rose, **PAPER_SETTINGS)
    assert updates == pytest.approx([-0.1, -0.12, -0.144, +0.144, -0.072], abs=1e-15)


@pytest.mark.parametrize("fourth_error", [2.5, 3.0])  # fell, or stayed equal (the test is strict '>')
def test_irprop_plus_does_not_backtrack_unless_the_error_rose(fourth_error):
    losses = [5.0, 4.0, 3.0, fourth_error, 2.0]
    updates = applied_updates("irprop+", GRADIENTS, losses, **PAPER_SETTINGS)
    assert updates == pytest.approx([-0.1, -0.12, -0.144, 0.0, -0.072], abs=1e-15)


def test_irprop_plus_backtracks_only_the_weights_whose_sign_flipped():
    rprop = optimizers.get("irprop+", delta0=0.1)
    weights = np.zeros(2)
    state = rprop.init(weights)
    weights, state = rprop.step(weights, np.array([1.0, 1.0]), state, loss=1.0)
    after_second, state = rprop.step(weights, np.array([-1.0, 1.0]), state, loss=2.0)
    assert after_second.tolist() == pytest.approx([0.0, -0.22])


def test_irprop_plus_needs_the_error():
    rprop = optimizers.get("irprop+")
    with pytest.raises(ValueError, match=r"irprop\+ needs the error at the current weights"):
        rprop.step(np.zeros(2), np.ones(2), rprop.init(np.zeros(2)))


def test_backtracking_is_per_network_in_a_population():
    rprop = optimizers.get("irprop+", delta0=0.1)
    weights = np.zeros((2, 2))
    state = rprop.init(weights)
    weights, state = rprop.step(weights, np.ones((2, 2)), state, loss=np.array([1.0, 1.0]))
    weights, state = rprop.step(weights, -np.ones((2, 2)), state, loss=np.array([2.0, 0.5]))
    assert weights.tolist() == [[0.0, 0.0], [-0.1, -0.1]]


def step_sizes_after(name, gradients, **hyperparameters):
    rprop = optimizers.get(name, **hyperparameters)
    weights, state = np.zeros(2), rprop.init(np.zeros(2))
    for g in gradients:
        weights, state = rprop.step(weights, np.array([g, g]), state, loss=0.0)
    return state.step_size


def test_step_sizes_grow_to_delta_max_and_no_further():
    assert step_sizes_after("irprop-", [1.0] * 30, delta0=0.1, delta_max=1.0).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("name", ["rprop+", "rprop-", "irprop+", "irprop-"])
def test_step_sizes_shrink_to_delta_min_and_no_further(name):
    assert step_sizes_after(name, [1.0, -1.0] * 20, delta0=0.1, delta_min=0.01).tolist() == [0.01, 0.01]


def test_initial_step_outside_the_range_is_clamped_on_the_first_step_like_torch():
    assert applied_updates("irprop-", [1.0], delta0=100.0, delta_max=50.0) == [-50.0]


def test_a_zero_gradient_neither_moves_the_weight_nor_adapts_the_step():
    assert applied_updates("irprop-", [1.0, 0.0, 1.0], **PAPER_SETTINGS) == pytest.approx([-0.1, 0.0, -0.1])


@pytest.mark.parametrize("name", ["rprop+", "rprop-", "irprop+", "irprop-"])
@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        ({"delta0": 0.0}, "delta0 must be > 0, got 0.0"),
        ({"delta0": float("nan")}, "delta0 must be finite, got nan"),
        ({"eta_plus": 1.0}, "eta_plus must be > 1, got 1.0"),
        ({"eta_minus": 1.0}, r"eta_minus must be in \(0, 1\), got 1.0"),
        ({"eta_minus": 0.0}, r"eta_minus must be in \(0, 1\), got 0.0"),
        ({"delta_min": -1e-6}, "delta_min must be >= 0, got -1e-06"),
        ({"delta_max": 1e-7}, "delta_max must be > delta_min = 1e-06, got 1e-07"),
        ({"delta0": "0.1"}, "delta0 must be a real number, got '0.1'"),
    ],
)
def test_bad_hyperparameters_are_named_with_what_is_allowed(name, hyperparameters, message):
    with pytest.raises((ValueError, TypeError), match=f"^{name.replace('+', '[+]')}: {message}$"):
        optimizers.get(name, **hyperparameters)


TORCH_REFERENCE = ("irprop-",)  # torch.optim.Rprop is iRprop−


def test_irprop_minus_retraces_torch_optim_rprop_bit_for_bit(torch_case):
    torch_case.assert_closed_loop()


def test_irprop_minus_fed_torchs_gradients_gives_torchs_weights(torch_case):
    torch_case.assert_replay()

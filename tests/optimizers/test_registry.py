"""One registry: names, defaults, user registration, and clear errors."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest

import optimizers


def test_the_built_in_optimizers_are_available():
    assert set(optimizers.available()) >= {"gd", "sign", "rprop+", "rprop-", "irprop+", "irprop-"}


def test_get_builds_with_defaults_and_overrides():
    rprop = optimizers.get("rprop+", delta0=0.2)
    assert (rprop.delta0, rprop.eta_plus, rprop.eta_minus) == (0.2, 1.2, 0.5)
    assert rprop.name == "rprop+"


def test_hyperparameters_list_the_defaults():
    assert optimizers.hyperparameters_of("irprop-") == {
        "delta0": 0.1,
        "eta_plus": 1.2,
        "eta_minus": 0.5,
        "delta_min": 1e-6,
        "delta_max": 50.0,
    }


def test_unknown_optimizer_lists_the_available_ones():
    expected = r"unknown optimizer 'adamz' \(did you mean 'adam'\?\); available: gd, sign, rprop\+"
    with pytest.raises(ValueError, match=expected):
        optimizers.get("adamz")


def test_unknown_hyperparameter_lists_the_allowed_ones():
    with pytest.raises(TypeError, match="optimizer 'gd' has no hyperparameter 'lr'; allowed: learning_rate"):
        optimizers.get("gd", lr=0.1)


def test_a_user_optimizer_registers_in_a_few_lines_and_is_listed():
    class HalvingState(NamedTuple):
        rate: np.ndarray

    @optimizers.register("halving-gd")
    @dataclass(frozen=True)
    class HalvingGradientDescent:
        """Gradient descent whose learning rate halves every step."""

        learning_rate: float = 1.0

        def init(self, weights):
            return HalvingState(np.full(np.shape(weights)[:-1], self.learning_rate))

        def step(self, weights, grad, state, loss=None):
            return weights - state.rate[..., None] * grad, HalvingState(state.rate / 2)

    try:
        assert "halving-gd" in optimizers.available()
        assert optimizers.hyperparameters_of("halving-gd") == {"learning_rate": 1.0}
        optimizer = optimizers.get("halving-gd", learning_rate=0.5)
        weights, state = optimizer.step(np.zeros(2), np.ones(2), optimizer.init(np.zeros(2)))
        assert weights.tolist() == [-0.5, -0.5] and state.rate == 0.25
    finally:
        optimizers.unregister("halving-gd")
    assert "halving-gd" not in optimizers.available()


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="an optimizer named 'gd' is already registered"):
        optimizers.register("gd")(type("Other", (), {"init": lambda s, w: None, "step": lambda s, *a: None}))


def test_an_optimizer_without_step_is_refused():
    with pytest.raises(TypeError, match="optimizer 'broken' must define step"):
        optimizers.register("broken")(type("Broken", (), {"init": lambda self, w: None}))

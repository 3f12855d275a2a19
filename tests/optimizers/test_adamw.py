"""AdamW: Adam's step from weights first shrunk by (1 − η·λ), pinned by hand and by torch.optim.AdamW on a
population of layered networks."""

import math

import numpy as np
import pytest

import optimizers

LAYERED_REFERENCE = ("adamw",)


def test_the_decay_shrinks_the_weight_before_adams_step_and_stays_out_of_the_moments():
    adamw = optimizers.get("adamw", learning_rate=0.1, weight_decay=0.5)
    weights, state = adamw.step(np.array([2.0]), np.array([1.0]), adamw.init(np.array([2.0])))
    adam_step = -0.1 * (0.1 / 0.1) / (math.sqrt(0.001) / math.sqrt(0.001) + 1e-8)
    assert weights.tolist() == pytest.approx([2.0 * (1 - 0.1 * 0.5) + adam_step], rel=1e-15)
    assert state.first_moment.tolist() == pytest.approx([0.1]) and state.second_moment.tolist() == pytest.approx([1e-3])


def test_without_decay_adamw_is_adam_to_the_bit():
    rng = np.random.default_rng(0)
    weights, adam_weights = rng.normal(size=(4, 9)), None
    adamw, adam = optimizers.get("adamw", learning_rate=0.05, weight_decay=0.0), optimizers.get("adam")
    state, adam_state, adam_weights = adamw.init(weights), adam.init(weights), weights
    for _ in range(20):
        grad = rng.normal(size=weights.shape)
        weights, state = adamw.step(weights, grad, state)
        adam_weights, adam_state = adam.step(adam_weights, grad, adam_state)
    np.testing.assert_array_equal(weights, adam_weights)


def test_the_defaults_are_torchs():
    assert optimizers.hyperparameters_of("adamw") == {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999,
                                                      "eps": 1e-8, "weight_decay": 1e-2}  # fmt: skip


def test_adamw_retraces_torch_optim_adamw_on_layered_networks(layered_case):
    layered_case.assert_retraced()


def test_a_negative_decay_is_refused():
    with pytest.raises(ValueError, match=r"^adamw: weight_decay must be >= 0, got -0.1$"):
        optimizers.get("adamw", weight_decay=-0.1)

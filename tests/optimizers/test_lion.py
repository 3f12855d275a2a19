"""Lion as lion-pytorch computes it, pinned by hand and by lion-pytorch 0.2.5 on a population of layered
networks."""

import numpy as np
import pytest

import optimizers

LAYERED_REFERENCE = ("lion",)


def test_every_weight_moves_by_the_step_in_the_sign_of_the_blend_of_the_old_momentum_and_the_gradient():
    lion = optimizers.get("lion", learning_rate=0.1)
    weights, state = lion.step(np.zeros(3), np.array([3.0, -1e-9, 0.0]), lion.init(np.zeros(3)))
    assert weights.tolist() == [-0.1, 0.1, 0.0]
    assert state.momentum.tolist() == pytest.approx([0.03, -1e-11, 0.0])
    # the blend 0.9·0.03 + 0.1·(−0.2) = 0.007 > 0 still steps down; then m = 0.99·0.03 + 0.01·(−0.2) = 0.0277
    weights, state = lion.step(weights, np.array([-0.2, 0.0, 0.0]), state)
    assert weights[0] == pytest.approx(-0.2) and state.momentum[0] == pytest.approx(0.0277)


def test_the_decay_shrinks_the_weight_before_the_signed_step():
    lion = optimizers.get("lion", learning_rate=0.1, weight_decay=2.0)
    weights, _ = lion.step(np.array([1.0]), np.array([1.0]), lion.init(np.array([1.0])))
    assert weights.tolist() == pytest.approx([1.0 * (1 - 0.2) - 0.1])


def test_the_defaults_are_lion_pytorchs():
    assert optimizers.hyperparameters_of("lion") == {"learning_rate": 1e-4, "beta1": 0.9, "beta2": 0.99,
                                                     "weight_decay": 0.0}  # fmt: skip


def test_lion_retraces_lion_pytorch_on_layered_networks(layered_case):
    layered_case.assert_retraced()


def test_a_zero_step_is_refused():
    with pytest.raises(ValueError, match=r"^lion: learning_rate must be > 0, got 0.0$"):
        optimizers.get("lion", learning_rate=0.0)

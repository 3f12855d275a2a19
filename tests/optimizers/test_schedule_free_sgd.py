"""Schedule-Free SGD: gradient steps on z, the model x their average, the gradient at y; pinned by hand and by
schedulefree's reference class on a population of layered networks."""

import numpy as np
import pytest

import optimizers

LAYERED_REFERENCE = ("schedule-free-sgd",)


def test_z_takes_plain_gradient_steps_and_x_is_their_running_mean():
    sf = optimizers.get("schedule-free-sgd", learning_rate=0.1, momentum=0.0)
    weights, state = np.array([1.0]), sf.init(np.array([1.0]))
    zs = []
    for _ in range(4):
        weights, state = sf.step(weights, np.array([1.0]), state)
        zs.append(state.z[0])
    assert zs == pytest.approx([0.9, 0.8, 0.7, 0.6])
    assert state.x.tolist() == pytest.approx([np.mean(zs)])  # constant rate, r = 0: equal weights
    assert weights.tolist() == state.z.tolist()  # momentum 0: the gradient is taken at z


def test_the_decay_is_added_to_the_gradient_at_y():
    sf = optimizers.get("schedule-free-sgd", learning_rate=0.1, weight_decay=0.5)
    _, state = sf.step(np.array([2.0]), np.array([1.0]), sf.init(np.array([2.0])))
    assert state.z.tolist() == pytest.approx([2.0 - 0.1 * (1.0 + 0.5 * 2.0)])


def test_the_defaults_are_the_references():
    assert optimizers.hyperparameters_of("schedule-free-sgd") == {
        "learning_rate": 1.0, "momentum": 0.9, "weight_decay": 0.0, "warmup_steps": 0, "r": 0.0,
        "weight_lr_power": 2.0,
    }  # fmt: skip


def test_schedule_free_sgd_retraces_schedulefree_on_layered_networks(layered_case):
    layered_case.assert_retraced()


def test_a_momentum_of_one_is_refused():
    with pytest.raises(ValueError, match=r"^schedule-free-sgd: momentum must be in \[0, 1\), got 1.0$"):
        optimizers.get("schedule-free-sgd", momentum=1.0)

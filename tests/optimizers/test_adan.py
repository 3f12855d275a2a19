"""Adan: moments of the gradient and of its change, pinned by hand and by the authors' code on a population of
layered networks."""

import math

import numpy as np
import pytest

import optimizers

LAYERED_REFERENCE = ("adan",)


def test_the_first_step_sees_no_change_of_the_gradient_and_is_an_adam_like_sign_step():
    adan = optimizers.get("adan", learning_rate=0.1)
    weights, state = adan.step(np.array([0.0, 0.0]), np.array([2.0, -0.5]), adan.init(np.zeros(2)))
    # m = 0.02·g, δ = 0, n = 0.01·g²: w = −0.1/0.02·m/(|g| + ε) = −0.1·sign(g) up to ε
    assert weights.tolist() == pytest.approx([-0.1, 0.1], rel=1e-7)
    assert state.difference_moment.tolist() == [0.0, 0.0]
    assert state.negative_previous_grad.tolist() == [-2.0, 0.5]


def test_the_second_step_follows_the_change_of_the_gradient():
    adan = optimizers.get("adan", learning_rate=0.1, beta1=0.5, beta2=0.5, beta3=0.5, eps=0.0)
    weights, state = adan.step(np.array([0.0]), np.array([1.0]), adan.init(np.zeros(1)))
    weights, state = adan.step(weights, np.array([3.0]), state)
    m, delta = 0.5 * 0.5 + 0.5 * 3.0, 0.5 * 2.0  # Δg = 2
    n = 0.5 * 0.5 * 1.0 + 0.5 * (3.0 + 0.5 * 2.0) ** 2
    d = math.sqrt(n) / math.sqrt(1 - 0.25)
    expected = -0.1 - 0.1 / 0.75 * m / d - 0.1 * 0.5 / 0.75 * delta / d
    assert state.first_moment.tolist() == [m] and state.difference_moment.tolist() == [delta]
    assert weights.tolist() == pytest.approx([expected], rel=1e-14)


def test_the_proximal_decay_divides_after_the_step_and_the_other_shrinks_before():
    grad, start = np.array([1.0]), np.array([2.0])
    proximal = optimizers.get("adan", learning_rate=0.1, weight_decay=0.5, eps=0.0)
    plain = optimizers.get("adan", learning_rate=0.1, weight_decay=0.5, eps=0.0, proximal=False)
    assert proximal.step(start, grad, proximal.init(start))[0].tolist() == pytest.approx([(2.0 - 0.1) / 1.05])
    assert plain.step(start, grad, plain.init(start))[0].tolist() == pytest.approx([2.0 * 0.95 - 0.1])


def test_the_defaults_are_the_authors():
    assert optimizers.hyperparameters_of("adan") == {"learning_rate": 1e-3, "beta1": 0.98, "beta2": 0.92,
                                                     "beta3": 0.99, "eps": 1e-8, "weight_decay": 0.0,
                                                     "proximal": True}  # fmt: skip


def test_adan_retraces_the_authors_code_on_layered_networks(layered_case):
    layered_case.assert_retraced()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"beta3": 1.0}, r"^adan: beta3 must be in \[0, 1\), got 1.0$"),
        ({"proximal": "yes"}, r"^adan: proximal must be True or False, got 'yes'$"),
        ({"learning_rate": 0.0}, r"^adan: learning_rate must be > 0, got 0.0$"),
    ],
)
def test_bad_settings_are_refused_in_one_line(setting, message):
    with pytest.raises((ValueError, TypeError), match=message):
        optimizers.get("adan", **setting)

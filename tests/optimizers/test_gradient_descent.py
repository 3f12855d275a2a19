"""Gradient descent, the seed article's rule Δw = −η·∂E/∂w, pinned by hand and by torch.optim.SGD."""

import numpy as np
import pytest

import optimizers

TORCH_REFERENCE = ("gd",)


def test_gd_is_the_articles_update_rule():
    weights, grad = np.array([0.5, 2.0]), np.array([-0.01, -0.02])
    new_weights, _ = optimizers.get("gd", learning_rate=0.3).step(weights, grad, None)
    assert new_weights.tolist() == pytest.approx([0.5 + 0.3 * 0.01, 2.0 + 0.3 * 0.02], rel=1e-15)


def test_gd_retraces_torch_optim_sgd(torch_case):
    torch_case.assert_closed_loop()


def test_gd_fed_torchs_gradients_gives_torchs_weights(torch_case):
    torch_case.assert_replay()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0.0, "must be > 0, got 0.0"),
        (-1, "must be > 0, got -1"),
        (float("inf"), "must be finite, got inf"),
        (True, "must be a real number, got True"),
        ("fast", "must be a real number, got 'fast'"),
    ],
)
def test_bad_learning_rates_are_named_with_what_is_allowed(value, message):
    with pytest.raises((ValueError, TypeError), match=f"^gd: learning_rate {message}$"):
        optimizers.get("gd", learning_rate=value)

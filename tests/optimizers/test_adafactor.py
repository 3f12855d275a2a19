"""Adafactor: a second moment factored into row and column means per weight matrix, relative steps, clipped
updates; pinned by hand and by torch.optim.Adafactor on a population of layered networks."""

import numpy as np
import pytest

import network
import optimizers
from optimizers.layout import Layout


def test_a_matrix_keeps_one_mean_per_row_and_one_per_column_and_a_vector_its_own():
    layout = Layout.of(network.Layered([3, 2]))  # W (2×3), b (2)
    adafactor = optimizers.get("adafactor").laid_out(layout)
    grad = np.array([1.0, 2.0, 2.0, 0.0, 3.0, 4.0, 0.5, -0.5])
    weights, state = adafactor.step(np.ones(8), grad, adafactor.init(np.zeros(8)))
    np.testing.assert_allclose(state.row_means[0][:, 0], [9 / 3, 25 / 3])  # first step: β̂ = 1, the means themselves
    np.testing.assert_allclose(state.column_means[0][0], [1 / 2, 13 / 2, 20 / 2])
    np.testing.assert_allclose(state.variances[0], [0.25, 0.25])
    estimate = np.outer([3, 25 / 3], [0.5, 6.5, 10]) / np.mean([3, 25 / 3])
    update = grad[:6].reshape(2, 3) / np.sqrt(estimate)
    step = 0.01 * 1.0 / max(1.0, np.sqrt(np.mean(update**2)))  # α = max(ε2, RMS(W) = 1)·min(η, 1)
    np.testing.assert_allclose(weights[:6], 1.0 - step * update.ravel(), rtol=1e-14)
    np.testing.assert_allclose(weights[6:], 1.0 - 0.01 * np.sign(grad[6:]), rtol=1e-14)


@pytest.mark.parametrize(
    ("key", "tolerance"),
    [("adafactor", 1e-13), ("adafactor-decay", 1e-6)],
)
def test_adafactor_retraces_torch_optim_adafactor_on_layered_networks(key, tolerance, layer_aware_departure):
    """Every mean and norm sums in numpy's order, not torch's, so the two agree to rounding: measured at most
    1.3e-15 over 200 steps at the defaults; with η = 0.05 and decay the weights travel 11 and the rounding
    grows about tenfold every 40 steps, to 2.5e-7 at step 200 (its tenth step agrees to 2e-16).  A wrong rule
    parts by η·λ·|w| ≈ 1e-3 within ten steps."""
    assert layer_aware_departure(key) <= tolerance


def test_without_a_layout_it_says_what_it_needs_in_one_line():
    with pytest.raises(ValueError, match=r"^adafactor needs the layout of the parameter vector"):
        optimizers.get("adafactor").init(np.zeros(2))


def test_the_defaults_are_torchs():
    assert optimizers.hyperparameters_of("adafactor") == {"learning_rate": 1e-2, "beta2_decay": -0.8, "eps2": 1e-3,
                                                          "d": 1.0, "weight_decay": 0.0}  # fmt: skip


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"beta2_decay": 0.5}, r"^adafactor: beta2_decay must be <= 0, got 0.5$"),
        ({"d": 0.5}, r"^adafactor: d \(the clipping threshold\) must be >= 1, got 0.5$"),
    ],
)
def test_bad_settings_are_refused_in_one_line(setting, message):
    with pytest.raises(ValueError, match=message):
        optimizers.get("adafactor", **setting)

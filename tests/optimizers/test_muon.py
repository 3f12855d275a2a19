"""Muon: Nesterov momentum of each weight matrix, orthogonalised by Newton–Schulz, the biases by AdamW; pinned by
hand and by torch.optim.Muon (with torch.optim.AdamW on the biases) on a population of layered networks."""

import numpy as np
import pytest

import network
import optimizers
from optimizers.layout import Layout
from optimizers.muon import newton_schulz

ARTICLE = Layout.of(network.Layered([1, 1, 1], bias=False))


def test_on_the_articles_network_muon_is_sign_momentum_with_a_step_of_0_696_eta():
    muon = optimizers.get("muon", learning_rate=0.1, weight_decay=0.0).laid_out(ARTICLE)
    weights, state = np.array([1.0, 1.0]), muon.init(np.zeros(2))
    for grad in ([2.0, -0.5], [-0.1, -3.0], [5.0, 0.2]):
        new, state = muon.step(weights, np.array(grad), state)
        nesterov = np.array(grad) + 0.95 * (state.momentum - np.array(grad))
        np.testing.assert_allclose(new - weights, -0.1 * 0.6963 * np.sign(nesterov), rtol=2e-4)
        weights = new


def test_newton_schulz_pushes_every_singular_value_towards_one_but_not_onto_it():
    matrices = np.random.default_rng(0).normal(size=(20, 5, 10)) * np.logspace(-3, 3, 20)[:, None, None]
    singular = np.linalg.svd(newton_schulz(matrices, (3.4445, -4.7750, 2.0315), 5, 1e-7), compute_uv=False)
    assert singular.min() > 0.5 and singular.max() < 1.25 and np.abs(singular - 1).max() > 0.05
    tall = newton_schulz(np.swapaxes(matrices, -1, -2), (3.4445, -4.7750, 2.0315), 5, 1e-7)
    np.testing.assert_allclose(tall, np.swapaxes(newton_schulz(matrices, (3.4445, -4.7750, 2.0315), 5, 1e-7), -1, -2))


def test_the_biases_take_torchs_adamw_step():
    layout = Layout.of(network.Layered([2, 1]))  # W (1×2) and b (1)
    muon = optimizers.get("muon", adamw_learning_rate=0.1, adamw_weight_decay=0.0).laid_out(layout)
    weights, _ = muon.step(np.array([0.0, 0.0, 1.0]), np.array([1.0, 1.0, 4.0]), muon.init(np.zeros(3)))
    assert weights[2] == pytest.approx(1.0 - 0.1, rel=1e-7)  # Adam's first step: −η·sign(g)


@pytest.mark.parametrize("key", ["muon-float64", "muon-defaults-float64", "muon-plain-float64"])
def test_muon_retraces_torch_optim_muon_with_its_newton_schulz_in_float64(key, layer_aware_departure):
    """torch's rule with its iteration in float64, as optarena computes: the same to 1e-13 over 200 steps (the
    matrix products sum in BLAS's order, which differs between numpy and torch; measured at most 5e-15)."""
    assert layer_aware_departure(key) <= 1e-13


def test_torch_optim_muon_as_shipped_computes_newton_schulz_in_bfloat16_and_parts_by_a_few_percent_of_a_step(
    layer_aware_departure,
):
    """bfloat16 keeps 8 significant bits, so each weight's orthogonalised step is off by up to 2⁻⁹ of itself in
    every step; over 200 steps of η = 0.02 that drifts to 0.023 (measured), against a movement of 2.9."""
    assert 1e-4 < layer_aware_departure("muon") <= 0.05


def test_without_a_layout_it_says_what_it_needs_in_one_line():
    muon = optimizers.get("muon")
    with pytest.raises(ValueError, match=r"^muon needs the layout of the parameter vector \(which slices are weight "):
        muon.step(np.zeros(2), np.ones(2), muon.init(np.zeros(2)))
    with pytest.raises(ValueError, match=r"^muon: its layout has 2 parameters, the weights 3$"):
        muon.laid_out(ARTICLE).step(np.zeros(3), np.ones(3), muon.init(np.zeros(3)))


def test_the_defaults_are_torchs():
    assert optimizers.hyperparameters_of("muon") == {
        "learning_rate": 1e-3, "weight_decay": 0.1, "momentum": 0.95, "nesterov": True,
        "ns_coefficients": (3.4445, -4.775, 2.0315), "eps": 1e-7, "ns_steps": 5, "adjust_lr": "original",
        "adamw_learning_rate": 1e-3, "adamw_beta1": 0.9, "adamw_beta2": 0.999, "adamw_eps": 1e-8,
        "adamw_weight_decay": 1e-2,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"adjust_lr": "rms"}, r"^muon: adjust_lr must be one of original, match_rms_adamw, got 'rms'$"),
        ({"ns_coefficients": (1.0, 2.0)}, r"^muon: ns_coefficients must be three finite numbers"),
        ({"ns_steps": 100}, r"^muon: ns_steps must be a whole number in \[0, 100\), got 100$"),
        ({"momentum": 1.0}, r"^muon: momentum must be in \[0, 1\), got 1.0$"),
    ],
)
def test_bad_settings_are_refused_in_one_line(setting, message):
    with pytest.raises(ValueError, match=message):
        optimizers.get("muon", **setting)

"""Quickprop, delta-bar-delta and SuperSAB pinned by hand-computed steps, special cases included."""

import numpy as np
import pytest

import optimizers
from optimizers.quickprop import QuickpropState


def run(name, gradients, **hyperparameters):
    """(applied weight change, state) after each step, for one weight fed a scripted gradient sequence."""
    optimizer = optimizers.get(name, **hyperparameters)
    weights = np.zeros(2)
    state = optimizer.init(weights)
    steps = []
    for g in gradients:
        new_weights, state = optimizer.step(weights, np.array([g, 0.0]), state)
        steps.append((new_weights[0] - weights[0], state))
        weights = new_weights
    return steps


def test_quickprop_by_hand():
    # ε = 0.5, μ = 1.75, shrink = μ/(1+μ) = 0.6364; S = −g.
    expected = [
        0.5,  # no previous step: ε·S = 0.5·1
        0.5 + 1.75 * 0.5,  # S = S⁻ = 1 (growth cap): ε·S + μ·Δw⁻ = 1.375
        0.5 * 0.25 + 0.25 / (1 - 0.25) * 1.375,  # S = 0.25 < shrink·S⁻: parabola step, 0.58333
        -0.5 / (0.25 + 0.5) * (0.5 * 0.25 + 0.25 / 0.75 * 1.375),  # S flipped: no ε term, parabola step
        -0.25 + 1.75 * (-0.5 / 0.75 * 0.5833333333333333),  # mirror image (Δw⁻ < 0) and capped
    ]
    updates = [update for update, _ in run("quickprop", [-1.0, -1.0, -0.25, 0.5, 0.5], learning_rate=0.5)]
    assert updates == pytest.approx(expected, rel=1e-12)


def test_quickprop_takes_the_capped_step_where_the_parabola_would_divide_by_zero():
    quickprop = optimizers.get("quickprop", learning_rate=0.5)
    state = QuickpropState(prev_slope=np.array([-0.3, 0.4]), prev_update=np.array([0.2, -0.1]))
    new_weights, _ = quickprop.step(np.zeros(2), np.array([0.3, -0.4]), state)  # S = S⁻, against the last step
    assert new_weights.tolist() == pytest.approx([1.75 * 0.2, 1.75 * -0.1])
    assert np.isfinite(new_weights).all()


def test_quickprops_weight_decay_pulls_the_slope_toward_zero_weight():
    # λ = 0.01: S = −g − λ·w.  From w = 2 with g = 0: S = −0.02, Δw = ε·S = −0.01 (ε = 0.5).
    quickprop = optimizers.get("quickprop", learning_rate=0.5, weight_decay=0.01)
    weights, state = quickprop.step(np.array([2.0]), np.array([0.0]), quickprop.init(np.array([2.0])))
    assert weights.tolist() == pytest.approx([2.0 - 0.01]) and state.prev_slope.tolist() == pytest.approx([-0.02])
    # the next step: S = −0.0199, S⁻ = −0.02, Δw⁻ < 0, S < shrink·S⁻ is false (capped): ε·S + μ·Δw⁻
    weights, _ = quickprop.step(weights, np.array([0.0]), state)
    assert weights.tolist() == pytest.approx([1.99 + 0.5 * -0.0199 + 1.75 * -0.01])


def test_delta_bar_delta_by_hand():
    # ε₀ = 0.1, κ = 0.25, φ = 0.5, θ = 0.7
    steps = run("delta-bar-delta", [1.0, 1.0, -1.0, -1.0, 0.0, 1.0])
    rates = [state.learning_rate[0] for _, state in steps]
    bars = [state.bar_delta[0] for _, state in steps]
    updates = [update for update, _ in steps]
    assert rates == pytest.approx([0.1, 0.35, 0.175, 0.0875, 0.0875, 0.04375])  # first: δ̄ = 0, no change
    assert bars == pytest.approx([0.3, 0.51, 0.057, -0.2601, -0.18207, 0.172551])
    assert updates == pytest.approx([-0.1, -0.35, 0.175, 0.0875, 0.0, -0.04375])


def test_supersab_by_hand():
    # η₀ = 0.5, η+ = 1.05, η− = 0.5, α = 0.9
    steps = run("supersab", [1.0, 1.0, -1.0, -1.0, -1.0])
    updates = [update for update, _ in steps]
    rates = [state.learning_rate[0] for _, state in steps]
    assert updates == pytest.approx([-0.5, -0.525 - 0.45, +0.975, 0.2625, 0.275625 + 0.9 * 0.2625])
    assert rates == pytest.approx([0.5, 0.525, 0.2625, 0.2625, 0.275625])


def test_supersab_retracts_only_the_weight_whose_gradient_flipped_and_caps_its_rate():
    sab = optimizers.get("supersab", learning_rate_max=0.51)
    weights, state = sab.step(np.zeros(2), np.array([1.0, 1.0]), sab.init(np.zeros(2)))
    weights, state = sab.step(weights, np.array([-1.0, 1.0]), state)
    assert weights.tolist() == pytest.approx([0.0, -0.5 - 0.51 - 0.45])
    assert state.learning_rate.tolist() == [0.25, 0.51]


@pytest.mark.parametrize(
    ("name", "hyperparameters", "message"),
    [
        ("quickprop", {"max_growth": 0.0}, "quickprop: max_growth must be > 0, got 0.0"),
        ("delta-bar-delta", {"decrease": 1.0}, r"delta-bar-delta: decrease must be in \(0, 1\), got 1.0"),
        ("delta-bar-delta", {"theta": 1.0}, r"delta-bar-delta: theta must be in \[0, 1\), got 1.0"),
        ("supersab", {"eta_plus": 0.9}, "supersab: eta_plus must be > 1, got 0.9"),
        ("momentum", {"momentum": 1.0}, r"momentum: momentum must be in \[0, 1\), got 1.0"),
        ("adam", {"beta2": -0.1}, r"adam: beta2 must be in \[0, 1\), got -0.1"),
        ("rmsprop", {"eps": 0.0}, "rmsprop: eps must be > 0, got 0.0"),
        ("adagrad", {"lr_decay": -1.0}, "adagrad: lr_decay must be >= 0, got -1.0"),
    ],
)
def test_bad_hyperparameters_are_named(name, hyperparameters, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        optimizers.get(name, **hyperparameters)

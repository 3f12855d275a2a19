"""Quickprop (Fahlman 1988) pinned by hand-computed steps, its special cases included."""

import numpy as np
import pytest

import optimizers
from optimizers.quickprop import QuickpropState


def test_quickprop_by_hand(scripted_steps):
    # ε = 0.5, μ = 1.75, shrink = μ/(1+μ) = 0.6364; S = −g.
    expected = [
        0.5,  # no previous step: ε·S = 0.5·1
        0.5 + 1.75 * 0.5,  # S = S⁻ = 1 (growth cap): ε·S + μ·Δw⁻ = 1.375
        0.5 * 0.25 + 0.25 / (1 - 0.25) * 1.375,  # S = 0.25 < shrink·S⁻: parabola step, 0.58333
        -0.5 / (0.25 + 0.5) * (0.5 * 0.25 + 0.25 / 0.75 * 1.375),  # S flipped: no ε term, parabola step
        -0.25 + 1.75 * (-0.5 / 0.75 * 0.5833333333333333),  # mirror image (Δw⁻ < 0) and capped
    ]
    updates = [update for update, _ in scripted_steps("quickprop", [-1.0, -1.0, -0.25, 0.5, 0.5], learning_rate=0.5)]
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


def test_a_growth_limit_of_zero_is_refused():
    with pytest.raises(ValueError, match=r"^quickprop: max_growth must be > 0, got 0.0$"):
        optimizers.get("quickprop", max_growth=0.0)

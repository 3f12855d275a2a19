"""SuperSAB (Tollenaere 1990) pinned by hand-computed steps, its retraction and rate cap included."""

import numpy as np
import pytest

import optimizers


def test_supersab_by_hand(scripted_steps):
    # η₀ = 0.5, η+ = 1.05, η− = 0.5, α = 0.9
    steps = scripted_steps("supersab", [1.0, 1.0, -1.0, -1.0, -1.0])
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


def test_a_growth_factor_of_one_or_less_is_refused():
    with pytest.raises(ValueError, match=r"^supersab: eta_plus must be > 1, got 0.9$"):
        optimizers.get("supersab", eta_plus=0.9)

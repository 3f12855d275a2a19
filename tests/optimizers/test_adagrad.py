"""Adagrad in torch.optim's form, pinned by hand and by torch's trajectories.

torch: s_t = s_{t−1} + g_t², η_t = η / (1 + (t−1)·lr_decay), Δw = −η_t·g_t / (√s_t + ε).
"""

import math

import pytest

import optimizers

TORCH_REFERENCE = ("adagrad",)


def test_adagrad_by_hand(scripted_steps):
    steps = scripted_steps("adagrad", [1.0, 1.0, -2.0], learning_rate=0.5, lr_decay=0.1, initial_accumulator_value=1.0)
    sums = [2.0, 3.0, 7.0]
    expected = [
        -0.5 / (1 + t * 0.1) * g / (math.sqrt(s) + 1e-10) for t, (g, s) in enumerate(zip([1, 1, -2], sums, strict=True))
    ]
    assert [update for update, _ in steps] == pytest.approx(expected, rel=1e-14)


def test_adagrad_retraces_torch_optim_adagrad(torch_case):
    torch_case.assert_closed_loop()


def test_adagrad_fed_torchs_gradients_gives_torchs_weights(torch_case):
    torch_case.assert_replay()


def test_a_negative_decay_is_refused():
    with pytest.raises(ValueError, match=r"^adagrad: lr_decay must be >= 0, got -1.0$"):
        optimizers.get("adagrad", lr_decay=-1.0)

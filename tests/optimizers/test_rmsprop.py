"""RMSprop and centered RMSprop in torch.optim's form, pinned by hand and by torch's trajectories.

torch: v_t = α·v_{t−1} + (1−α)·g_t²; centered also ḡ_t = α·ḡ_{t−1} + (1−α)·g_t and divides by √(v_t − ḡ_t²);
Δw = −η·g_t / (√· + ε), no bias correction.
"""

import math

import pytest

import optimizers

TORCH_REFERENCE = ("rmsprop", "rmsprop-centered")


def test_rmsprop_by_hand(scripted_steps):
    updates = [update for update, _ in scripted_steps("rmsprop", [1.0, 1.0], learning_rate=0.01)]
    assert updates == pytest.approx([-0.01 / (math.sqrt(0.01) + 1e-8), -0.01 / (math.sqrt(0.0199) + 1e-8)])


def test_centered_rmsprop_divides_by_the_running_deviation(scripted_steps):
    updates = [update for update, _ in scripted_steps("rmsprop-centered", [1.0, 1.0], learning_rate=0.01)]
    second = -0.01 / (math.sqrt(0.0199 - 0.0199**2) + 1e-8)
    assert updates == pytest.approx([-0.01 / (math.sqrt(0.01 - 0.01**2) + 1e-8), second])


def test_rmsprop_retraces_torch_optim_rmsprop(torch_case):
    torch_case.assert_closed_loop()


def test_rmsprop_fed_torchs_gradients_gives_torchs_weights(torch_case):
    torch_case.assert_replay()


def test_a_zero_epsilon_is_refused():
    with pytest.raises(ValueError, match=r"^rmsprop: eps must be > 0, got 0.0$"):
        optimizers.get("rmsprop", eps=0.0)

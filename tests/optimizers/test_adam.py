"""Adam and AMSGrad in torch.optim's form, pinned by hand and by torch's trajectories (the random populations
are pinned against torch itself in test_torch.py).

torch: m_t = β₁m + (1−β₁)g, v_t = β₂v + (1−β₂)g², Δw = −η·(m_t/(1−β₁ᵗ)) / (√v_t/√(1−β₂ᵗ) + ε); AMSGrad
divides by the largest v seen so far instead of v_t.
"""

import math

import pytest

import optimizers

TORCH_REFERENCE = ("adam", "amsgrad")


def adam_update(m, v, t, eta=0.05, beta1=0.9, beta2=0.999, eps=1e-8):
    return -eta * (m / (1 - beta1**t)) / (math.sqrt(v) / math.sqrt(1 - beta2**t) + eps)


def test_adam_by_hand(scripted_steps):
    updates = [update for update, _ in scripted_steps("adam", [1.0, 0.0])]
    assert updates == pytest.approx([adam_update(0.1, 0.001, 1), adam_update(0.09, 0.000999, 2)], rel=1e-14)


def test_amsgrad_divides_by_the_largest_second_moment_seen(scripted_steps):
    updates = [update for update, _ in scripted_steps("amsgrad", [1.0, 0.0])]
    assert updates == pytest.approx([adam_update(0.1, 0.001, 1), adam_update(0.09, 0.001, 2)], rel=1e-14)


def test_adam_retraces_torch_optim_adam(torch_case):
    torch_case.assert_closed_loop()


def test_adam_fed_torchs_gradients_gives_torchs_weights(torch_case):
    torch_case.assert_replay()


def test_a_beta_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match=r"^adam: beta2 must be in \[0, 1\), got -0.1$"):
        optimizers.get("adam", beta2=-0.1)

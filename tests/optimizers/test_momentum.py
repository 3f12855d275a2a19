"""Heavy-ball and Nesterov momentum in torch.optim.SGD's form, pinned by hand and by torch's trajectories.

torch: b₁ = g₁, b_t = μ·b_{t−1} + g_t; heavy ball Δw = −η·b_t, Nesterov Δw = −η·(g_t + μ·b_t).
"""

import pytest

import optimizers

TORCH_REFERENCE = ("momentum", "nesterov")


def test_heavy_ball_by_hand(scripted_steps):
    updates = [update for update, _ in scripted_steps("momentum", [1.0, 1.0, -1.0], learning_rate=0.5, momentum=0.9)]
    assert updates == pytest.approx([-0.5, -0.5 * 1.9, -0.5 * (0.9 * 1.9 - 1)], rel=1e-15)


def test_nesterov_by_hand(scripted_steps):
    updates = [update for update, _ in scripted_steps("nesterov", [1.0, 1.0, -1.0], learning_rate=0.5, momentum=0.9)]
    buffers = [1.0, 1.9, 0.9 * 1.9 - 1]
    assert updates == pytest.approx([-0.5 * (g + 0.9 * b) for g, b in zip([1, 1, -1], buffers, strict=True)], rel=1e-15)


def test_momentum_retraces_torch_optim_sgd(torch_case):
    torch_case.assert_closed_loop()


def test_momentum_fed_torchs_gradients_gives_torchs_weights(torch_case):
    torch_case.assert_replay()


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_a_momentum_of_one_or_more_is_refused(name):
    with pytest.raises(ValueError, match=rf"^{name}: momentum must be in \[0, 1\), got 1.0$"):
        optimizers.get(name, momentum=1.0)

"""Adamax as torch computes it (ε inside the max), pinned by hand and by torch.optim.Adamax on a population of
layered networks."""

import pytest

import optimizers

LAYERED_REFERENCE = ("adamax",)


def test_adamax_by_hand(scripted_steps):
    updates = [update for update, _ in scripted_steps("adamax", [4.0, -1.0], learning_rate=0.1)]
    u1, u2 = 4.0 + 1e-8, max(0.999 * (4.0 + 1e-8), 1.0 + 1e-8)
    assert updates == pytest.approx([-0.1 / 0.1 * 0.4 / u1, -0.1 / (1 - 0.81) * (0.36 - 0.1) / u2], rel=1e-14)


def test_the_infinity_norm_is_kept_from_the_largest_gradient(scripted_steps):
    _, (_, state) = scripted_steps("adamax", [4.0, 0.5])
    assert state.infinity_norm[0] == pytest.approx(0.999 * (4.0 + 1e-8))


def test_the_defaults_are_torchs():
    assert optimizers.hyperparameters_of("adamax") == {"learning_rate": 2e-3, "beta1": 0.9, "beta2": 0.999,
                                                       "eps": 1e-8}  # fmt: skip


def test_adamax_retraces_torch_optim_adamax_on_layered_networks(layered_case):
    layered_case.assert_retraced()


def test_a_zero_epsilon_is_refused():
    with pytest.raises(ValueError, match=r"^adamax: eps must be > 0, got 0.0$"):
        optimizers.get("adamax", eps=0.0)

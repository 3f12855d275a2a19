"""Adadelta as torch computes it, pinned by hand and by torch.optim.Adadelta on a population of layered
networks."""

import math

import pytest

import optimizers

LAYERED_REFERENCE = ("adadelta",)


def test_adadelta_by_hand(scripted_steps):
    rho, eps = 0.9, 1e-6
    steps = scripted_steps("adadelta", [1.0, 1.0])
    v1 = 0.1
    delta1 = math.sqrt(eps) / math.sqrt(v1 + eps)
    u1, v2 = 0.1 * delta1**2, rho * v1 + 0.1
    delta2 = math.sqrt(u1 + eps) / math.sqrt(v2 + eps)
    assert [update for update, _ in steps] == pytest.approx([-delta1, -delta2], rel=1e-14)
    assert steps[1][1].delta_average[0] == pytest.approx(rho * u1 + 0.1 * delta2**2, rel=1e-14)


def test_the_defaults_are_torchs():
    assert optimizers.hyperparameters_of("adadelta") == {"learning_rate": 1.0, "rho": 0.9, "eps": 1e-6}


def test_adadelta_retraces_torch_optim_adadelta_on_layered_networks(layered_case):
    layered_case.assert_retraced()


def test_a_decay_of_one_is_refused():
    with pytest.raises(ValueError, match=r"^adadelta: rho must be in \[0, 1\), got 1.0$"):
        optimizers.get("adadelta", rho=1.0)

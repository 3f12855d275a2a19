"""RAdam as torch computes it: plain momentum steps until ρ_t > 5, rectified Adam steps after, pinned by hand
and by torch.optim.RAdam on a population of layered networks."""

import math

import pytest

import optimizers

LAYERED_REFERENCE = ("radam",)


def test_the_first_five_steps_are_momentum_steps_and_the_sixth_is_rectified(scripted_steps):
    eta, beta2 = 0.1, 0.999
    updates = [update for update, _ in scripted_steps("radam", [2.0] * 6, learning_rate=eta)]
    assert updates[:5] == pytest.approx([-eta * 2.0] * 5, rel=1e-12)  # m̂ = g for a constant g
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * 6 * beta2**6 / (1 - beta2**6)
    rectifier = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    v = 4.0 * (1 - beta2**6)
    assert updates[5] == pytest.approx(-eta * 2.0 * math.sqrt(1 - beta2**6) / (math.sqrt(v) + 1e-8) * rectifier)


def test_the_defaults_are_torchs():
    assert optimizers.hyperparameters_of("radam") == {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999,
                                                      "eps": 1e-8}  # fmt: skip


def test_radam_retraces_torch_optim_radam_on_layered_networks(layered_case):
    layered_case.assert_retraced()


def test_a_beta_of_one_is_refused():
    with pytest.raises(ValueError, match=r"^radam: beta2 must be in \[0, 1\), got 1.0$"):
        optimizers.get("radam", beta2=1.0)

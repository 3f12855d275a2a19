"""NAdam as torch computes it (Dozat's momentum schedule), pinned by hand and by torch.optim.NAdam on a
population of layered networks."""

import math

import pytest

import optimizers

LAYERED_REFERENCE = ("nadam",)


def mu(t, beta1=0.9, decay=4e-3):
    return beta1 * (1 - 0.5 * 0.96 ** (t * decay))


def test_nadam_by_hand(scripted_steps):
    steps = scripted_steps("nadam", [1.0, -0.5], learning_rate=0.1)
    eta, d1 = 0.1, math.sqrt(0.001 / 0.001) + 1e-8
    first = -eta * (1 - mu(1)) / (1 - mu(1)) * 1 / d1 - eta * mu(2) / (1 - mu(1) * mu(2)) * 0.1 / d1
    m2, v2 = 0.09 - 0.05, 0.000999 + 0.001 * 0.25
    d2 = math.sqrt(v2 / (1 - 0.999**2)) + 1e-8
    product = mu(1) * mu(2)
    second = -eta * (1 - mu(2)) / (1 - product) * -0.5 / d2 - eta * mu(3) / (1 - product * mu(3)) * m2 / d2
    assert [update for update, _ in steps] == pytest.approx([first, second], rel=1e-12)


def test_the_defaults_are_torchs():
    assert optimizers.hyperparameters_of("nadam") == {"learning_rate": 2e-3, "beta1": 0.9, "beta2": 0.999,
                                                      "eps": 1e-8, "momentum_decay": 4e-3}  # fmt: skip


def test_nadam_retraces_torch_optim_nadam_on_layered_networks(layered_case):
    layered_case.assert_retraced()


def test_a_negative_momentum_decay_is_refused():
    with pytest.raises(ValueError, match=r"^nadam: momentum_decay must be >= 0, got -1.0$"):
        optimizers.get("nadam", momentum_decay=-1.0)

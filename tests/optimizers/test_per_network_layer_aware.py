"""Muon, Adafactor and Prodigy with hyperparameters per network: a population steps as its networks would alone,
bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import network
import optimizers
from optimizers.layout import with_layout
from optimizers.learning_rate_schedules import LearningRateSchedule, Scheduled
from optimizers.per_network import PerNetwork

NET = network.Layered([4, 5, 3, 2])
SETTINGS = {
    "muon": [{"learning_rate": 0.02, "weight_decay": 0.1, "momentum": 0.9}, {"learning_rate": 0.005},
             {"learning_rate": 0.05, "adamw_learning_rate": 0.01, "adamw_beta1": 0.8, "adamw_weight_decay": 0.0}],
    "adafactor": [{"learning_rate": 0.02, "weight_decay": 0.1}, {"learning_rate": 0.3, "eps2": 1e-2, "d": 2.0},
                  {"learning_rate": 0.001}],
    "prodigy": [{"learning_rate": 1.0}, {"learning_rate": 0.5, "d_coef": 2.0, "weight_decay": 0.01},
                {"learning_rate": 2.0, "weight_decay": 0.1}],
}  # fmt: skip


def trained(optimizer, weights, steps=25, seed=0):
    rng = np.random.default_rng(seed)
    state = optimizer.init(weights)
    for _ in range(steps):
        weights, state = optimizer.step(weights, rng.normal(size=weights.shape), state)
    return weights


@pytest.mark.parametrize("name", SETTINGS)
def test_a_population_with_a_setting_per_network_equals_its_networks_trained_alone(name):
    settings = [optimizers.get(name, **setting) for setting in SETTINGS[name]]
    start = np.random.default_rng(1).normal(size=(len(settings), NET.size))
    together = trained(with_layout(PerNetwork(settings), NET), start)
    for row, setting in enumerate(settings):  # the same gradients: each row draws them in the population's order
        alone = trained(with_layout(PerNetwork([setting] * len(settings)), NET), start)
        np.testing.assert_array_equal(together[row], alone[row])
        np.testing.assert_array_equal(alone[row], trained(with_layout(setting, NET), start)[row])


@pytest.mark.parametrize("name", SETTINGS)
def test_under_a_schedule_each_network_keeps_its_own_rate(name):
    settings = [optimizers.get(name, **setting) for setting in SETTINGS[name]]
    start = np.random.default_rng(2).normal(size=(len(settings), NET.size))
    schedule = LearningRateSchedule("warmup-cosine", warmup=0.2)
    together = trained(with_layout(Scheduled(PerNetwork(settings), schedule, 25), NET), start)
    for row, setting in enumerate(settings):
        alone = trained(with_layout(Scheduled(setting, schedule, 25), NET), start)
        np.testing.assert_array_equal(together[row], alone[row])


def test_settings_that_must_be_shared_are_refused_in_one_line():
    with pytest.raises(ValueError, match=r"muon: networks of one population share 'ns_steps' \(only learning_rate"):
        PerNetwork([optimizers.get("muon"), optimizers.get("muon", ns_steps=3)])
    with pytest.raises(ValueError, match=r"share 'beta2_decay'"):
        PerNetwork([optimizers.get("adafactor"), optimizers.get("adafactor", beta2_decay=-0.5)])
    with pytest.raises(ValueError, match=r"share 'd0'"):
        PerNetwork([optimizers.get("prodigy"), optimizers.get("prodigy", d0=1e-5)])
    with pytest.raises(ValueError, match=r"an elementwise rule, Muon, Adafactor or Prodigy\), got object"):
        PerNetwork([object()] * 2)

"""Prodigy as prodigyopt 1.1.2 computes it, one estimate of d per network, pinned by hand and by prodigyopt's
runs on a population of 10-5-10 encoders (fixtures/make_prodigy_references.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

import network
import optimizers
from optimizers.prodigy import ProdigyState

FIXTURE = np.load(Path(__file__).resolve().parents[1] / "fixtures" / "prodigy_references.npz")
SETTINGS = json.loads(str(FIXTURE["settings"]))


def test_the_first_step_is_adams_at_d0_and_the_estimate_starts_from_zero_movement():
    weights, state = optimizers.get("prodigy").step(
        np.zeros(2), np.array([1.0, -2.0]), optimizers.get("prodigy").init(np.zeros(2))
    )
    # m = d0·0.1·g, v = d0²·0.001·g²: the step is −d0·η·0.1·g / (d0·√0.001·|g| + d0·ε)
    assert weights.tolist() == pytest.approx([-1e-6 * 0.1 / (0.001**0.5 + 1e-8), 1e-6 * 0.1 / (0.001**0.5 + 1e-8)])
    assert state.d == 1e-6 and state.d_numerator == 0.0  # ⟨g, x0 − w⟩ = 0 before any move


@pytest.mark.parametrize("key", list(SETTINGS))
def test_a_step_from_prodigyopts_state_lands_where_prodigyopt_did(key):
    """Bit for bit but for the order of the two sums (torch.dot and a tensor sum against numpy's pairwise
    sums): within 1e-13, relative."""
    prodigy, at = optimizers.get("prodigy", **SETTINGS[key]), lambda name: FIXTURE[f"{key}/checkpoints/{name}"]
    for i in range(len(at("d"))):
        state = ProdigyState(at("m")[i], at("v")[i], at("s")[i], at("x0")[i], at("d")[i], at("d_max")[i],
                             at("numerator")[i], at("k")[i])  # fmt: skip
        weights, _ = prodigy.step(at("weights")[i], at("grad")[i], state)
        np.testing.assert_allclose(weights, at("next")[i], rtol=1e-13, atol=0, err_msg=f"{key}, checkpoint {i}")


@pytest.mark.parametrize("key", list(SETTINGS))
def test_prodigy_retraces_prodigyopt_on_layered_networks(key):
    """200 steps in a closed loop: the sums' last-bit differences pass through d into every weight, which stays
    within 1e-10 of prodigyopt's (relative); the estimate d itself grew well past d0 = 1e-6."""
    prodigy, task, path = (
        optimizers.get("prodigy", **SETTINGS[key]),
        network.get_task("encoder-10-5-10"),
        FIXTURE[f"{key}/path"],
    )
    weights = FIXTURE["starts"]
    state = prodigy.init(weights)
    for step in range(1, 201):
        weights, state = prodigy.step(weights, task.loss_and_grad(weights)[1], state)
        if step % 10 == 0:
            np.testing.assert_allclose(weights, path[step // 10], rtol=1e-10, atol=0, err_msg=f"{key}, step {step}")
    assert (state.d > 50 * 1e-6).all()


def test_each_network_of_a_population_estimates_its_own_d_as_it_would_alone():
    rng = np.random.default_rng(0)
    weights, grads = rng.normal(size=(3, 7)), rng.normal(size=(40, 3, 7)) * [[1e-3], [1.0], [10.0]]
    prodigy = optimizers.get("prodigy", weight_decay=0.01)
    population, state = weights, prodigy.init(weights)
    for grad in grads:
        population, state = prodigy.step(population, grad, state)
    for n in range(3):
        alone, alone_state = weights[n], prodigy.init(weights[n])
        for grad in grads:
            alone, alone_state = prodigy.step(alone, grad[n], alone_state)
        np.testing.assert_array_equal(population[n], alone)
        assert state.d[n] == alone_state.d
    assert len(set(state.d.tolist())) == 3


def test_a_network_whose_gradient_was_always_zero_keeps_its_weights_and_its_d():
    prodigy = optimizers.get("prodigy")
    weights, state = prodigy.step(np.ones((2, 3)), np.array([[0.0] * 3, [1.0] * 3]), prodigy.init(np.ones((2, 3))))
    assert weights[0].tolist() == [1.0] * 3 and state.count.tolist() == [0, 1]


@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        ({"d0": 0.0}, "d0 must be > 0, got 0.0"),
        ({"beta3": 1.0}, r"beta3 must be in \[0, 1\), got 1.0"),
        ({"decouple": "yes"}, "decouple must be true or false, got 'yes'"),
    ],
)
def test_bad_hyperparameters_are_named_with_what_is_allowed(hyperparameters, message):
    with pytest.raises((ValueError, TypeError), match=f"^prodigy: {message}$"):
        optimizers.get("prodigy", **hyperparameters)

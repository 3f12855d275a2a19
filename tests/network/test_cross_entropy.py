"""Softmax with cross-entropy, and the matrix pass that trains held-out populations: against finite differences,
torch's autograd (committed fixture, ``fixtures/make_torch_cross_entropy.py``) and `network.Layered`."""

from pathlib import Path

import numpy as np
import pytest

from network import Layered, matrix_pass
from network.cross_entropy import log_softmax, softmax_cross_entropy
from network.gradient_check import central_differences
from network.validation import FlatSpot

FIXTURE = np.load(Path(__file__).resolve().parents[1] / "fixtures" / "torch_cross_entropy.npz")
TORCH_NETWORKS = {
    "4-5-3-tanh": Layered([4, 5, 3], activation="tanh"),
    "64-32-10-tanh": Layered([64, 32, 10], activation="tanh"),
    "3-4-4-2-sigmoid-shortcuts": Layered([3, 4, 4, 2], shortcuts=True),
}


def one_hot(labels, classes):
    return np.eye(classes)[labels]


def cross_entropy_of(net, params, inputs, labels):
    return matrix_pass.loss_and_grad(net, "cross-entropy", params, inputs, one_hot(labels, net.n_outputs))


def test_the_output_signal_is_the_softmax_minus_the_one_hot_target():
    x = np.array([[2.0, -1.0, 0.5]])
    error, delta = softmax_cross_entropy(x, np.array([[0.0, 0.0, 1.0]]))
    y = np.exp(x) / np.exp(x).sum()
    assert error == pytest.approx(-np.log(y[0, 2]), rel=1e-15)
    np.testing.assert_allclose(delta, y - [[0, 0, 1]], rtol=1e-15)


def test_huge_outputs_neither_overflow_nor_lose_the_error():
    error, delta = softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]]))
    assert error == 1000.0 and delta.tolist() == [[1.0, -1.0]]
    assert np.isfinite(log_softmax(np.array([-1e308, 1e308]))).tolist() == [False, True]  # e^(−2e308) is 0


@pytest.mark.parametrize("key", list(TORCH_NETWORKS))
def test_the_gradient_equals_torch_autograd(key):
    net = TORCH_NETWORKS[key]
    params, inputs, labels = (FIXTURE[f"{key}/{name}"] for name in ("params", "inputs", "labels"))
    error, grad = cross_entropy_of(net, params, inputs, labels)
    np.testing.assert_allclose(error, FIXTURE[f"{key}/error"], rtol=1e-13)
    scale = np.abs(FIXTURE[f"{key}/grad"]).max()
    assert np.abs(grad - FIXTURE[f"{key}/grad"]).max() <= 1e-13 * scale


@pytest.mark.parametrize("key", ["4-5-3-tanh", "3-4-4-2-sigmoid-shortcuts"])
def test_the_gradient_equals_central_differences(key):
    net = TORCH_NETWORKS[key]
    params, inputs, labels = (FIXTURE[f"{key}/{name}"] for name in ("params", "inputs", "labels"))
    targets = one_hot(labels, net.n_outputs)
    numerical = central_differences(
        lambda p: matrix_pass.errors(net, "cross-entropy", matrix_pass.output_sums(net, p, inputs), targets).sum(-1),
        params,
        1e-6,
    )
    np.testing.assert_allclose(cross_entropy_of(net, params, inputs, labels)[1], numerical, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "net",
    [
        Layered([2, 3, 1]),
        Layered([3, 4, 2], activation="tanh", output_activation="identity"),
        Layered([2, 5, 5, 1], activation="tanh", output_activation="sigmoid", shortcuts=True),
        Layered([1, 1, 1], bias=False),
    ],
    ids=lambda net: net.describe(),
)
@pytest.mark.parametrize("flat_spot", [FlatSpot(), FlatSpot(0.1, 0.1), FlatSpot(0.0, 0.1)])
def test_squared_error_by_matrix_products_equals_the_layered_network(net, flat_spot):
    rng = np.random.default_rng(4)
    params = rng.normal(size=(3, 5, net.size))
    inputs, targets = rng.normal(size=(6, net.n_inputs)), rng.uniform(0.05, 0.95, size=(6, net.n_outputs))
    error, grad = matrix_pass.loss_and_grad(net, "squared", params, inputs, targets, flat_spot)
    reference = net.loss_and_grad(params, inputs, targets, flat_spot)
    np.testing.assert_allclose(error, reference[0], rtol=1e-12)
    np.testing.assert_allclose(grad, reference[1], rtol=1e-11, atol=1e-14)
    per_sample = matrix_pass.errors(net, "squared", matrix_pass.output_sums(net, params, inputs), targets)
    np.testing.assert_allclose(per_sample.sum(-1), reference[0], rtol=1e-12)


def test_each_study_trains_on_its_own_batch_shared_by_its_trials():
    net = Layered([4, 3, 3], activation="tanh")
    rng = np.random.default_rng(7)
    params = rng.normal(size=(2, 5, net.size))  # (studies, trials, P)
    inputs, labels = rng.normal(size=(2, 1, 6, 4)), rng.integers(0, 3, size=(2, 1, 6))
    error, grad = cross_entropy_of(net, params, inputs, labels)
    for study in range(2):
        alone = cross_entropy_of(net, params[study], inputs[study, 0], labels[study, 0])
        np.testing.assert_allclose(error[study], alone[0], rtol=1e-13)
        np.testing.assert_allclose(grad[study], alone[1], rtol=1e-12, atol=1e-15)

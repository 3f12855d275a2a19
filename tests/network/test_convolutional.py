"""One-dimensional convolutional networks: the published CNN's shape, gradients against torch and finite
differences, a population computing what its networks compute alone, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from network import matrix_pass
from network.convolutional import PUBLISHED_CNN, Convolutional
from network.gradient_check import central_differences

SMALL = {"sizes": [11, 4, 3], "convolutions": [{"channels": 3, "kernel": 3, "stride": 2, "padding": 1},
                                               {"channels": 2, "kernel": 2}], "activation": "tanh"}  # fmt: skip


def test_the_published_cnn_has_the_papers_5210_parameters_and_lengths_19_10_5():
    cnn = Convolutional.from_dict(PUBLISHED_CNN)
    assert cnn.size == 5210 and cnn.lengths == (19, 10, 5)
    assert [(layer.units, layer.fan_in) for layer in cnn.layers] == [(25, 5), (25, 75), (25, 75), (10, 125)]
    assert Convolutional.from_dict(cnn.to_dict()) == cnn


@pytest.mark.parametrize("arguments", [PUBLISHED_CNN, SMALL], ids=["published", "small-tanh"])
@pytest.mark.parametrize("mean", [False, True])
def test_the_gradient_matches_torch_autograd(arguments, mean):
    torch = pytest.importorskip("torch", reason="the torch extra: pip install '.[test,torch]'")
    net = Convolutional.from_dict(arguments)
    rng = np.random.default_rng(4)
    params = rng.normal(scale=0.3, size=(2, 3, net.size))
    inputs, labels = rng.normal(size=(2, 1, 6, net.n_inputs)), rng.integers(0, net.n_outputs, size=6)
    error, grad = matrix_pass.loss_and_grad(net, "cross-entropy", params, inputs, np.eye(net.n_outputs)[labels],
                                            mean=mean)  # fmt: skip
    hidden = {"relu": torch.relu, "tanh": torch.tanh}[net.activation]
    for index in np.ndindex(params.shape[:-1]):
        at = torch.tensor(params[index], requires_grad=True)
        a = torch.tensor(inputs[index[0], 0])[:, None, :]  # (samples, 1 channel, L), torch's layout
        for layer, convolution in zip(net.layers, net.convolutions, strict=False):
            weight = at[layer.weights].reshape(convolution.channels, -1, convolution.kernel)
            a = hidden(torch.nn.functional.conv1d(a, weight, at[layer.biases], convolution.stride,
                                                  convolution.padding))  # fmt: skip
        a = a.reshape(len(labels), -1)
        for layer in net.layers[len(net.convolutions) :]:
            a = a @ at[layer.weights].reshape(layer.units, layer.fan_in).T + at[layer.biases]
            a = a if layer.index == len(net.layers) else hidden(a)
        loss = torch.nn.functional.cross_entropy(a, torch.tensor(labels), reduction="mean" if mean else "sum")
        loss.backward()
        assert error[index] == pytest.approx(loss.item(), rel=1e-13)
        np.testing.assert_allclose(grad[index], at.grad.numpy(), rtol=1e-11, atol=1e-13)


def test_the_gradient_matches_central_differences_under_squared_error():
    net = Convolutional.from_dict(SMALL | {"output_activation": "sigmoid"})
    rng = np.random.default_rng(5)
    params, inputs, targets = rng.normal(size=(2, net.size)), rng.normal(size=(5, 11)), rng.uniform(size=(5, 3))
    grad = matrix_pass.loss_and_grad(net, "squared", params, inputs, targets)[1]
    errors = lambda p: matrix_pass.errors(net, "squared", matrix_pass.output_sums(net, p, inputs), targets).sum(-1)  # noqa: E731
    np.testing.assert_allclose(grad, central_differences(errors, params, 1e-6), rtol=1e-6, atol=1e-8)


def test_a_network_in_a_population_computes_what_it_computes_alone():
    net = Convolutional.from_dict(SMALL)
    rng = np.random.default_rng(6)
    params, inputs = rng.normal(size=(3, 4, net.size)), rng.normal(size=(3, 1, 5, 11))
    targets = np.eye(3)[rng.integers(0, 3, size=5)]
    error, grad = matrix_pass.loss_and_grad(net, "cross-entropy", params, inputs, targets)
    alone = matrix_pass.loss_and_grad(net, "cross-entropy", params[2, 1], inputs[2, 0], targets)
    np.testing.assert_allclose(error[2, 1], alone[0], rtol=1e-14)
    np.testing.assert_allclose(grad[2, 1], alone[1], rtol=1e-12, atol=1e-15)  # BLAS may block a batch otherwise


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PUBLISHED_CNN | {"convolutions": []}, r"convolutions must list at least one layer"),
        (PUBLISHED_CNN | {"convolutions": [{"channels": 25, "kernel": 50}]}, r"convolution 1 leaves no output"),
        (PUBLISHED_CNN | {"convolutions": [{"channels": 0, "kernel": 5}]}, r"channels must be an integer >= 1, got 0"),
        (PUBLISHED_CNN | {"convolutions": [{"channels": 2, "kernel": 5, "dilation": 2}]}, r"unknown key 'dilation'"),
        (PUBLISHED_CNN | {"pooling": "max"}, r"unknown key 'pooling'"),
    ],
)
def test_a_network_that_cannot_be_gets_one_line(data, message):
    with pytest.raises(ValueError, match=message):
        Convolutional.from_dict(data)

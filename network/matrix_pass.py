"""A layered network's error and gradient by matrix products, for populations trained on real data.

The recursion is `network.layered`'s (forward x_l = W_l·a_l + b_l, backward
δ_k = f′_k ⊙ Σ_l W_lᵀδ_l, ∂E/∂W_l = Σ_samples δ_l·a_lᵀ); the output's error
signal δ_L is −(t − r)·f′ for squared error and y − t for a softmax with
cross-entropy (`network.cross_entropy`).  Here every sum over a layer's
inputs, over the signals coming back and over the samples is one matrix
product (BLAS), batched over any leading population axes.  That is 10-100x
faster than `network.Layered`'s index-order sums on hundreds of samples, and
the price is the last bits: a product's rounding depends on the BLAS build
and the machine, and tanh hidden units take numpy's (libm's) tanh and
f′ = 1/cosh²(x), accurate to a few ulps but not the shared exponential's
bits, so results of this pass agree with `network.Layered` to a stated
tolerance (the tests use 1e-12 relative), not bit for bit.

A `network.convolutional` network runs its own passes here (`network.convolutional.forward`,
``backward``), with the same output signal (`output_signal`).

Shapes: ``params`` (..., P); ``inputs`` (..., samples, n_in) and ``targets``
(..., samples, n_out), broadcast against the parameters' leading axes (a
study's networks share one mini-batch: inputs (studies, 1, B, n_in) with
params (studies, trials, P)).  E has shape (...) and is summed over the samples.

>>> from network.layered import Layered
>>> net = Layered([2, 3, 2], activation="tanh")
>>> params = np.random.default_rng(0).normal(size=(4, net.size))
>>> inputs, targets = [[0.0, 1.0], [1.0, -2.0]], [[0.2, 0.7], [0.9, 0.1]]
>>> E, grad = loss_and_grad(net, "squared", params, np.array(inputs), np.array(targets))
>>> reference = net.loss_and_grad(params, inputs, targets)
>>> bool(np.allclose(E, reference[0], rtol=1e-12) and np.allclose(grad, reference[1], rtol=1e-12))
True
"""

from __future__ import annotations

import numpy as np

from network import convolutional
from network.activations import get_activation
from network.convolutional import Convolutional
from network.cross_entropy import log_softmax, softmax_cross_entropy
from network.validation import EXACT, FlatSpot


def output_sums(net, params: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """x_L, the output units' pre-activations, (..., samples, n_out): what predictions and errors are read from."""
    with np.errstate(over="ignore", invalid="ignore"):
        if isinstance(net, Convolutional):
            return convolutional.forward(net, params, inputs)[0]
        return _forward(net, net._unpack(params), inputs, EXACT, None)[-1]


def errors(net, loss: str, x: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """E per network and sample, (..., samples), from the output pre-activations ``x`` (`output_sums`)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if loss == "cross-entropy":  # −Σ_k t_k·log y_k per sample: softmax_cross_entropy's E without its δ
            return -np.where(targets != 0, targets * log_softmax(x), 0.0).sum(axis=-1)
        residual = get_activation(net.output_activation).output_terms(x, targets)[2]
        return 0.5 * (residual**2).sum(axis=-1)


def loss_and_grad(net, loss: str, params: np.ndarray, inputs: np.ndarray, targets: np.ndarray,
                  flat_spot: FlatSpot = EXACT, mean: bool = False) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(E, ∂E/∂params) of networks ``params`` over the samples, with ``loss`` "squared" or "cross-entropy";
    ``mean``: over the samples' mean, E/S and δ_L/S (`network.layered`), instead of their sum."""
    with np.errstate(over="ignore", invalid="ignore"):
        if isinstance(net, Convolutional):  # its own layers' passes, the same output signal
            slopes: list = []
            x, fed = convolutional.forward(net, params, inputs, slopes)
            error, delta = output_signal(net, loss, x, targets, flat_spot, mean)
            return error, convolutional.backward(net, params, fed, slopes, delta)
        unpacked = net._unpack(params)
        slopes = [None]
        outputs = _forward(net, unpacked, inputs, flat_spot, slopes)
        error, delta = output_signal(net, loss, outputs[-1], targets, flat_spot, mean)
        lead = np.broadcast_shapes(params.shape[:-1], delta.shape[:-2])
        grad = np.empty((*lead, net.size))
        signals: dict[int, np.ndarray] = {}
        for layer, (W, _) in zip(reversed(net.layers), reversed(unpacked), strict=True):
            if layer.index < len(net.layers):
                skipped = signals.pop(layer.index)  # g_l, what a residual layer passes around its weights
                delta = skipped * slopes[layer.index]
            a = net._layer_input(outputs, layer)
            grad_W = np.swapaxes(delta, -1, -2) @ a  # Σ_s δ_o·a_k
            grad[..., layer.weights] = np.broadcast_to(grad_W, (*lead, *grad_W.shape[-2:])).reshape(*lead, -1)
            if layer.biases:
                grad[..., layer.biases] = delta.sum(axis=-2)
            column = 0
            for k in layer.sources:  # Σ_o δ_o·W_ok to every hidden layer k this layer reads
                width = net.sizes[k]
                if k > 0:
                    back = delta @ W[..., :, column : column + width]
                    signals[k] = back if k not in signals else signals[k] + back
                column += width
            if layer.index in net.residual and layer.index > 1:
                signals[layer.index - 1] = signals[layer.index - 1] + skipped
        return error, grad


def output_signal(net, loss: str, x: np.ndarray, targets: np.ndarray, flat_spot: FlatSpot = EXACT,
                  mean: bool = False) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(E, δ_L) from the output sums ``x``: y − t under cross-entropy, −(t − r)·f′ under squared error; over the
    samples' mean with ``mean``."""
    if loss == "cross-entropy":
        error, delta = softmax_cross_entropy(x, targets)
    else:
        _, slope, residual = get_activation(net.output_activation).output_terms(x, targets, flat_spot.output)
        error, delta = 0.5 * (residual**2).sum(axis=(-2, -1)), -residual * slope
    if mean:
        samples = x.shape[-2]
        error, delta = error / samples, delta / samples
    return error, delta


def _forward(net, unpacked, inputs, flat_spot: FlatSpot, slopes: list | None) -> list[np.ndarray]:
    """Outputs r_0 … r_{L−1} and x_L (the output's pre-activation); each hidden layer's f′ + c into ``slopes``."""
    outputs = [inputs]
    for layer, (W, b) in zip(net.layers, unpacked, strict=True):
        x = net._layer_input(outputs, layer) @ np.swapaxes(W, -1, -2)  # a new array: the steps below write into it
        if b is not None:
            x += b[..., None, :]
        if layer.index == len(net.layers):
            outputs.append(x)
        elif net.activation == "tanh":  # libm's tanh and 1/cosh²: 10x faster than the shared exponential's
            outputs.append(np.tanh(x))
            if slopes is not None:  # in x's place (pow's slow path is most of this layer's time: 1/(c·c) would be 6x
                slope = np.power(np.cosh(x, out=x), -2.0, out=x)  # faster, but changes the real run's last bits)
                if flat_spot.hidden:
                    slope += flat_spot.hidden
                slopes.append(slope)
        elif net.activation == "relu":  # in x's place, after its slope
            if slopes is not None:
                slopes.append((x > 0).astype(np.float64))
            outputs.append(get_activation("relu").value(x, out=x))
        elif slopes is None:
            outputs.append(get_activation(net.activation).value(x))
        else:
            r, slope = get_activation(net.activation).value_and_slope(x, flat_spot.hidden)
            outputs.append(r)
            slopes.append(slope)
        if layer.index in net.residual:
            outputs[-1] = outputs[-2] + outputs[-1]
    return outputs

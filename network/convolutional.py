"""One-dimensional convolutional networks (MNIST-1D's published CNN): convolutions, then dense layers, batched.

The input is a signal of L points in one channel.  A convolution layer with
C_out channels, kernel k, stride s and zero padding p turns C_in channels of
length L into C_out channels of length L_out = ⌊(L + 2p − k)/s⌋ + 1:

    x[o, l] = b_o + Σ_c Σ_j W[o, c, j] · a_pad[c, l·s + j],     r = f(x)

(torch.nn.Conv1d's cross-correlation and its weight layout (out, in, k)).
After the last convolution the channels are flattened as torch's
``view(N, -1)`` flattens them, channel by channel (index c·L + l), and dense
layers (`network.layered`'s x = W·a + b) lead to the outputs.  Backward, a
convolution is a dense layer on the input's windows ("patches": for every
output position, the C_in·k values it reads), so

    ∂E/∂W[o, (c, j)] = Σ_samples Σ_l δ[o, l] · a_pad[c, l·s + j],   ∂E/∂b_o = Σ δ[o, l]
    ∂E/∂a_pad[c, l·s + j] += Σ_o δ[o, l] · W[o, c, j]             (every window adds to what it read)

and δ of the layer below is that sum times f′, as in any layered network.
Every product is one matrix product per network (BLAS), batched over the
population's leading axes, so results agree with torch's autograd to
rounding (the tests hold them to 1e-12), not bit for bit.

Parameters: one float64 vector per network, layer by layer, each layer's
weights (row-major, torch's (out, in, k) for a convolution, (out, in) for a
dense layer) then its biases, so weights copy between optarena and torch
without a transpose.  ``layers`` describes each layer as `network.layered`
does (units = output channels, fan_in = C_in·k), which gives the initial
weights (torch's ±1/√fan_in) and the weight matrices Muon and Adafactor see.

Source: LeCun et al., "Backpropagation applied to handwritten zip code
recognition" (1989); Greydanus & Kobak, "Scaling down deep learning with
MNIST-1D" (2024), ``models.py``'s ``ConvBase`` (three Conv1d layers of 25
channels, kernels 5, 3, 3, stride 2, padding 1, and a linear head: 5210
parameters).

>>> cnn = Convolutional.from_dict(PUBLISHED_CNN)
>>> cnn.size, cnn.describe()
(5210, '40 → conv 25×5/2 → conv 25×3/2 → conv 25×3/2 → 10, relu units, 5210 parameters')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from network.activations import ACTIVATIONS, get_activation
from network.layered import LayerShape

CONVOLUTION_KEYS = ("channels", "kernel", "stride", "padding")
PUBLISHED_CNN = {  # MNIST-1D's ConvBase
    "sizes": [40, 10],
    "convolutions": [{"channels": 25, "kernel": 5, "stride": 2, "padding": 1},
                     {"channels": 25, "kernel": 3, "stride": 2, "padding": 1},
                     {"channels": 25, "kernel": 3, "stride": 2, "padding": 1}],
    "activation": "relu", "output_activation": "identity",
}  # fmt: skip


@dataclass(frozen=True)
class Convolution:
    """One Conv1d layer: output channels, kernel size, stride, zero padding on both ends."""

    channels: int
    kernel: int
    stride: int = 1
    padding: int = 0

    def __post_init__(self):
        for name, least in (("channels", 1), ("kernel", 1), ("stride", 1), ("padding", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
                raise ValueError(f"a convolution's {name} must be an integer >= {least}, got {value!r}")

    def length_after(self, length: int) -> int:
        return (length + 2 * self.padding - self.kernel) // self.stride + 1

    def label(self) -> str:
        return f"conv {self.channels}×{self.kernel}" + (f"/{self.stride}" if self.stride > 1 else "")


@dataclass(frozen=True)
class Convolutional:
    """Convolutions on a one-channel signal of ``sizes[0]`` points, then dense layers of ``sizes[1:]`` units.

    Args:
        sizes: the input's length, then the units of each dense layer, the outputs last: [40, 10] for MNIST-1D's CNN.
        convolutions: the convolution layers in order, each {channels, kernel, stride, padding}.
        activation: the hidden units' (every convolution's and every dense layer's but the last).
        output_activation: the outputs' (used by squared error; cross-entropy takes the sums).
    """

    sizes: tuple[int, ...]
    convolutions: tuple[Convolution, ...]
    activation: str = "relu"
    output_activation: str = "identity"
    layers: tuple[LayerShape, ...] = field(init=False, repr=False, compare=False)
    lengths: tuple[int, ...] = field(init=False, repr=False, compare=False)  # the signal's length after each
    size: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        sizes = self.sizes
        if (
            not isinstance(sizes, (list, tuple))
            or len(sizes) < 2
            or not all(not isinstance(n, bool) and isinstance(n, (int, np.integer)) and n >= 1 for n in sizes)
        ):
            raise ValueError(
                f"sizes must list the input's length and at least the outputs, integers >= 1, got {sizes!r}"
            )
        convolutions = tuple(c if isinstance(c, Convolution) else Convolution(**c) for c in self.convolutions)
        if not convolutions:
            raise ValueError("convolutions must list at least one layer (a network without any is a Layered one)")
        get_activation(self.activation)
        get_activation(self.output_activation)
        object.__setattr__(self, "sizes", tuple(int(n) for n in sizes))
        object.__setattr__(self, "convolutions", convolutions)
        layers, lengths, offset, channels, length = [], [], 0, 1, self.sizes[0]
        for index, convolution in enumerate(convolutions, start=1):
            length = convolution.length_after(length)
            if length < 1:
                raise ValueError(f"convolution {index} leaves no output: its kernel is longer than its padded input")
            layer = _shape(index, convolution.channels, channels * convolution.kernel, offset)
            layers.append(layer)
            lengths.append(length)
            offset, channels = layer.biases.stop, convolution.channels
        fan_in = channels * length
        for index, units in enumerate(self.sizes[1:], start=len(convolutions) + 1):
            layers.append(_shape(index, units, fan_in, offset))
            offset, fan_in = layers[-1].biases.stop, units
        object.__setattr__(self, "layers", tuple(layers))
        object.__setattr__(self, "lengths", tuple(lengths))
        object.__setattr__(self, "size", offset)

    n_inputs = property(lambda self: self.sizes[0])
    n_outputs = property(lambda self: self.sizes[-1])
    output_range = property(lambda self: (ACTIVATIONS[self.output_activation].low,
                                          ACTIVATIONS[self.output_activation].high))  # fmt: skip

    def describe(self) -> str:
        steps = [str(self.sizes[0]), *(c.label() for c in self.convolutions), *map(str, self.sizes[1:])]
        return f"{' → '.join(steps)}, {self.activation} units, {self.size} parameters"

    def to_dict(self) -> dict:
        return {
            "sizes": list(self.sizes),
            "convolutions": [{key: getattr(c, key) for key in CONVOLUTION_KEYS} for c in self.convolutions],
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    @classmethod
    def from_dict(cls, data, where: str = "network") -> Convolutional:
        allowed = ("sizes", "convolutions", "activation", "output_activation")
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise ValueError(f"{where} has an unknown key {unknown[0]!r}; a convolutional network allows "
                             f"{', '.join(allowed)}")  # fmt: skip
        entries = data.get("convolutions")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ValueError(f"{where}.convolutions must list tables such as {{ channels = 25, kernel = 5 }}")
        for entry in entries:
            extra = sorted(set(entry) - set(CONVOLUTION_KEYS))
            if extra:
                raise ValueError(
                    f"{where}.convolutions: unknown key {extra[0]!r}; allowed: {', '.join(CONVOLUTION_KEYS)}"
                )
        try:
            return cls(data.get("sizes"), tuple(Convolution(**e) for e in entries),
                       data.get("activation", "relu"), data.get("output_activation", "identity"))  # fmt: skip
        except (TypeError, ValueError) as problem:
            raise ValueError(f"{where}: {problem}") from None

    def unpack(self, params: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per layer, (W of shape (..., units, fan_in), b of shape (..., units)) as views into ``params``."""
        lead = params.shape[:-1]
        return [(params[..., s.weights].reshape(*lead, s.units, s.fan_in), params[..., s.biases]) for s in self.layers]


def _shape(index: int, units: int, fan_in: int, offset: int) -> LayerShape:
    weights = slice(offset, offset + units * fan_in)
    return LayerShape(index, units, (index - 1,), fan_in, weights, slice(weights.stop, weights.stop + units))


def forward(net: Convolutional, params: np.ndarray, inputs: np.ndarray, slopes: list | None = None):
    """(x_L, the outputs' sums (..., samples, n_out); what the backward pass needs: each layer's input — the
    patches of a convolution, the activations of a dense layer), with each hidden layer's f′ into ``slopes``."""
    fed = []
    a = inputs[..., None]  # (..., samples, L, 1 channel): channels last, one matrix product per layer
    hidden = get_activation(net.activation)
    for layer, (W, b) in zip(net.layers, net.unpack(params), strict=True):
        convolution = layer.index <= len(net.convolutions)
        if convolution:
            a = patches(a, net.convolutions[layer.index - 1])  # (..., samples, L_out, C_in·k)
        elif layer.index == len(net.convolutions) + 1:
            a = np.swapaxes(a, -1, -2).reshape(*a.shape[:-2], -1)  # torch's flattening: channel by channel
        fed.append(a)
        x = _product(a, np.swapaxes(W, -1, -2), convolution) + (
            b[..., None, None, :] if convolution else b[..., None, :]
        )
        if layer.index == len(net.layers):
            return x, fed
        if slopes is None:
            a = hidden.value(x)
        else:
            a, slope = hidden.value_and_slope(x)
            slopes.append(slope)
    raise AssertionError("unreachable: the last layer returns")


def _product(a: np.ndarray, matrix: np.ndarray, convolution: bool) -> np.ndarray:
    """a @ matrix per network; a convolution's (..., samples, L, ·) as one (samples·L)-row product."""
    if not convolution:
        return a @ matrix
    rows = a.reshape(*a.shape[:-3], a.shape[-3] * a.shape[-2], a.shape[-1])
    return (rows @ matrix).reshape(*np.broadcast_shapes(a.shape[:-3], matrix.shape[:-2]), *a.shape[-3:-1], -1)


def patches(a: np.ndarray, convolution: Convolution) -> np.ndarray:
    """The windows a convolution reads, (..., L_out, C·k), from ``a`` (..., L, C) padded with zeros."""
    p, k, s = convolution.padding, convolution.kernel, convolution.stride
    padded = np.pad(a, [(0, 0)] * (a.ndim - 2) + [(p, p), (0, 0)]) if p else a
    windows = sliding_window_view(padded, k, axis=-2)[..., ::s, :, :]  # (..., L_out, C, k)
    return windows.reshape(*windows.shape[:-2], -1)


def gather_back(signal: np.ndarray, convolution: Convolution, length: int) -> np.ndarray:
    """∂E/∂a (..., L, C) from ∂E/∂patches (..., L_out, C·k): each window adds what it read (padding dropped)."""
    p, k, s = convolution.padding, convolution.kernel, convolution.stride
    windows = signal.reshape(*signal.shape[:-1], -1, k)  # (..., L_out, C, k)
    positions = windows.shape[-3]
    padded = np.zeros((*signal.shape[:-2], length + 2 * p, windows.shape[-2]))
    for j in range(k):  # a loop over the kernel's offsets, 3 to 5 of them
        padded[..., j : j + s * (positions - 1) + 1 : s, :] += windows[..., j]
    return padded[..., p : p + length, :]


def backward(net: Convolutional, params: np.ndarray, fed: list, slopes: list, delta: np.ndarray) -> np.ndarray:
    """∂E/∂params from the output's signal δ_L (..., samples, n_out) and what `forward` kept."""
    lead = np.broadcast_shapes(params.shape[:-1], delta.shape[:-2])
    grad = np.empty((*lead, net.size))
    for layer, (W, _), a in zip(reversed(net.layers), reversed(net.unpack(params)), reversed(fed), strict=True):
        convolution = layer.index <= len(net.convolutions)
        rows, read = (_rows(delta), _rows(a)) if convolution else (delta, a)
        grad_W = np.swapaxes(rows, -1, -2) @ read  # Σ over samples (and positions) of δ·aᵀ
        grad[..., layer.weights] = np.broadcast_to(grad_W, (*lead, layer.units, layer.fan_in)).reshape(*lead, -1)
        grad[..., layer.biases] = rows.sum(axis=-2)
        if layer.index == 1:
            return grad
        back = _product(delta, W, convolution)  # ∂E/∂(what the layer read)
        if convolution:
            back = gather_back(back, net.convolutions[layer.index - 1], net.lengths[layer.index - 2])
        elif layer.index == len(net.convolutions) + 1:  # undo the flattening: (..., C·L) → (..., L, C)
            back = np.swapaxes(back.reshape(*back.shape[:-1], net.convolutions[-1].channels, net.lengths[-1]), -1, -2)
        delta = back * slopes[layer.index - 2]
    raise AssertionError("unreachable: layer 1 returns")


def _rows(values: np.ndarray) -> np.ndarray:
    """A convolution's (..., samples, L, ·) as (..., samples·L, ·)."""
    return values.reshape(*values.shape[:-3], values.shape[-3] * values.shape[-2], values.shape[-1])

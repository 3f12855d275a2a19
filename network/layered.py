"""Layered networks of any shape (the seed article's promised Part III): one backpropagation for every depth.

Layer 0 is the input i; layers l = 1 … L have n_l units each, r_l their
outputs.  Layer l reads a_l, the outputs of the layers that feed it: r_{l−1}
alone, or with ``shortcuts`` every earlier layer [r_0, r_1, …, r_{l−1}], in
that order (the two-spirals networks of Lang & Witbrock 1988).

    forward    x_l = W_l·a_l + b_l,     r_l = f_l(x_l)                      l = 1 … L
    error      E   = Σ_samples Σ_outputs (t − r_L)² / 2
    output     δ_L = −(t − r_L) ⊙ f′_L(x_L)
    backward   δ_k = f′_k(x_k) ⊙ Σ_{l fed by k} W_l[:, k]ᵀ·δ_l                 k = L−1 … 1
    gradient   ∂E/∂W_l = Σ_samples δ_l·a_lᵀ,     ∂E/∂b_l = Σ_samples δ_l

A ``residual`` hidden layer adds the layer it reads to its own outputs,
r_l = r_{l−1} + f_l(x_l) (He et al. 2016; the MNIST-1D MLP has one around its
second layer).  Its signal g_l = ∂E/∂r_l then reaches r_{l−1} twice, through
the weights and around them:

    δ_l = g_l ⊙ f′_l(x_l),      g_{l−1} = W_lᵀ·δ_l + g_l

With ``mean = True`` E is the mean over the samples, E/S, and the output's
signal is δ_L/S, as torch's ``reduction="mean"`` (so published learning rates
carry over unchanged); the default sums, as the article does.

δ_l = ∂E/∂x_l is the error signal of layer l's units: it is carried back
through the transposed weights and the derivatives of the activations, and
every weight's derivative is the signal at its head times the output at its
tail.  Part II is the special case ``Layered([1, 1, 1], bias=False)``, the
seed article's network, whose two weights are (w_h, w_o) = (W_1, W_2):

    δ_o = −(t − r_o)·r_o(1 − r_o)              ∂E/∂w_o = δ_o·r_h
    δ_h = δ_o·w_o·r_h(1 − r_h)                 ∂E/∂w_h = δ_h·i

which multiply out to the article's eqs. 1.x and 2.x:
∂E/∂w_o = −(t − r_o)·r_o(1 − r_o)·r_h and ∂E/∂w_h = −(t − r_o)·r_o(1 − r_o)·w_o·r_h(1 − r_h)·i.

Parameters: each network is one float64 vector, a population an array of
shape (..., P) with P = ``net.size``.  The layout is layer by layer: W_l
row-major (n_l rows of fan-in columns), then b_l.  W_l has torch.nn.Linear's
orientation (out_features, in_features), x_l = a_l·W_lᵀ + b_l, so weights
copy between optarena and torch without a transpose.

Source: Rumelhart, Hinton & Williams, "Learning representations by
back-propagating errors", Nature 323 (1986); Mitchell, *Machine Learning*
(1997), §4.5; Lang & Witbrock, "Learning to tell two spirals apart" (1988).

Numerics, as in the 1-1-1 code: f′ is taken from the pre-activation, the
residual t − r from the distance to the output's asymptote
(`network.activations`), and no numpy warning escapes on overflow.  Every sum
runs in index order (`network.ordered_sum`): over a unit's inputs (then + b),
over the units a signal comes back from, over the outputs, over the samples.
So E and ∂E/∂W depend on the numbers alone, not on the population around a
network.  δ_k is formed as Σ_o δ_o·(W_ok·f′_k), the article's grouping
δ_o·(w_o·r_h(1 − r_h))·i, and the article's network reproduces the closed form
of `network.one_one_one` to the last bit; a network with residual layers forms
g_k = Σ_o δ_o·W_ok first and δ_k = g_k·f′_k after (g_k is what skips).

>>> net = Layered([2, 2, 1])
>>> net.size, net.parameter_names()[:3]
(9, ['W1[0,0]', 'W1[0,1]', 'W1[1,0]'])
>>> E, grad = net.loss_and_grad(np.zeros(9), [[0, 0], [1, 1]], [[0], [1]])
>>> float(E), grad.shape
(0.25, (9,))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from network.activations import ACTIVATIONS, get_activation
from network.gradient_check import GradientCheck, central_differences, compare_gradients
from network.ordered_sum import ordered_sum
from network.validation import EXACT, as_parameters, as_sample_matrix, checked_flat_spot


@dataclass(frozen=True)
class LayerShape:
    """Where layer l's weights sit in the parameter vector, and which layers feed it."""

    index: int  # l = 1 … L
    units: int  # n_l
    sources: tuple[int, ...]  # the layers it reads, in column order (0 is the input)
    fan_in: int
    weights: slice  # W_l, row-major (units × fan_in), in the parameter vector
    biases: slice | None  # b_l, or None without biases


@dataclass(frozen=True)
class Layered:
    """A fully connected feed-forward network; ``sizes`` lists the units per layer, inputs first.

    Args:
        sizes: units per layer, e.g. [2, 2, 1] for XOR or [10, 5, 10] for an encoder.
        bias: every unit gets a bias (its last parameters in the layer's block).
        activation: the hidden units' activation, "sigmoid" (the article's), "tanh", "relu" or "identity".
        output_activation: the output units' activation (default: ``activation``).
        shortcuts: every layer also reads every earlier layer, the input included.
        residual: the hidden layers l whose outputs add the layer they read, r_l = r_{l−1} + f(x_l) (n_l = n_{l−1}).
    """

    sizes: tuple[int, ...]
    bias: bool = True
    activation: str = "sigmoid"
    output_activation: str | None = None
    shortcuts: bool = False
    residual: tuple[int, ...] = ()
    layers: tuple[LayerShape, ...] = field(init=False, repr=False, compare=False)
    size: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        sizes = self.sizes
        if not isinstance(sizes, (list, tuple)) or len(sizes) < 2 or not all(_is_count(n) for n in sizes):
            raise ValueError(
                f"sizes must list at least 2 integers >= 1 (inputs, hidden layers, outputs), got {sizes!r}"
            )
        for name in ("bias", "shortcuts"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")
        get_activation(self.activation)
        output_activation = self.activation if self.output_activation is None else self.output_activation
        get_activation(output_activation)
        object.__setattr__(self, "sizes", tuple(int(n) for n in sizes))
        object.__setattr__(self, "output_activation", output_activation)
        object.__setattr__(self, "residual", self._checked_residual())
        layers, offset = [], 0
        for index in range(1, len(self.sizes)):
            sources = tuple(range(index)) if self.shortcuts else (index - 1,)
            units, fan_in = self.sizes[index], sum(self.sizes[k] for k in sources)
            weights = slice(offset, offset + units * fan_in)
            biases = slice(weights.stop, weights.stop + units) if self.bias else None
            offset = biases.stop if biases else weights.stop
            layers.append(LayerShape(index, units, sources, fan_in, weights, biases))
        object.__setattr__(self, "layers", tuple(layers))
        object.__setattr__(self, "size", offset)

    def _checked_residual(self) -> tuple[int, ...]:
        residual = self.residual
        if not isinstance(residual, (list, tuple)) or not all(_is_count(layer) for layer in residual):
            raise ValueError(f"residual must list hidden layers 1 … {len(self.sizes) - 2}, got {residual!r}")
        for layer in residual:
            if layer >= len(self.sizes) - 1:
                raise ValueError(
                    f"residual layer {layer} is not a hidden layer of {'-'.join(map(str, self.sizes))} (hidden: 1 … "
                    f"{len(self.sizes) - 2})"
                )
            if self.sizes[layer] != self.sizes[layer - 1]:
                raise ValueError(
                    f"residual layer {layer} has {self.sizes[layer]} units and reads {self.sizes[layer - 1]}: a "
                    "residual layer adds what it reads to its outputs, so the two must have as many units"
                )
        if residual and self.shortcuts:
            raise ValueError("a network has either shortcuts or residual layers, not both")
        return tuple(sorted(set(int(layer) for layer in residual)))

    @property
    def n_inputs(self) -> int:
        return self.sizes[0]

    @property
    def n_outputs(self) -> int:
        return self.sizes[-1]

    @property
    def output_range(self) -> tuple[float, float]:
        """The range of the output activation, where targets must lie."""
        activation = ACTIVATIONS[self.output_activation]
        return activation.low, activation.high

    @property
    def is_article(self) -> bool:
        """Whether this is the seed article's 1-1-1 network (two weights (w_h, w_o), no biases, sigmoids).

        >>> Layered([1, 1, 1], bias=False).is_article
        True
        """
        return self == ARTICLE_NETWORK

    def describe(self) -> str:
        """A short description for listings.

        >>> Layered([2, 5, 5, 5, 1], activation="tanh", output_activation="sigmoid", shortcuts=True).describe()
        '2-5-5-5-1, tanh hidden units, sigmoid outputs, biases, shortcuts, 138 parameters'
        """
        if len(self.sizes) == 2 or self.activation == self.output_activation:
            units = f"{self.output_activation} units"
        else:
            units = f"{self.activation} hidden units, {self.output_activation} outputs"
        parts = ["-".join(map(str, self.sizes)), units, "biases" if self.bias else "no biases"]
        parts += ["shortcuts"] if self.shortcuts else []
        parts += [f"residual layer{'s' * (len(self.residual) > 1)} {', '.join(map(str, self.residual))}"] * bool(
            self.residual
        )
        return ", ".join(parts) + f", {self.size} parameters"

    def to_dict(self) -> dict:
        """The constructor's arguments, JSON-ready; ``Layered(**net.to_dict()) == net``."""
        return {
            "sizes": list(self.sizes),
            "bias": self.bias,
            "activation": self.activation,
            "output_activation": self.output_activation,
            "shortcuts": self.shortcuts,
        } | ({"residual": list(self.residual)} if self.residual else {})

    @classmethod
    def from_dict(cls, data, where: str = "network") -> Layered:
        """A network from a spec's table, with a one-line error for a missing or unknown key."""
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a table such as {{ sizes = [2, 2, 1] }}, got {data!r}")
        allowed = ("sizes", "bias", "activation", "output_activation", "shortcuts", "residual")
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise ValueError(f"{where} has an unknown key {unknown[0]!r}; allowed: {', '.join(allowed)}")
        if "sizes" not in data:
            raise ValueError(f"{where} is missing the key 'sizes' (units per layer, inputs first)")
        try:
            return cls(**data)
        except ValueError as problem:
            raise ValueError(f"{where}: {problem}") from None

    def parameter_names(self) -> list[str]:
        """A readable name for every parameter, in layout order: W1[unit,input], …, b1[unit], …

        >>> Layered([1, 1, 1], bias=False).parameter_names()
        ['W1[0,0]', 'W2[0,0]']
        """
        names = []
        for layer in self.layers:
            names += [f"W{layer.index}[{o},{i}]" for o in range(layer.units) for i in range(layer.fan_in)]
            names += [f"b{layer.index}[{o}]" for o in range(layer.units)] if self.bias else []
        return names

    def unpack(self, params) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Per layer, views (W of shape (..., n_l, fan_in), b of shape (..., n_l) or None) into ``params``.

        >>> W, b = Layered([2, 1]).unpack(np.arange(3.0))[0]
        >>> W.tolist(), b.tolist()
        ([[0.0, 1.0]], [2.0])
        """
        params = as_parameters(params, self.size, self._label)
        return self._unpack(params)

    def pack(self, layers) -> np.ndarray:
        """The parameter vectors of per-layer (W, b) pairs: the inverse of `unpack`.

        >>> net = Layered([2, 1])
        >>> net.pack(net.unpack([0.5, -1.0, 2.0])).tolist()
        [0.5, -1.0, 2.0]
        """
        layers = list(layers)
        if len(layers) != len(self.layers):
            raise ValueError(f"{self._label} has {len(self.layers)} layers, got {len(layers)} (W, b) pairs")
        blocks = []
        for shape, (W, b) in zip(self.layers, layers, strict=True):
            W = np.asarray(W, dtype=np.float64)
            if W.ndim < 2 or W.shape[-2:] != (shape.units, shape.fan_in):
                raise ValueError(f"W{shape.index} must have shape (..., {shape.units}, {shape.fan_in}), got {W.shape}")
            blocks.append(W.reshape(*W.shape[:-2], shape.units * shape.fan_in))
            if self.bias:
                b = np.asarray(b, dtype=np.float64)
                if b.shape[-1:] != (shape.units,):
                    raise ValueError(f"b{shape.index} must have shape (..., {shape.units}), got {b.shape}")
                blocks.append(b)
            elif b is not None:
                raise ValueError(f"{self._label} has no biases, got b{shape.index}")
        lead = np.broadcast_shapes(*(block.shape[:-1] for block in blocks))
        return np.concatenate([np.broadcast_to(block, (*lead, block.shape[-1])) for block in blocks], axis=-1)

    def forward(self, params, inputs) -> np.ndarray:
        """The network outputs r_L, of shape ``params.shape[:-1] + (samples, n_outputs)``.

        >>> Layered([1, 1, 1], bias=False).forward([0.0, 2.0], [[1.0]]).round(4).tolist()
        [[0.7311]]
        """
        params, inputs = self.checked_inputs(params, inputs)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._forward(self._unpack(params), inputs)[-1]

    def error(self, params, inputs, targets, mean: bool = False) -> np.ndarray:
        """E = Σ_samples Σ_outputs (t − r)²/2 (over S with ``mean``), of shape ``params.shape[:-1]``."""
        return self.error_of_checked(*self.checked(params, inputs, targets), mean=mean)

    def loss_and_grad(
        self, params, inputs, targets, flat_spot=0.0, mean: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """(E, ∂E/∂params) from one forward and one backward pass; the gradient has the parameters' shape.

        ``flat_spot`` = c > 0 uses f′ + c at every sigmoid and tanh unit in the
        gradient (Fahlman's flat-spot elimination); a pair (hidden, output)
        gives the hidden and the output units their own (`network.FlatSpot`).
        E stays exact.  ``mean``: E and its gradient over the samples' mean instead of their sum.
        """
        checked = self.checked(params, inputs, targets)
        return self.loss_and_grad_of_checked(*checked, checked_flat_spot(flat_spot), mean=mean)

    def check_gradient(
        self, params, inputs, targets, step: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8
    ) -> GradientCheck:
        """`loss_and_grad` against central differences of `error`, per network of a population.

        >>> net = Layered([2, 3, 2], activation="tanh")
        >>> params = np.random.default_rng(0).normal(size=(4, net.size))
        >>> net.check_gradient(params, [[0.0, 1.0], [1.0, -2.0]], [[0.2, 0.7], [0.9, 0.1]]).ok.tolist()
        [True, True, True, True]
        """
        params, inputs, targets = self.checked(params, inputs, targets)
        analytic = self.loss_and_grad_of_checked(params, inputs, targets)[1]
        numerical = central_differences(lambda p: self.error_of_checked(p, inputs, targets), params, step)
        return compare_gradients(analytic, numerical, rtol, atol)

    def checked_inputs(self, params, inputs) -> tuple[np.ndarray, np.ndarray]:
        """Parameters (..., P) and inputs (samples, n_inputs) as float64 arrays, or a one-line ValueError."""
        params = as_parameters(params, self.size, self._label)
        return params, as_sample_matrix(inputs, "inputs", self.n_inputs)

    def checked(self, params, inputs, targets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`checked_inputs` and targets (samples, n_outputs) with one target row per input row."""
        params, inputs = self.checked_inputs(params, inputs)
        targets = as_sample_matrix(targets, "targets", self.n_outputs)
        if len(targets) != len(inputs):
            raise ValueError(
                f"inputs and targets must have the same number of samples, got {len(inputs)} and {len(targets)}"
            )
        return params, inputs, targets

    def error_of_checked(self, params: np.ndarray, inputs: np.ndarray, targets: np.ndarray,
                         mean: bool = False) -> np.ndarray:  # fmt: skip
        """`error` for arguments already in shape (as `checked` returns them, or a `Task` holds them)."""
        residual = self.residuals_of_checked(params, inputs, targets)
        with np.errstate(over="ignore", invalid="ignore"):
            error = ordered_sum(ordered_sum(0.5 * residual**2, axis=-1), axis=-1)
            return error / len(inputs) if mean else error

    def residuals_of_checked(self, params: np.ndarray, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """t − r per network, sample and output, (..., samples, n_outputs), at full precision near the asymptotes."""
        with np.errstate(over="ignore", invalid="ignore"):
            output_x = self._forward(self._unpack(params), inputs, last_raw=True)[-1]
            return get_activation(self.output_activation).output_terms(output_x, targets)[2]

    def loss_and_grad_of_checked(self, params, inputs, targets, flat_spot=EXACT, mean: bool = False):
        """`loss_and_grad` for arguments already in shape: the training loops' hot path."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._loss_and_grad(params, inputs, targets, flat_spot, mean)

    @property
    def _label(self) -> str:
        return f"Layered({list(self.sizes)})"

    def _unpack(self, params: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
        lead = params.shape[:-1]
        return [
            (
                params[..., layer.weights].reshape(*lead, layer.units, layer.fan_in),
                params[..., layer.biases] if layer.biases else None,
            )
            for layer in self.layers
        ]

    def _layer_input(self, outputs: list[np.ndarray], layer: LayerShape) -> np.ndarray:
        """a_l: the outputs of the layers feeding ``layer``, side by side (..., samples, fan_in)."""
        if len(layer.sources) == 1:
            return outputs[layer.sources[0]]
        lead = np.broadcast_shapes(*(outputs[k].shape[:-1] for k in layer.sources))
        return np.concatenate([np.broadcast_to(outputs[k], (*lead, outputs[k].shape[-1])) for k in layer.sources], -1)

    def _forward(self, unpacked, inputs, flat_spot=EXACT, slopes: list | None = None, last_raw: bool = False):
        """Outputs r_0 … r_L (x_L for r_L with ``last_raw``); each hidden layer's f′ + c into ``slopes``."""
        outputs = [inputs]
        for layer, (W, b) in zip(self.layers, unpacked, strict=True):
            a = self._layer_input(outputs, layer)
            x = ordered_sum(W[..., None, :, :] * a[..., :, None, :], axis=-1)  # Σ_k W_ok·a_k, in order
            if b is not None:
                x = x + b[..., None, :]
            is_output = layer.index == len(self.layers)
            activation = get_activation(self.output_activation if is_output else self.activation)
            if is_output and last_raw:
                outputs.append(x)
            elif slopes is None or is_output:
                outputs.append(activation.value(x))
            else:
                r, slope = activation.value_and_slope(x, flat_spot.hidden, flat_spot.arithmetic)
                outputs.append(r)
                slopes.append(slope)
            if layer.index in self.residual:
                outputs[-1] = a + outputs[-1]
        return outputs

    def _loss_and_grad(self, params, inputs, targets, flat_spot, mean=False):
        unpacked = self._unpack(params)
        slopes: list = [None]  # f′ + c of each hidden layer; the input (layer 0) has none
        outputs = self._forward(unpacked, inputs, flat_spot, slopes, last_raw=True)
        output = get_activation(self.output_activation)
        r, output_slope, residual = output.output_terms(outputs[-1], targets, flat_spot.output, flat_spot.arithmetic)
        outputs[-1] = r
        error = ordered_sum(ordered_sum(0.5 * residual**2, axis=-1), axis=-1)  # exact in every arithmetic
        grad = np.empty((*params.shape[:-1], self.size))
        signals: dict[int, np.ndarray] = {}  # Σ over the layers done so far of W_lᵀδ_l (⊙ f′ grouped), per hidden layer
        delta = -output.gradient_residual(r, targets, residual, flat_spot.arithmetic) * output_slope  # −(t − r_L)·f′
        if mean:
            error, delta = error / len(inputs), delta / len(inputs)
        for layer, (W, _) in zip(reversed(self.layers), reversed(unpacked), strict=True):
            if layer.index < len(self.layers):
                delta = signals.pop(layer.index)  # complete: every layer it feeds is behind us
                skipped = delta  # g_l, what a residual layer passes around its weights
                if self.residual:
                    delta = delta * slopes[layer.index]
            a = self._layer_input(outputs, layer)
            lead = np.broadcast_shapes(delta.shape[:-2], a.shape[:-2])
            grad_W = ordered_sum(delta[..., :, :, None] * a[..., :, None, :], axis=-3)  # Σ_s δ_o·a_k
            grad[..., layer.weights] = np.broadcast_to(grad_W, (*lead, layer.units, layer.fan_in)).reshape(
                *lead, layer.units * layer.fan_in
            )
            if layer.biases:
                grad[..., layer.biases] = ordered_sum(delta, axis=-2)
            self._send_back(layer, W, delta, slopes, signals)
            if layer.index in self.residual and layer.index > 1:
                signals[layer.index - 1] = signals[layer.index - 1] + skipped
        return error, grad

    def _send_back(self, layer: LayerShape, W, delta, slopes, signals) -> None:
        """Add Σ_o δ_o·(W_ok·f′_k) of ``layer`` to the signal of every hidden layer k that feeds it (Σ_o δ_o·W_ok,
        g_k's part, in a network with residual layers)."""
        column = 0
        for k in layer.sources:
            width = self.sizes[k]
            if k > 0:
                block = W[..., :, column : column + width]  # (..., n_l, n_k)
                through = (
                    block[..., None, :, :] if self.residual else block[..., None, :, :] * slopes[k][..., :, None, :]
                )
                contribution = ordered_sum(delta[..., :, :, None] * through, axis=-2)  # Σ_o δ_o·(W_ok·f′_k)
                signals[k] = contribution if k not in signals else signals[k] + contribution
            column += width


def _is_count(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and value >= 1


ARTICLE_NETWORK = Layered((1, 1, 1), bias=False)

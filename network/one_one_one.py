"""The article's 1-1-1 sigmoid network, its error and its closed-form gradient.

Symbols (per training sample, input i and target t; no biases):

    r_h = σ(w_h·i)                      hidden output
    r_o = σ(w_o·r_h)                    network output
    E   = Σ_samples (t − r_o)² / 2      error, summed over the training samples

    ∂E/∂w_o = −(t − r_o)·r_o(1 − r_o)·r_h
    ∂E/∂w_h = −(t − r_o)·r_o(1 − r_o)·w_o·r_h(1 − r_h)·i

Source: "A gentle introduction to Neural Network Backpropagation, Part II"
(the seed article, ``shared/seed-article.txt``), eqs. 1.1–1.4 and 2.1–2.8; the
gradients are its final lines, summed over samples for batch learning.

Weights are arrays of shape ``(..., 2)`` ordered ``(w_h, w_o)``: any leading
shape is a population of independent networks, and every function here works
elementwise over it.  Inputs and targets are 1-D arrays of samples.

Numerics: σ′ is taken from the pre-activation (see `network.sigmoid`), and
t − r_o is formed from 1 − r_o = σ(−w_o·r_h) when r_o is near 1, so neither the
error nor the gradient loses its relative precision in the flat spots.  Huge
finite weights give ±inf or NaN where float64 must, without numpy warnings.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from network.ordered_sum import ordered_sum
from network.sigmoid import sigmoid_and_complement_unguarded
from network.validation import EXACT, as_samples, as_weights, closed_form_flat_spot


class Activations(NamedTuple):
    """Every intermediate value of the forward pass, each of shape ``(..., samples)``."""

    hidden_input: np.ndarray  # w_h·i
    r_h: np.ndarray  # σ(w_h·i)
    one_minus_r_h: np.ndarray  # 1 − r_h = σ(−w_h·i), at full relative precision
    output_input: np.ndarray  # w_o·r_h
    r_o: np.ndarray  # σ(w_o·r_h)
    one_minus_r_o: np.ndarray  # 1 − r_o = σ(−w_o·r_h)


def activations(weights, inputs) -> Activations:
    """The forward pass with its intermediate values, per network and sample.

    >>> a = activations([0.0, 2.0], [1.0])
    >>> float(a.r_h[0]), float(a.output_input[0])
    (0.5, 1.0)
    """
    weights = as_weights(weights)
    inputs = as_samples(inputs, "inputs")
    with np.errstate(over="ignore", invalid="ignore"):
        return _activations(weights, inputs)


def forward(weights, inputs) -> np.ndarray:
    """The network output r_o, of shape ``weights.shape[:-1] + inputs.shape``.

    >>> forward([[0.0, 0.0], [0.0, 2.0]], [1.0, -1.0]).round(4).tolist()
    [[0.5, 0.5], [0.7311, 0.7311]]
    """
    return activations(weights, inputs).r_o


def error(weights, inputs, targets) -> np.ndarray:
    """E = Σ_samples (t − r_o)²/2, of shape ``weights.shape[:-1]``.

    >>> float(error([0.0, 0.0], [1.0], [1.0]))
    0.125
    """
    return error_of_checked(*_checked(weights, inputs, targets))


def loss_and_grad(
    weights, inputs, targets, flat_spot: float | tuple[float, float] = 0.0, accelerate: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(E, ∂E/∂w) from one forward pass: E has the population's shape, the gradient the weights'.

    ``flat_spot`` = c > 0 uses σ′ + c at both units in the gradient (Fahlman's
    flat-spot elimination, c = 0.1 in his code): no longer the true gradient,
    but it never vanishes on a saturated unit.  A pair (hidden, output) gives
    each unit its own (`network.FlatSpot`).  E stays exact.

    With ``accelerate`` (and no ``OPTARENA_ACCELERATE=0`` in the environment)
    the compiled form in `network.compiled` computes it, over all cores for
    large populations; ``accelerate=False`` runs the numpy reference below.
    Both give the same bits.

    >>> E, grad = loss_and_grad([0.5, 2.0], [1.0], [1.0])
    >>> round(float(E), 6), grad.round(6).tolist()
    (0.024994, [-0.018242, -0.024159])
    """
    from network import compiled  # the compiled kernels load when first used, not with the network's definition

    weights, inputs, targets = _checked(weights, inputs, targets)
    flat_spot = closed_form_flat_spot(flat_spot)
    if not (accelerate and compiled.enabled()):
        return loss_and_grad_of_checked(weights, inputs, targets, flat_spot)
    error, grad = compiled.population_loss_and_grad(
        weights.reshape(-1, 2), inputs, targets, flat_spot, np.arange(inputs.size)
    )
    return error.reshape(weights.shape[:-1]), grad.reshape(weights.shape)


def per_sample_loss_and_grad(weights, inputs, targets, flat_spot=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's own error and gradient: shapes ``(..., samples)`` and ``(..., samples, 2)``.

    The per-sample (stochastic) schedule steps on one of these at a time; the
    full-batch error and gradient are their sums over the sample axis.
    """
    weights, inputs, targets = _checked(weights, inputs, targets)
    with np.errstate(over="ignore", invalid="ignore"):
        return _per_sample_loss_and_grad(weights, inputs, targets, closed_form_flat_spot(flat_spot))


def error_of_checked(weights: np.ndarray, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """`error` for arguments already in shape: float64 weights (..., 2) and a valid sample set (as a `Task` holds)."""
    with np.errstate(over="ignore", invalid="ignore"):
        residual = _residual(_activations(weights, inputs), targets)
        return ordered_sum(0.5 * residual**2, axis=-1)


def loss_and_grad_of_checked(weights, inputs, targets, flat_spot=EXACT) -> tuple[np.ndarray, np.ndarray]:
    """`loss_and_grad` for arguments already in shape, as `error_of_checked`: the training loops' hot path."""
    with np.errstate(over="ignore", invalid="ignore"):
        sample_errors, sample_grads = _per_sample_loss_and_grad(weights, inputs, targets, flat_spot)
        return ordered_sum(sample_errors, axis=-1), ordered_sum(sample_grads, axis=-2)


def _checked(weights, inputs, targets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    weights = as_weights(weights)
    inputs, targets = as_samples(inputs, "inputs"), as_samples(targets, "targets")
    if inputs.shape != targets.shape:
        raise ValueError(
            f"inputs and targets must have the same number of samples, got {inputs.size} inputs "
            f"and {targets.size} targets"
        )
    return weights, inputs, targets


def _activations(weights: np.ndarray, inputs: np.ndarray) -> Activations:
    w_h, w_o = weights[..., 0, None], weights[..., 1, None]
    hidden_input = w_h * inputs
    r_h, one_minus_r_h = sigmoid_and_complement_unguarded(hidden_input)
    output_input = w_o * r_h
    r_o, one_minus_r_o = sigmoid_and_complement_unguarded(output_input)
    return Activations(hidden_input, r_h, one_minus_r_h, output_input, r_o, one_minus_r_o)


def _residual(a: Activations, targets: np.ndarray) -> np.ndarray:
    """t − r_o, from 1 − r_o = σ(−w_o·r_h) where r_o is near 1, so it keeps its relative precision."""
    return np.where(a.output_input > 0, (targets - 1.0) + a.one_minus_r_o, targets - a.r_o)


def _per_sample_loss_and_grad(weights, inputs, targets, flat_spot=EXACT):
    a = _activations(weights, inputs)
    residual = _residual(a, targets)
    output_delta = -residual * (a.r_o * a.one_minus_r_o + flat_spot.output)  # −(t − r_o)·r_o(1 − r_o)
    grad = np.empty((*output_delta.shape, 2))
    grad[..., 0] = output_delta * (weights[..., 1, None] * (a.r_h * a.one_minus_r_h + flat_spot.hidden)) * inputs
    grad[..., 1] = output_delta * a.r_h
    return 0.5 * residual**2, grad

"""A finite-difference check of a closed-form gradient, for any network, weights and samples.

Central differences, one parameter at a time, vectorized over the population
and the parameters:

    ∂E/∂w_k ≈ (E(w + h·e_k) − E(w − h·e_k)) / 2h,    h = step · max(1, |w_k|)

The truncation error is O(h²) and the rounding error O(ε·E/h), so the default
step of 1e-6 gives about 1e-10 absolute accuracy for errors of order one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from network.validation import as_weights


class GradientCheck(NamedTuple):
    """The two gradients side by side; ``ok`` holds per network where they agree."""

    analytic: np.ndarray
    numerical: np.ndarray
    max_abs_error: np.ndarray
    ok: np.ndarray


def central_differences(error_of: Callable[[np.ndarray], np.ndarray], params: np.ndarray, step: float) -> np.ndarray:
    """∂E/∂params by central differences, of the parameters' shape; ``error_of`` maps (..., P) to (...).

    >>> central_differences(lambda w: (w**2).sum(axis=-1), np.array([1.0, -2.0]), 1e-6).round(6).tolist()
    [2.0, -4.0]
    """
    if not (np.isfinite(step) and step > 0):
        raise ValueError(f"step must be a positive finite number, got {step}")
    h = step * np.maximum(1.0, np.abs(params))
    offsets = np.eye(params.shape[-1]) * h[..., None, :]  # row k moves parameter k only
    shifted_up = params[..., None, :] + offsets
    shifted_down = params[..., None, :] - offsets
    return (error_of(shifted_up) - error_of(shifted_down)) / (2 * h)


def compare_gradients(analytic, numerical, rtol: float, atol: float) -> GradientCheck:
    """The two gradients side by side, agreeing per network when every component is close."""
    max_abs_error = np.abs(analytic - numerical).max(axis=-1)
    ok = np.isclose(analytic, numerical, rtol=rtol, atol=atol).all(axis=-1)
    return GradientCheck(analytic, numerical, max_abs_error, ok)


def numerical_gradient(weights, inputs, targets, step: float = 1e-6) -> np.ndarray:
    """∂E/∂w of the 1-1-1 network by central differences, of the weights' shape.

    >>> numerical_gradient([0.5, 2.0], [1.0], [1.0]).round(6).tolist()
    [-0.018242, -0.024159]
    """
    from network.one_one_one import error  # the article's network: its closed form, loaded when first used

    return central_differences(lambda w: error(w, inputs, targets), as_weights(weights), step)


def check_gradient(
    weights, inputs, targets, step: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8
) -> GradientCheck:
    """Compare the 1-1-1 `loss_and_grad` with central differences at every network of a population.

    `network.Layered.check_gradient` is the same check for layered networks.

    >>> check_gradient([[0.5, 2.0], [-3.0, 1.0]], [1.0, -2.0], [1.0, 0.2]).ok.tolist()
    [True, True]
    """
    from network.one_one_one import loss_and_grad

    analytic = loss_and_grad(weights, inputs, targets)[1]
    return compare_gradients(analytic, numerical_gradient(weights, inputs, targets, step), rtol, atol)

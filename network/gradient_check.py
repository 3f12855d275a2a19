"""A finite-difference check of the closed-form gradient, for any weights and samples.

Central differences, one weight at a time, vectorized over the population:

    ∂E/∂w_k ≈ (E(w + h·e_k) − E(w − h·e_k)) / 2h,    h = step · max(1, |w_k|)

The truncation error is O(h²) and the rounding error O(ε·E/h), so the default
step of 1e-6 gives about 1e-10 absolute accuracy for errors of order one.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from network.one_one_one import error, loss_and_grad
from network.validation import as_weights


class GradientCheck(NamedTuple):
    """The two gradients side by side; ``ok`` holds per network where they agree."""

    analytic: np.ndarray
    numerical: np.ndarray
    max_abs_error: np.ndarray
    ok: np.ndarray


def numerical_gradient(weights, inputs, targets, step: float = 1e-6) -> np.ndarray:
    """∂E/∂w by central differences, of the weights' shape.

    >>> numerical_gradient([0.5, 2.0], [1.0], [1.0]).round(6).tolist()
    [-0.018242, -0.024159]
    """
    if not (np.isfinite(step) and step > 0):
        raise ValueError(f"step must be a positive finite number, got {step}")
    weights = as_weights(weights)
    h = step * np.maximum(1.0, np.abs(weights))
    offsets = np.eye(2) * h[..., None, :]  # row k moves weight k only
    shifted_up = weights[..., None, :] + offsets
    shifted_down = weights[..., None, :] - offsets
    return (error(shifted_up, inputs, targets) - error(shifted_down, inputs, targets)) / (2 * h)


def check_gradient(
    weights, inputs, targets, step: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8
) -> GradientCheck:
    """Compare `loss_and_grad` with central differences at every network of a population.

    >>> check_gradient([[0.5, 2.0], [-3.0, 1.0]], [1.0, -2.0], [1.0, 0.2]).ok.tolist()
    [True, True]
    """
    analytic = loss_and_grad(weights, inputs, targets)[1]
    numerical = numerical_gradient(weights, inputs, targets, step)
    max_abs_error = np.abs(analytic - numerical).max(axis=-1)
    ok = np.isclose(analytic, numerical, rtol=rtol, atol=atol).all(axis=-1)
    return GradientCheck(analytic, numerical, max_abs_error, ok)

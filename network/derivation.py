"""The article's derivation with numbers: every intermediate value of E, ∂E/∂w_o and ∂E/∂w_h, in its order.

For each training sample (i, t), with the article's equation numbers:

    forward       w_h·i,  r_h = σ(w_h·i),  w_o·r_h,  r_o = σ(w_o·r_h),  E = (t − r_o)²/2

    ∂E/∂w_o       eq. 1.2   ½·∂(t − r_o)²/∂(t − r_o) = (t − r_o)          the outer derivative
                  eq. 1.4   ∂σ(w_o·r_h)/∂(w_o·r_h)  = r_o(1 − r_o)         σ′ at the output
                            ∂(w_o·r_h)/∂w_o          = r_h                  the inner derivative
                  eq. 1.3   ∂(t − r_o)/∂w_o          = −r_o(1 − r_o)·r_h
                  product   ∂E/∂w_o = (t − r_o)·(−r_o(1 − r_o)·r_h) = −(t − r_o)·r_o(1 − r_o)·r_h

    ∂E/∂w_h       eq. 2.2   (t − r_o)                                      the outer derivative
                  eq. 2.5   r_o(1 − r_o)                                   σ′ at the output
                  eq. 2.7   ∂σ(w_h·i)/∂w_h           = r_h(1 − r_h)·i       σ′ at the hidden unit, times i
                  eq. 2.8   ∂(w_o·r_h)/∂w_h          = w_o·r_h(1 − r_h)·i
                  eq. 2.3   ∂(t − r_o)/∂w_h          = −r_o(1 − r_o)·w_o·r_h(1 − r_h)·i
                  product   ∂E/∂w_h = −(t − r_o)·r_o(1 − r_o)·w_o·r_h(1 − r_h)·i

Over several samples E and both derivatives are sums.  Then the updates:
gradient descent's Δw = −η·∂E/∂w (the article's update rule) and the step
RProp takes, Δw = −Δ·sign(∂E/∂w), which uses only each derivative's sign.

Every value comes from `network.activations` and the same formulas as
`network.loss_and_grad`, so the record agrees with the network to the last bit
(t − r_o is formed from 1 − r_o where r_o is near 1, as there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from network.gradient_check import numerical_gradient
from network.one_one_one import _residual, activations, loss_and_grad
from network.validation import as_samples


@dataclass(frozen=True)
class SampleDerivation:
    """One training sample's forward pass and the factors of both derivatives."""

    input: float  # i
    target: float  # t
    hidden_input: float  # w_h·i
    r_h: float  # σ(w_h·i)
    output_input: float  # w_o·r_h
    r_o: float  # σ(w_o·r_h)
    error: float  # (t − r_o)²/2
    outer: float  # t − r_o                         (eqs. 1.2, 2.2)
    output_slope: float  # r_o(1 − r_o) = σ′(w_o·r_h)     (eqs. 1.4, 2.5)
    inner_o: float  # ∂(w_o·r_h)/∂w_o = r_h           (eq. 1.4)
    hidden_slope: float  # r_h(1 − r_h)·i = ∂σ(w_h·i)/∂w_h (eq. 2.7)
    inner_h: float  # ∂(w_o·r_h)/∂w_h = w_o·r_h(1 − r_h)·i (eq. 2.8)
    d_error_d_w_o: float  # −(t − r_o)·r_o(1 − r_o)·r_h
    d_error_d_w_h: float  # −(t − r_o)·r_o(1 − r_o)·w_o·r_h(1 − r_h)·i


@dataclass(frozen=True)
class Derivation:
    """The whole worked example: per-sample derivations, the sums, a finite-difference check and the updates."""

    w_h: float
    w_o: float
    samples: tuple[SampleDerivation, ...]
    error: float  # Σ E
    d_error_d_w_h: float  # Σ ∂E/∂w_h
    d_error_d_w_o: float  # Σ ∂E/∂w_o
    numerical_d_w_h: float  # central finite differences
    numerical_d_w_o: float
    eta: float  # gradient descent's learning rate η
    gd_update_h: float  # −η·∂E/∂w_h
    gd_update_o: float
    rprop_step: float  # Δ, RProp's step size
    rprop_update_h: float  # −Δ·sign(∂E/∂w_h)
    rprop_update_o: float


def derive(inputs, targets, w_h: float, w_o: float, eta: float = 0.5, rprop_step: float = 0.1) -> Derivation:
    """Every intermediate value of the article's derivation at (w_h, w_o) for the given samples.

    >>> d = derive([1.0], [0.9], w_h=0.5, w_o=2.0)
    >>> round(d.samples[0].r_o, 6), round(d.d_error_d_w_o, 6), d.rprop_update_o
    (0.776419, -0.013353, 0.1)
    """
    inputs, targets = as_samples(inputs, "inputs"), as_samples(targets, "targets")
    if inputs.shape != targets.shape:
        raise ValueError(f"each input needs a target: got {inputs.size} inputs and {targets.size} targets")
    outside = targets[(targets < 0) | (targets > 1)]
    if outside.size:
        raise ValueError(f"targets must lie in [0, 1], the range of the sigmoid output, got {outside[0]:g}")
    for name, value in (("w_h", w_h), ("w_o", w_o), ("eta", eta), ("rprop_step", rprop_step)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    for name, value in (("eta", eta), ("rprop_step", rprop_step)):
        if value <= 0:
            raise ValueError(f"{name} must be > 0, got {value!r}")
    weights = np.array([w_h, w_o], dtype=np.float64)
    a = activations(weights, inputs)
    outer = _residual(a, targets)
    output_slope = a.r_o * a.one_minus_r_o
    hidden_slope = (a.r_h * a.one_minus_r_h) * inputs
    inner_h = w_o * (a.r_h * a.one_minus_r_h) * inputs
    output_delta = -outer * output_slope
    per_sample = tuple(
        SampleDerivation(
            *(float(v) for v in (inputs[s], targets[s], a.hidden_input[s], a.r_h[s], a.output_input[s], a.r_o[s])),
            error=float(0.5 * outer[s] ** 2),
            outer=float(outer[s]),
            output_slope=float(output_slope[s]),
            inner_o=float(a.r_h[s]),
            hidden_slope=float(hidden_slope[s]),
            inner_h=float(inner_h[s]),
            d_error_d_w_o=float(output_delta[s] * a.r_h[s]),
            d_error_d_w_h=float(output_delta[s] * (w_o * (a.r_h[s] * a.one_minus_r_h[s])) * inputs[s]),
        )
        for s in range(inputs.size)
    )
    error, grad = loss_and_grad(weights, inputs, targets)
    numerical = numerical_gradient(weights, inputs, targets)
    return Derivation(
        w_h=float(w_h),
        w_o=float(w_o),
        samples=per_sample,
        error=float(error),
        d_error_d_w_h=float(grad[0]),
        d_error_d_w_o=float(grad[1]),
        numerical_d_w_h=float(numerical[0]),
        numerical_d_w_o=float(numerical[1]),
        eta=float(eta),
        gd_update_h=float(-eta * grad[0]),
        gd_update_o=float(-eta * grad[1]),
        rprop_step=float(rprop_step),
        rprop_update_h=float(-rprop_step * np.sign(grad[0])),
        rprop_update_o=float(-rprop_step * np.sign(grad[1])),
    )

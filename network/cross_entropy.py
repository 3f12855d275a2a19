"""A softmax output with the cross-entropy error, and its gradient derived as the article derives its own.

The output layer's units x_1 … x_C (pre-activations) become class probabilities

    y_k = e^{x_k} / Σ_j e^{x_j}                               (softmax)

and a sample of class c (one-hot target t, t_c = 1) contributes

    E = −Σ_k t_k·log y_k = −log y_c                           (cross-entropy; summed over the samples)

The chain rule, one step at a time as the article takes it for ∂E/∂w_o:

    ∂E/∂y_k   = −t_k / y_k
    ∂y_k/∂x_m = y_k·(1[k = m] − y_m)                         (the softmax's Jacobian)
    ∂E/∂x_m   = Σ_k (−t_k / y_k)·y_k·(1[k = m] − y_m)
              = −t_m + y_m·Σ_k t_k = y_m − t_m               (Σ_k t_k = 1)

So the output's error signal is δ_L = y − t: the residual itself, without the
f′ factor that squared error carries (and that vanishes on a saturated
sigmoid, the flat spot).  Everything below the output layer, the backward
recursion δ_k = f′_k ⊙ W_lᵀδ_l and ∂E/∂W_l = δ_l·a_lᵀ (`network.layered`), is unchanged.

Numerics: log y is computed as x − logsumexp(x), with the largest x_k
subtracted first, so no exponential overflows; y = e^{log y}.

Source: Bridle, "Probabilistic interpretation of feedforward classification
network outputs" (1990); Bishop, *Pattern Recognition and Machine Learning*
(2006), §4.3.4 and eq. 5.18.

>>> E, delta = softmax_cross_entropy(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]))
>>> round(float(E), 12), delta.tolist()    # −log ½, and y − t
(0.69314718056, [[-0.5, 0.5]])
"""

from __future__ import annotations

import numpy as np

LOSSES = ("squared", "cross-entropy")  # squared: E = Σ (t − r)²/2 (the article's); cross-entropy: softmax outputs


def log_softmax(x: np.ndarray) -> np.ndarray:
    """log y_k = x_k − log Σ_j e^{x_j} over the last axis, without overflow.

    >>> log_softmax(np.array([1000.0, 1000.0])).tolist() == [-np.log(2.0)] * 2
    True
    """
    with np.errstate(invalid="ignore", over="ignore"):
        shifted = x - x.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(x: np.ndarray) -> np.ndarray:
    """y_k = e^{x_k} / Σ_j e^{x_j} over the last axis."""
    return np.exp(log_softmax(x))


def softmax_cross_entropy(x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(E summed over the samples, δ_L = y − t) for output pre-activations ``x`` (..., samples, C) and one-hot
    ``targets`` (samples, C) or (..., samples, C)."""
    log_y = log_softmax(x)
    with np.errstate(invalid="ignore"):
        error = -np.where(targets != 0, targets * log_y, 0.0).sum(axis=(-2, -1))  # 0·log 0 = 0
    return error, np.exp(log_y) - targets

"""Adafactor as torch.optim.Adafactor computes it: a second moment factored into row and column means per weight
matrix, relative step sizes, update clipping; each bias vector unfactored."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import as_step_arrays, lerp, require_non_negative, require_positive, require_real
from optimizers.layout import LayerAware
from optimizers.per_network import HyperparameterColumns
from optimizers.registry import register

PER_NETWORK = ("learning_rate", "eps2", "d", "weight_decay")  # beta2_decay is shared by a population
FLOAT64_EPS = float(np.finfo(np.float64).eps)  # torch's eps1 default: the parameters' dtype's machine epsilon


class AdafactorState(NamedTuple):
    row_means: tuple  # per matrix, (..., rows, 1): the running mean of each row's mean g²
    column_means: tuple  # per matrix, (..., 1, cols): the running mean of each column's mean g²
    variances: tuple  # per vector, (..., length): the running mean of g²
    count: int  # steps taken, t


def _norm(values: np.ndarray, axes) -> np.ndarray:
    """The 2-norm over ``axes`` (kept), as torch.norm: √(Σ x²)."""
    return np.sqrt(np.sum(values * values, axis=axes, keepdims=True))


@register("adafactor")
@dataclass(frozen=True)
class Adafactor(LayerAware, HyperparameterColumns):
    """Adafactor: Adam-like steps without a first moment, whose second moment of a weight matrix is kept as
    one mean per row and one per column, and whose step is relative to the size of the weights.

    Symbols: per parameter tensor W (a matrix or a bias vector) with gradient G, t the step count, η the
    learning rate, ε1 (float64's machine epsilon) and ε2 (1e-3), d the clipping threshold, λ the decay.

        β̂ = t^(−0.8) (beta2_decay),   ρ = min(η, 1/√t),   α = max(ε2, RMS(W))·ρ
        W ← W·(1 − η·λ)
        matrix:  R ← lerp(R, mean over columns of G², β̂),  C ← lerp(C, mean over rows of G², β̂),
                 V = R·C / max(mean(R), ε1)                   (the outer product of the two means)
        vector:  V ← lerp(V, G², β̂)
        U = G / √max(V, ε1²),   W ← W − α / max(1, RMS(U)/d) · U

    Every mean and norm runs over one tensor of one network: a population's networks each keep their own.
    The row and column means are torch's ‖·‖²/n, and the norms sum in numpy's order, not torch's, so the two
    agree to rounding (the tests state how closely), not to the bit.

    A population may give every network its own η, ε2, d and λ (`optimizers.per_network`): they are the
    hyperparameter vector, in ``vector_fields``' order; beta2_decay is shared.

    Args: learning_rate = η (torch's 1e-2), beta2_decay (−0.8), eps2 = ε2 (1e-3), d (1.0),
    weight_decay = λ (0).

    Source: Shazeer & Stern, "Adafactor: adaptive learning rates with sublinear memory cost", ICML 2018;
    ``torch.optim.Adafactor`` (torch 2.13, ``optim/_adafactor.py``, ``_single_tensor_adafactor``).

    >>> import network
    >>> from optimizers.layout import Layout
    >>> adafactor = Adafactor().laid_out(Layout.of(network.Layered([1, 1, 1], bias=False)))
    >>> adafactor.step([1.0, 1.0], [2.0, -0.5], adafactor.init([1.0, 1.0]))[0].round(4).tolist()
    [0.99, 1.01]
    """

    learning_rate: float = 1e-2
    beta2_decay: float = -0.8
    eps2: float = 1e-3
    d: float = 1.0
    weight_decay: float = 0.0

    needs_loss = False
    schedulable = True  # a learning-rate schedule rewrites η each step (`optimizers.learning_rate_schedules`)
    vector_fields = PER_NETWORK

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        if not isinstance(self.beta2_decay, (int, float)) or not -math.inf < self.beta2_decay <= 0:
            raise ValueError(f"{self.name}: beta2_decay must be <= 0, got {self.beta2_decay!r}")
        require_non_negative(self.name, "eps2", self.eps2)
        if require_real(self.name, "d", self.d) < 1:
            raise ValueError(f"{self.name}: d (the clipping threshold) must be >= 1, got {self.d!r}")
        require_non_negative(self.name, "weight_decay", self.weight_decay)

    def init(self, weights) -> AdafactorState:
        weights = np.asarray(weights, dtype=np.float64)
        layout, lead = self.require_layout(weights), weights.shape[:-1]
        rows = tuple(np.zeros((*lead, m.rows, 1)) for m in layout.matrices)
        columns = tuple(np.zeros((*lead, 1, m.cols)) for m in layout.matrices)
        return AdafactorState(rows, columns, tuple(np.zeros((*lead, v.length)) for v in layout.vectors), 0)

    def step_with(self, hyperparameters, weights, grad, state: AdafactorState, loss=None):
        """`step` with the hyperparameter vector (`vector_fields`), or one column of it per network."""
        weights, grad = as_step_arrays(self.name, weights, grad)
        layout = self.require_layout(weights)
        count, lead = state.count + 1, weights.shape[:-1]
        vector_values = self.values(hyperparameters, lead)  # η, ε2, d, λ: a column per network is (*lead, 1),
        # a matrix's (*lead, 1, 1)
        matrix_values = [np.expand_dims(v, -1) if np.ndim(v) else v for v in vector_values]
        step = float(count)
        keep = step**self.beta2_decay  # torch's one_minus_beta2_t
        ceiling = 1 / (step**0.5)  # ρ = min(η, 1/√t)
        new = np.empty_like(weights)
        row_means, column_means, variances = [], [], []
        for matrix in layout.matrices:
            shape = (*lead, matrix.rows, matrix.cols)
            w, g = weights[..., matrix.part].reshape(shape), grad[..., matrix.part].reshape(shape)
            rows = lerp(state.row_means[len(row_means)], _norm(g, -1) ** 2 / matrix.cols, keep)
            columns = lerp(state.column_means[len(column_means)], _norm(g, -2) ** 2 / matrix.rows, keep)
            estimate = (rows * columns) / np.maximum(np.mean(rows, axis=-2, keepdims=True), FLOAT64_EPS)
            new[..., matrix.part] = self._stepped(w, g, estimate, ceiling, (-2, -1), matrix_values).reshape(*lead, -1)
            row_means.append(rows)
            column_means.append(columns)
        for vector in layout.vectors:
            w, g = weights[..., vector.part], grad[..., vector.part]
            variance = lerp(state.variances[len(variances)], g * g, keep)
            new[..., vector.part] = self._stepped(w, g, variance, ceiling, (-1,), vector_values)
            variances.append(variance)
        return new, AdafactorState(tuple(row_means), tuple(column_means), tuple(variances), count)

    @staticmethod
    def _stepped(w, g, estimate, ceiling, axes, values):
        """One tensor's step from its second-moment estimate: the relative step α, the decay, the clipped update;
        ``values`` = (η, ε2, d, λ), numbers or one per network shaped to broadcast over the tensor."""
        learning_rate, eps2, d, weight_decay = values
        size = math.prod(w.shape[axis] for axis in axes)
        rate = np.minimum(learning_rate, ceiling)
        alpha = np.maximum(eps2, _norm(w, axes) / size**0.5) * rate
        if np.ndim(weight_decay):  # torch decays only where λ ≠ 0: w·1 is w, to the bit
            w = w * np.where(weight_decay != 0, 1 - learning_rate * weight_decay, 1.0)
        elif weight_decay != 0:
            w = w * (1 - learning_rate * weight_decay)
        update = 1.0 / np.sqrt(np.maximum(estimate, FLOAT64_EPS * FLOAT64_EPS)) * g
        clipped = np.maximum(1.0, _norm(update, axes) / (size**0.5 * d))
        return w + (-alpha / clipped) * update

"""Muon as torch.optim.Muon computes it on every weight matrix, the network's vectors (biases) stepped by an AdamW
beside it, as the reference setups do."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.adam import adam_coefficients, adam_rule
from optimizers.base import (
    as_step_arrays,
    lerp,
    require_non_negative,
    require_positive,
    require_unit_interval,
)
from optimizers.elementwise import per_network
from optimizers.layout import LayerAware
from optimizers.per_network import HyperparameterColumns
from optimizers.registry import register

ADJUSTMENTS = ("original", "match_rms_adamw")
PER_NETWORK = ("learning_rate", "weight_decay", "momentum", "adamw_learning_rate", "adamw_beta1", "adamw_beta2",
               "adamw_eps", "adamw_weight_decay")  # fmt: skip


class MuonState(NamedTuple):
    momentum: np.ndarray  # B per matrix weight (0 in the vectors' places)
    first_moment: np.ndarray  # the vectors' AdamW m (0 in the matrices' places)
    second_moment: np.ndarray  # the vectors' AdamW v
    max_second_moment: np.ndarray  # AdamW's AMSGrad slot, unused: zeros
    count: int  # steps taken, t


def newton_schulz(update: np.ndarray, coefficients, steps: int, eps: float) -> np.ndarray:
    """torch's ``_zeropower_via_newtonschulz`` on matrices (..., rows, cols), in float64: X = U/max(‖U‖_F, ε)
    (transposed when rows > cols), then ``steps`` times A = XXᵀ, X ← a·X + (b·A + c·A·A)·X."""
    a, b, c = coefficients
    tall = update.shape[-2] > update.shape[-1]
    x = np.swapaxes(update, -1, -2) if tall else update
    norm = np.sqrt(np.sum(x * x, axis=(-2, -1), keepdims=True))
    x = x / np.where(norm < eps, eps, norm)  # clamp(min=eps); NaN stays NaN
    for _ in range(steps):
        gram = x @ np.swapaxes(x, -1, -2)
        x = a * x + (b * gram + c * (gram @ gram)) @ x
    return np.swapaxes(x, -1, -2) if tall else x


@register("muon")
@dataclass(frozen=True)
class Muon(LayerAware, HyperparameterColumns):
    """Muon (MomentUm Orthogonalized by Newton–Schulz): each weight matrix steps along its Nesterov momentum made
    nearly orthogonal, every singular value pushed towards 1; the biases step by AdamW.

    Symbols: per weight matrix W (n_out × n_in) with gradient G, B its momentum (B₀ = 0), μ, η the learning
    rate, λ the decay, NS five Newton–Schulz iterations with (a, b, c) = (3.4445, −4.7750, 2.0315).

        B ← B + (1 − μ)·(G − B)                  (torch's lerp)
        U = G + μ·(B − G)                         (Nesterov; B without it)
        O = NS(U / ‖U‖_F)                         (singular values 0.7–1.1, not exactly 1)
        W ← W·(1 − η·λ) − η·√max(1, n_out/n_in)·O

    The vectors (biases) get torch.optim.AdamW with its own settings, as the reference setups pair the two.
    torch runs NS in bfloat16; here it runs in float64, the project's arithmetic (tests state how far the two
    part).  On the article's 1-1-1 network every matrix is 1×1: U/‖U‖ = sign(U) and NS maps ±1 to ±0.696, so
    Muon becomes sign momentum, w ← w·(1 − η·λ) − 0.696·η·sign(Nesterov momentum).

    A population may give every network its own η, λ, μ and AdamW settings (`optimizers.per_network`, a tuning
    study in one step): they are the hyperparameter vector, in ``vector_fields``' order.

    Args: learning_rate = η (torch's 1e-3), weight_decay = λ (0.1), momentum = μ (0.95), nesterov (True),
    ns_coefficients ((3.4445, −4.775, 2.0315)), eps (1e-7), ns_steps (5), adjust_lr ("original":
    √max(1, n_out/n_in); "match_rms_adamw": 0.2·√max(n_out, n_in)); the biases' AdamW: adamw_learning_rate
    (1e-3), adamw_beta1 (0.9), adamw_beta2 (0.999), adamw_eps (1e-8), adamw_weight_decay (1e-2), torch's
    defaults.

    Source: Jordan et al., "Muon: an optimizer for hidden layers in neural networks", 2024; Liu et al., "Muon
    is scalable for LLM training", 2025; ``torch.optim.Muon`` (torch 2.13, ``optim/_muon.py``) and
    ``torch.optim.AdamW``.

    >>> import network
    >>> from optimizers.layout import Layout
    >>> muon = Muon(learning_rate=0.1, weight_decay=0.0).laid_out(Layout.of(network.Layered([1, 1, 1], bias=False)))
    >>> muon.step([1.0, 1.0], [2.0, -0.5], muon.init([1.0, 1.0]))[0].round(4).tolist()
    [0.9304, 1.0696]
    """

    learning_rate: float = 1e-3
    weight_decay: float = 0.1
    momentum: float = 0.95
    nesterov: bool = True
    ns_coefficients: tuple = (3.4445, -4.7750, 2.0315)
    eps: float = 1e-7
    ns_steps: int = 5
    adjust_lr: str = "original"
    adamw_learning_rate: float = 1e-3
    adamw_beta1: float = 0.9
    adamw_beta2: float = 0.999
    adamw_eps: float = 1e-8
    adamw_weight_decay: float = 1e-2

    needs_loss = False
    schedulable = True  # a learning-rate schedule rewrites η each step (`optimizers.learning_rate_schedules`)
    vector_fields = PER_NETWORK

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_non_negative(self.name, "weight_decay", self.weight_decay)
        require_unit_interval(self.name, "momentum", self.momentum)
        require_non_negative(self.name, "eps", self.eps)
        if not isinstance(self.nesterov, bool):
            raise TypeError(f"{self.name}: nesterov must be True or False, got {self.nesterov!r}")
        coefficients = tuple(self.ns_coefficients) if isinstance(self.ns_coefficients, (list, tuple)) else ()
        if len(coefficients) != 3 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in coefficients):
            raise ValueError(f"{self.name}: ns_coefficients must be three finite numbers (a, b, c), "
                             f"got {self.ns_coefficients!r}")  # fmt: skip
        object.__setattr__(self, "ns_coefficients", tuple(float(v) for v in coefficients))
        if isinstance(self.ns_steps, bool) or not isinstance(self.ns_steps, int) or not 0 <= self.ns_steps < 100:
            raise ValueError(f"{self.name}: ns_steps must be a whole number in [0, 100), got {self.ns_steps!r}")
        if self.adjust_lr not in ADJUSTMENTS:
            raise ValueError(f"{self.name}: adjust_lr must be one of {', '.join(ADJUSTMENTS)}, got {self.adjust_lr!r}")
        require_positive(self.name, "adamw_learning_rate", self.adamw_learning_rate)
        require_unit_interval(self.name, "adamw_beta1", self.adamw_beta1)
        require_unit_interval(self.name, "adamw_beta2", self.adamw_beta2)
        require_positive(self.name, "adamw_eps", self.adamw_eps)
        require_non_negative(self.name, "adamw_weight_decay", self.adamw_weight_decay)

    def init(self, weights) -> MuonState:
        weights = np.asarray(weights, dtype=np.float64)
        return MuonState(*(np.zeros_like(weights) for _ in range(4)), 0)

    def step_with(self, hyperparameters, weights, grad, state: MuonState, loss=None):
        """`step` with the hyperparameter vector (`vector_fields`), or one column of it per network."""
        weights, grad = as_step_arrays(self.name, weights, grad)
        layout = self.require_layout(weights)
        count, lead = state.count + 1, weights.shape[:-1]
        rate, decay, mu, *adamw = self.values(hyperparameters, lead)
        new, momentum = weights.copy(), state.momentum.copy()
        for matrix in layout.matrices:
            part, shape = matrix.part, (*lead, matrix.rows, matrix.cols)
            g = grad[..., part]
            buffer = lerp(state.momentum[..., part], g, 1 - mu)
            momentum[..., part] = buffer
            update = lerp(g, buffer, mu) if self.nesterov else buffer
            orthogonal = newton_schulz(update.reshape(shape), self.ns_coefficients, self.ns_steps, self.eps)
            new[..., part] = weights[..., part] * (1 - rate * decay) + (
                -self._adjusted_rate(rate, matrix) * orthogonal.reshape(g.shape)
            )
        first, second, largest = state.first_moment, state.second_moment, state.max_second_moment
        vectors = layout.vector_indices
        if vectors.size:
            first, second, largest = first.copy(), second.copy(), largest.copy()
            learning_rate, beta1, beta2, eps, weight_decay = (np.ravel(value) for value in adamw)
            amsgrad = np.zeros_like(learning_rate)
            columns = np.broadcast_arrays(learning_rate, beta1, beta2, eps, amsgrad, weight_decay)
            coefficients = per_network(adam_coefficients(np.array(columns), count), lead)
            stepped = adam_rule(coefficients, weights[..., vectors], grad[..., vectors], first[..., vectors],
                                second[..., vectors], largest[..., vectors])  # fmt: skip
            new[..., vectors], first[..., vectors], second[..., vectors], largest[..., vectors] = stepped
        return new, MuonState(momentum, first, second, largest, count)

    def _adjusted_rate(self, rate, matrix):
        """torch's ``_adjust_lr``: η·√max(1, n_out/n_in), or η·0.2·√max(n_out, n_in)."""
        if self.adjust_lr == "original":
            return rate * math.sqrt(max(1, matrix.rows / matrix.cols))
        return rate * (0.2 * math.sqrt(max(matrix.rows, matrix.cols)))

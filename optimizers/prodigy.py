"""Prodigy as prodigyopt computes it: Adam whose step size d is estimated from the run itself, per network."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import as_step_arrays, require_non_negative, require_positive, require_unit_interval
from optimizers.elementwise import power
from optimizers.per_network import HyperparameterColumns
from optimizers.registry import register

PER_NETWORK = ("learning_rate", "d_coef", "weight_decay")  # what a tuning study may draw per network


class ProdigyState(NamedTuple):
    first_moment: np.ndarray  # m per weight (built from d·g)
    second_moment: np.ndarray  # v per weight (built from d²·g²)
    s: np.ndarray  # the running sum of (d/d0)·dlr·g per weight, whose |·| sums to the estimate's denominator
    start: np.ndarray  # x0, the weights before the first step
    d: np.ndarray  # the step-size estimate, per network
    d_max: np.ndarray  # the largest estimate so far, per network
    d_numerator: np.ndarray  # the estimate's running numerator, per network
    count: np.ndarray  # steps taken, k, per network (a network whose denominator is 0 takes no step)


@register("prodigy")
@dataclass(frozen=True)
class Prodigy(HyperparameterColumns):
    """Prodigy: Adam with a learning rate d·η whose d the optimizer estimates from how far the weights have moved.

    Symbols: g = ∂E/∂w, x0 the starting weights, m and v Adam's moments of d·g (m₀ = v₀ = s₀ = 0),
    β3 = √β2 by default, d starts at d0, every sum runs over the parameters of one network (a population's
    networks each keep their own d, as each would alone).

        dlr = d·η  (times √(1 − β2^(k+1))/(1 − β1^(k+1)) with use_bias_correction)
        r ← β3·r + (d/d0)·dlr·⟨g, x0 − w⟩
        m ← β1·m + d(1 − β1)·g,   v ← β2·v + d²(1 − β2)·g²,   s ← β3·s + (d/d0)·dlr·g
        d̂ = d_coef·r / Σ|s|;   d ← max(d, d̂) on the first growth;  d_max ← max(d_max, d̂);
        d ← min(d_max, d·growth_rate)
        w ← w·(1 − λ·dlr) (decoupled decay), then w ← w − dlr·m / (√v + d·ε)   (the old d in dlr, the new in ε)

    A network whose Σ|s| is 0 (its gradient was 0 all along) moves its moments but neither its weights nor
    its d, as prodigyopt returns early then.  Not an elementwise rule (its sums couple the weights of a
    network), so it steps numpy arrays, on the generic path of the runner; a population may give every
    network its own η, d_coef and λ (`optimizers.per_network`, a tuning study in one step).

    Args: learning_rate = η (1.0), beta1, beta2 (0.9, 0.999), beta3 (None: √β2), eps (1e-8),
    weight_decay = λ (0), decouple (True), use_bias_correction (False), safeguard_warmup (False), d0 (1e-6),
    d_coef (1.0), growth_rate (None: unbounded, prodigyopt's inf).

    Source: Mishchenko & Defazio, "Prodigy: an expeditiously adaptive parameter-free learner", ICML 2024;
    ``prodigyopt`` 1.1.2 (``prodigyopt/prodigy.py``, ``Prodigy.step``), one optimizer per network.

    >>> prodigy = Prodigy()
    >>> weights, state = prodigy.step([0.0, 0.0], [1.0, -2.0], prodigy.init([0.0, 0.0]))
    >>> (weights * 1e6).round(4).tolist(), float(state.d)
    ([-3.1623, 3.1623], 1e-06)
    """

    learning_rate: float = 1.0
    beta1: float = 0.9
    beta2: float = 0.999
    beta3: float | None = None
    eps: float = 1e-8
    weight_decay: float = 0.0
    decouple: bool = True
    use_bias_correction: bool = False
    safeguard_warmup: bool = False
    d0: float = 1e-6
    d_coef: float = 1.0
    growth_rate: float | None = None

    needs_loss = False
    vector_fields = PER_NETWORK
    schedulable = True  # η scales d·η, every step (prodigyopt is used with a cosine schedule)

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_unit_interval(self.name, "beta1", self.beta1)
        require_unit_interval(self.name, "beta2", self.beta2)
        if self.beta3 is not None:
            require_unit_interval(self.name, "beta3", self.beta3)
        require_positive(self.name, "eps", self.eps)
        require_non_negative(self.name, "weight_decay", self.weight_decay)
        require_positive(self.name, "d0", self.d0)
        require_positive(self.name, "d_coef", self.d_coef)
        if self.growth_rate is not None:
            require_positive(self.name, "growth_rate", self.growth_rate)
        for flag in ("decouple", "use_bias_correction", "safeguard_warmup"):
            if not isinstance(getattr(self, flag), bool):
                raise TypeError(f"{self.name}: {flag} must be true or false, got {getattr(self, flag)!r}")

    def init(self, weights) -> ProdigyState:
        weights = np.asarray(weights, dtype=np.float64)
        zeros, lead = np.zeros_like(weights), weights.shape[:-1]
        d = np.full(lead, float(self.d0))
        return ProdigyState(zeros, zeros, zeros, weights.copy(), d, d.copy(), np.zeros(lead), np.zeros(lead, int))

    def step_with(self, hyperparameters, weights, grad, state: ProdigyState, loss=None):
        """`step` with the hyperparameter vector (`vector_fields`), or one column of it per network."""
        weights, grad = as_step_arrays(self.name, weights, grad)
        lead = weights.shape[:-1]
        lr, d_coef, weight_decay = (  # numbers, or one per network, shaped as d is (lead)
            v[..., 0] if np.ndim(v) else v for v in self.values(hyperparameters, lead)
        )
        decays = np.ndim(weight_decay) or weight_decay != 0
        beta1, beta2, d0 = self.beta1, self.beta2, self.d0
        beta3 = math.sqrt(beta2) if self.beta3 is None else self.beta3
        d, k = state.d, state.count
        correction = 1.0
        if self.use_bias_correction:
            correction = power(1 - power(beta2, k + 1.0), 0.5) / (1 - power(beta1, k + 1.0))
        dlr = d * lr * correction
        numerator = state.d_numerator * beta3
        if decays and not self.decouple:
            grad = _where_decaying(weight_decay, grad + np.expand_dims(weight_decay, -1) * weights, grad)
        scale = (d / d0) * dlr
        delta = scale * np.sum(grad * (state.start - weights), axis=-1)
        first = state.first_moment * beta1 + (d * (1 - beta1))[..., None] * grad
        second = state.second_moment * beta2 + ((d * d * (1 - beta2))[..., None] * grad) * grad
        s = state.s * beta3 + ((d / d0) * (d if self.safeguard_warmup else dlr))[..., None] * grad
        denominator = np.sum(np.abs(s), axis=-1)
        moving = denominator != 0  # prodigyopt returns before the step where Σ|s| = 0
        with np.errstate(divide="ignore", invalid="ignore"):
            total = numerator + delta
            d_hat = d_coef * total / denominator
        grown = np.where(d == d0, np.maximum(d, d_hat), d)
        d_max = np.maximum(state.d_max, d_hat)
        growth = np.inf if self.growth_rate is None else self.growth_rate
        new_d = np.minimum(d_max, grown * growth)
        stepped = weights
        if decays and self.decouple:
            stepped = _where_decaying(weight_decay, stepped + (-weight_decay * dlr)[..., None] * stepped, stepped)
        stepped = stepped + ((-dlr)[..., None] * first) / (np.sqrt(second) + (new_d * self.eps)[..., None])
        keep = moving[..., None]
        return np.where(keep, stepped, weights), ProdigyState(
            first, second, s, state.start, np.where(moving, new_d, d), np.where(moving, d_max, state.d_max),
            np.where(moving, total, state.d_numerator), k + moving,
        )  # fmt: skip


def _where_decaying(weight_decay, decayed: np.ndarray, plain: np.ndarray) -> np.ndarray:
    """``decayed`` where a network's λ ≠ 0, else ``plain`` (as each network alone would branch)."""
    return decayed if np.ndim(weight_decay) == 0 else np.where((weight_decay != 0)[..., None], decayed, plain)

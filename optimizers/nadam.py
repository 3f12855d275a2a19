"""NAdam as torch.optim.NAdam computes it: Adam with Nesterov momentum and Dozat's momentum schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_moment_settings, require_non_negative
from optimizers.elementwise import ElementwiseOptimizer, lerp, power
from optimizers.registry import register


class NAdamState(NamedTuple):
    first_moment: np.ndarray  # m per weight
    second_moment: np.ndarray  # v per weight
    momentum_product: np.ndarray  # Π_t = μ_1·…·μ_t, the same in every weight of a network (1 before the first step)
    count: int  # steps taken, t


def nadam_coefficients(hyperparameters, count):
    """(1 − β1, β2, 1 − β2, 1 − β2^t, ε, μ_t, μ_{t+1}, −η) from (η, β1, β2, ε, ψ), with
    μ_k = β1·(1 − ½·0.96^(k·ψ))."""
    beta1, beta2, decay = hyperparameters[1], hyperparameters[2], hyperparameters[4]
    step = float(count)
    mu = beta1 * (1.0 - 0.5 * power(0.96, step * decay))
    mu_next = beta1 * (1.0 - 0.5 * power(0.96, (step + 1) * decay))
    return np.array([1 - beta1, beta2, 1 - beta2, 1 - power(beta2, step), hyperparameters[3], mu, mu_next,
                     -hyperparameters[0]])  # fmt: skip


def nadam_rule(c, weight, grad, first_moment, second_moment, momentum_product):
    """m ← lerp(m, g, 1 − β1), v ← v·β2 + ((1 − β2)·g)·g, Π ← Π·μ_t, d = √(v / (1 − β2^t)) + ε;
    w ← w + ((−η·(1 − μ_t))/(1 − Π)·g)/d, then w ← w + ((−η·μ_{t+1})/(1 − Π·μ_{t+1})·m)/d (torch's two
    addcdiv, its scalars computed in its order); c as `nadam_coefficients` gives it."""
    first_moment = lerp(first_moment, grad, c[0])
    second_moment = second_moment * c[1] + (c[2] * grad) * grad
    momentum_product = momentum_product * c[5]
    denominator = np.sqrt(second_moment / c[3]) + c[4]
    weight = weight + ((c[7] * (1.0 - c[5])) / (1.0 - momentum_product) * grad) / denominator
    weight = weight + ((c[7] * c[6]) / (1.0 - momentum_product * c[6]) * first_moment) / denominator
    return weight, first_moment, second_moment, momentum_product


@register("nadam")
@dataclass(frozen=True)
class NAdam(ElementwiseOptimizer):
    """NAdam, torch.optim.NAdam's rule: Adam with a Nesterov look-ahead and a momentum that warms up.

    Three rules go by this name: torch's (this one: Dozat's schedule μ_t, its running product in the
    bias correction), optax.nadam (Adam with ``nesterov=True``: constant β1) and AlgoPerf's NadamW
    (optax's form with decoupled weight decay).  They differ from the first step on.

    Symbols: as `Adam`, plus ψ the momentum decay and μ_t = β1·(1 − ½·0.96^(t·ψ)).

        m ← β1·m + (1 − β1)·g,    v ← β2·v + (1 − β2)·g²,    d = √(v / (1 − β2^t)) + ε
        w ← w − η·(1 − μ_t)/(1 − Π_{k≤t} μ_k) · g/d − η·μ_{t+1}/(1 − Π_{k≤t+1} μ_k) · m/d

    Args: learning_rate = η (torch's 2e-3), beta1 = β1 (0.9), beta2 = β2 (0.999), eps = ε (1e-8),
    momentum_decay = ψ (torch's 4e-3).

    Source: Dozat, "Incorporating Nesterov momentum into Adam", ICLR 2016 workshop; ``torch.optim.NAdam``
    (torch 2.13, ``optim/nadam.py``, ``_single_tensor_nadam``; torch keeps Π_t in its default dtype, so it
    is bit for bit with float64 as the default dtype).

    >>> nadam = NAdam()
    >>> nadam.step([0.0], [1.0], nadam.init([0.0]))[0].round(6).tolist()
    [-0.002113]
    """

    learning_rate: float = 2e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    momentum_decay: float = 4e-3

    State, slots = NAdamState, 3
    rule, coefficients = staticmethod(nadam_rule), staticmethod(nadam_coefficients)
    coefficients_change = True  # the bias correction and the momentum schedule

    def initial_slots(self, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        return np.zeros_like(weights), np.zeros_like(weights), np.ones_like(weights)

    def __post_init__(self):
        require_moment_settings(self)
        require_non_negative(self.name, "momentum_decay", self.momentum_decay)

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.beta1, self.beta2, self.eps, self.momentum_decay])

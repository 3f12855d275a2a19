"""Adan as its authors' reference code computes it: Nesterov momentum estimated from the gradient and its
change, with decoupled (by default proximal) weight decay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import require_non_negative, require_positive, require_unit_interval
from optimizers.elementwise import ElementwiseOptimizer, choose, first_step, power
from optimizers.registry import register


class AdanState(NamedTuple):
    first_moment: np.ndarray  # m per weight
    difference_moment: np.ndarray  # δ, the running mean of the gradient's change
    second_moment: np.ndarray  # n, the running mean of (g + β2·Δg)²
    negative_previous_grad: np.ndarray  # −g of the step before
    count: int  # steps taken, t


def adan_coefficients(hyperparameters, count):
    """(first step, β1, 1 − β1, β2, 1 − β2, β3, 1 − β3, √(1 − β3^t), ε, −η/(1 − β1^t), −η·β2/(1 − β2^t),
    1 ∓ η·λ, proximal) from (η, β1, β2, β3, ε, λ, proximal): the reference's scalars in its order."""
    learning_rate, beta1, beta2, beta3 = hyperparameters[0], hyperparameters[1], hyperparameters[2], hyperparameters[3]
    step, decay, proximal = float(count), hyperparameters[5], hyperparameters[6]
    shrink = choose(proximal, 1.0 + learning_rate * decay, 1.0 - learning_rate * decay)
    return np.array([first_step(count, beta1), beta1, 1.0 - beta1, beta2, 1.0 - beta2, beta3, 1.0 - beta3,
                     np.sqrt(1.0 - power(beta3, step)), hyperparameters[4],
                     -(learning_rate / (1.0 - power(beta1, step))),
                     -(learning_rate * beta2 / (1.0 - power(beta2, step))), shrink, proximal])  # fmt: skip


def adan_rule(c, weight, grad, first_moment, difference_moment, second_moment, negative_previous_grad):
    """``_single_tensor_adan`` operation by operation: on the first step −g⁻ = −g (no change); u = −g⁻ + g (Δg),
    m ← m·β1 + (1 − β1)·g, δ ← δ·β2 + (1 − β2)·u, u ← u·β2 + g, n ← n·β3 + ((1 − β3)·u)·u,
    d = √n / √(1 − β3^t) + ε; without the proximal decay w ← w·(1 − η·λ) first; w ← w + (s1·m)/d + (s2·δ)/d;
    with it w ← w / (1 + η·λ) last; −g⁻ ← 0 + (−1·g).  c as `adan_coefficients` gives it."""
    if c[0]:
        negative_previous_grad = -1.0 * grad
    change = negative_previous_grad + grad
    first_moment = first_moment * c[1] + c[2] * grad
    difference_moment = difference_moment * c[3] + c[4] * change
    change = change * c[3] + grad
    second_moment = second_moment * c[5] + (c[6] * change) * change
    denominator = np.sqrt(second_moment) / c[7] + c[8]
    if not c[12]:
        weight = weight * c[11]
    weight = weight + (c[9] * first_moment) / denominator
    weight = weight + (c[10] * difference_moment) / denominator
    if c[12]:
        weight = weight / c[11]
    return weight, first_moment, difference_moment, second_moment, 0.0 + (-1.0 * grad)


@register("adan")
@dataclass(frozen=True)
class Adan(ElementwiseOptimizer):
    """Adan (adaptive Nesterov momentum): Adam-like moments of the gradient and of its change from step to step,
    whose sum extrapolates where the gradient goes.

    Symbols: g = ∂E/∂w, Δg = g − g⁻ (0 at the first step), m, δ and n running means (m₀ = δ₀ = n₀ = 0),
    t the step count, η the learning rate, λ the weight decay.  The β's are the reference's retention
    factors (the paper's β's are one minus these).

        m ← β1·m + (1 − β1)·g
        δ ← β2·δ + (1 − β2)·Δg
        n ← β3·n + (1 − β3)·(g + β2·Δg)²
        d = √n / √(1 − β3^t) + ε
        w ← (w − η/(1 − β1^t)·m/d − η·β2/(1 − β2^t)·δ/d) / (1 + η·λ)     (proximal decay, the default;
                                                 without it w·(1 − η·λ) comes first and nothing divides)

    The reference's gradient clipping (``max_grad_norm``) needs the norm of the whole gradient and is
    left out: it is off by default.

    Args: learning_rate = η (the reference's 1e-3), beta1 = β1 (0.98), beta2 = β2 (0.92), beta3 = β3 (0.99),
    eps = ε (1e-8), weight_decay = λ (0), proximal (True: the reference's ``no_prox=False``).

    Source: Xie, Zhou, Li, Lin & Yan, "Adan: adaptive Nesterov momentum algorithm for faster optimizing deep
    models", IEEE TPAMI 2024; the authors' code, github.com/sail-sg/Adan ``adan.py`` (``_single_tensor_adan``).

    >>> adan = Adan(learning_rate=0.1)
    >>> adan.step([0.0, 0.0], [2.0, -0.5], adan.init([0.0, 0.0]))[0].round(6).tolist()
    [-0.1, 0.1]
    """

    learning_rate: float = 1e-3
    beta1: float = 0.98
    beta2: float = 0.92
    beta3: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    proximal: bool = True

    State, slots = AdanState, 4
    rule, coefficients = staticmethod(adan_rule), staticmethod(adan_coefficients)
    coefficients_change = True  # the bias corrections

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        for name in ("beta1", "beta2", "beta3"):
            require_unit_interval(self.name, name, getattr(self, name))
        require_non_negative(self.name, "eps", self.eps)
        require_non_negative(self.name, "weight_decay", self.weight_decay)
        if not isinstance(self.proximal, bool):
            raise TypeError(f"{self.name}: proximal must be True or False, got {self.proximal!r}")

    def hyperparameter_vector(self) -> np.ndarray:
        return np.array([self.learning_rate, self.beta1, self.beta2, self.beta3, self.eps, self.weight_decay,
                         float(self.proximal)])  # fmt: skip

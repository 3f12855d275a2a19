"""Adam and its AMSGrad variant: bias-corrected first and second moment estimates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from optimizers.base import require_moment_settings
from optimizers.elementwise import ElementwiseOptimizer, larger, lerp, power
from optimizers.registry import register


class AdamState(NamedTuple):
    first_moment: np.ndarray  # m per weight
    second_moment: np.ndarray  # v per weight
    max_second_moment: np.ndarray  # max of the raw v so far (AMSGrad; plain Adam keeps its zeros)
    count: int  # steps taken, t


def adam_coefficients(hyperparameters, count):
    """(1 − β1, β2, 1 − β2, −η/(1 − β1^t), √(1 − β2^t), ε, AMSGrad, 1 − η·λ) from (η, β1, β2, ε, AMSGrad, λ)."""
    learning_rate, beta1, beta2 = hyperparameters[0], hyperparameters[1], hyperparameters[2]
    step_size = learning_rate / (1 - power(beta1, float(count)))
    corrected_root = power(1 - power(beta2, float(count)), 0.5)
    decay = 1 - learning_rate * hyperparameters[5]
    return np.array(
        [1 - beta1, beta2, 1 - beta2, -step_size, corrected_root, hyperparameters[3], hyperparameters[4], decay]
    )


def adam_rule(c, weight, grad, first_moment, second_moment, max_second_moment):
    """w ← w·(1 − η·λ) (AdamW's decoupled decay; exact for Adam, whose λ = 0), m ← lerp(m, g, 1 − β1),
    v ← v·β2 + ((1 − β2)·g)·g (torch's addcmul), AMSGrad: v_max ← max(v_max, v);
    w ← w + (−η/(1 − β1^t))·m / (√v / √(1 − β2^t) + ε) with v_max for v under AMSGrad (torch's addcdiv).
    c as `adam_coefficients` gives it."""
    weight = weight * c[7]
    first_moment = lerp(first_moment, grad, c[0])
    second_moment = second_moment * c[1] + (c[2] * grad) * grad
    root_of = second_moment
    if c[6]:
        max_second_moment = larger(max_second_moment, second_moment)
        root_of = max_second_moment
    denominator = np.sqrt(root_of) / c[4] + c[5]
    return weight + (c[3] * first_moment) / denominator, first_moment, second_moment, max_second_moment


@dataclass(frozen=True)
class _Adam(ElementwiseOptimizer):
    learning_rate: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    name: ClassVar[str]
    amsgrad: ClassVar[bool]
    State, slots = AdamState, 3
    rule, coefficients = staticmethod(adam_rule), staticmethod(adam_coefficients)
    coefficients_change = True  # the bias corrections

    def __post_init__(self):
        require_moment_settings(self)

    def hyperparameter_vector(self) -> np.ndarray:
        decay = getattr(self, "weight_decay", 0.0)  # AdamW's λ
        return np.array([self.learning_rate, self.beta1, self.beta2, self.eps, float(self.amsgrad), decay])


@register("adam")
class Adam(_Adam):
    """Adam, with torch.optim's semantics (eps added to √v̂, outside the square root).

    Symbols: g = ∂E/∂w, m and v the running means of g and g² (m₀ = v₀ = 0), t
    the step count, β1 and β2 their decays, η the learning rate, ε a small constant.

        t ← t + 1
        m ← β1·m + (1 − β1)·g,    v ← β2·v + (1 − β2)·g²
        w ← w − η/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)

    The first step is about −η·sign(g), whatever |g| is.

    Args: learning_rate = η (0.05; torch's 1e-3 barely moves this network in
    2000 epochs), beta1 = β1 (0.9), beta2 = β2 (0.999), eps = ε (1e-8).

    Source: Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015;
    ``torch.optim.Adam``.

    >>> adam = Adam(learning_rate=0.05)
    >>> adam.step([0.0, 0.0], [2.0, -0.5], adam.init([0.0, 0.0]))[0].round(6).tolist()
    [-0.05, 0.05]
    """

    amsgrad = False


@register("amsgrad")
class AMSGrad(_Adam):
    """AMSGrad: Adam that divides by the largest second moment seen so far.

    Symbols: as `Adam`, plus v_max (v_max₀ = 0).

        v_max ← max(v_max, v)          (the raw v, before bias correction, as torch does)
        w ← w − η/(1 − β1^t) · m / (√v_max / √(1 − β2^t) + ε)

    Args: as `Adam`.

    Source: Reddi, Kale & Kumar, "On the convergence of Adam and beyond", ICLR
    2018; ``torch.optim.Adam(amsgrad=True)`` (optax differs: it takes the max
    of the bias-corrected v̂).

    >>> amsgrad = AMSGrad(learning_rate=0.05)
    >>> amsgrad.step([0.0, 0.0], [2.0, -0.5], amsgrad.init([0.0, 0.0]))[0].round(6).tolist()
    [-0.05, 0.05]
    """

    amsgrad = True

"""Adam and its AMSGrad variant: bias-corrected first and second moment estimates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from optimizers import compiled
from optimizers.base import as_step_arrays, lerp, require_positive, require_unit_interval
from optimizers.registry import register


class AdamState(NamedTuple):
    first_moment: np.ndarray  # m per weight
    second_moment: np.ndarray  # v per weight
    max_second_moment: np.ndarray  # max of the raw v so far (AMSGrad; plain Adam keeps its zeros)
    count: int  # steps taken, t


@dataclass(frozen=True)
class _Adam:
    learning_rate: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    name: ClassVar[str]
    amsgrad: ClassVar[bool]
    needs_loss: ClassVar[bool] = False

    def __post_init__(self):
        require_positive(self.name, "learning_rate", self.learning_rate)
        require_unit_interval(self.name, "beta1", self.beta1)
        require_unit_interval(self.name, "beta2", self.beta2)
        require_positive(self.name, "eps", self.eps)

    def init(self, weights) -> AdamState:
        zeros = np.zeros_like(np.asarray(weights, dtype=np.float64))
        return AdamState(zeros, zeros, zeros, 0)

    def step(self, weights, grad, state: AdamState, loss=None):
        weights, grad = as_step_arrays(self.name, weights, grad)
        count = state.count + 1
        if compiled.fits(weights, *state[:3]):
            return compiled.adam(self, weights, grad, state, count)
        first_moment = lerp(state.first_moment, grad, 1 - self.beta1)
        second_moment = state.second_moment * self.beta2
        second_moment += np.multiply((1 - self.beta2) * grad, grad)  # torch's addcmul: v·β2 + ((1 − β2)·g)·g
        max_second_moment = np.maximum(state.max_second_moment, second_moment) if self.amsgrad else None
        step_size = self.learning_rate / (1 - self.beta1 ** float(count))
        corrected_root = (1 - self.beta2 ** float(count)) ** 0.5
        denominator = np.sqrt(second_moment if max_second_moment is None else max_second_moment)
        denominator /= corrected_root
        denominator += self.eps
        update = (-step_size) * first_moment
        update /= denominator  # torch's addcdiv: w + (value·m)/d
        kept_max = state.max_second_moment if max_second_moment is None else max_second_moment
        return weights + update, AdamState(first_moment, second_moment, kept_max, count)


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

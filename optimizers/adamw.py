"""AdamW: Adam with decoupled weight decay, torch.optim.AdamW's rule and defaults."""

from __future__ import annotations

from dataclasses import dataclass

from optimizers.adam import _Adam
from optimizers.base import require_non_negative
from optimizers.registry import register


@register("adamw")
@dataclass(frozen=True)
class AdamW(_Adam):
    """AdamW: Adam whose weight decay shrinks the weights directly instead of joining the gradient.

    Symbols: as `Adam`, plus λ the weight decay.

        w ← w·(1 − η·λ)                (decoupled, but scaled by η, as torch does)
        then Adam's step from the decayed w: m, v, w ← w − η/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)

    It runs Adam's rule (`optimizers.adam.adam_rule`, whose decay factor is 1 for Adam), so every path of
    Adam is AdamW's too.  Loshchilov & Hutter decay by λ·w without η (their schedule multiplier stands in);
    torch and optax multiply by η; optax.adamw's default λ is 1e-4, torch's 1e-2.

    Args: learning_rate = η (torch's 1e-3), beta1 = β1 (0.9), beta2 = β2 (0.999), eps = ε (1e-8),
    weight_decay = λ (torch's 1e-2).

    Source: Loshchilov & Hutter, "Decoupled weight decay regularization", ICLR 2019;
    ``torch.optim.AdamW`` (torch 2.13, ``optim/adam.py``'s ``_single_tensor_adam`` with
    ``decoupled_weight_decay=True``).

    >>> adamw = AdamW(learning_rate=0.1, weight_decay=0.5)
    >>> adamw.step([2.0, 0.0], [0.0, 1.0], adamw.init([2.0, 0.0]))[0].round(6).tolist()
    [1.9, -0.1]
    """

    learning_rate: float = 1e-3
    weight_decay: float = 1e-2
    amsgrad = False

    def __post_init__(self):
        super().__post_init__()
        require_non_negative(self.name, "weight_decay", self.weight_decay)

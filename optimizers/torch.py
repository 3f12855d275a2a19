"""optarena's optimizers as torch.optim classes, for the ones torch lacks: Rprop+, Rprop−, iRprop+, Quickprop,
SuperSAB, delta-bar-delta, Lion, Adan, Schedule-Free AdamW and SGD, and Prodigy (which prodigyopt offers too; here a
parameter group is one network, as one prodigyopt optimizer per group).

    import torch
    from optimizers.torch import IRpropPlus

    model = torch.nn.Linear(3, 1).double()
    optimizer = IRpropPlus(model.parameters(), delta0=0.01)
    for _ in range(100):
        def closure():
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).sum()
            loss.backward()
            return loss
        optimizer.step(closure)

Each class runs optarena's own numpy step (`optimizers`), so the update rule
lives in one place: per parameter group, every parameter is flattened into
one vector, in the group's order, and the group is one model for the rule
(iRprop+ compares the group's loss with the previous one).  A parameter
without a gradient counts as a zero gradient.  Keyword arguments are the
optarena optimizer's hyperparameters (``optarena list`` shows them);
parameter groups may override them, as in torch.  The state lives in
``optimizer.state`` under the group's first parameter.

Optimizers that need the loss (iRprop+) take it from the closure, following
torch's ``step(closure)`` convention: ``step()`` without one raises.

Schedule-Free's parameters hold y, where it takes its gradients, while the
model is x: as with the ``schedulefree`` package, call ``optimizer.eval()``
before evaluating or saving the model (the parameters then hold x) and
``optimizer.train()`` before training again.
"""

from __future__ import annotations

import numpy as np
import torch

import optimizers


class OptarenaOptimizer(torch.optim.Optimizer):
    """A torch.optim.Optimizer that steps with the registered optarena optimizer ``rule``."""

    rule = ""  # the optarena name, set by each subclass

    def __init__(self, params, **hyperparameters):
        defaults = optimizers.hyperparameters_of(self.rule) | hyperparameters
        optimizers.get(self.rule, **hyperparameters)  # checks the names and values now
        super().__init__(params, defaults)

    def rule_of(self, group):
        """The optarena optimizer with ``group``'s hyperparameters."""
        return optimizers.get(self.rule, **{key: group[key] for key in optimizers.hyperparameters_of(self.rule)})

    @torch.no_grad()
    def step(self, closure=None):
        """One step of every parameter group; returns the closure's loss (None without a closure)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            rule = self.rule_of(group)
            if rule.needs_loss and loss is None:
                raise RuntimeError(f"{type(self).__name__} needs the loss: call step(closure) with a closure that "
                                   "computes it and calls backward()")  # fmt: skip
            params = group["params"]
            weights = _flat(params)
            grad = _flat([p.grad if p.grad is not None else torch.zeros_like(p) for p in params])
            memory = self.state[params[0]]
            state = memory.get("optarena")
            if state is None:
                state = rule.init(weights)
            error = None if loss is None else np.float64(loss.detach().cpu().double().item())
            weights, memory["optarena"] = rule.step(weights, grad, state, loss=error)
            _write(params, weights)
        return loss


def _flat(tensors) -> np.ndarray:
    """The tensors' values as one float64 vector, in their order."""
    return np.concatenate([t.detach().cpu().double().reshape(-1).numpy() for t in tensors])


def _write(params, weights: np.ndarray) -> None:
    """Copy the vector ``weights`` into ``params``, in their order and shapes."""
    offset = 0
    for p in params:
        p.copy_(torch.from_numpy(weights[offset : offset + p.numel()]).reshape(p.shape).to(p.dtype))
        offset += p.numel()


class ModelElsewhere(OptarenaOptimizer):
    """An optimizer whose model is not where it steps (Schedule-Free): ``eval()`` puts the model into the
    parameters, ``train()`` the point where it steps, as the ``schedulefree`` package's classes do."""

    def __init__(self, params, **hyperparameters):
        super().__init__(params, **hyperparameters)
        self.training = True

    @torch.no_grad()
    def eval(self) -> None:
        """The parameters hold the model (`optimizers.base.evaluation_point`) until `train`."""
        if self.training:
            for group in self.param_groups:
                memory = self.state[group["params"][0]]
                if "optarena" in memory:
                    memory["steps_at"] = _flat(group["params"])
                    model = self.rule_of(group).evaluation_point(memory["steps_at"], memory["optarena"])
                    _write(group["params"], model)
            self.training = False

    @torch.no_grad()
    def train(self) -> None:
        """The parameters hold the point where the optimizer steps again."""
        if not self.training:
            for group in self.param_groups:
                memory = self.state[group["params"][0]]
                if "steps_at" in memory:
                    _write(group["params"], memory.pop("steps_at"))
            self.training = True

    def step(self, closure=None):
        if not self.training:
            raise RuntimeError(f"{type(self).__name__} is in eval mode: call optimizer.train() before step()")
        return super().step(closure)


def _torch_class(name: str, rule: str, base: type = OptarenaOptimizer) -> type:
    """A subclass of ``base`` for optarena optimizer ``rule``, documented with its docstring."""
    source = optimizers.source_of(rule)
    doc = f"optarena's {rule} as a torch.optim optimizer: {optimizers.summary_of(rule)}\n\n" + (
        f"Source: {source}" if source else ""
    )
    return type(name, (base,), {"rule": rule, "__doc__": doc, "__module__": __name__})


RpropPlus = _torch_class("RpropPlus", "rprop+")
RpropMinus = _torch_class("RpropMinus", "rprop-")
IRpropPlus = _torch_class("IRpropPlus", "irprop+")
Quickprop = _torch_class("Quickprop", "quickprop")
SuperSAB = _torch_class("SuperSAB", "supersab")
DeltaBarDelta = _torch_class("DeltaBarDelta", "delta-bar-delta")
Lion = _torch_class("Lion", "lion")
Prodigy = _torch_class("Prodigy", "prodigy")
Adan = _torch_class("Adan", "adan")
ScheduleFreeAdamW = _torch_class("ScheduleFreeAdamW", "schedule-free-adamw", ModelElsewhere)
ScheduleFreeSGD = _torch_class("ScheduleFreeSGD", "schedule-free-sgd", ModelElsewhere)

__all__ = ["Adan", "DeltaBarDelta", "IRpropPlus", "Lion", "ModelElsewhere", "OptarenaOptimizer", "Prodigy",
           "Quickprop", "RpropMinus", "RpropPlus", "ScheduleFreeAdamW", "ScheduleFreeSGD", "SuperSAB"]  # fmt: skip

"""torch optimizers in the arena: ``torch:Adam`` runs torch's own step on a population, fed optarena's gradients.

``optimizers.get("torch:Adam", lr=0.01)`` (or ``name = "torch:Adam"`` in a
spec) wraps ``torch.optim.Adam``; ``torch:package.module.Class`` wraps a
user's ``torch.optim.Optimizer`` subclass.  The population's weights become
one float64 tensor of shape (..., P), a single torch parameter whose gradient
is optarena's exact one, and each step is the torch class's own ``step``.
Runs that leave the population take their rows of every per-parameter state
tensor with them (`TorchState.take_runs`).

torch is an optional dependency (``pip install "optarena[torch]"``).  A
class is refused, with the reason, when its step needs a closure (LBFGS), or
when a probe shows that it couples the networks of a population: one step
on two networks stacked must equal a step on each alone (Adafactor's
factored moments, anything with a global norm, fail this).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

INSTALL = 'pip install "optarena[torch]"'


def torch_installed() -> bool:
    """Whether PyTorch can be imported here (without importing it)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except ValueError:  # a module entry set to None (how tests hide torch)
        return False


def torch_module():
    """The torch module, or a one-line error that says how to install it."""
    try:
        import torch
    except ImportError:
        raise ValueError(f"torch optimizers need PyTorch, which is not installed: {INSTALL}") from None
    return torch


def torch_class(path: str) -> type:
    """``torch.optim.PATH`` for a plain class name, else the class at dotted ``PATH``; checked to be an optimizer."""
    torch = torch_module()
    if "." not in path:
        found = getattr(torch.optim, path, None)
    else:
        module, _, name = path.rpartition(".")
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError as problem:
            raise ValueError(f"torch:{path}: cannot import {module!r}: {problem}") from None
    if not (inspect.isclass(found) and issubclass(found, torch.optim.Optimizer)):
        raise ValueError(f"torch:{path} is not a torch.optim.Optimizer class (give torch:Adam or torch:pkg.mod.Class)")
    if found is torch.optim.LBFGS:
        raise ValueError("torch:LBFGS is refused: its step needs a closure that re-evaluates the whole population, "
                         "and its line search couples the networks of a population")  # fmt: skip
    return found


def torch_optimizer(path: str, hyperparameters: dict) -> TorchOptimizer:
    """The arena's wrapper of torch class ``path`` with ``hyperparameters``, probed for coupling first."""
    cls = torch_class(path)
    allowed = [name for name in inspect.signature(cls).parameters if name != "params"]
    unknown = sorted(set(hyperparameters) - set(allowed))
    if unknown:
        raise TypeError(f"optimizer 'torch:{path}' has no hyperparameter {unknown[0]!r}; allowed: {', '.join(allowed)}")
    optimizer = TorchOptimizer(path, dict(hyperparameters))
    optimizer.probe()
    return optimizer


@dataclass
class TorchState:
    """One float64 torch parameter holding the population's weights, and the torch optimizer stepping it."""

    parameter: Any  # torch.Tensor of the weights' shape
    optimizer: Any  # the torch.optim.Optimizer

    def take_runs(self, keep: np.ndarray) -> TorchState:
        """The state of the kept runs (leading axis): every per-parameter state tensor indexed like the weights."""
        torch = torch_module()
        index = torch.from_numpy(np.flatnonzero(keep)) if np.asarray(keep).dtype == bool else torch.as_tensor(keep)
        return self._rebuilt(lambda tensor: tensor[index].clone())

    def copied(self) -> TorchState:
        """A state of its own with the same values: what a step changes, leaving this one as it was."""
        return self._rebuilt(lambda tensor: tensor.clone())

    def _rebuilt(self, take) -> TorchState:
        """A new parameter and optimizer whose tensors of the weights' shape are ``take(tensor)``, the rest copied."""
        torch = torch_module()
        parameter = take(self.parameter.detach()).requires_grad_(True)
        optimizer = type(self.optimizer)([parameter], **_hyperparameters(self.optimizer))
        for key, value in self.optimizer.state[self.parameter].items():
            same_shape = torch.is_tensor(value) and value.shape == self.parameter.shape
            optimizer.state[parameter][key] = take(value) if same_shape else _copied(value)
        return TorchState(parameter, optimizer)


@dataclass(frozen=True)
class TorchOptimizer:
    """A torch.optim class as an optarena optimizer: ``init`` and ``step`` over weights of shape (..., P)."""

    path: str  # "Adam", or "package.module.Class"
    hyperparameters: dict = field(default_factory=dict)
    needs_loss = False

    @property
    def name(self) -> str:
        return f"torch:{self.path}"

    def init(self, weights) -> TorchState:
        torch = torch_module()
        parameter = torch.tensor(np.asarray(weights, dtype=np.float64)).requires_grad_(True)
        return TorchState(parameter, torch_class(self.path)([parameter], **self.hyperparameters))

    def step(self, weights, grad, state: TorchState, loss=None):
        torch = torch_module()
        weights, grad = np.asarray(weights, dtype=np.float64), np.asarray(grad, dtype=np.float64)
        if weights.shape != tuple(state.parameter.shape) or grad.shape != weights.shape:
            raise ValueError(
                f"{self.name}: weights, grad and state must share one shape, got {weights.shape}, {grad.shape} "
                f"and {tuple(state.parameter.shape)}"
            )
        state = state.copied()  # pure, as the protocol asks: the state passed in stays as it was
        with torch.no_grad():
            state.parameter.copy_(torch.from_numpy(weights))
        state.parameter.grad = torch.from_numpy(grad.copy())
        state.optimizer.step()
        return state.parameter.detach().numpy().copy(), state

    def probe(self) -> None:
        """Refuse a class whose step couples networks: two networks stepped together must equal each alone."""
        rng = np.random.default_rng(0)
        weights, grads = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
        together = self._stepped(weights, grads)
        alone = np.concatenate([self._stepped(weights[i : i + 1], grads[i : i + 1]) for i in range(2)])
        if not np.allclose(together, alone, rtol=1e-12, atol=0.0):
            raise ValueError(f"{self.name} is refused: its step couples the networks of a population (a step on "
                             "two networks differs from a step on each alone, e.g. through a global norm)")  # fmt: skip

    def _stepped(self, weights, grads) -> np.ndarray:
        state = self.init(weights)
        for _ in range(3):
            weights, state = self.step(weights, grads, state)
        return weights


def _hyperparameters(optimizer) -> dict:
    """The constructor arguments of a torch optimizer, from its first group (the defaults it was built with)."""
    accepted = inspect.signature(type(optimizer)).parameters
    return {key: value for key, value in optimizer.defaults.items() if key in accepted}


def _copied(value):
    torch = torch_module()
    return value.clone() if torch.is_tensor(value) else value

"""The networks: the article's 1-1-1 sigmoid network with its closed-form gradient, and layered networks of any shape.

>>> import network
>>> E, grad = network.loss_and_grad([[0.5, 2.0], [1.0, -1.0]], [1.0], [1.0])
>>> E.shape, grad.shape
((2,), (2, 2))
>>> xor = network.Layered([2, 2, 1])
>>> xor.loss_and_grad([[0.0] * xor.size] * 3, [[0, 1], [1, 0]], [[1], [1]])[1].shape
(3, 9)
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

from network.lazy_names import lazy_names

_HOME = {  # name: the module that defines it, imported on first use (the closed form loads numba's kernels)
    "GradientCheck": "network.gradient_check",
    "check_gradient": "network.gradient_check",
    "numerical_gradient": "network.gradient_check",
    "ARTICLE_NETWORK": "network.layered",
    "Layered": "network.layered",
    "Activations": "network.one_one_one",
    "activations": "network.one_one_one",
    "error": "network.one_one_one",
    "forward": "network.one_one_one",
    "loss_and_grad": "network.one_one_one",
    "per_sample_loss_and_grad": "network.one_one_one",
    "sigmoid": "network.sigmoid",
    "sigmoid_derivative": "network.sigmoid",
    "Task": "network.tasks",
    "get_task": "network.tasks",
    "tasks": "network.tasks",
    "FlatSpot": "network.validation",
}

if TYPE_CHECKING:
    from network.gradient_check import GradientCheck, check_gradient, numerical_gradient
    from network.layered import ARTICLE_NETWORK, Layered
    from network.one_one_one import Activations, activations, error, forward, loss_and_grad, per_sample_loss_and_grad
    from network.sigmoid import sigmoid, sigmoid_derivative
    from network.tasks import Task, get_task, tasks
    from network.validation import FlatSpot


__getattr__, __dir__ = lazy_names(__name__, _HOME)


def _function_over_module(name: str) -> property:
    """``network.NAME`` is the function NAME even where the submodule network.NAME is imported (the import system
    then sets the package's attribute to the module; this keeps the function)."""

    def get(package):
        return getattr(importlib.import_module(_HOME[name]), name)

    return property(get, lambda package, value: None)


class _Package(types.ModuleType):
    sigmoid = _function_over_module("sigmoid")
    tasks = _function_over_module("tasks")
    activations = _function_over_module("activations")


sys.modules[__name__].__class__ = _Package

__all__ = [
    "ARTICLE_NETWORK",
    "Activations",
    "FlatSpot",
    "GradientCheck",
    "Layered",
    "Task",
    "activations",
    "check_gradient",
    "error",
    "forward",
    "get_task",
    "loss_and_grad",
    "numerical_gradient",
    "per_sample_loss_and_grad",
    "sigmoid",
    "sigmoid_derivative",
    "tasks",
]

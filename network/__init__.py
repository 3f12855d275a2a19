"""The article's 1-1-1 sigmoid network: forward pass, error and closed-form gradient.

>>> import network
>>> E, grad = network.loss_and_grad([[0.5, 2.0], [1.0, -1.0]], [1.0], [1.0])
>>> E.shape, grad.shape
((2,), (2, 2))
"""

from network.gradient_check import GradientCheck, check_gradient, numerical_gradient
from network.one_one_one import (
    Activations,
    activations,
    error,
    forward,
    loss_and_grad,
    per_sample_loss_and_grad,
)
from network.sigmoid import sigmoid, sigmoid_derivative
from network.tasks import Task, get_task, tasks

__all__ = [
    "Activations",
    "GradientCheck",
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

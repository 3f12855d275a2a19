"""The networks: the article's 1-1-1 sigmoid network with its closed-form gradient, and layered networks of any shape.

>>> import network
>>> E, grad = network.loss_and_grad([[0.5, 2.0], [1.0, -1.0]], [1.0], [1.0])
>>> E.shape, grad.shape
((2,), (2, 2))
>>> xor = network.Layered([2, 2, 1])
>>> xor.loss_and_grad([[0.0] * xor.size] * 3, [[0, 1], [1, 0]], [[1], [1]])[1].shape
(3, 9)
"""

from network.gradient_check import GradientCheck, check_gradient, numerical_gradient
from network.layered import ARTICLE_NETWORK, Layered
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
from network.validation import FlatSpot

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

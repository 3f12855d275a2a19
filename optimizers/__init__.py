"""Optimizers for populations of models with any number of parameters, behind one protocol and one registry.

>>> import optimizers
>>> optimizers.available()[:6]
['gd', 'sign', 'rprop+', 'rprop-', 'irprop+', 'irprop-']
>>> rprop = optimizers.get("irprop-", delta0=0.05)
>>> state = rprop.init([[0.0, 0.0], [1.0, 1.0]])
>>> weights, state = rprop.step([[0.0, 0.0], [1.0, 1.0]], [[1.0, -1.0], [0.0, 2.0]], state)
>>> weights.tolist()
[[-0.05, 0.05], [1.0, 0.95]]
>>> adam = optimizers.get("adam")                # any parameter vector: here one model with 5
>>> weights, state = adam.step([0.0] * 5, [1.0] * 5, adam.init([0.0] * 5))
>>> weights.round(3).tolist()
[-0.05, -0.05, -0.05, -0.05, -0.05]
"""

# Importing the modules registers the built-ins; their order is the listing order.
from optimizers import gradient_descent, sign, rprop, momentum, adagrad, rmsprop, adam  # noqa: F401  # isort: skip
from optimizers import quickprop, delta_bar_delta, supersab  # noqa: F401  # isort: skip
from optimizers import adamw, nadam, radam, adamax, adadelta, lion, adan  # noqa: F401  # isort: skip
from optimizers import schedule_free_adamw, schedule_free_sgd, prodigy, muon, adafactor  # noqa: F401  # isort: skip
from optimizers import elementwise
from optimizers.base import Optimizer
from optimizers.gradient_descent import GradientDescent
from optimizers.registry import (
    OptimizerUnavailable,
    available,
    get,
    hyperparameters_of,
    import_modules,
    imported_modules,
    is_available,
    is_known,
    load_plugins,
    metadata_of,
    missing_imports_allowed,
    origin_of,
    register,
    require_available,
    source_of,
    stand_in_for,
    summary_of,
    unregister,
)
from optimizers.rprop import IRpropMinus, IRpropPlus, RpropMinus, RpropPlus, RpropState
from optimizers.sign import Sign


def _compiled_steps():
    from optimizers import compiled  # numba and every rule, loaded by the first step

    return compiled


elementwise.use_compiled_steps(_compiled_steps)
PLUGIN_PROBLEMS = load_plugins()  # installed packages' optimizers, in every process; the CLI reports failures

__all__ = [
    "PLUGIN_PROBLEMS",
    "GradientDescent",
    "IRpropMinus",
    "IRpropPlus",
    "Optimizer",
    "OptimizerUnavailable",
    "RpropMinus",
    "RpropPlus",
    "RpropState",
    "Sign",
    "available",
    "get",
    "hyperparameters_of",
    "import_modules",
    "imported_modules",
    "is_available",
    "is_known",
    "load_plugins",
    "metadata_of",
    "missing_imports_allowed",
    "origin_of",
    "register",
    "require_available",
    "source_of",
    "stand_in_for",
    "summary_of",
    "unregister",
]

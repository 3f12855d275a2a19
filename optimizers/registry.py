"""One registry of optimizers by name: it drives the CLI listing, the experiments and the common tests."""

from __future__ import annotations

import inspect
from collections.abc import Callable

_REGISTRY: dict[str, type] = {}


def register(name: str) -> Callable[[type], type]:
    """Class decorator adding an optimizer under ``name``; the class gets ``name`` as an attribute.

    The class is built as ``cls(**hyperparameters)`` and must provide
    ``init(weights)`` and ``step(weights, grad, state, loss=None)``; its
    constructor's keyword defaults are the hyperparameters that
    `hyperparameters` lists.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"an optimizer name must be a non-empty string, got {name!r}")

    def add(cls: type) -> type:
        if name in _REGISTRY:
            raise ValueError(f"an optimizer named {name!r} is already registered ({_REGISTRY[name].__name__})")
        missing = [method for method in ("init", "step") if not callable(getattr(cls, method, None))]
        if missing:
            raise TypeError(f"optimizer {name!r} must define {' and '.join(missing)}")
        cls.name = name
        if not hasattr(cls, "needs_loss"):
            cls.needs_loss = False
        _REGISTRY[name] = cls
        return cls

    return add


def unregister(name: str) -> None:
    """Remove a user-registered optimizer (for notebooks and tests)."""
    _class_of(name)
    del _REGISTRY[name]


def available() -> list[str]:
    """Registered optimizer names, built-in ones first, in registration order."""
    return list(_REGISTRY)


def get(name: str, **hyperparameters):
    """The optimizer ``name`` built with ``hyperparameters`` (the others keep their defaults).

    >>> get("gd", learning_rate=0.1)
    GradientDescent(learning_rate=0.1)
    """
    cls = _class_of(name)
    allowed = hyperparameters_of(name)
    unknown = sorted(set(hyperparameters) - set(allowed))
    if unknown:
        raise TypeError(
            f"optimizer {name!r} has no hyperparameter {unknown[0]!r}; allowed: " + (", ".join(allowed) or "none")
        )
    return cls(**hyperparameters)


def hyperparameters_of(name: str) -> dict[str, object]:
    """Hyperparameter names of optimizer ``name`` with their defaults.

    >>> hyperparameters_of("gd")
    {'learning_rate': 0.5}
    """
    parameters = inspect.signature(_class_of(name)).parameters.values()
    return {p.name: p.default for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD or p.kind is p.KEYWORD_ONLY}


def summary_of(name: str) -> str:
    """The first line of an optimizer's docstring."""
    return (inspect.getdoc(_class_of(name)) or name).splitlines()[0]


def source_of(name: str) -> str:
    """The "Source:" paragraph of an optimizer's docstring, on one line ("" when it has none)."""
    doc = inspect.getdoc(_class_of(name)) or ""
    for paragraph in doc.split("\n\n"):
        if paragraph.startswith("Source:"):
            return " ".join(paragraph[len("Source:") :].split())
    return ""


def _class_of(name: str) -> type:
    if name not in _REGISTRY:
        raise ValueError(f"unknown optimizer {name!r}; available: {', '.join(_REGISTRY)}")
    return _REGISTRY[name]

"""A package's public names imported from their modules on first use (PEP 562), so importing the package is cheap.

    __getattr__, __dir__ = lazy_names(__name__, {"get_task": "network.tasks", ...})

in a package's ``__init__``: ``package.get_task`` imports ``network.tasks`` the
first time it is asked for, and keeps it.  `network` uses it (defining a network
loads no compiler) and so does `experiments` (training a population loads no
pandas).
"""

from __future__ import annotations

import importlib
import sys


def lazy_names(package: str, home: dict[str, str]):
    """(``__getattr__``, ``__dir__``) for ``package``, whose name ``name`` lives in module ``home[name]``."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str):
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home[name]), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(home))

    return __getattr__, __dir__

"""One registry of optimizers by name: it drives the CLI listing, the experiments and the common tests.

Optimizers come from four places, and the registry remembers which (`origin_of`):

    built-in     the modules of this package
    plugin       a package that declares an ``optarena.optimizers`` entry point (pyproject.toml:
                 ``[project.entry-points."optarena.optimizers"] lion = "lion_plugin"``); every optarena
                 process imports it when it imports `optimizers`, the way pytest loads its plugins
    import       a module named by ``--import MODULE`` on the command line or ``imports = [...]`` in a
                 spec (`import_modules`)
    runtime      a class registered by the user's own code (a notebook, a script)

Names of the form ``torch:CLASS`` are torch optimizers (`optimizers.from_torch`),
built on demand rather than registered.  Results folders store `metadata_of` each
optimizer, so they stay readable where its code is not: `stored` gives a
stand-in that knows the name, defaults and origin, and says what to import
when someone tries to train with it.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import inspect
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

_REGISTRY: dict[str, type] = {}
_ORIGINS: dict[str, str] = {}
_STORED: dict[str, type] = {}
_IMPORTED: list[str] = []  # modules imported through import_modules, in order (workers repeat them)
_origin = None  # the origin of the classes registered right now: set while a plugin or an import loads
_tolerant = False  # import_modules skips what it cannot import (inside missing_imports_allowed)
TORCH_PREFIX = "torch:"
IMPORTED = "import"  # the origin of an optimizer registered by `import_modules`: "import MODULE"
ENTRY_POINTS = "optarena.optimizers"


class OptimizerUnavailable(ValueError):
    """An optimizer known only from a results folder's metadata: its code is not importable here."""


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
        _ORIGINS[name] = _origin or ("built-in" if cls.__module__.startswith("optimizers.") else "runtime")
        _STORED.pop(name, None)
        return cls

    return add


def built_in_classes() -> list[type]:
    """The classes of the built-in optimizers, in the order they registered (the listing order)."""
    return [cls for name, cls in _REGISTRY.items() if _ORIGINS[name] == "built-in"]


def unregister(name: str) -> None:
    """Remove a user-registered optimizer, or the stand-in of one read from a results folder (for notebooks and
    tests); a name that is neither raises a one-line ValueError."""
    if name in _STORED:
        del _STORED[name]
        return
    if name not in _REGISTRY:
        close = _closest(name, _REGISTRY)
        raise ValueError(f"cannot unregister {name!r}: no optimizer of that name is registered{close}")
    del _REGISTRY[name]
    _ORIGINS.pop(name, None)


def origin_of(name: str) -> str:
    """Where optimizer ``name`` comes from: "built-in", "plugin DIST (MODULE)", "import MODULE", "runtime", or
    "stored: ..." for a stand-in read from a results folder.

    >>> origin_of("irprop-")
    'built-in'
    """
    if name in _REGISTRY:
        return _ORIGINS.get(name, "runtime")
    if name.startswith(TORCH_PREFIX) and is_available(name):
        return "torch"
    if name in _STORED:
        return f"stored: {_STORED[name].stored_origin} (its code is not importable here)"
    _class_of(name)
    return ""


def is_available(name: str) -> bool:
    """Whether optimizer ``name`` can train in this process (registered, or a torch optimizer with torch
    installed), not a stand-in."""
    if name.startswith(TORCH_PREFIX):
        from optimizers.from_torch import torch_installed

        return torch_installed()
    return name in _REGISTRY


def is_known(name: str) -> bool:
    """Whether ``name`` can be built: available, or a stand-in read from a results folder."""
    return is_available(name) or name in _STORED


def metadata_of(name: str) -> dict:
    """What a results folder stores about optimizer ``name``: enough to list and label it without its code.

    >>> sorted(metadata_of("gd"))
    ['hyperparameters', 'module', 'name', 'needs_loss', 'origin', 'source', 'summary']
    """
    cls = _class_of(name)
    origin = getattr(cls, "stored_origin", None) or origin_of(name)
    imported = origin.startswith(f"{IMPORTED} ")  # what the user passed to --import, resolved: what to pass again
    module = getattr(cls, "stored_module", None) or (origin[len(IMPORTED) + 1 :] if imported else cls.__module__)
    return {
        "name": name,
        "hyperparameters": {key: _plain(value) for key, value in hyperparameters_of(name).items()},
        "summary": summary_of(name),
        "source": source_of(name),
        "origin": origin,
        "module": module,
        "needs_loss": bool(getattr(cls, "needs_loss", False)),
    }


def stand_in_for(entry: dict) -> None:
    """Register a stand-in for optimizer ``entry["name"]`` (a `metadata_of` dict read from a results folder) if its
    code is not known here: it takes its stored hyperparameters and refuses to train, naming the module to import."""
    name = entry["name"]
    if is_available(name):
        return

    def refuse(self, *args, **kwargs):
        raise OptimizerUnavailable(self.unavailable)

    def __init__(self, **hyperparameters):
        self.hyperparameters = hyperparameters

    parameters = [inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=value)
                  for key, value in entry.get("hyperparameters", {}).items()]  # fmt: skip
    doc = entry.get("summary", name) + (f"\n\nSource: {entry['source']}" if entry.get("source") else "")
    cls = type(name, (), {"__init__": __init__, "init": refuse, "step": refuse, "__doc__": doc,
                          "__repr__": lambda self: f"{name}(stored, {self.hyperparameters})"})  # fmt: skip
    cls.__init__.__signature__ = inspect.Signature([inspect.Parameter("self", 0), *parameters])
    cls.name, cls.needs_loss = name, entry.get("needs_loss", False)
    cls.stored_origin, cls.stored_module = entry.get("origin", "elsewhere"), entry.get("module", "")
    cls.unavailable = (
        f"optimizer {name!r} is not importable here (it came from {cls.stored_origin}); "
        f"install its package or add --import {cls.stored_module or 'its module'} to train with it"
    )
    _STORED[name] = cls


def require_available(name: str) -> None:
    """Raise, in one line, unless optimizer ``name`` can train here: a stand-in read from a results folder says
    which module to import (`OptimizerUnavailable`), an unknown name what is available.

    >>> require_available("irprop-")
    """
    if is_available(name):
        return
    if name in _STORED:
        raise OptimizerUnavailable(_STORED[name].unavailable)
    _class_of(name)  # an unknown name, or a torch: name without torch, raises its own error


def import_modules(modules) -> None:
    """Import each module (a dotted name, or a path to a .py file) so that the optimizers it registers are known,
    with origin "import MODULE"; a module that fails to import raises a one-line ValueError (inside
    `missing_imports_allowed`, it is skipped: its optimizers stay stand-ins)."""
    global _origin
    for module in modules:
        if module in _IMPORTED:
            continue
        previous, _origin = _origin, f"{IMPORTED} {_as_passed_resolved(module)}"
        try:
            _import(module)
        except Exception as problem:
            if _tolerant:
                continue
            raise ValueError(f"cannot import {module!r}: {type(problem).__name__}: {problem}") from None
        finally:
            _origin = previous
        _IMPORTED.append(module)


@contextlib.contextmanager
def missing_imports_allowed():
    """Within this block `import_modules` skips modules that cannot be imported (reading stored results)."""
    global _tolerant
    previous, _tolerant = _tolerant, True
    try:
        yield
    finally:
        _tolerant = previous


def imported_modules() -> list[str]:
    """The modules `import_modules` has imported in this process, in order."""
    return list(_IMPORTED)


def load_plugins() -> list[str]:
    """Import every installed package's ``optarena.optimizers`` entry point; returns one line per plugin that
    failed (a broken plugin must not stop optarena), which the CLI prints."""
    global _origin
    problems = []
    for entry in metadata.entry_points(group=ENTRY_POINTS):
        distribution = entry.dist.name if entry.dist else "?"
        previous, _origin = _origin, f"plugin {distribution} ({entry.value})"
        try:
            entry.load()
        except Exception as problem:
            problems.append(f"plugin {entry.name!r} ({entry.value}) failed to load: {type(problem).__name__}: "
                            f"{problem}")  # fmt: skip
        finally:
            _origin = previous
    return problems


def _as_passed_resolved(module: str) -> str:
    """A .py file as its absolute path (so a hint to import it again works from any folder); a dotted name as is."""
    return str(Path(module).resolve()) if module.endswith(".py") else module


def _import(module: str) -> None:
    """Import a dotted module name, or a .py file by its name after putting its folder on sys.path (so that
    worker processes, which inherit sys.path, find its classes by reference too)."""
    if module.endswith(".py"):
        path = Path(module).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"no such file {module}")
        if str(path.parent) not in sys.path:
            sys.path.insert(0, str(path.parent))
        module = path.stem
    importlib.import_module(module)


def _plain(value):
    """A hyperparameter default as JSON can hold it (its repr when JSON cannot)."""
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


def available() -> list[str]:
    """Registered optimizer names, built-in ones first, in registration order (not ``torch:`` names or
    stand-ins read from results folders)."""
    return list(_REGISTRY)


def get(name: str, **hyperparameters):
    """The optimizer ``name`` built with ``hyperparameters`` (the others keep their defaults).

    >>> get("gd", learning_rate=0.1)
    GradientDescent(learning_rate=0.1)
    """
    if name.startswith(TORCH_PREFIX) and is_available(name):
        from optimizers.from_torch import torch_optimizer

        return torch_optimizer(name[len(TORCH_PREFIX) :], hyperparameters)
    cls = _class_of(name)
    allowed = hyperparameters_of(name)
    unknown = sorted(set(hyperparameters) - set(allowed))
    if unknown:
        raise TypeError(
            f"optimizer {name!r} has no hyperparameter {unknown[0]!r}{_closest(unknown[0], allowed)}; allowed: "
            + (", ".join(allowed) or "none")
        )
    return cls(**hyperparameters)


def hyperparameters_of(name: str) -> dict[str, object]:
    """Hyperparameter names of optimizer ``name`` with their defaults.

    >>> hyperparameters_of("gd")
    {'learning_rate': 0.5}
    """
    cls = _class_of(name)
    parameters = inspect.signature(cls.__init__ if name in _STORED else cls).parameters.values()
    return {
        p.name: p.default
        for p in parameters
        if p.name not in ("self", "params") and (p.kind is p.POSITIONAL_OR_KEYWORD or p.kind is p.KEYWORD_ONLY)
    }


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
    if name.startswith(TORCH_PREFIX) and (is_available(name) or name not in _STORED):
        from optimizers.from_torch import torch_class

        return torch_class(name[len(TORCH_PREFIX) :])
    if name in _REGISTRY:
        return _REGISTRY[name]
    if name in _STORED:
        return _STORED[name]
    raise ValueError(
        f"unknown optimizer {name!r}{_closest(name, _REGISTRY)}; available: {', '.join(_REGISTRY)} (a plugin's "
        "optimizer needs its package installed; your own module's, --import MODULE)"
    )


def _closest(word, choices) -> str:
    """ " (did you mean 'adam'?)" for a name close to ``word`` (case aside first), or ""."""
    by_case = {str(choice).lower(): str(choice) for choice in choices}
    close = difflib.get_close_matches(str(word).lower(), list(by_case), n=1, cutoff=0.6)
    return f" (did you mean {by_case[close[0]]!r}?)" if close else ""

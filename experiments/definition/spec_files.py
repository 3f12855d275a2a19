"""Spec files as they are written: a .toml or .json file, or a built-in experiment's name, read without checking.

`load_spec` checks what these return (and builds the kind of spec a file declares); the
command line reads a spec's name here first (its results folder may have to
be read before the spec can be checked), and lists the built-in experiments'
descriptions without building them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

SPEC_DIRECTORY = Path(__file__).parent.parent / "specs"


def read_spec_data(spec_or_name: str | Path) -> tuple[Any, Path]:
    """(the spec's data as its file holds it, unchecked; the file's path) for a spec file or a built-in name."""
    path = Path(spec_or_name)
    if path.suffix not in (".toml", ".json"):
        path = SPEC_DIRECTORY / f"{spec_or_name}.toml"
        if not path.is_file():
            raise ValueError(
                f"no spec file or built-in experiment named {str(spec_or_name)!r}; "
                f"built-in: {', '.join(built_in_experiments())}"
            )
    if not path.is_file():
        raise ValueError(f"spec file {str(path)!r} does not exist")
    text = path.read_text(encoding="utf-8")
    try:
        return (json.loads(text) if path.suffix == ".json" else tomllib.loads(text)), path
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as problem:
        raise ValueError(f"spec file {str(path)!r} is not valid {path.suffix[1:].upper()}: {problem}") from None


def built_in_experiments() -> list[str]:
    """Names of the experiments shipped in ``experiments/specs``."""
    return sorted(path.stem for path in SPEC_DIRECTORY.glob("*.toml"))


def load_spec(spec_or_name: str | Path):
    """A spec from a .toml or .json file, or a built-in experiment by name: an `ExperimentSpec`, or a
    `experiments.definition.held_out_spec.HeldOutSpec` where the file says ``kind = "held-out"``.

    >>> load_spec("default").name
    'default'
    """
    data, path = read_spec_data(spec_or_name)
    if isinstance(data, dict) and data.get("kind") == "held-out":
        from experiments.definition.held_out_spec import HeldOutSpec

        return HeldOutSpec.from_dict(data, base=path.parent)
    from experiments.definition.spec import ExperimentSpec

    return ExperimentSpec.from_dict(data, base=path.parent)

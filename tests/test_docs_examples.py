"""The TOML specs that README.md and docs/ show are what a new user copies first: each runs, each under its own
name (two examples named alike made the second refuse to run beside the first), and none shows a built-in
optimizer failing every run where the example's own target is the cause."""

import dataclasses
import re
from pathlib import Path

import pytest

import experiments
from experiments.definition.held_out_spec import HeldOutSpec
from experiments.definition.spec import ExperimentSpec

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def example_specs() -> list[tuple[str, dict]]:
    """(where, data) of every ```toml block in the documents that is a whole spec (it has a name)."""
    found = []
    for document in DOCUMENTS:
        for number, block in enumerate(re.findall(r"```toml\n(.*?)```", document.read_text(), re.S)):
            data = tomllib.loads(block)
            if "name" in data:
                found.append((f"{document.name} example {number}", data))
    return found


def test_every_example_spec_has_a_name_of_its_own():
    names = [data["name"] for _, data in example_specs()]
    assert len(names) >= 2 and len(set(names)) == len(names), names


@pytest.mark.parametrize(("where", "data"), example_specs(), ids=[where for where, _ in example_specs()])
def test_every_example_spec_is_valid(where, data):
    spec = (HeldOutSpec if data.get("kind") == "held-out" else ExperimentSpec).from_dict(data)
    assert spec.name == data["name"]


def test_the_readmes_first_spec_lets_every_optimizer_succeed_somewhere(tmp_path):
    """Fewer starts than the README's, the same targets: every optimizer reaches them on every task."""
    where, data = example_specs()[0]
    assert where.startswith("README.md")
    spec = ExperimentSpec.from_dict(data)
    small = dataclasses.replace(spec, initial_points=dataclasses.replace(spec.initial_points, count=40))
    table = experiments.run(small).table()
    best = table.assign(name=table["optimizer"].str.split("(").str[0]).groupby(["task", "name"])["success_rate"].max()
    assert (best > 0.2).all(), best.to_dict()

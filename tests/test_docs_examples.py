"""The TOML specs that README.md and docs/ show are what a new user copies first: each runs, each under its own
name (two examples named alike made the second refuse to run beside the first), and none shows a built-in
optimizer failing every run where the example's own target is the cause."""

import dataclasses
import os
import re
import subprocess
import sys
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


ADDED_RULE = """
import importlib.util, sys
import numpy as np
import optimizers
from optimizers import compiled
from experiments import Budget, Schedule, train_population
import network

spec = importlib.util.spec_from_file_location("optimizers.halving", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["optimizers.halving"] = module
spec.loader.exec_module(module)  # what the import line in optimizers/__init__.py does
optimizer = optimizers.get("halving-gd", learning_rate=0.5, every=10)
assert optimizers.origin_of("halving-gd") == "built-in" and compiled.kind_of(optimizer) is not None
task, starts = network.get_task("teacher"), np.random.default_rng(0).uniform(-4, 4, (100, 2))
for schedule in (Schedule("full-batch"), Schedule("per-sample")):
    fast, plain = (train_population(optimizer, task, starts, schedule=schedule, budget=Budget(50), accelerate=a)
                   for a in (True, False))
    assert np.array_equal(fast.final_weights, plain.final_weights) and np.isfinite(fast.final_weights).all()
print("trained alike")
"""


@pytest.mark.slow
def test_the_built_in_optimizer_that_extending_md_adds_runs_compiled_with_no_other_change(tmp_path):
    """docs/extending.md adds an optimizer with one file and one registry line: registered as a built-in, its
    rule runs in the fused kernel (compiled afresh) with the numpy path's bits, and nothing in
    optimizers/compiled.py names it."""
    text = (ROOT / "docs" / "extending.md").read_text()
    section = text.split("## Adding a built-in optimizer", 1)[1]
    (tmp_path / "halving.py").write_text(re.search(r"```python\n(.*?)```", section, re.S).group(1))
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    finished = subprocess.run([sys.executable, "-c", ADDED_RULE, str(tmp_path / "halving.py")], capture_output=True,
                              text=True, env=environment, cwd=ROOT)  # fmt: skip
    assert finished.stdout.strip() == "trained alike", finished.stderr[-2000:]
    assert "halving" not in (ROOT / "optimizers" / "compiled.py").read_text()

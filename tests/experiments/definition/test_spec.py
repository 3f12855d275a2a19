"""Experiment specs: TOML in, validated objects out, and every mistake named."""

import dataclasses
import json

import pytest

import network
from experiments import ExperimentSpec, InitialPoints, OptimizerSetting, Schedule, Targets, load_spec
from experiments.definition.spec_files import built_in_experiments

FULL_SPEC = """
name = "mine"
description = "a spec that uses every feature"
seeds = [0, 1]
schedules = ["full-batch", "per-sample", { kind = "mini-batch", batch_size = 2 }]

[[tasks]]
name = "teacher"

[[tasks]]
name = "inline"
inputs = [-1.0, 0.5, 2.0]
targets = [0.2, 0.6, 0.9]

[[tasks]]
name = "my-teacher"
inputs = [-1.0, 1.0]
teacher = [1.0, -2.0]

[initial_points]
kind = "grid"
count = 5
low = -4.0
high = 4.0

[[optimizers]]
name = "gd"
settings = [{ learning_rate = 0.5 }, { learning_rate = 2.0 }]

[[optimizers]]
name = "irprop-"

[budget]
max_epochs = 50

[targets]
values = [0.1, 0.01, 0.001]
headline = 0.01
"""


def write(tmp_path, text, suffix=".toml"):
    path = tmp_path / f"spec{suffix}"
    path.write_text(text)
    return path


def test_a_full_spec_reads_into_objects(tmp_path):
    spec = load_spec(write(tmp_path, FULL_SPEC))
    assert [task.name for task in spec.tasks] == ["teacher", "inline", "my-teacher"]
    assert spec.tasks[2].targets[:, 0].tolist() == network.forward([1.0, -2.0], [-1.0, 1.0]).tolist()
    assert [s.label for s in spec.schedules] == ["full-batch", "per-sample", "mini-batch(2)"]
    assert [s.label for s in spec.optimizers] == ["gd(learning_rate=0.5)", "gd(learning_rate=2.0)", "irprop-"]
    assert spec.initial_points.size == 25 and spec.seeds == (0, 1)
    assert spec.targets.values == (0.1, 0.01, 0.001) and spec.targets.headline == 0.01


def test_to_dict_round_trips_through_json(tmp_path):
    spec = load_spec(write(tmp_path, FULL_SPEC))
    again = load_spec(write(tmp_path, json.dumps(spec.to_dict()), ".json"))
    assert again.to_dict() == spec.to_dict() and again.digest() == spec.digest()


def test_the_digest_changes_with_anything_that_changes_results(tmp_path):
    spec = load_spec(write(tmp_path, FULL_SPEC))
    assert dataclasses.replace(spec, seeds=(0, 2)).digest() != spec.digest()
    assert dataclasses.replace(spec, initial_points=InitialPoints("grid", 6, -4.0, 4.0)).digest() != spec.digest()


def test_the_python_object_needs_no_file():
    spec = ExperimentSpec(
        name="notebook",
        tasks=(network.get_task("teacher"),),
        optimizers=(OptimizerSetting("irprop-", {"delta0": 0.05}),),
        schedules=(Schedule("per-sample"),),
        targets=Targets.ladder(0.1, 1e-4, per_decade=1),
    )
    assert spec.targets.headline == 1e-4 and spec.initial_points.kind == "uniform"


def test_every_built_in_experiment_loads():
    assert {"default", "quick"} <= set(built_in_experiments())
    for name in built_in_experiments():
        assert load_spec(name).name == name


def test_the_default_experiment_covers_what_the_issue_asks():
    spec = load_spec("default")
    import optimizers
    from experiments.running.scipy_baselines import METHODS

    per_matrix = {"muon", "adafactor"}  # compared on layered networks (classics): here every matrix is 1×1
    assert [s.name for s in spec.optimizers] == [*(n for n in optimizers.available() if n not in per_matrix), *METHODS]
    classic = optimizers.available()[: optimizers.available().index("supersab") + 1]  # 1986–2015: their defaults
    assert all(not s.hyperparameters for s in spec.optimizers if s.name in classic)
    assert {task.name for task in spec.tasks} >= {"single-sample", "teacher"}
    assert {s.kind for s in spec.schedules} == {"full-batch", "mini-batch", "per-sample"}
    assert spec.initial_points.high * network.get_task("teacher").inputs.max() >= 20  # saturated starts


def test_initial_points_are_reproducible_and_differ_between_seeds():
    points = InitialPoints("uniform", 10, -3.0, 3.0)
    assert (points.points(0) == points.points(0)).all() and not (points.points(0) == points.points(1)).all()
    assert points.points(0).min() >= -3 and points.points(0).max() <= 3
    assert InitialPoints("list", listed=((1.0, 2.0),)).points(5).tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("seeds = [0, 1]", "seeds = [0, 1]\ncolour = 'red'"),
            "spec has an unknown key 'colour'; allowed: budget, description",
        ),
        (("max_epochs = 50", "max_epochs = 0"), "budget.max_epochs must be an integer >= 1, got 0"),
        (
            ("max_epochs = 50", "max_epochs = 50\nepochs = 3"),
            r"budget has an unknown key 'epochs' \(did you mean 'max_epochs'\?\); allowed: max_epochs",
        ),
        (("count = 5", "count = 0"), "initial_points.count must be an integer >= 1, got 0"),
        (('kind = "grid"', 'kind = "sobol"'), "initial_points.kind must be one of uniform, grid, list, got 'sobol'"),
        (
            ('name = "irprop-"', 'name = "adamz"'),
            r"unknown optimizer 'adamz' \(did you mean 'adam'\?\); available: gd, sign",
        ),
        (("learning_rate = 2.0", "learning_rate = -2.0"), "gd: learning_rate must be > 0, got -2.0"),
        (("learning_rate = 2.0", "lr = 2.0"), "optimizer 'gd' has no hyperparameter 'lr'; allowed: learning_rate"),
        (
            ('name = "teacher"', 'name = "xnor"'),
            r"unknown task 'xnor' \(did you mean 'xor'\?\); available: single-sample, teacher, xor",
        ),
        (("targets = [0.2, 0.6, 0.9]", "targets = [0.2, 0.6, 1.9]"), r"targets must lie in \[0, 1\]"),
        (("values = [0.1, 0.01, 0.001]", "values = [0.1, 0.001, 0.01]"), "targets.values must decrease strictly"),
        (("headline = 0.01", "headline = 0.05"), "targets.headline 0.05 is not one of the targets; the nearest"),
        (("seeds = [0, 1]", "seeds = [0, 0]"), "seeds lists 0 more than once"),
        (("seeds = [0, 1]", "seeds = [-1]"), "seeds must be an integer >= 0, got -1"),
        (("batch_size = 2", "batch_size = 0"), "a mini-batch schedule needs batch_size, an integer >= 1, got 0"),
    ],
)
def test_mistakes_are_named_with_what_is_allowed(tmp_path, edit, message):
    old, new = edit
    assert old in FULL_SPEC
    with pytest.raises((ValueError, TypeError), match=message):
        load_spec(write(tmp_path, FULL_SPEC.replace(old, new, 1)))


def test_unknown_experiment_names_the_built_in_ones():
    with pytest.raises(
        ValueError,
        match="no spec file or built-in experiment named 'nope'; built-in: classics, classics-quick, default",
    ):
        load_spec("nope")


def test_broken_toml_is_reported_as_such(tmp_path):
    with pytest.raises(ValueError, match="is not valid TOML"):
        load_spec(write(tmp_path, "name = [unclosed"))

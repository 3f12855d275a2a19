"""Verdicts valid on any task: targets relative to each task's reference minimum E*, a status taxonomy that tells a
minimum from a flat spot, and deterministic duplicates trained and counted once."""

import json

import numpy as np
import pandas as pd
import pytest

import experiments
import network
import optimizers
from experiments import Budget, Targets, train_population
from experiments.definition.training_setup import TrainingSetup

NO_BIAS = {"name": "no-bias", "inputs": [-1.0, 0.5, 2.0], "targets": [0.2, 0.6, 0.9]}  # E = 0 is out of reach


def spec(**changes) -> dict:
    base = {
        "name": "reference", "tasks": [NO_BIAS, "teacher"], "optimizers": ["irprop-", "gd"],
        "schedules": ["full-batch", "per-sample"], "initial_points": {"count": 12, "low": -4.0, "high": 4.0},
        "budget": {"max_epochs": 600},
    }  # fmt: skip
    return base | changes


@pytest.fixture(scope="module")
def relative():
    return experiments.run(spec())


def test_where_no_network_reaches_e_0_the_best_e_found_is_the_reference_and_runs_there_succeed(relative):
    runs = relative.runs()
    reference = relative.reference("no-bias")
    assert reference.kind == "found"
    best = runs.loc[runs["task"] == "no-bias", "best_error"].min()  # the run that found E* stops once within 1e-8
    assert 0 <= best - reference.value <= relative.spec.targets.values[-1]
    assert 0.06 < reference.value < 0.07
    row = relative.table().set_index(["task", "schedule", "optimizer"]).loc[("no-bias", "full-batch", "irprop-")]
    assert row["success_rate"] > 0.25 and row["reference_kind"] == "found"
    assert row["reference_minimum"] == reference.value


def test_the_same_task_with_absolute_targets_has_no_success_and_says_so(relative):
    absolute = experiments.run(spec(targets={"reference": "zero"}))
    rows = absolute.table()
    assert (rows.loc[rows["task"] == "no-bias", "success_rate"] == 0).all()
    assert absolute.spec.targets.success == "E ≤ 1e-06" and relative.spec.targets.success == "E − E* ≤ 1e-06"


def test_relative_hits_are_exactly_those_of_training_against_the_found_minimum(relative):
    """The experiment explores, then replays the units near E*: the same runs as training against E* directly."""
    minimum = relative.reference("no-bias").value
    task = next(t for t in relative.spec.tasks if t.name == "no-bias")
    for result in relative.units:
        if result.unit.task.name != "no-bias":
            continue
        points = relative.spec.initial_points.points(result.unit.seed, 2)
        setup = TrainingSetup(result.unit.schedule, relative.spec.budget, relative.spec.targets, result.unit.seed,
                              minimum=minimum)  # fmt: skip
        direct = train_population(result.unit.setting.build(), task, points, setup)
        for field in ("hit_epochs", "stop_epoch", "status", "final_error", "final_weights"):
            np.testing.assert_array_equal(getattr(result.population, field), getattr(direct, field), err_msg=field)


def test_a_known_or_given_minimum_is_used_as_it_is():
    given = dict(NO_BIAS, minimum_error=0.0653529)
    results = experiments.run(spec(tasks=[given, "teacher"]))
    assert results.reference("no-bias").kind == "given" and results.reference("no-bias").value == 0.0653529
    assert results.reference("teacher").kind == "known" and results.reference("teacher").value == 0.0


def test_the_results_folder_records_the_minimum_and_resume_lowers_it(tmp_path):
    one_seed = spec(seeds=[0], initial_points={"count": 3, "low": -4.0, "high": 4.0}, optimizers=["gd"])
    first = experiments.run(one_seed, tmp_path)
    recorded = json.loads((tmp_path / "manifest.json").read_text())["reference_minima"]["no-bias"]
    assert recorded["value"] == first.reference("no-bias").value and recorded["kind"] == "found"

    more = one_seed | {"seeds": [0, 1], "optimizers": ["gd", "irprop-"]}
    resumed = experiments.run(more, tmp_path, resume=True)
    fresh = experiments.run(more)
    assert resumed.reference("no-bias").value == fresh.reference("no-bias").value < first.reference("no-bias").value
    assert json.loads((tmp_path / "manifest.json").read_text())["reference_minima"]["no-bias"]["value"] == (
        fresh.reference("no-bias").value
    )
    pd.testing.assert_frame_equal(resumed.runs(), fresh.runs(), check_exact=True)
    assert experiments.check(tmp_path) == []


def test_targets_finer_than_the_minimum_can_resolve_are_refused():
    with pytest.raises(ValueError, match="finer than E\\* = 1000 can resolve"):
        Targets.ladder(1e-1, 1e-14).thresholds(1000.0)


class TestStatuses:
    """A vanished gradient at a minimum is not a flat spot, on the 1-1-1 network and on layered ones."""

    def test_article_network(self):
        task = network.Task("no-bias", "", NO_BIAS["inputs"], NO_BIAS["targets"])
        starts = [[1.0, 1.0], [-40.0, -2.0]]  # towards the minimum; a hidden unit saturated for good
        result = train_population(optimizers.get("gd", learning_rate=2.0),
                                  task, starts, budget=Budget(max_epochs=20000, plateau_gradient=1e-6),
                                  targets=Targets.ladder(1e-1, 1e-8, reference="zero"))  # fmt: skip
        assert result.status.tolist() == ["minimum", "flat-spot"]

    def test_layered_network(self):
        """Two samples with one input and different targets: the best output lies between them, with error left."""
        task = network.Task("contradiction", "", [[0.0], [0.0], [1.0]], [[0.2], [0.8], [0.9]],
                            network=network.Layered([1, 1]))  # fmt: skip
        starts = [[0.5, 0.5], [0.0, 60.0]]  # towards the minimum; a unit saturated by its bias
        result = train_population(optimizers.get("irprop-"), task, starts, budget=Budget(3000, plateau_gradient=1e-7),
                                  targets=Targets.ladder(1e-1, 1e-8, reference="zero"))  # fmt: skip
        assert result.status.tolist() == ["minimum", "flat-spot"]
        assert result.final_error[0] == pytest.approx(0.09)  # ½(0.3² + 0.3²): a minimum, not E = 0


def test_grid_starts_in_full_batch_are_trained_and_counted_once_whatever_the_seeds():
    grid = {"kind": "grid", "count": 4, "low": -3.0, "high": 3.0}
    results = experiments.run(spec(seeds=[0, 1, 2], initial_points=grid, tasks=["teacher", "single-sample"]))
    runs = results.table().set_index(["task", "schedule", "optimizer"])["runs"]
    assert runs[("teacher", "full-batch", "gd")] == 16  # the grid once
    assert runs[("teacher", "per-sample", "gd")] == 48  # each seed draws its own sample order
    assert runs[("single-sample", "per-sample", "gd")] == 16  # one sample: no order to draw
    one_seed = experiments.run(spec(seeds=[0], initial_points=grid, tasks=["teacher", "single-sample"]))

    def full_batch_tests(results):
        tests = results.significance()
        return tests[(tests["task"] == "teacher") & (tests["schedule"] == "full-batch")].reset_index(drop=True)

    pd.testing.assert_frame_equal(full_batch_tests(results), full_batch_tests(one_seed))  # the same counts, p-values
    (said,) = [line for line in experiments.analysis.tables.how_measured(results) if line.startswith("Runs per row")]
    assert "48, except 16 in single-sample · full-batch, single-sample · per-sample, teacher · full-batch" in said


def test_uniform_starts_count_every_seed():
    results = experiments.run(spec(seeds=[0, 1], tasks=["teacher"]))
    assert (results.table()["runs"] == 24).all()

"""Sweeps in a spec, and each sweep's best value and well-working region, checked on crafted data by hand."""

import json
import math

import numpy as np
import pytest

import experiments
import network
from experiments import ExperimentSpec, InitialPoints, OptimizerSetting
from experiments.analysis.tuning import best_and_region, run_statistics, tuned
from experiments.definition.spec_files import load_spec
from experiments.definition.tuning import Tuning, sweep_values

VALUES = np.array([0.1, 0.3, 1.0, 3.0, 10.0])


def region(statistic, success=None, ert=None, factor=1.5, maximize=False):
    statistic = np.asarray(statistic, dtype=float)
    success = np.ones(5) if success is None else np.asarray(success, dtype=float)
    ert = statistic if ert is None else np.asarray(ert, dtype=float)
    return best_and_region(VALUES, statistic, success, ert, factor, maximize)


def test_the_best_is_the_lowest_statistic_and_the_wr_the_run_of_neighbours_within_the_factor():
    found = region([90, 40, 30, 44, 50])  # 1.5 × 30 = 45: 40 and 44 qualify, 50 does not
    assert (found["best_value"], found["wr_low"], found["wr_high"]) == (1.0, 0.3, 3.0)
    assert found["wr_contiguous"] and found["wr_values"] == "0.3, 1, 3" and not found["best_at_edge"]


def test_a_value_exactly_at_the_factor_belongs_to_the_wr():
    assert region([100, 45, 30, 46, 50])["wr_low"] == 0.3  # 45 = 1.5 × 30


def test_ties_go_to_the_higher_success_rate_then_the_lower_ert_then_the_smaller_value():
    assert region([50, 30, 30, 60, 70], success=[1, 0.9, 1.0, 1, 1])["best_value"] == 1.0
    assert region([50, 30, 30, 60, 70], ert=[50, 35, 31, 60, 70])["best_value"] == 1.0
    found = region([50, 30, 30, 60, 70])
    assert found["best_value"] == 0.3 and found["ties"] == 1


def test_a_best_at_the_edge_of_the_grid_is_flagged():
    assert region([20, 40, 60, 80, 100])["best_at_edge"]
    assert region([100, 80, 60, 40, 20])["best_value"] == 10.0


def test_a_wr_that_is_not_contiguous_reports_the_run_around_the_best_and_every_qualifying_value():
    found = region([35, 80, 30, 40, 90])  # 0.1 qualifies too, but 0.3 between them does not
    assert (found["wr_low"], found["wr_high"], found["wr_contiguous"]) == (1.0, 3.0, False)
    assert found["wr_values"] == "0.1, 1, 3"


def test_the_success_rate_is_maximized_and_its_wr_is_at_least_best_over_factor():
    found = region([0.2, 0.7, 1.0, 0.6, 0.9], factor=1.5, maximize=True)  # 1 / 1.5 = 0.667
    assert (found["best_value"], found["wr_low"], found["wr_high"], found["wr_contiguous"]) == (1.0, 0.3, 1.0, False)
    assert found["wr_values"] == "0.3, 1, 10"


def test_a_sweep_where_nothing_succeeded_has_no_best():
    found = region([math.inf] * 5)
    assert found["index"] is None and math.isnan(found["best_value"])


def test_the_statistics_of_one_setting_by_hand():
    hits, stops = np.array([10.0, 20.0, 30.0, np.nan]), np.array([10.0, 20.0, 30.0, 200.0])
    row = run_statistics(hits, stops, "ert")
    assert row["success_rate"] == 0.75 and row["mean_epochs"] == 20.0 and row["sd_epochs"] == 10.0
    assert row["ert"] == (10 + 20 + 30 + 200) / 3 and row["statistic"] == row["ert"]
    assert row["success_ci_low"] < 0.75 < row["success_ci_high"]
    assert run_statistics(hits, stops, "mean_epochs")["statistic"] == math.inf  # a run failed: no mean over all
    all_succeeded = run_statistics(hits[:3], stops[:3], "mean_epochs")
    assert all_succeeded["statistic"] == 20.0 and all_succeeded["statistic_ci_low"] <= 20.0


def test_a_log_grid_and_a_list():
    assert sweep_values({"low": 0.001, "high": 10.0, "count": 5}, "s") == [0.001, 0.01, 0.1, 1.0, 10.0]
    assert sweep_values([0.5, 0.1], "s") == [0.5, 0.1]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"low": 1.0, "high": 0.1, "count": 3}, r"s: a log grid needs 0 < low < high"),
        ({"low": 0.1, "high": 1.0, "count": 1}, r"s: a log grid needs count, an integer >= 2, got 1"),
        ({"low": 0.1, "high": 1.0}, r"s must be a list of values or a log grid"),
        ([], r"s must be a non-empty list of finite numbers"),
        ([0.1, 0.1], r"s lists a value more than once"),
        (["fast"], r"s must be a non-empty list of finite numbers"),
    ],
)
def test_bad_sweeps_get_one_line(values, message):
    with pytest.raises(ValueError, match=message):
        sweep_values(values, "s")


SPEC = """
name = "tuned"
tasks = ["teacher"]

[[optimizers]]
name = "momentum"
settings = [{ momentum = 0.0 }, { momentum = 0.9 }]
sweep = { learning_rate = { low = 0.1, high = 10.0, count = 3 } }

[tuning]
statistic = "success_rate"
wr_factor = 2.0
"""


def test_a_sweep_is_crossed_with_the_fixed_settings_and_round_trips_through_json(tmp_path):
    (tmp_path / "spec.toml").write_text(SPEC)
    spec = load_spec(tmp_path / "spec.toml")
    assert [s.label for s in spec.optimizers] == [
        f"momentum(momentum={m!r}, learning_rate={r!r})" for m in (0.0, 0.9) for r in (0.1, 1.0, 10.0)
    ]
    assert {s.group for s in spec.optimizers} == {"momentum(momentum=0.0, learning_rate=·)",
                                                  "momentum(momentum=0.9, learning_rate=·)"}  # fmt: skip
    assert spec.tuning == Tuning("success_rate", 2.0)
    (tmp_path / "again.json").write_text(json.dumps(spec.to_dict()))
    again = load_spec(tmp_path / "again.json")
    assert again.optimizers == spec.optimizers and again.digest() == spec.digest()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("sweep = { learning_rate", "sweep = { lr = [1.0], learning_rate"), r"sweep must name one hyperparameter"),
        (("{ momentum = 0.9 }", "{ learning_rate = 0.9 }"), r"'learning_rate' is swept, so its settings must not fix"),
        (('statistic = "success_rate"', 'statistic = "median"'), r"tuning.statistic must be one of ert, mean_epochs"),
        (("wr_factor = 2.0", "wr_factor = 0.5"), r"tuning.wr_factor must be a number >= 1, got 0.5"),
        (("wr_factor = 2.0", "wr_factor = 2.0\nbest = 1"), r"tuning has an unknown key 'best'"),
    ],
)
def test_bad_tuning_specs_get_one_line(tmp_path, edit, message):
    assert edit[0] in SPEC
    (tmp_path / "spec.toml").write_text(SPEC.replace(*edit, 1))
    with pytest.raises(ValueError, match=message):
        load_spec(tmp_path / "spec.toml")


def test_the_tuning_table_of_a_real_run_picks_the_best_of_each_sweep():
    spec = ExperimentSpec(
        name="sweep",
        tasks=(network.get_task("teacher"),),
        optimizers=tuple(OptimizerSetting("gd", {"learning_rate": r}, swept="learning_rate") for r in (0.3, 3.0, 30.0)),
        initial_points=InitialPoints("uniform", count=20, low=-4.0, high=4.0),
        budget=experiments.Budget(max_epochs=300),
        targets=experiments.Targets.ladder(0.1, 1e-3, 2),
    )
    table = tuned(experiments.run(spec))
    assert len(table) == 1 and table.loc[0, "group"] == "gd(learning_rate=·)" and table.loc[0, "values"] == 3
    statistics = experiments.run(spec).table().set_index("optimizer")["ert_evaluations"] / 4  # 4 samples per epoch
    assert table.loc[0, "best_optimizer"] == statistics.idxmin()
    assert table.loc[0, "statistic"] == pytest.approx(statistics.min())

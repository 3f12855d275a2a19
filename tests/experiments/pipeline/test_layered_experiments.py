"""The engine on layered networks: populations, the bit criterion, specs in TOML and Python, data files, results."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import experiments
import network
import optimizers
from experiments import Budget, ExperimentSpec, InitialPoints, OptimizerSetting, Schedule, Targets, train_population
from experiments.definition.spec_files import load_spec
from experiments.definition.training_setup import TrainingSetup
from experiments.running.runner import trace

XOR = network.get_task("xor")
BITS = Targets.ladder(1.0, 1e-3, 5, criterion="bit")
STARTS = np.random.default_rng(0).uniform(-1, 1, size=(12, XOR.network.size))


@pytest.mark.parametrize("name", ["irprop+", "adam", "quickprop"])
@pytest.mark.parametrize("schedule", [Schedule("full-batch"), Schedule("per-sample"), Schedule("mini-batch", 3)])
def test_a_layered_population_trains_each_run_as_it_would_train_alone(name, schedule):
    budget = Budget(max_epochs=60)
    together = train_population(optimizers.get(name), XOR, STARTS, TrainingSetup(schedule, budget, BITS, seed=3))
    for index in (0, 5, 11):
        alone = train_population(
            optimizers.get(name), XOR, STARTS[index : index + 1], TrainingSetup(schedule, budget, BITS, 3)
        )
        for field in together.FIELDS:
            got, expected = getattr(alone, field), getattr(together, field)
            np.testing.assert_array_equal(got if field == "history_epochs" else got[0], expected if field ==
                                          "history_epochs" else expected[index], err_msg=field)  # fmt: skip


def test_the_bit_hit_is_the_first_epoch_where_every_output_is_within_the_margin():
    result = train_population(optimizers.get("irprop-"), XOR, STARTS, budget=Budget(300), targets=BITS)
    assert np.isfinite(result.bit_hit_epoch).any()
    for index in range(len(STARTS)):
        path = trace(optimizers.get("irprop-"), XOR, STARTS[index], budget=Budget(300), targets=BITS)
        met = XOR.bit_distance(path.weights) < 0.4
        expected = float(np.argmax(met)) if met.any() else np.nan
        np.testing.assert_array_equal(result.bit_hit_epoch[index], expected)
        if met.any():  # with the bit criterion a run stops at its success
            assert result.stop_epoch[index] == expected and result.status[index] == "converged"


def test_the_error_criterion_still_records_the_bit_hit_and_runs_on_to_the_finest_target():
    result = train_population(optimizers.get("irprop-"), XOR, STARTS, budget=Budget(500), targets=Targets((0.1, 1e-4)))
    converged = result.status == "converged"
    assert converged.any()
    assert (result.bit_hit_epoch[converged] <= result.hit_epochs[converged, 1]).all()
    assert (result.stop_epoch[converged] == result.hit_epochs[converged, 1]).all()


def test_the_bit_criterion_is_refused_on_a_task_without_0_1_targets():
    with pytest.raises(ValueError, match="the bit criterion needs 0/1 targets"):
        train_population(optimizers.get("gd"), network.get_task("teacher"), [[1.0, 2.0]], targets=BITS)


def small_layered_spec(**changes) -> ExperimentSpec:
    spec = ExperimentSpec(
        name="layered",
        tasks=(XOR, network.get_task("encoder-8-3-8")),
        optimizers=(OptimizerSetting("irprop-"), OptimizerSetting("adam"), OptimizerSetting("scipy-lbfgsb")),
        initial_points=InitialPoints("uniform", count=6, low=-1.0, high=1.0),
        schedules=(Schedule("full-batch"), Schedule("per-sample")),
        budget=Budget(max_epochs=80),
        targets=BITS,
    )
    return dataclasses.replace(spec, **changes)


@pytest.mark.slow
def test_a_layered_spec_from_python_runs_and_stores_every_parameter_vector(tmp_path):
    results = experiments.run(small_layered_spec(), tmp_path / "out")
    table = results.table()
    assert set(table["task"]) == {"xor", "encoder-8-3-8"} and (table["runs"] == 6).all()
    runs = results.runs()
    assert "hit_epoch[bit]" in runs and "w_h0" not in runs  # no 1-1-1 task: no (w_h, w_o) columns
    stored = np.load(tmp_path / "out" / "parameters.npz")
    initial = stored["encoder-8-3-8 · full-batch · adam · seed 0 · initial"]
    np.testing.assert_array_equal(initial, InitialPoints("uniform", 6, -1.0, 1.0).points(0, 59))
    assert stored["xor · per-sample · irprop- · seed 0 · final"].shape == (6, 9)
    assert experiments.check(tmp_path / "out") == []


@pytest.mark.slow
def test_resume_and_parallel_runs_give_the_same_layered_tables(tmp_path):
    spec = small_layered_spec()
    serial = experiments.run(spec, tmp_path / "serial")
    parallel = experiments.run(spec, tmp_path / "parallel", jobs=2, chunk_size=4)
    for unit in list((tmp_path / "serial" / "units").glob("*.npz"))[::2]:
        unit.unlink()
    resumed = experiments.run(spec, tmp_path / "serial", resume=True)
    for other in (parallel, resumed):
        pd.testing.assert_frame_equal(other.runs(), serial.runs(), check_exact=True)
        pd.testing.assert_frame_equal(other.significance(), serial.significance(), check_exact=True)


TOML = """
name = "from-toml"
seeds = [0]
schedules = ["full-batch"]
optimizers = [{ name = "irprop-" }, { name = "gd", settings = [{ learning_rate = 2.0 }] }]

[[tasks]]
name = "xor"

[[tasks]]
name = "xor-wide"
inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]
targets = [[0], [1], [1], [0]]
network = { sizes = [2, 4, 1], activation = "tanh", output_activation = "sigmoid" }

[[tasks]]
name = "from-csv"
file = "data.csv"
input_columns = ["x", "y"]
target_columns = ["label"]
network = { sizes = [2, 3, 1] }

[[tasks]]
name = "parity-2"
network = { sizes = [2, 3, 1], shortcuts = true }

[initial_points]
count = 5
low = -1.0
high = 1.0

[budget]
max_epochs = 40

[targets]
high = 1.0
low = 0.001
criterion = "bit"
"""


def test_a_layered_spec_from_toml_with_inline_data_a_file_and_a_changed_network(tmp_path):
    (tmp_path / "data.csv").write_text("x,y,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    (tmp_path / "spec.toml").write_text(TOML)
    spec = load_spec(tmp_path / "spec.toml")
    wide, from_csv, parity = spec.tasks[1], spec.tasks[2], spec.tasks[3]
    assert wide.network.sizes == (2, 4, 1) and wide.network.activation == "tanh"
    np.testing.assert_array_equal(from_csv.inputs, XOR.inputs)
    np.testing.assert_array_equal(from_csv.targets, XOR.targets)
    assert parity.network.shortcuts and parity.inputs.shape == (4, 2)
    results = experiments.run(spec, tmp_path / "out")
    assert len(results.table()) == 4 * 2
    again = load_spec(tmp_path / "out" / "spec.json")  # the data is stored inline: the file is not needed again
    assert again.digest() == spec.digest() and again.tasks[2].network == from_csv.network


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_data_files_in_numpys_formats_name_their_columns(tmp_path, suffix):
    columns = {"x": XOR.inputs[:, 0], "y": XOR.inputs[:, 1], "label": XOR.targets[:, 0]}
    if suffix == ".npy":
        records = np.zeros(4, dtype=[("x", float), ("y", float), ("label", int)])
        for name, values in columns.items():
            records[name] = values
        np.save(tmp_path / "data.npy", records)
    else:
        np.savez(tmp_path / "data.npz", **columns)
    (tmp_path / "spec.toml").write_text(TOML.replace('"data.csv"', f'"data{suffix}"'))
    task = load_spec(tmp_path / "spec.toml").tasks[2]
    np.testing.assert_array_equal(task.inputs, XOR.inputs)
    np.testing.assert_array_equal(task.targets, XOR.targets)


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        ("x,y,label\n0,0,0\n0,1\n", r"data.csv line 3 has 2 fields where the header has 3"),
        ("x,y,label\n0,0,0\n0,one,1\n", r"data.csv line 3, column 'y': 'one' is not a number"),
        ("x,y,class\n0,0,0\n", r"has no column 'label'; its columns: x, y, class"),
        ("x,y,label\n0,nan,0\n", r"data.csv line 2, column 'y': 'nan' is not a finite number"),  # as the others: a line
        ("x,y,label\n0,0,2\n", r"task 'from-csv': targets must lie in \[0, 1\], the range of the sigmoid outputs"),
        ("x,y,label\n", r"needs a header row and at least one row of numbers"),
    ],
)
def test_a_bad_data_file_gets_one_line(tmp_path, csv, message):
    (tmp_path / "data.csv").write_text(csv)
    (tmp_path / "spec.toml").write_text(TOML)
    with pytest.raises(ValueError, match=message):
        load_spec(tmp_path / "spec.toml")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("[initial_points]", '[initial_points]\nkind = "grid"'), r"kind 'grid' span two weights; task 'xor' has 9"),
        (('file = "data.csv"', 'file = "missing.csv"'), r"data file '.*missing.csv' does not exist"),
        (('file = "data.csv"', 'file = "data.xlsx"'), r"must be one of .csv, .npy, .npz"),
        (('input_columns = ["x", "y"]', ""), r"tasks\[2\]: a data file needs input_columns"),
        (("sizes = [2, 3, 1] }", "sizes = [3, 3, 1] }"), r"the network 3-3-1 takes 3 input columns, the data has 2"),
        (("network = { sizes = [2, 3, 1] }", "network = { size = [2, 3, 1] }"), r"network has an unknown key 'size'"),
        (('criterion = "bit"', 'criterion = "bits"'), r"targets.criterion must be one of error, bit, got 'bits'"),
    ],
)
def test_layered_spec_mistakes_get_one_line(tmp_path, edit, message):
    (tmp_path / "data.csv").write_text("x,y,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    assert edit[0] in TOML
    (tmp_path / "spec.toml").write_text(TOML.replace(*edit, 1))
    with pytest.raises(ValueError, match=message):
        load_spec(tmp_path / "spec.toml")


def test_listed_initial_points_must_have_one_value_per_parameter():
    with pytest.raises(ValueError, match=r"initial_points.points have 2 values each; task 'xor' has 9 parameters"):
        small_layered_spec(initial_points=InitialPoints("list", listed=((0.0, 1.0),)))
    spec = small_layered_spec(tasks=(XOR,), initial_points=InitialPoints("list", listed=(tuple(range(9)),)))
    assert spec.initial_points.points(0, 9).tolist() == [list(range(9))]


def test_the_bit_criterion_needs_0_1_targets_in_every_task():
    with pytest.raises(ValueError, match=r"criterion = 'bit' needs targets at the ends of the output range \(0 or 1\); "
                       "task 'teacher' has others"):  # fmt: skip
        small_layered_spec(tasks=(XOR, network.get_task("teacher")))


@pytest.mark.slow
def test_a_layered_task_gets_landscapes_and_a_basin_map_where_two_weights_get_the_surface(tmp_path):
    from experiments.report import document

    results = experiments.run(small_layered_spec(tasks=(XOR,)), tmp_path / "out")
    figures = document.write_figures(results, tmp_path / "out")
    drawn = {figure.stem for figure in figures if not figure.skipped}
    assert {"landscape-xor", "landscape-random-xor", "basin-xor", "convergence"} <= drawn
    assert "surface-xor" not in {figure.stem for figure in figures}
    skipped = {figure.stem: figure.skipped for figure in figures if figure.skipped}
    assert "no hyperparameter sweep" in skipped["sensitivity"]
    document.write_report(results, tmp_path / "out", figures)
    assert "## Figures not drawn" in (tmp_path / "out" / "report.md").read_text()


def test_the_spec_records_the_success_criterion_only_when_it_is_not_the_default():
    assert json.dumps(small_layered_spec().to_dict()["targets"]).count("bit") == 2
    assert "criterion" not in load_spec("default").to_dict()["targets"]


ARCHITECTURES = [
    {"sizes": [2, 2, 1]},
    {"sizes": [2, 3, 2], "activation": "tanh", "output_activation": "identity", "shortcuts": True},
    {"sizes": [2, 4, 3, 1], "activation": "tanh", "output_activation": "sigmoid", "shortcuts": True},
    {"sizes": [2, 1], "bias": False},
    {"sizes": [3, 6, 4, 2], "activation": "relu", "output_activation": "identity", "shortcuts": True},
    {"sizes": [2, 5, 1], "activation": "relu", "output_activation": "relu"},
    {"sizes": [3, 5, 5, 5, 2], "activation": "relu", "output_activation": "identity", "residual": [2, 3]},
    {"sizes": [2, 2, 2, 1], "activation": "tanh", "residual": [1, 2]},
]


@pytest.mark.parametrize("arguments", ARCHITECTURES)
def test_the_compiled_layered_network_gives_numpys_bits_for_any_shape_and_batch(arguments):
    from network.compiled_layered import evaluate, plan_of

    net = network.Layered(**arguments)
    rng = np.random.default_rng(1)
    inputs = rng.normal(scale=3, size=(9, net.n_inputs))
    low, high = net.output_range
    targets = rng.uniform(max(low, -2), min(high, 2), size=(9, net.n_outputs))
    targets[:3] = np.clip(np.round(targets[:3]), max(low, -2), min(high, 2))  # some exactly at the bounds
    for count, scale in ((1, 1.0), (37, 4.0), (300, 60.0)):  # one network, a short block, saturated units
        params = rng.normal(scale=scale, size=(count, net.size))
        params[0, :2] = [1e300, -1e300]  # overflow: inf and NaN must agree too
        params[-1, -1] = np.nan
        for order in (np.arange(9), np.array([4, 0, 7]), np.array([8])):
            for flat_spot in (0.0, 0.1):
                compiled = evaluate(plan_of(net), params, inputs, targets, flat_spot, order)
                error, grad = net.loss_and_grad(params, inputs[order], targets[order], flat_spot)
                np.testing.assert_array_equal(compiled.error, error)
                np.testing.assert_array_equal(compiled.grad, grad)
                residuals = net.residuals_of_checked(params, inputs[order], targets[order])
                np.testing.assert_array_equal(compiled.largest_residual, np.abs(residuals).max(axis=(-2, -1)))
                np.testing.assert_array_equal(compiled.largest_weight, np.abs(params).max(axis=-1))
                np.testing.assert_array_equal(compiled.finite_grad, np.isfinite(grad).all(axis=-1))


@pytest.mark.parametrize("name", ["irprop+", "adam", "supersab", "quickprop"])
@pytest.mark.parametrize("schedule", [Schedule("full-batch"), Schedule("mini-batch", 3)])
def test_layered_training_gives_the_same_bits_with_and_without_compiled_code(name, schedule):
    task = network.get_task("parity-3")
    starts = np.random.default_rng(2).uniform(-1, 1, size=(40, task.network.size))
    starts[0] = 2e6  # beyond the weight bound: diverged at once
    runs = [
        train_population(
            optimizers.get(name),
            task,
            starts,
            TrainingSetup(schedule, Budget(300), BITS, seed=1),
            flat_spot=0.05,
            accelerate=accelerate,
        )
        for accelerate in (True, False)
    ]
    assert "diverged" in runs[0].status and len(set(runs[0].status)) >= 2
    for field in runs[0].FIELDS:
        np.testing.assert_array_equal(getattr(runs[0], field), getattr(runs[1], field), err_msg=field)

"""Held-out experiments: datasets, splits, per-network hyperparameters, the reshuffling trainer, early stopping,
the tuning protocol and its one-line errors."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import optimizers
from experiments.analysis import held_out_tables
from experiments.cli import main
from experiments.definition.held_out_spec import HeldOutSpec, SearchSpace
from experiments.definition.spec_files import load_spec
from experiments.pipeline import held_out_runs
from experiments.plots.held_out_figures import tuning_curves
from experiments.report import explorer
from experiments.running.held_out_training import Unit, evaluate, initial_weights, train_unit
from network import matrix_pass
from network.datasets import Dataset, load
from network.splits import assigned_split, stratified_split
from optimizers.elementwise import numpy_only
from optimizers.per_network import PerNetwork

ELEMENTWISE = [n for n in optimizers.available() if n not in ("prodigy", "muon", "adafactor")]  # a trial needs a rule
IRIS = {"name": "iris", "dataset": "iris", "network": {"sizes": [4, 5, 3], "activation": "tanh"}}


def spec_of(**changes) -> HeldOutSpec:
    data = {
        "name": "tiny", "kind": "held-out", "seeds": [0, 1], "schedules": ["mini-batch(16)"],
        "budget": {"max_epochs": 4}, "tuning": {"budget": 3}, "tasks": [IRIS],
        "optimizers": [{"name": "adam", "space": {"learning_rate": {"low": 1e-3, "high": 0.1}}},
                       {"name": "irprop+", "space": {"delta0": {"low": 1e-3, "high": 0.1}}}],
    } | changes  # fmt: skip
    return HeldOutSpec.from_dict(data)


# Data and splits


@pytest.mark.parametrize(("name", "shape", "classes"), [("digits", (1797, 64), 10), ("breast_cancer", (569, 30), 2),
                                                        ("wine", (178, 13), 3), ("iris", (150, 4), 3)])  # fmt: skip
def test_the_shipped_datasets_load_without_a_download(name, shape, classes):
    data = load(name)
    assert data.inputs.shape == shape and data.classes == classes and data.labels.dtype == np.int64


@pytest.mark.parametrize("name", ["digits", "breast_cancer", "wine"])
def test_a_split_is_stratified_disjoint_complete_and_seeded(name):
    data = load(name)
    parts = stratified_split(data, (0.5, 0.25, 0.25), seed=3)
    rows = np.concatenate([part.rows for part in parts])
    assert np.array_equal(np.sort(rows), np.arange(len(data.labels)))  # disjoint and complete: no leakage
    for part, fraction in zip(parts, (0.5, 0.25, 0.25), strict=True):
        assert np.array_equal(part.labels, data.labels[part.rows])
        for label in range(data.classes):
            assert abs((part.labels == label).sum() - fraction * (data.labels == label).sum()) <= 1
    again, other = stratified_split(data, (0.5, 0.25, 0.25), seed=3), stratified_split(data, (0.5, 0.25, 0.25), 4)
    assert all(np.array_equal(a.rows, b.rows) for a, b in zip(parts, again, strict=True))
    assert not np.array_equal(parts[0].rows, other[0].rows)


def test_inputs_are_standardised_with_the_training_part_alone():
    data = load("wine")
    train, _, test = stratified_split(data, seed=0)
    np.testing.assert_allclose(train.inputs.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train.inputs.std(axis=0), 1, rtol=1e-12)
    raw = data.inputs[train.rows]
    np.testing.assert_allclose(test.inputs, (data.inputs[test.rows] - raw.mean(0)) / raw.std(0), rtol=1e-12)
    changed = data.inputs.copy()
    changed[test.rows] *= 1000  # the test part changes; what training sees does not
    changed_train = stratified_split(Dataset("wine", changed, data.labels), seed=0)[0]
    assert np.array_equal(changed_train.inputs, train.inputs)


def test_a_constant_feature_keeps_a_unit_scale():
    data = Dataset("flat", np.column_stack([np.ones(8), np.arange(8.0)]), [0, 1] * 4)
    assert np.isfinite(stratified_split(data, seed=0)[1].inputs).all()


def test_a_split_column_assigns_the_parts():
    data = Dataset("toy", np.arange(12.0)[:, None], [0, 1] * 6)
    parts = assigned_split(data, [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 0, 0])
    assert [part.rows.tolist() for part in parts] == [[0, 1, 2, 3, 4, 5, 10, 11], [6, 7], [8, 9]]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: stratified_split(Dataset("few", np.zeros((9, 1)), [0] * 7 + [1] * 2), seed=0),
         "dataset 'few': class 1 has 2 samples, too few for a split of 50%/25%/25%: the test part gets none"),
        (lambda: Dataset("gap", [[0.0], [np.nan]], [0, 1]), "dataset 'gap': inputs must be finite, got nan at [1, 0]"),
        (lambda: Dataset("soft", [[0.0], [1.0]], [0.0, 0.5]), "dataset 'soft': label 0.5 in row 1 is not a class"),
        (lambda: Dataset("neg", [[0.0], [1.0]], [0, -1]), "dataset 'neg': label -1 in row 1 is not a class"),
        (lambda: Dataset("one", [[0.0], [1.0]], [1, 1]), "dataset 'one': needs at least two classes"),
        (lambda: Dataset("gap", [[0.0], [1.0]], [1, 2]), "class 0 has no sample (the labels run 1 … 2)"),
        (lambda: assigned_split(Dataset("toy", np.zeros((4, 1)), [0, 1, 0, 1]), [0, 1, 2, 3]),
         "a split column holds 0 (train), 1 (validation) or 2 (test), got 3"),
        (lambda: assigned_split(Dataset("toy", np.zeros((4, 1)), [0, 1, 0, 1]), [0, 0, 1, 2]),
         "the validation part of the split column has no sample of class 1"),
        (lambda: load("mnist"),
         "unknown dataset 'mnist' (did you mean 'mnist1d'?); available: digits, breast_cancer, wine, iris, mnist1d"),
    ],
)  # fmt: skip
def test_bad_data_gets_one_line_naming_the_value(make, message):
    with pytest.raises(ValueError) as raised:
        make()
    assert message in str(raised.value) and "\n" not in str(raised.value)


# The spec


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tasks": [IRIS | {"network": {"sizes": [4, 5, 2]}}]}, "has 2 outputs, the data has 3 classes"),
        ({"tasks": [IRIS | {"network": {"sizes": [3, 5, 3]}}]}, "takes 3 inputs, the data has 4 features"),
        ({"tasks": [IRIS | {"loss": "hinge"}]}, "loss must be one of squared, cross-entropy, got 'hinge'"),
        ({"tasks": [IRIS | {"split": {"fractions": [0.5, 0.5]}}]}, "split needs three fractions in (0, 1)"),
        ({"tasks": [{"name": "x", "inputs": [[0.0], [1.0], [2.0]], "labels": [0, 1.5, 1],
                     "network": {"sizes": [1, 2]}}]},
         "label 1.5 in row 1 is not a class"),
        ({"optimizers": [{"name": "adam", "space": {"learning_rate": {"low": 0.1, "high": 0.01}}}]},
         "space.learning_rate needs 0 < low < high"),
        ({"optimizers": [{"name": "adam", "space": {"lr": {"low": 0.01, "high": 0.1}}}]},
         "optimizer 'adam' has no hyperparameter 'lr'"),
        ({"optimizers": [{"name": "adamm", "space": {"learning_rate": {"low": 0.01, "high": 0.1}}}]},
         "unknown optimizer 'adamm' (did you mean 'adam'?)"),
        ({"optimizers": [{"name": "prodigy", "space": {"beta1": {"low": 0.5, "high": 0.9}}}]},
         "prodigy: the trials of a study share 'beta1', so it cannot be drawn; a space may draw learning_rate, "
         "d_coef, weight_decay"),
        ({"tuning": {"budget": 0}}, "tuning.budget must be an integer >= 1, got 0"),
        ({"schedules": ["mini-batch(100)"]}, "needs batch_size <= the 75 training samples of 'iris'"),
        ({"budget": {"max_epochs": 4, "patience": 2}}, "budget has an unknown key 'patience'"),
    ],
)  # fmt: skip
def test_a_bad_spec_gets_one_line(changes, message):
    with pytest.raises((ValueError, TypeError)) as raised:
        spec_of(**changes)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_the_spec_reads_back_from_its_json_with_the_same_digest():
    spec = spec_of()
    again = HeldOutSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again.digest() == spec.digest() and again.tasks[0].describe() == spec.tasks[0].describe()


def test_every_study_splits_the_data_by_its_own_seed_unless_the_spec_fixes_one():
    task = spec_of().tasks[0]
    assert task.split_seed_of(0) == 0 and task.split_seed_of(1) == 1
    assert not np.array_equal(task.parts_of(0)[2].rows, task.parts_of(1)[2].rows)
    assert task.to_dict()["split"]["seed"] == "study"  # recorded in spec.json
    fixed = spec_of(tasks=[IRIS | {"split": {"seed": 7}}]).tasks[0]
    assert fixed.split_seed_of(0) == fixed.split_seed_of(1) == 7
    assert np.array_equal(fixed.parts_of(0)[2].rows, stratified_split(fixed.dataset, seed=7)[2].rows)
    with pytest.raises(ValueError, match=r"split\.seed must be an integer >= 0, got 'one'"):
        spec_of(tasks=[IRIS | {"split": {"seed": "one"}}])


def test_a_data_file_with_a_split_column_is_stored_inline(tmp_path):
    rows = ["x,y,label,part"] + [f"{i},{i % 3},{i % 2},{(0, 0, 1, 2)[i // 2 % 4]}" for i in range(16)]
    (tmp_path / "data.csv").write_text("\n".join(rows))
    task = {"name": "mine", "file": "data.csv", "input_columns": ["x", "y"], "target_columns": ["label"],
            "split": {"column": "part"}, "network": {"sizes": [2, 3, 2]}}  # fmt: skip
    spec = HeldOutSpec.from_dict(spec_of().to_dict() | {"tasks": [task], "schedules": ["per-sample"]}, base=tmp_path)
    assert [len(part.labels) for part in spec.tasks[0].parts_of(0)] == [8, 4, 4]
    assert all(a.rows.tolist() == b.rows.tolist() for a, b in zip(*map(spec.tasks[0].parts_of, (0, 1)), strict=True))
    (tmp_path / "data.csv").unlink()  # the results never need the file again
    assert HeldOutSpec.from_dict(json.loads(json.dumps(spec.to_dict()))).digest() == spec.digest()


def test_a_data_file_is_read_by_the_columns_the_spec_names_and_its_class_names_number_the_classes(tmp_path):
    species = ["owl", "cat", "emu"]
    rows = ["weight,note,height,species"] + [f"{i % 7},free text {i},{i % 5},{species[i % 3]}" for i in range(24)]
    (tmp_path / "animals.csv").write_text("\n".join(rows))
    task = {"name": "animals", "file": "animals.csv", "input_columns": ["weight", "height"],
            "target_columns": ["species"], "network": {"sizes": [2, 3, 3]}}  # fmt: skip
    spec = HeldOutSpec.from_dict(spec_of().to_dict() | {"tasks": [task], "schedules": ["per-sample"]}, base=tmp_path)
    data = spec.tasks[0].dataset
    assert data.class_names == ("cat", "emu", "owl")  # sorted: cat is class 0
    assert [data.class_names[label] for label in data.labels[:3]] == ["owl", "cat", "emu"]
    stored = json.loads(json.dumps(spec.to_dict()))
    assert stored["tasks"][0]["class_names"] == ["cat", "emu", "owl"]  # the mapping is recorded
    assert HeldOutSpec.from_dict(stored).digest() == spec.digest()


@pytest.mark.parametrize(
    ("line", "message"),
    [("3,nan,1", "data.csv line 3, column 'x': 'nan' is not a finite number"),
     ("3,inf,1", "data.csv line 3, column 'x': 'inf' is not a finite number"),
     ("3,,1", "data.csv line 3, column 'x': '' is not a number")],
)  # fmt: skip
def test_a_bad_value_in_a_data_file_is_named_by_its_line(tmp_path, line, message):
    (tmp_path / "data.csv").write_text("\n".join(["id,x,label", "1,0.5,0", line, "4,0.1,1"]))
    task = {"name": "d", "file": "data.csv", "input_columns": ["x"], "target_columns": ["label"],
            "network": {"sizes": [1, 2]}}  # fmt: skip
    with pytest.raises(ValueError) as raised:
        HeldOutSpec.from_dict(spec_of().to_dict() | {"tasks": [task]}, base=tmp_path)
    assert str(raised.value) == message


def test_every_optimizer_draws_the_same_quantiles_and_settings_within_its_ranges():
    spec = spec_of()
    adam, rprop = (spec.settings(space) for space in spec.optimizers)
    for study in range(2):
        for trial in range(3):
            assert adam[study][trial]["learning_rate"] == rprop[study][trial]["delta0"]  # same range, same draw
            assert 1e-3 <= adam[study][trial]["learning_rate"] <= 0.1
    assert adam[0] != adam[1]  # each study draws its own
    fixed = SearchSpace("adam", {"learning_rate": (1e-3, 0.1)}, {"beta2": 0.99})
    assert fixed.setting(np.array([0.5]))["beta2"] == 0.99
    assert fixed.setting(np.array([0.5]))["learning_rate"] == pytest.approx(0.01, rel=1e-12)  # log-uniform middle


def test_the_built_in_real_spec_covers_every_optimizer_a_tuning_study_can_train():
    """Every built-in one: each takes hyperparameters per network, so every trial of a study draws its own."""
    spec = load_spec("real")
    assert isinstance(spec, HeldOutSpec) and spec.trials == 16 and len(spec.seeds) == 5
    assert sorted(space.name for space in spec.optimizers) == sorted(optimizers.available())
    assert all(space.learning_rate_schedule is None for space in spec.optimizers)  # modern.toml schedules them
    assert [task.network.sizes for task in spec.tasks] == [(64, 32, 10), (30, 16, 2)]


# Training


def test_per_network_hyperparameters_step_each_network_as_its_own_optimizer_would():
    rng = np.random.default_rng(1)
    for name in ELEMENTWISE:
        default = optimizers.get(name)
        key = next(k for k in ("learning_rate", "delta0", "step_size") if hasattr(default, k))
        settings = [optimizers.get(name, **{key: value}) for value in (0.01, 0.1, 0.3, 0.1)]
        together = PerNetwork(settings)
        weights = rng.normal(size=(2, 2, 5))
        state = together.init(weights)
        alone = [
            (weights.reshape(4, 5)[i : i + 1], s.init(weights.reshape(4, 5)[i : i + 1])) for i, s in enumerate(settings)
        ]
        for _ in range(4):
            grad, loss = rng.normal(size=(2, 2, 5)), rng.random((2, 2))
            weights, state = together.step(weights, grad, state, loss=loss)
            with numpy_only():
                alone = [
                    s.step(w, grad.reshape(4, 5)[i : i + 1], st, loss=loss.reshape(4)[i : i + 1])
                    for i, (s, (w, st)) in enumerate(zip(settings, alone, strict=True))
                ]
        assert np.array_equal(weights.reshape(4, 5), np.concatenate([w for w, _ in alone])), name


def test_per_network_settings_must_share_one_elementwise_optimizer():
    with pytest.raises(ValueError, match="settings of one optimizer"):
        PerNetwork([optimizers.get("adam"), optimizers.get("gd")])


def test_the_trainer_reshuffles_every_epoch_and_records_what_a_plain_loop_computes():
    """Study 1, trial 2 by hand: its initial weights, its setting, its own split of the data, its study's sample
    orders, one network at a time."""
    spec = spec_of(optimizers=[{"name": "gd", "space": {"learning_rate": {"low": 1e-3, "high": 0.1}}}])
    task, schedule = spec.tasks[0], spec.schedules[0]
    records = train_unit(spec, Unit(0, 0, 0))
    study, trial = 1, 2
    weights = initial_weights(task.network, spec.seeds, spec.trials)[study, trial]
    rate = spec.settings(spec.optimizers[0])[study][trial]["learning_rate"]
    parts = task.parts_of(spec.seeds[study])
    train = parts[0]
    assert not np.array_equal(train.rows, task.parts_of(spec.seeds[0])[0].rows)  # each study holds out its own samples
    targets = task.targets(train.labels)
    orders = schedule.epochs(len(train.labels), spec.seeds[study])
    seen = []
    for _ in range(spec.max_epochs):
        batches = next(orders)
        seen.append(np.concatenate(batches))
        for rows in batches:
            grad = matrix_pass.loss_and_grad(task.network, "cross-entropy", weights, train.inputs[rows], targets[rows])[
                1
            ]
            weights = weights - rate * grad
    assert all(sorted(order) == list(range(len(train.labels))) for order in seen)  # each epoch a permutation
    assert not np.array_equal(seen[0], seen[1])  # reshuffled
    final = np.empty((3, 2))
    evaluate(task, [(part.inputs, part.labels) for part in parts], weights, final)
    np.testing.assert_allclose(records["history"][study, trial, -1], final, rtol=1e-9, atol=1e-12)


def test_a_diverging_run_is_frozen_and_dated_while_the_others_train_on():
    spec = spec_of(optimizers=[{"name": "gd", "space": {"learning_rate": {"low": 1e-2, "high": 1e4}}}],
                   budget={"max_epochs": 3})  # fmt: skip
    records = train_unit(spec, Unit(0, 0, 0))
    rates = np.array([[s["learning_rate"] for s in study] for study in spec.settings(spec.optimizers[0])])
    assert np.isfinite(records["history"]).all()
    assert ((records["diverged_epoch"] >= 1) <= (rates > 1.0)).all()  # only the huge rates may diverge


def test_early_stopping_takes_the_lowest_validation_error_then_the_lowest_loss_then_the_earliest():
    history = np.zeros((1, 4, 3, 2))  # one run, four evaluations
    history[0, :, 1, 0] = [0.3, 0.1, 0.1, 0.1]  # validation error rate
    history[0, :, 1, 1] = [0.9, 0.5, 0.4, 0.4]  # validation loss
    history[0, :, 2, 0] = [0.5, 0.6, 0.2, 0.3]  # test error rate
    evaluation, measures = held_out_tables.early_stopping(history)
    assert evaluation.tolist() == [2] and measures[0, 2, 0] == 0.2


def test_a_study_chooses_its_trial_by_validation_alone():
    measures = np.zeros((3, 3, 2))  # three trials' early-stopping points
    measures[:, 1, 0] = [0.2, 0.1, 0.1]
    measures[:, 1, 1] = [0.1, 0.5, 0.3]
    measures[:, 2, 0] = [0.0, 0.0, 0.9]  # the test part never decides
    assert held_out_tables.chosen_trials(measures).tolist() == 2


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("held-out")
    return held_out_runs.run(spec_of(), out), out


def test_a_results_folder_holds_every_table_and_the_figure(tiny_results):
    _, out = tiny_results
    for name in held_out_runs.RESULT_FILES:
        assert (out / name).is_file(), name
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 2 * 2 * 3 and set(trials["optimizer"]) == {"adam", "irprop+"}
    summary = pd.read_csv(out / "summary.csv")
    assert summary[["test_accuracy", "ci_low", "ci_high", "best_of_1", "best_of_3"]].notna().all().all()
    assert (summary["ci_low"] <= summary["test_accuracy"]).all() and (
        summary["test_accuracy"] <= summary["ci_high"]
    ).all()
    assert (summary["best_of_1"] <= summary["best_of_3"] + 1e-12).all()
    spec = HeldOutSpec.from_dict(json.loads((out / "spec.json").read_text()))
    assert spec.digest() == json.loads((out / "manifest.json").read_text())["spec_digest"]


def test_the_same_spec_gives_the_same_tables_in_processes(tiny_results):
    results, _ = tiny_results
    again = held_out_runs.run(dataclasses.replace(results.spec), jobs=2)
    assert np.array_equal(again.history, results.history, equal_nan=True)
    pd.testing.assert_frame_equal(again.summary, results.summary, check_exact=True)


def test_an_occupied_results_folder_is_refused(tiny_results):
    results, out = tiny_results
    with pytest.raises(Exception, match="already holds results"):
        held_out_runs.run(results.spec, out)


def test_the_command_line_runs_tables_checks_and_redraws_a_held_out_experiment(tmp_path, capsys):
    spec_file = tmp_path / "mine.json"
    spec_file.write_text(json.dumps(spec_of().to_dict() | {"name": "mine"}))
    out = tmp_path / "out"
    assert main(["run", str(spec_file), "--out", str(out), "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "| iris | mini-batch(16) |" in printed and "performance-profile score" in printed
    assert main(["table", str(out)]) == 0 and "test accuracy [95 % CI]" in capsys.readouterr().out
    assert main(["check", str(out)]) == 0 and "complete and consistent" in capsys.readouterr().out
    (out / "tuning-curve.png").unlink()
    assert main(["check", str(out)]) == 1
    assert "tuning-curve.png is missing; redraw it with optarena plot DIR" in capsys.readouterr().out
    assert main(["plot", str(out)]) == 0 and (out / "tuning-curve.png").is_file()
    data = explorer.read_data((out / "report.html").read_text())
    curve = data["places"][0]["curves"][0]  # iris, the first optimizer: its chosen trials' test error along the run
    assert "test error rate" in curve["series"] and len(curve["epochs"]) == len(
        curve["series"]["test error rate"]["median"]
    )
    assert main(["run", str(spec_file), "--out", str(out)]) == 2
    assert "already holds results" in capsys.readouterr().err


def test_the_held_out_report_draws_each_part_and_quantity_in_a_browser(tiny_results, browser_page):
    """In Chromium: no script error; the explorer draws the test error rate first, then any other quantity chosen;
    each figure links its full-size PNG and its SVG, both beside the page."""
    _, out = tiny_results
    page, errors = browser_page
    page.goto((out / "report.html").as_uri())
    assert page.locator("#y").input_value() == "test error rate" and page.locator("#chart path").count() > 0
    for quantity in page.locator("#y option").all_inner_texts():
        page.select_option("#y", quantity)
        assert page.locator("#chart path").count() > 0, quantity
    for name in ("tuning-curve", "learning-curves"):
        for file in (f"{name}.png", f"{name}.svg"):
            assert page.locator(f"a[href='{file}'][download]").count() == 1 and (out / file).is_file()
    assert errors == []


@pytest.fixture(scope="module")
def crowded_results(tmp_path_factory):
    """Every built-in optimizer on iris, a few epochs and trials: the real run's report in miniature."""
    everyone = [{"name": name, "space": {key: {"low": 1e-3, "high": 1e-1}}}
                for name in ELEMENTWISE
                for key in [next(iter(optimizers.hyperparameters_of(name)))]]  # fmt: skip
    out = tmp_path_factory.mktemp("crowded")
    return held_out_runs.run(spec_of(optimizers=everyone, tuning={"budget": 8}), out), out


def test_the_held_out_report_fits_a_1280_pixel_window_with_readable_tables(crowded_results, browser_page):
    """The real run's report was 1333 px wide in a 1280 px window: its accuracy table showed raw column names
    (test_accuracy, ci_low, best_of_1) and the win-rate matrix lost its last column."""
    _, out = crowded_results
    page, errors = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto((out / "report.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    headers = page.locator("table th").all_inner_texts()
    assert not [h for h in headers if "_" in h], headers
    columns = len(ELEMENTWISE)
    assert page.locator(".wide table").last.locator("thead th").all_inner_texts()[-1].strip() == str(columns)
    assert errors == []


def test_the_tuning_curve_labels_only_the_trial_counts(crowded_results):
    """Under a decade of k the log axis labelled a minor tick "3×10⁰"."""
    results, _ = crowded_results
    figure = tuning_curves(results.summary, held_out_tables.curve_ks(results.spec.trials))
    figure.canvas.draw()
    for ax in figure.axes:
        if ax.get_visible() and ax.get_xscale() == "log":
            labels = [t.get_text() for t in ax.get_xticklabels(minor=True) + ax.get_xticklabels() if t.get_text()]
            assert labels and set(labels) <= {"1", "2", "4", "8"}, labels

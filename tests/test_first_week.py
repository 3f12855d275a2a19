"""What a new user met in a first week with optarena: each test states what must hold, and each failed before.

Crashes after training, results replaced or misreported without a word, and errors that were not one line.
"""

import json
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

import experiments
import network
import optimizers
from experiments.cli import main
from experiments.definition.schedules import Schedule
from experiments.running import integrity, storage
from experiments.running.runner import train_population

SMALL = {"initial_points": {"kind": "uniform", "count": 6, "low": -2.0, "high": 2.0}, "budget": {"max_epochs": 60}}


def write_spec(folder: Path, name: str, file: str | None = None, **keys) -> Path:
    """A spec file (``file``.toml, default ``name``.toml) with ``keys`` and these tests' small population and budget."""
    lines = [f"name = {json.dumps(name)}"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in keys.items()]
    lines += ["[initial_points]", 'kind = "uniform"', "count = 6", "low = -2.0", "high = 2.0"]
    lines += ["[budget]", "max_epochs = 60"]
    path = folder / f"{file or name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.slow
def test_a_spec_with_a_single_optimizer_runs_to_its_report(tmp_path, capsys):
    spec = write_spec(tmp_path, "alone", tasks=["teacher"], optimizers=["gd"])
    assert main(["run", str(spec), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    assert "No pairwise tests: each task × schedule has a single optimizer setting." in capsys.readouterr().out
    assert (tmp_path / "out" / "report.html").is_file()
    assert main(["table", str(tmp_path / "out")]) == 0
    assert main(["check", str(tmp_path / "out")]) == 0


@pytest.mark.slow
def test_scipy_methods_alone_with_per_sample_first_draw_their_report(tmp_path):
    """scipy's methods train the full batch only, so the first schedule has no rows for them."""
    spec = write_spec(
        tmp_path, "scipy-only", tasks=["teacher"], optimizers=["scipy-bfgs", "scipy-cg"],
        schedules=["per-sample", "full-batch"],
    )  # fmt: skip
    assert main(["run", str(spec), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet"]) == 0
    report = (tmp_path / "out" / "report.md").read_text()
    assert "scipy-bfgs" in report and "basin-teacher" in report


def test_a_spec_that_trains_nothing_is_a_usage_error(tmp_path, capsys):
    spec = write_spec(tmp_path, "nothing", tasks=["teacher"], optimizers=["scipy-bfgs"], schedules=["per-sample"])
    assert main(["run", str(spec), "--out", str(tmp_path / "out")]) == 2
    assert "this spec trains nothing: scipy's methods train the full batch only" in capsys.readouterr().err


def test_resume_refuses_a_spec_that_would_drop_stored_results_and_names_the_first_difference(tmp_path, capsys):
    """--resume may add seeds, tasks, schedules or settings to a stored experiment; anything else would replace its
    results without a word, and takes --overwrite."""
    first = write_spec(tmp_path, "first", tasks=["teacher"], optimizers=["gd", "irprop-"])
    other = write_spec(tmp_path, "first", "other", tasks=["teacher"], optimizers=["gd", "adam"])
    out = str(tmp_path / "out")
    assert main(["run", str(first), "--out", out, "--quiet", "--no-report", "--jobs", "1"]) == 0
    stored = sorted(path.name for path in (tmp_path / "out" / "units").iterdir())
    capsys.readouterr()
    assert main(["run", str(other), "--out", out, "--resume", "--quiet", "--no-report"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "holds the results of another spec" in error
    assert "optimizers: {'name': 'irprop-', 'settings': [{}]} is there, not here" in error
    assert sorted(path.name for path in (tmp_path / "out" / "units").iterdir()) == stored
    assert main(["check", out]) == 0


@pytest.mark.parametrize("name", [3, True, None, ""])
def test_an_optimizer_name_that_is_no_string_is_a_one_line_usage_error(name, tmp_path, capsys):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"name": "x", "tasks": ["teacher"], "optimizers": [{"name": name}]}))
    assert main(["run", str(spec), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error == f'optarena: error: an optimizer\'s name must be a non-empty string such as "adam", got {name!r}\n'


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"name": "x", "task": ["teacher"], "optimizers": ["gd"]},
            "spec has an unknown key 'task' (did you mean 'tasks'?) and is missing the key 'tasks'; allowed: ",
        ),
        ({"name": "x"}, "spec is missing the keys 'tasks', 'optimizers'"),
        (
            {"name": "x", "tasks": ["teacher"], "optimizers": ["Adam"]},
            "unknown optimizer 'Adam' (did you mean 'adam'?)",
        ),
        ({"name": "x", "tasks": ["teachr"], "optimizers": ["gd"]}, "unknown task 'teachr' (did you mean 'teacher'?)"),
        (
            {"name": "x", "tasks": ["teacher"], "optimizers": ["gd"], "budget": {"max_epoch": 5}},
            "budget has an unknown key 'max_epoch' (did you mean 'max_epochs'?)",
        ),
        (
            {"name": "x", "tasks": ["teacher"], "optimizers": [{"name": "gd", "settings": [{"learning_rat": 1}]}]},
            "optimizer 'gd' has no hyperparameter 'learning_rat' (did you mean 'learning_rate'?)",
        ),
    ],
)
def test_spec_typos_name_the_nearest_allowed_key_and_every_missing_one(spec, message):
    with pytest.raises((ValueError, TypeError)) as raised:
        experiments.ExperimentSpec.from_dict(spec)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_one_sample_trains_alike_in_every_schedule_even_when_its_gradient_overflows():
    """A non-finite gradient at an epoch boundary is divergence in every schedule, so the engine may share one
    training among the schedules of a one-sample task."""
    task = network.Task("huge input", "", [1e308], [0.5])
    starts = [[1.0, 1e4], [0.5, 0.5]]  # the first start's ∂E/∂w_h overflows with σ′ + 0.1
    for accelerate in (True, False):
        fates = [
            train_population(
                optimizers.get("irprop-"), task, starts, schedule=schedule, flat_spot=0.1, accelerate=accelerate
            )
            for schedule in (Schedule("full-batch"), Schedule("per-sample"), Schedule("mini-batch", 1))
        ]
        assert [fate.status.tolist() for fate in fates] == [["diverged", "converged"]] * 3
        assert [fate.stop_epoch.tolist() for fate in fates] == [fates[0].stop_epoch.tolist()] * 3


def test_a_per_sample_run_alone_and_beside_the_full_batch_agree():
    spec = {"name": "huge", "tasks": [{"name": "huge", "inputs": [1e308], "targets": [0.5]}]} | SMALL
    spec |= {"optimizers": [{"name": "irprop-", "flat_spot": 0.1}], "initial_points": {"kind": "list",
             "points": [[1.0, 1e4], [0.5, 0.5]]}}  # fmt: skip
    alone = experiments.run(spec | {"schedules": ["per-sample"]}).runs()
    both = experiments.run(spec | {"schedules": ["full-batch", "per-sample"]}).runs()
    both = both[both["schedule"] == "per-sample"].reset_index(drop=True)
    assert alone["status"].tolist() == both["status"].tolist() == ["diverged", "converged"]
    assert alone["stop_epoch"].tolist() == both["stop_epoch"].tolist()


def test_import_works_before_the_command_too(tmp_path, capsys):
    module = tmp_path / "before_the_command.py"
    module.write_text(PLAIN_OPTIMIZER.format(name="before-the-command", body="weights - 0.1 * np.asarray(grad)"))
    try:
        assert main(["--import", str(module), "list"]) == 0
        assert "before-the-command" in capsys.readouterr().out
    finally:
        optimizers.unregister("before-the-command")


PLAIN_OPTIMIZER = textwrap.dedent(
    '''
    from dataclasses import dataclass

    import numpy as np

    import optimizers


    @optimizers.register("{name}")
    @dataclass(frozen=True)
    class Plain:
        """An optimizer of the tests."""

        def init(self, weights):
            return ()

        def step(self, weights, grad, state, loss=None):
            return {body}, state
    '''
)


def test_the_hint_for_a_missing_optimizer_repeats_the_file_the_user_imported(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "my_optimizers.py").write_text(
        PLAIN_OPTIMIZER.format(name="from-elsewhere", body="weights - 0.1 * np.asarray(grad)")
    )
    spec = write_spec(tmp_path, "hint", tasks=["teacher"], optimizers=["from-elsewhere", "gd"])
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    try:
        assert main(["run", str(spec), "--import", "elsewhere/my_optimizers.py", "--out", str(out), "--quiet",
                     "--no-report", "--jobs", "1"]) == 0  # fmt: skip
    finally:
        optimizers.unregister("from-elsewhere")
    stored = json.loads((out / "optimizers.json").read_text())["from-elsewhere"]
    assert stored["module"] == str(folder / "my_optimizers.py")
    capsys.readouterr()
    try:
        assert main(["run", str(spec), "--out", str(out), "--resume", "--quiet", "--no-report"]) == 2
    finally:
        optimizers.unregister("from-elsewhere")  # the stand-in read from the folder
    assert f"add --import {folder / 'my_optimizers.py'} to train with it" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("np.asarray(weights)[..., :1]", "its step returned weights of shape (6, 1) for weights of shape (6, 2)"),
        ("np.full(np.shape(weights), np.nan)", "its first step turned finite weights and gradients into NaN"),
        ("np.asarray(weights).astype(str)", "its step returned weights of dtype <U32, not real numbers"),
    ],
)
def test_a_plugin_that_breaks_the_step_protocol_fails_its_run_in_one_line(body, message, tmp_path, capsys):
    module = tmp_path / f"broken_plugin_{abs(hash(body))}.py"  # a module imported once per process: one per case
    module.write_text(PLAIN_OPTIMIZER.format(name="breaks-protocol", body=body))
    spec = write_spec(tmp_path, "broken", tasks=["teacher"], optimizers=["breaks-protocol", "gd"])
    try:
        code = main(["--import", str(module), "run", str(spec), "--out", str(tmp_path / "out"), "--quiet",
                     "--no-report", "--jobs", "1"])  # fmt: skip
    finally:
        optimizers.unregister("breaks-protocol")
    error = capsys.readouterr().err
    assert code == 1 and error.count("\n") == 1
    assert "optimizer 'breaks-protocol' broke the step protocol" in error and message in error


def test_a_schedule_is_picked_by_its_kind_alone_when_that_is_unambiguous(tmp_path, capsys):
    spec = {"name": "kinds", "tasks": ["teacher"], "optimizers": ["gd"]} | SMALL
    results = experiments.run(spec | {"schedules": ["per-sample", "mini-batch(2)"]})
    assert set(results.subset(schedules=["mini-batch"]).table()["schedule"]) == {"mini-batch(2)"}
    two_sizes = experiments.run(spec | {"schedules": ["mini-batch(2)", {"kind": "mini-batch", "batch_size": 3}]})
    with pytest.raises(ValueError, match=r"schedule 'mini-batch' is ambiguous here: say which of mini-batch\(2\), "):
        two_sizes.subset(schedules=["mini-batch"])


def test_the_docs_say_torch_rprop_defaults_are_not_irprop_minus_defaults():
    readme = (Path(__file__).parents[1] / "docs" / "extending.md").read_text()
    assert "`torch:Rprop` with no settings is\n`irprop-` with `delta0 = 0.01`" in readme
    assert optimizers.hyperparameters_of("irprop-")["delta0"] == 0.1


@pytest.mark.slow
def test_the_docs_claim_about_torch_rprop_defaults_holds():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    weights, grads = rng.normal(size=(4, 3)), rng.normal(size=(6, 4, 3))
    theirs, ours = optimizers.get("torch:Rprop"), optimizers.get("irprop-", delta0=0.01)
    their_weights, their_state, our_weights, our_state = weights, theirs.init(weights), weights, ours.init(weights)
    for grad in grads:
        their_weights, their_state = theirs.step(their_weights, grad, their_state)
        our_weights, our_state = ours.step(our_weights, grad, our_state)
    assert torch.get_default_dtype() and np.array_equal(their_weights, our_weights)


@pytest.mark.slow
def test_check_tells_a_report_cut_short_from_a_finished_one(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    spec = write_spec(tmp_path, "report", tasks=["teacher"], optimizers=["gd", "irprop-"])
    assert main(["run", str(spec), "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    assert main(["check", str(out)]) == 0
    (out / "report.html").unlink()
    assert main(["check", str(out)]) == 1
    assert "report.html is missing; redraw it with optarena plot DIR" in capsys.readouterr().out

    from experiments.report import document

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(document, "write_report", interrupted)
    assert main(["plot", str(out), "--jobs", "1"]) == 130
    capsys.readouterr()
    assert main(["check", str(out)]) == 1
    assert "the figures and report were cut short while being drawn" in capsys.readouterr().out
    monkeypatch.undo()
    assert main(["plot", str(out), "--jobs", "1"]) == 0
    assert main(["check", str(out)]) == 0


def test_a_torch_optimizers_step_leaves_the_state_it_was_given_as_it_was():
    pytest.importorskip("torch")
    optimizer = optimizers.get("torch:Adam", lr=0.1)
    weights = np.array([[0.5, -1.0], [2.0, 0.25]])
    state = optimizer.init(weights)
    before = {key: value.clone() for key, value in state.optimizer.state[state.parameter].items()}
    first, _ = optimizer.step(weights, np.ones_like(weights), state)
    again, _ = optimizer.step(weights, np.ones_like(weights), state)
    assert np.array_equal(first, again)
    after = state.optimizer.state[state.parameter]
    assert all(np.array_equal(before[key].numpy(), after[key].numpy()) for key in before)


def test_unregistering_a_stand_in_forgets_it_and_an_unknown_name_is_one_line():
    optimizers.stand_in_for({"name": "only-stored", "hyperparameters": {}, "origin": "elsewhere", "module": "theirs"})
    assert optimizers.is_known("only-stored")
    optimizers.unregister("only-stored")
    assert not optimizers.is_known("only-stored")
    with pytest.raises(ValueError, match=r"^cannot unregister 'irpro': no optimizer of that name is registered "
                                         r"\(did you mean 'irprop-'\?\)$"):  # fmt: skip
        optimizers.unregister("irpro")


def test_a_bug_is_an_internal_error_with_its_traceback_not_a_usage_error(tmp_path, monkeypatch, capsys):
    from experiments.analysis import tables

    def broken(*args, **kwargs):
        raise ValueError("an internal inconsistency")

    spec = write_spec(tmp_path, "bug", tasks=["teacher"], optimizers=["gd"])
    monkeypatch.setattr(tables, "how_measured", broken)
    assert main(["run", str(spec), "--out", str(tmp_path / "out"), "--no-report", "--jobs", "1"]) == 3
    error = capsys.readouterr().err
    assert "Traceback" in error and error.splitlines()[-1].startswith(
        "optarena: internal error: ValueError: an internal inconsistency (a bug in optarena"
    )


def test_importing_storage_leaves_the_process_umask_alone(tmp_path):
    source = (Path(storage.__file__)).read_text()
    assert "umask(" not in source
    previous = os.umask(0o027)
    try:
        storage.write_text(tmp_path / "file.txt", "x")
        assert (tmp_path / "file.txt").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(previous)


def test_table_and_load_keep_the_reference_minimum_the_runs_found(tmp_path, capsys):
    spec = {"name": "found", "tasks": [{"name": "contradictory", "inputs": [1.0, 1.0, -1.0],
            "targets": [0.2, 0.8, 0.3]}], "optimizers": ["irprop-", "adam"]} | SMALL  # fmt: skip
    out = tmp_path / "out"
    experiments.run(spec, out)
    found = json.loads((out / "manifest.json").read_text())["reference_minima"]["contradictory"]
    assert found["kind"] == "found" and found["value"] > 0.05
    for loaded in (experiments.load(out), experiments.load(out).subset(optimizers=["adam"])):
        assert loaded.reference("contradictory").value == found["value"]
        assert (loaded.table()["reference_kind"] == "found").all()
    assert main(["table", str(out), "--task", "contradictory"]) == 0
    printed = capsys.readouterr().out
    assert "none recorded" not in printed
    assert f"contradictory · full-batch · E* = {found['value']:.2g} (found)" in printed


@pytest.mark.slow
def test_manifest_of_a_run_says_whether_its_report_was_drawn(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(write_spec(tmp_path, "m", tasks=["teacher"], optimizers=["gd"])), "--out", str(out),
                 "--quiet", "--jobs", "1"]) == 0  # fmt: skip
    assert json.loads((out / "manifest.json").read_text())["report"]["state"] == integrity.REPORT_COMPLETE


def test_resume_refuses_another_experiment_and_a_changed_budget(tmp_path, capsys):
    out = str(tmp_path / "out")
    first = write_spec(tmp_path, "first", tasks=["teacher"], optimizers=["gd"])
    assert main(["run", str(first), "--out", out, "--quiet", "--no-report", "--jobs", "1"]) == 0
    other = write_spec(tmp_path, "other", tasks=["teacher"], optimizers=["gd"])
    longer = tmp_path / "longer.toml"
    longer.write_text(first.read_text().replace("max_epochs = 60", "max_epochs = 90"))
    capsys.readouterr()
    assert main(["run", str(other), "--out", out, "--resume", "--quiet", "--no-report"]) == 2
    assert "(name is 'first' there, 'other' here)" in capsys.readouterr().err
    assert main(["run", str(longer), "--out", out, "--resume", "--quiet", "--no-report"]) == 2
    assert "(budget.max_epochs is 60 there, 90 here)" in capsys.readouterr().err
    more = write_spec(tmp_path, "first", "more", tasks=["teacher"], optimizers=["gd", "adam"], seeds=[0, 1])
    assert main(["run", str(more), "--out", out, "--resume", "--quiet", "--no-report", "--jobs", "1"]) == 0
    assert main(["check", out]) == 0


@pytest.mark.slow
def test_plot_and_table_of_a_whole_folder_keep_its_published_comparison_and_variants(tmp_path):
    """`optarena plot DIR` lost the published section and figures: an unfiltered subset dropped them."""
    results = experiments.run(
        {"name": "paper", "tasks": ["xor"], "published": {"source": "A paper", "results": [
            {"task": "xor", "algorithm": "Rprop", "optimizer": "rprop+", "parameters": {"delta0": 0.1},
             "swept": "delta0", "mean": 30.0}]},
         "optimizers": [{"name": "rprop+", "sweep": {"delta0": [0.1, 1.0]}}],
         "variants": [{"name": "exact", "flat_spot": 0.0}]} | SMALL | {"targets": {"criterion": "bit"}},
        tmp_path / "out",
    )  # fmt: skip
    assert results.subset() is results
    assert main(["plot", str(tmp_path / "out"), "--jobs", "1"]) == 0
    report = (tmp_path / "out" / "report.md").read_text()
    assert "## Published comparison" in report and "published-xor" in report

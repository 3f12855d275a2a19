"""Every class of bad input gets one clear line (exit code 2 on the CLI), never a traceback.

This table is the list of bad-input classes and their messages (docs/troubleshooting.md
troubleshooting section points here).  Each spec case edits one line of a
valid spec; each CLI case is a command line.
"""

import re
import textwrap

import numpy as np
import pytest

import network
import optimizers
from experiments import train_population
from experiments.cli import main

VALID = textwrap.dedent(
    """
    name = "valid"
    seeds = [0]
    optimizers = ["irprop-"]
    schedules = ["full-batch"]

    [[tasks]]
    name = "mine"
    inputs = [-1.0, 1.0]
    targets = [0.2, 0.8]

    [initial_points]
    kind = "grid"
    count = 3
    low = -2.0
    high = 2.0

    [budget]
    max_epochs = 20

    [targets]
    values = [0.1, 0.01]
    headline = 0.01
    """
)

SPEC_CASES = [
    # (what is wrong, line to replace, replacement, expected message)
    ("unknown key", "seeds = [0]", 'seeds = [0]\ncolour = "red"', "spec has an unknown key 'colour'; allowed:"),
    (
        "unknown key in a table",
        "max_epochs = 20",
        "max_epochs = 20\nepoch = 3",
        "budget has an unknown key 'epoch' \\(did you mean 'max_epochs'\\?\\); allowed: max_epochs",
    ),
    ("missing key", 'name = "valid"', "", "spec is missing the key 'name'"),
    ("wrong type", "max_epochs = 20", 'max_epochs = "20"', "budget.max_epochs must be an integer >= 1, got '20'"),
    ("wrong type of list", "seeds = [0]", "seeds = 0", "seeds must be a list, got 0"),
    ("zero budget", "max_epochs = 20", "max_epochs = 0", "budget.max_epochs must be an integer >= 1, got 0"),
    ("negative budget", "max_epochs = 20", "max_epochs = -5", "budget.max_epochs must be an integer >= 1, got -5"),
    (
        "empty data",
        "inputs = [-1.0, 1.0]\ntargets = [0.2, 0.8]",
        "inputs = []\ntargets = []",
        "inputs must be a non-empty table",
    ),
    ("non-finite data", "inputs = [-1.0, 1.0]", "inputs = [-1.0, nan]", "inputs must be finite, got nan"),
    ("non-numeric data", "inputs = [-1.0, 1.0]", 'inputs = ["a", "b"]', "inputs must be an array of real numbers"),
    (
        "mismatched data",
        "targets = [0.2, 0.8]",
        "targets = [0.2]",
        "inputs and targets must have the same number of samples",
    ),
    (
        "target a sigmoid cannot output",
        "targets = [0.2, 0.8]",
        "targets = [0.2, 1.5]",
        r"targets must lie in \[0, 1\], the range of the sigmoid outputs, got 1.5",
    ),
    (
        "unknown optimizer",
        'optimizers = ["irprop-"]',
        'optimizers = ["adamz"]',
        r"unknown optimizer 'adamz' \(did you mean 'adam'\?\); available: gd, sign",
    ),
    (
        "bad hyperparameter",
        'optimizers = ["irprop-"]',
        'optimizers = [{ name = "gd", settings = [{ learning_rate = -1.0 }] }]',
        "gd: learning_rate must be > 0, got -1.0",
    ),
    (
        "unknown hyperparameter",
        'optimizers = ["irprop-"]',
        'optimizers = [{ name = "gd", settings = [{ lr = 0.1 }] }]',
        "optimizer 'gd' has no hyperparameter 'lr'; allowed: learning_rate",
    ),
    (
        "unknown task",
        'name = "mine"\ninputs = [-1.0, 1.0]\ntargets = [0.2, 0.8]',
        'name = "xnor"',
        r"unknown task 'xnor' \(did you mean 'xor'\?\); available: single-sample, teacher, xor",
    ),
    ("grid with zero points", "count = 3", "count = 0", "initial_points.count must be an integer >= 1, got 0"),
    ("empty box", "low = -2.0", "low = 2.0", "initial_points.low must be below high = 2.0, got 2.0"),
    (
        "unknown schedule",
        'schedules = ["full-batch"]',
        'schedules = ["stochastic"]',
        "schedule kind must be one of full-batch, mini-batch, per-sample",
    ),
    (
        "target ladder not decreasing",
        "values = [0.1, 0.01]",
        "values = [0.01, 0.1]",
        "targets.values must decrease strictly",
    ),
    (
        "headline not on the ladder",
        "headline = 0.01",
        "headline = 0.05",
        "targets.headline 0.05 is not one of the targets; the nearest are 0.1 and 0.01",
    ),
    (
        "non-positive target",
        "values = [0.1, 0.01]",
        "values = [0.1, -0.01]",
        "targets.values must be a positive finite number, got -0.01",
    ),
    ("broken TOML", 'name = "valid"', 'name = "valid', "is not valid TOML"),
    (
        "ragged rows",
        "inputs = [-1.0, 1.0]",
        "inputs = [[-1.0, 0.0], [1.0]]",
        "task 'mine': inputs must be a rectangular table: row 2 has 1 value where row 1 has 2",
    ),
    (
        "vectors without a network",
        "inputs = [-1.0, 1.0]",
        "inputs = [[-1.0, 0.0], [1.0, 0.0]]",
        r"task 'mine': data with 2 input and 1 target columns needs a network, e\.g\. network = ",
    ),
    (
        "data wider than its network",
        "inputs = [-1.0, 1.0]",
        "inputs = [[-1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]\nnetwork = { sizes = [2, 2, 1] }",
        "task 'mine': the network 2-2-1 takes 2 input columns, the data has 3",
    ),
    (
        "an unknown activation",
        "inputs = [-1.0, 1.0]",
        'inputs = [-1.0, 1.0]\nnetwork = { sizes = [1, 2, 1], activation = "gelu" }',
        r"tasks\[0\]\.network: unknown activation 'gelu'.*; available: sigmoid, tanh, identity, relu",
    ),
    (
        "a missing data file",
        "inputs = [-1.0, 1.0]\ntargets = [0.2, 0.8]",
        'file = "nowhere.csv"\ninput_columns = ["x"]\ntarget_columns = ["y"]',
        r"data file '.*nowhere.csv' does not exist",
    ),
    (
        "the bit criterion without 0/1 targets",
        "headline = 0.01",
        'headline = 0.01\ncriterion = "bit"',
        r"targets.criterion = 'bit' needs targets at the ends of the output range \(0 or 1\); task 'mine'",
    ),
    (
        "a huge budget",
        "max_epochs = 20",
        "max_epochs = 1000000000000000000000000000000",
        "budget.max_epochs must be an integer from 1 to 10000000, got 1000000000000000000000000000000",
    ),
    (
        "a huge batch",
        'schedules = ["full-batch"]',
        'schedules = [{ kind = "mini-batch", batch_size = 1000000000000000000000000000000 }]',
        "batch_size must be an integer from 1 to 10000000, got 1000000000000000000000000000000",
    ),
    (
        "a batch larger than the task",
        'schedules = ["full-batch"]',
        'schedules = [{ kind = "mini-batch", batch_size = 3 }]',
        r"schedule mini-batch\(3\) needs batch_size <= the number of samples; task 'mine' has 2",
    ),
    (
        "a huge grid",
        "count = 3",
        "count = 100000",
        "initial_points.count must be an integer from 1 to 3000, got 100000",
    ),
    (
        "a headline off the ladder",
        "headline = 0.01",
        "headline = 0.001",
        "targets.headline 0.001 is below the finest target, 0.01",
    ),
    (
        "an unknown optimizer, with scipy's among the names",
        'optimizers = ["irprop-"]',
        'optimizers = ["bfgs"]',
        "unknown optimizer 'bfgs'; available: gd, .*, adafactor, scipy-bfgs, scipy-lbfgsb, scipy-cg, "
        "scipy-nelder-mead, "
        r"and torch:CLASS \(a plugin's optimizer needs its package installed; your own module's, --import MODULE or "
        r"imports = \[...\]\)$",
    ),
    (
        "a grid for a layered network",
        "inputs = [-1.0, 1.0]",
        "inputs = [-1.0, 1.0]\nnetwork = { sizes = [1, 2, 1] }",
        r"initial_points of kind 'grid' span two weights; task 'mine' has 7 parameters",
    ),
]

CLI_CASES = [
    (["run", "no-such-experiment"], "no spec file or built-in experiment named 'no-such-experiment'"),
    (["run", "missing.toml"], "spec file 'missing.toml' does not exist"),
    (["run", "quick", "--jobs", "0"], "argument --jobs: must be a whole number >= 1, got '0'"),
    (["run", "quick", "--colour"], "unrecognized arguments: --colour"),
    (["table", "/nonexistent"], "'/nonexistent' holds no results: spec.json is missing"),
    (["plot", "/nonexistent"], "'/nonexistent' holds no results: spec.json is missing"),
    (["explain", "--input", "x"], "argument --input: must be a number, got 'x'"),
    (["fly"], "invalid choice: 'fly'"),
]


def run_cli(argv, capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exit_info:  # argparse exits by itself
        code = exit_info.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("what", "old", "new", "message"), SPEC_CASES, ids=[case[0] for case in SPEC_CASES])
def test_a_bad_spec_gets_one_line_and_exit_code_2(what, old, new, message, tmp_path, capsys):
    assert old in VALID
    spec = tmp_path / "spec.toml"
    spec.write_text(VALID.replace(old, new, 1))
    code, err = run_cli(["run", str(spec), "--out", str(tmp_path / "out"), "--quiet", "--no-report"], capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("optarena: error: ") and "Traceback" not in err
    assert re.search(message, err), err


@pytest.mark.slow
def test_the_valid_spec_is_valid(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(VALID)
    assert run_cli(["run", str(spec), "--out", str(tmp_path / "out"), "--quiet", "--no-report"], capsys)[0] == 0


@pytest.mark.parametrize(("argv", "message"), CLI_CASES, ids=[" ".join(case[0]) for case in CLI_CASES])
def test_bad_command_lines_get_one_line_and_exit_code_2(argv, message, capsys):
    code, err = run_cli(argv, capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: network.loss_and_grad(np.zeros((3, 3)), [1.0], [0.5]),
            ValueError,
            "weights must have a last axis of length 2",
        ),
        (
            lambda: network.loss_and_grad([1.0, 1.0], [[1.0, 2.0]], [0.5]),
            ValueError,
            r"inputs must be a non-empty 1-D array of samples \(or one column\), got shape \(1, 2\)",
        ),
        (
            lambda: optimizers.get("adam").step(
                np.zeros((2, 2)), np.zeros(2), optimizers.get("adam").init(np.zeros((2, 2)))
            ),
            ValueError,
            r"weights and grad must share one shape \(\.\.\., P\)",
        ),
        (
            lambda: optimizers.get("rprop+", eta_minus=2.0),
            ValueError,
            r"rprop\+: eta_minus must be in \(0, 1\), got 2.0",
        ),
        (
            lambda: optimizers.get("momentum", momentum="high"),
            TypeError,
            "momentum: momentum must be a real number, got 'high'",
        ),
        (
            lambda: train_population(optimizers.get("gd"), network.get_task("teacher"), [1.0, 2.0]),
            ValueError,
            r"initial_weights must have shape \(N, 2\)",
        ),
    ],
)
def test_the_library_api_names_the_bad_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_an_unwritable_output_directory_is_refused_before_work_starts(tmp_path, capsys, monkeypatch):
    from experiments.running import storage

    def no_space(path, write):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(storage, "write_atomically", no_space)
    code, err = run_cli(["run", "quick", "--out", str(tmp_path / "out"), "--quiet", "--no-report"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"optarena: error: cannot write results to '{tmp_path / 'out'}': No space left on device")


@pytest.mark.slow  # a whole experiment
def test_a_disk_that_fills_during_the_run_is_one_line_and_exit_code_1(tmp_path, capsys, monkeypatch):
    from experiments.running import units

    def no_space(path, arrays):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(units, "write_npz", no_space)
    code, err = run_cli(["run", "quick", "--out", str(tmp_path / "out"), "--quiet", "--no-report"], capsys)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("optarena: error: could not write ") and err.rstrip().endswith("No space left on device")

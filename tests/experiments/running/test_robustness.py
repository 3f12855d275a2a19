"""Numerical faults stay inside their run; a killed run never leaves a file that reads as valid; --resume ends it."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import experiments
import network
import optimizers
from experiments import Budget, Schedule, Targets, train_population
from experiments.definition.training_setup import TrainingSetup
from experiments.pipeline import population_runs
from experiments.running.scipy_baselines import run_scipy_population

TEACHER = network.get_task("teacher")
HEALTHY = np.random.default_rng(4).uniform(-6, 6, size=(40, 2))
FAULTY = np.array([[np.nan, 1.0], [np.inf, 0.0], [1.0, -np.inf], [1e300, 1e300]])


@pytest.mark.parametrize("name", optimizers.available())
@pytest.mark.parametrize("schedule", [Schedule("full-batch"), Schedule("per-sample")])
def test_a_faulty_run_is_diverged_and_leaves_the_others_bit_identical(name, schedule):
    budget, targets = Budget(max_epochs=150), Targets.ladder(0.1, 1e-8, 2)
    mixed = np.concatenate([HEALTHY[:20], FAULTY, HEALTHY[20:]])
    together = train_population(optimizers.get(name), TEACHER, mixed, TrainingSetup(schedule, budget, targets, seed=1))
    alone = train_population(optimizers.get(name), TEACHER, HEALTHY, TrainingSetup(schedule, budget, targets, seed=1))
    assert together.status[20:24].tolist() == ["diverged"] * 4
    assert together.diverged_epoch[20:24].tolist() == [0.0] * 4
    keep = np.r_[0:20, 24:44]
    for field in ("final_weights", "final_error", "hit_epochs", "stop_epoch", "history", "status", "final_grad_norm"):
        np.testing.assert_array_equal(getattr(together, field)[keep], getattr(alone, field), err_msg=field)


def test_a_run_that_blows_up_later_is_diverged_at_that_epoch():
    result = train_population(optimizers.get("gd", learning_rate=1e4), TEACHER, [[0.1, 0.1], [2.0, 3.0]],
                              budget=Budget(max_epochs=50, weight_bound=1e3))  # fmt: skip
    assert result.status.tolist() == ["diverged", "converged"]
    assert result.diverged_epoch[0] >= 1 and np.abs(result.final_weights[0]).max() > 1e3


SLOW = """
name = "slow"
optimizers = "all"
schedules = ["full-batch", "per-sample"]
[[tasks]]
name = "teacher"
[[tasks]]
name = "single-sample"
[initial_points]
count = 64
[budget]
max_epochs = 1500
"""


def start_run(spec: Path, out: Path, *flags) -> subprocess.Popen:
    command = [sys.executable, "-m", "experiments", "run", str(spec), "--out", str(out), "--quiet", "--no-report",
               "--jobs", "1", *flags]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)})  # fmt: skip


def wait_for_units(out: Path, count: int, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while len(list((out / "units").glob("*.npz"))) < count:
        assert process.poll() is None, "the run finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def every_file_reads_whole(out: Path) -> None:
    for unit in (out / "units").glob("*.npz"):
        with np.load(unit) as arrays:
            assert "meta" in arrays.files
    for name in ("manifest.json", "spec.json"):
        if (out / name).exists():
            json.loads((out / name).read_text())


@pytest.mark.slow
@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGINT])
def test_killing_a_real_run_then_resuming_gives_the_uninterrupted_tables(kill, tmp_path):
    spec = tmp_path / "slow.toml"
    spec.write_text(SLOW)
    out = tmp_path / "interrupted"
    process = start_run(spec, out)
    wait_for_units(out, 5, process)
    process.send_signal(kill)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0
    if kill == signal.SIGINT:
        assert err.strip() == "optarena: interrupted; finished units are kept, continue with --resume"
    every_file_reads_whole(out)
    assert experiments.check(out) == ["manifest.json says the run did not finish; complete it with --resume"]
    assert not (out / "summary.csv").exists()

    resumed = start_run(spec, out, "--resume")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert experiments.check(out) == []
    reference = experiments.run(experiments.load_spec(spec))
    pd.testing.assert_frame_equal(population_runs.load(out).runs(), reference.runs(), check_exact=True)
    pd.testing.assert_frame_equal(
        population_runs.read_table(out / "summary.csv").drop(columns="wall_time_s"),
        reference.table().drop(columns="wall_time_s"),
        check_exact=True,
        check_dtype=False,
    )


def test_no_compiled_call_hands_arrays_back_to_python_where_a_ctrl_c_could_be_lost():
    """numba boxes a returned array by calling back into Python (``_numba_unpickle``); a KeyboardInterrupt
    raised there vanished and the run went on.  Compiled code therefore fills arrays it is given."""
    callbacks = []

    def watch(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "_numba_unpickle":
            callbacks.append(frame.f_back.f_code.co_name if frame.f_back else None)

    def train_every_way():
        for name, schedule in [("irprop-", Schedule("per-sample")), ("adam", Schedule("mini-batch", 2))]:
            train_population(optimizers.get(name), TEACHER, HEALTHY[:8], schedule=schedule, budget=Budget(20))
        run_scipy_population("scipy-bfgs", TEACHER, HEALTHY[:2], Budget(max_epochs=20), Targets.ladder(0.1, 1e-8, 2))

    train_every_way()  # compile first: compiling calls back into Python legitimately
    sys.setprofile(watch)
    try:
        train_every_way()
    finally:
        sys.setprofile(None)
    assert callbacks == []

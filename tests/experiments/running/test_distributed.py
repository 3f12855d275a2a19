"""The same experiment serially, in local processes, in chunks, or on a Dask cluster: bit-identical per-run tables."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import experiments
import network
import optimizers
from experiments.cli import main
from experiments.definition.held_out_spec import HeldOutSpec
from experiments.pipeline import held_out_runs, population_runs
from experiments.running.cluster import checked

pytestmark = pytest.mark.slow  # worker processes and Dask clusters

QUICK = experiments.load_spec("quick")
SPEC = dataclasses.replace(  # the article's 1-1-1 tasks and a layered one
    QUICK,
    tasks=(*QUICK.tasks, network.get_task("xor")),
    optimizers=tuple(experiments.OptimizerSetting(name) for name in ("gd", "irprop+", "adam", "scipy-lbfgsb")),
)


@pytest.fixture(scope="module")
def serial():
    return experiments.run(SPEC).runs()


def test_local_processes_give_the_serial_tables(serial):
    pd.testing.assert_frame_equal(experiments.run(SPEC, jobs=2).runs(), serial, check_exact=True)


@pytest.mark.parametrize("chunk_size", [7, 16])  # 16 starts: chunks of 7, 7 and 2, or one whole population
def test_any_chunking_gives_the_serial_tables(serial, chunk_size, tmp_path):
    results = experiments.run(SPEC, tmp_path, jobs=2, chunk_size=chunk_size)
    pd.testing.assert_frame_equal(results.runs(), serial, check_exact=True)
    assert experiments.check(tmp_path) == []
    pd.testing.assert_frame_equal(experiments.load(tmp_path).runs(), serial, check_exact=True)


def test_a_dask_local_cluster_of_two_workers_gives_the_serial_tables(serial, tmp_path):
    pytest.importorskip("distributed")
    results = experiments.run(SPEC, tmp_path, chunk_size=8, cluster={"local_workers": 2})
    pd.testing.assert_frame_equal(results.runs(), serial, check_exact=True)
    assert experiments.check(tmp_path) == []


def test_the_cli_runs_on_a_cluster_file(tmp_path, capsys):
    pytest.importorskip("distributed")
    cluster = tmp_path / "cluster.toml"
    cluster.write_text("local_workers = 2\n")
    out = tmp_path / "out"
    assert main(["run", "quick", "--out", str(out), "--cluster", str(cluster), "--quiet", "--no-report"]) == 0
    assert experiments.check(out) == []


def test_a_unit_that_fails_once_is_retried(tmp_path):
    attempts = {}

    @optimizers.register("flaky-for-test")
    class Flaky(optimizers.GradientDescent):
        def step(self, weights, grad, state, loss=None):
            key = weights.shape
            attempts[key] = attempts.get(key, 0) + 1
            if attempts[key] == 1:
                raise RuntimeError("a passing glitch")
            return super().step(weights, grad, state, loss)

    try:
        spec = dataclasses.replace(SPEC, optimizers=(experiments.OptimizerSetting("flaky-for-test"),))
        results = experiments.run(spec, tmp_path)
        assert len(results.runs()) == 16 * 2 * 3  # three tasks × two schedules, each unit finished on its retry
        assert experiments.check(tmp_path) == []
    finally:
        optimizers.unregister("flaky-for-test")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "must give exactly one of scheduler, local_workers"),
        ({"workers": 2}, "unknown key 'workers'; allowed: scheduler, local_workers"),
        ({"local_workers": 0}, "local_workers must be an integer >= 1, got 0"),
        ({"scheduler": 8786}, "scheduler must be an address such as 'tcp://host:8786', got 8786"),
    ],
)
def test_bad_cluster_descriptions_are_named(data, message):
    with pytest.raises(ValueError, match=message):
        checked(data)


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys):
    pytest.importorskip("distributed")
    cluster = tmp_path / "cluster.toml"
    cluster.write_text('scheduler = "tcp://127.0.0.1:1"\n')
    assert main(["run", "quick", "--out", str(tmp_path / "out"), "--cluster", str(cluster), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("optarena: error: no Dask scheduler answers at tcp://127.0.0.1:1") and err.count("\n") == 1


def test_engine_retry_message_names_the_unit(tmp_path):
    @optimizers.register("always-broken-for-test")
    class Broken(optimizers.GradientDescent):
        def step(self, weights, grad, state, loss=None):
            raise RuntimeError("always")

    try:
        spec = dataclasses.replace(SPEC, optimizers=(experiments.OptimizerSetting("always-broken-for-test"),))
        failure = r"units failed twice; .* · always-broken-for-test · seed 0"
        with pytest.raises(population_runs.RunFailure, match=failure):
            experiments.run(spec, tmp_path, chunk_size=8)
    finally:
        optimizers.unregister("always-broken-for-test")


SLOW = """
name = "slow"
optimizers = ["gd", "adam", "momentum", "quickprop"]
schedules = ["full-batch", "per-sample"]
[[tasks]]
name = "teacher"
[initial_points]
count = 64
[budget]
max_epochs = 1500
"""


def test_killing_a_worker_mid_run_loses_no_finished_unit(tmp_path):
    pytest.importorskip("distributed")
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    environment = os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": environment}
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-dashboard"]
    processes = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], **quiet)]
    try:
        time.sleep(2)
        processes += [subprocess.Popen(worker, **quiet), subprocess.Popen(worker, **quiet)]
        spec, cluster, out = tmp_path / "slow.toml", tmp_path / "cluster.toml", tmp_path / "out"
        spec.write_text(SLOW)
        cluster.write_text(f'scheduler = "{address}"\n')
        run = subprocess.Popen(
            [sys.executable, "-m", "experiments", "run", str(spec), "--out", str(out), "--cluster", str(cluster),
             "--chunk-size", "16", "--quiet", "--no-report"], **quiet,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while len(list((out / "units").glob("*.npz"))) < 3:
            assert run.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        stored = {path.name: path.read_bytes() for path in (out / "units").glob("*.npz")}
        processes[1].send_signal(signal.SIGKILL)  # a worker dies mid-run
        assert run.wait(timeout=300) == 0
        for name, content in stored.items():
            assert (out / "units" / name).read_bytes() == content  # finished units were kept as they were
        assert experiments.check(out) == []
        reference = experiments.run(experiments.load_spec(spec))
        pd.testing.assert_frame_equal(experiments.load(out).runs(), reference.runs(), check_exact=True)
    finally:
        for process in processes:
            process.kill()
            process.wait()


def test_a_held_out_experiment_gives_the_same_tables_on_dask_as_here():
    spec = HeldOutSpec.from_dict({
        "name": "held-out-on-dask", "kind": "held-out", "seeds": [0, 1], "schedules": ["mini-batch(16)", "per-sample"],
        "budget": {"max_epochs": 3}, "tuning": {"budget": 3},
        "tasks": [{"name": "iris", "dataset": "iris", "network": {"sizes": [4, 5, 3], "activation": "tanh"}},
                  {"name": "wine", "dataset": "wine", "network": {"sizes": [13, 4, 3]}, "loss": "squared"}],
        "optimizers": [{"name": "adam", "space": {"learning_rate": {"low": 1e-3, "high": 0.1}}},
                       {"name": "irprop-", "space": {"delta0": {"low": 1e-3, "high": 0.1}}}],
    })  # fmt: skip
    here = held_out_runs.run(spec)
    on_dask = held_out_runs.run(spec, cluster=checked({"local_workers": 2}))
    assert np.array_equal(on_dask.history, here.history, equal_nan=True)
    pd.testing.assert_frame_equal(on_dask.summary, here.summary, check_exact=True)
    pd.testing.assert_frame_equal(on_dask.scores, here.scores, check_exact=True)

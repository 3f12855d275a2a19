"""Ctrl-C stops a run in whichever phase it lands, on either backend, and no worker process outlives the run.

Each run starts in a session of its own, as a terminal starts a command, and
the interrupt goes either to the process or to its whole process group, as a
terminal's Ctrl-C does (then every worker receives it too).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import experiments
from experiments.running.interrupts import INTERRUPTED, INTERRUPTED_DRAWING

pytestmark = pytest.mark.slow  # a real run per case, interrupted in a subprocess

SPEC = """
name = "interruptible"
seeds = [0, 1]
schedules = ["full-batch", "per-sample"]
optimizers = ["irprop-", "adam", "gd", "quickprop", "scipy-bfgs"]
tasks = ["teacher", "xor"]
[initial_points]
count = 32
[budget]
max_epochs = 600
"""

# seconds after optarena's entry point ran: importing, compiling, training units on workers, tables, figures, the end
MOMENTS = [0.0, 0.4, 1.0, 2.0, 3.5, 5.5, 8.0]


def sessions_processes(session: int) -> list[int]:
    """The processes still alive in the session (workers, trackers), found through /proc."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited while we looked
            continue
        if fields[0] != "Z" and int(fields[3]) == session:
            alive.append(int(stat.parent.name))
    return alive


def sigint_blocked(pid: int) -> bool:
    """Whether process ``pid`` blocks SIGINT: optarena's entry point has run (before it, Python is still starting
    up, and a Ctrl-C there is the interpreter's to report)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True  # it has ended already
    blocked = next(line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:"))
    return bool(int(blocked, 16) & (1 << (signal.SIGINT - 1)))


def interrupt(tmp_path: Path, moment: float, jobs: list[str], whole_group: bool):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "experiments", "run", str(spec), "--out", str(out), "--quiet", *jobs]
    environment = os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, env=environment)  # fmt: skip
    started = time.monotonic() + 30
    while not sigint_blocked(process.pid) and time.monotonic() < started:
        time.sleep(0.001)
    time.sleep(moment)
    if whole_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    deadline = (
        time.monotonic() + 10
    )  # what the run started ends with it: a pipe's reader exits at once, a worker is killed
    while (left := sessions_processes(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return process.returncode, err, out, left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds left-over processes through /proc")
@pytest.mark.parametrize("whole_group", [False, True], ids=["to-process", "to-group"])
@pytest.mark.parametrize("jobs", [[], ["--jobs", "1"]], ids=["default-jobs", "jobs-1"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_ctrl_c_at_any_moment_stops_the_run_with_one_line_and_leaves_no_process(moment, jobs, whole_group, tmp_path):
    code, err, out, left = interrupt(tmp_path, moment, jobs, whole_group)
    assert left == [], f"processes outlived the run: {left}"
    assert "Traceback" not in err, err
    if code == 0:  # the interrupt came after the last safe point: then the run is whole
        assert experiments.check(out) == []
        return
    assert code == 130, err
    said = err.strip().splitlines()[-1]
    assert said in (INTERRUPTED, INTERRUPTED_DRAWING.format(out=out))
    for unit in (out / "units").glob("*.npz"):
        with np.load(unit) as arrays:
            assert "meta" in arrays.files
    problems = experiments.check(out) if (out / "manifest.json").exists() else []
    assert problems in (
        [],
        ["manifest.json says the run did not finish; complete it with --resume"],
        ["the figures and report were cut short while being drawn; redraw them with optarena plot DIR"],
    )
    if problems and "optarena plot" in problems[0]:  # the run and the check say one thing
        assert said == INTERRUPTED_DRAWING.format(out=out)
    elif problems:
        assert said == INTERRUPTED

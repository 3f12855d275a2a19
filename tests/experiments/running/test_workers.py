"""Local worker processes: results in order, computed elsewhere, and a run that survives loky's restarts."""

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from experiments.running.workers import in_processes

LOKY_MEMORY_LIMIT_MB = 300  # loky restarts a worker whose memory grew by more than this since its first call
_held = []  # in a worker: what its calls keep


def square_and_pid(x):
    return x * x, os.getpid()


def hold_memory_and_pid(megabytes, seconds):
    """Keep ``megabytes`` more of this worker's memory (touched, so it counts), then wait ``seconds``."""
    _held.append(np.ones(megabytes * 2**20 // 8))
    time.sleep(seconds)
    return os.getpid()


def test_results_come_back_in_the_order_of_the_calls_from_other_processes():
    results = list(in_processes(square_and_pid, [(x,) for x in range(20)], jobs=2))
    assert [square for square, _ in results] == [x * x for x in range(20)]
    assert os.getpid() not in {pid for _, pid in results}


def clocked(folder, mark, wait_for=()):
    """(start, end, whether every file of ``wait_for`` appeared) of a call that leaves a file ``mark`` in
    ``folder`` and waits (up to 30 s) for the files ``wait_for``; on the machine's monotonic clock."""
    start = time.monotonic()
    (Path(folder) / mark).touch()
    while not all((Path(folder) / name).exists() for name in wait_for) and time.monotonic() < start + 30:
        time.sleep(0.01)
    return start, time.monotonic(), all((Path(folder) / name).exists() for name in wait_for)


def test_the_calls_that_compile_the_same_kernel_wait_for_the_first_while_the_others_run(tmp_path):
    """On a fresh machine both workers compiled the 1-1-1 kernel at once (10 s each); now the first call of a
    kernel compiles it while the other worker trains what compiles nothing, and the kernel's other calls start
    after it (numba's cache then serves them), even when they come first in the queue after it.  The first call
    here "compiles" until the calls of no kernel and of another kernel have run."""
    others = ["plain-1", "plain-2", "another"]
    calls = [(tmp_path, "first", others), (tmp_path, "same-1"), (tmp_path, "same-2"), *((tmp_path, o) for o in others)]
    compiles = ["kernel", "kernel", "kernel", None, None, "another"]
    clocks = list(in_processes(clocked, calls, jobs=2, compiles=compiles))
    first_end, the_others_ran = clocks[0][1:]
    assert the_others_ran  # while the first call of the kernel ran
    assert all(start >= first_end for start, _, _ in clocks[1:3])  # after the first call of their kernel ended


@pytest.mark.slow
def test_a_worker_that_loky_restarts_while_calls_wait_does_not_stop_the_run():
    """loky restarts a worker that grew by 300 MB and, with calls queued, warns from its own thread; under the
    suite's ``filterwarnings = error`` that thread died and the run waited forever (it did, in CI)."""
    pytest.importorskip("psutil", reason="loky watches its workers' memory only where psutil is installed")
    calls = [(0, 0.0)] * 2 + [(LOKY_MEMORY_LIMIT_MB // 2 + 10, 1.1)] * 8  # each worker passes the limit
    results, runner = [], threading.Thread(target=lambda: results.extend(in_processes(hold_memory_and_pid, calls, 2)))
    runner.start()
    runner.join(timeout=120)
    assert not runner.is_alive(), "the run hung: loky's warning killed its manager thread"
    assert len(results) == len(calls) and len(set(results)) > 2  # every call done, some by restarted workers

"""Local worker processes: results in order, computed elsewhere, and a run that survives loky's restarts."""

import os
import threading
import time

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

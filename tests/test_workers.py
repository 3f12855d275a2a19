"""Local worker processes: results in order, computed elsewhere, by workers that wait for the next call."""

import os
import time

import pytest

from experiments.running.workers import in_processes

LOKY_IDLE_TIMEOUT_S = 10  # what loky's get_reusable_executor lets an idle worker wait by default


def square_and_pid(x):
    return x * x, os.getpid()


def test_results_come_back_in_the_order_of_the_calls_from_other_processes():
    results = list(in_processes(square_and_pid, [(x,) for x in range(20)], jobs=2))
    assert [square for square, _ in results] == [x * x for x in range(20)]
    assert os.getpid() not in {pid for _, pid in results}


@pytest.mark.slow
def test_idle_workers_wait_for_the_next_call_rather_than_quit():
    """An idle worker that quit as a call arrived made loky warn from its own thread; under the suite's
    ``filterwarnings = error`` that thread died and the run hung (it did, once, in CI)."""
    workers = {pid for _, pid in in_processes(square_and_pid, [(x,) for x in range(8)], jobs=2)}
    time.sleep(LOKY_IDLE_TIMEOUT_S + 1)
    for pid in workers:
        os.kill(pid, 0)  # alive: raises ProcessLookupError for a worker that quit
    assert [square for square, _ in in_processes(square_and_pid, [(3,)], jobs=2)] == [9]

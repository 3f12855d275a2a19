"""Local worker processes (joblib's loky) that stop with the run that started them.

`in_processes` maps a function over calls in worker processes and yields the
results in order (`on_dask` does the same on a Dask cluster).  While it waits it looks for a deferred Ctrl-C
(`interrupts.checkpoint`), so a run blocked on its workers still stops when
asked; and whenever the caller stops early (Ctrl-C, an error) the queued calls
are dropped and the workers killed: none outlives the run.  On Linux a
worker also dies with the process that started it, even when that one is
killed outright (``PR_SET_PDEATHSIG``).  The workers share the cores: each
runs its compiled code on cores / workers threads.

loky restarts a worker that sat idle for 10 s or grew by 300 MB, and when calls
were queued at that moment it says so with a warning from its manager thread.
Where warnings are errors (``python -W error``, the test suite's
``filterwarnings``) that warning killed the thread and the run waited
forever (CI, stop 29): the warning is loky's bookkeeping, not the user's, and
is ignored (pyproject.toml's pytest filters ignore it too, after ``error``).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, wait

from joblib.externals.loky import get_reusable_executor

from experiments.running import interrupts

POLL_S = 0.1  # how often a wait for a worker looks for a Ctrl-C
DASK_POLL_S = 0.01  # how often a wait for a Dask future asks whether it is done
_PR_SET_PDEATHSIG = 1
LOKY_RESTARTED_A_WORKER = "A worker stopped while some jobs were given to the executor"

warnings.filterwarnings("ignore", message=LOKY_RESTARTED_A_WORKER, category=UserWarning)


def in_processes(function: Callable, calls: Iterable[tuple], jobs: int) -> Iterator:
    """``function(*call)`` for each call, in order, computed in ``jobs`` worker processes."""
    interrupts.before_starting_processes()
    threads = max(1, (os.cpu_count() or 1) // jobs)  # compiled code's threads per worker: the cores, shared out
    executor = get_reusable_executor(max_workers=jobs, initializer=_start_worker, initargs=(os.getpid(), threads))
    futures = [executor.submit(function, *call) for call in calls]
    finished = False
    try:
        yield from _in_order(futures)
        finished = True
    finally:
        if not finished:  # the queued calls go with the workers
            _kill_workers()
            executor.shutdown(wait=True)


def on_dask(client, function: Callable, calls: Iterable[tuple]) -> Iterator:
    """``function(*call)`` for each call on a Dask ``client``, the results in order; the calls not yet done are
    cancelled whenever the caller stops early."""
    futures = [client.submit(function, *call, pure=False) for call in calls]
    try:
        yield from _in_order(futures)
    finally:
        client.cancel(futures)


def _in_order(futures) -> Iterator:
    """Each future's result, in order (`wait_for`).  A worker hit by the same Ctrl-C fails its call (a local Dask
    worker) or breaks the pool (loky's): then that failure is the interrupt."""
    try:
        for future in futures:
            yield wait_for(future)
    except Exception:
        if interrupts.requested():
            raise KeyboardInterrupt from None
        raise


def wait_for(future):
    """The future's result (a concurrent.futures or a Dask one), looking for a deferred Ctrl-C while it waits.

    It waits for the future to be done, then asks for the result without a timeout: Dask's
    ``result(timeout=...)`` can lose a race between its timeout and the result arriving and raise
    UnboundLocalError from inside distributed, which failed runs on a loaded machine.
    """
    while not future.done():
        if isinstance(future, Future):
            wait([future], timeout=POLL_S)
        else:
            time.sleep(DASK_POLL_S)
        interrupts.checkpoint()
    return future.result()


def _kill_workers() -> None:
    """Kill loky's worker processes; its executor then fails what was queued and ends cleanly.

    (``shutdown(kill_workers=True)`` races with the executor's own thread while
    calls are queued, and that thread dies with a traceback.)
    """
    for child in multiprocessing.active_children():
        if child.name.startswith("LokyProcess"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)


def _start_worker(parent: int, threads: int) -> None:
    """In a worker: run compiled code on ``threads`` threads (the workers share the cores rather than each
    taking them all), and be killed when ``parent`` ends, however it ends (Linux)."""
    import numba

    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent ended before the request was made
            os._exit(1)

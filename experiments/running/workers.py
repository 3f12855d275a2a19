"""Local worker processes (joblib's loky) that stop with the run that started them.

`in_processes` maps a function over calls in worker processes and yields the
results in order (`on_dask` does the same on a Dask cluster; `mapped` picks one of them, or none for one job).
While it waits it looks for a deferred Ctrl-C (`interrupts.checkpoint`), so a run blocked on its workers still
stops when asked; and whenever the caller stops early (Ctrl-C, an error) the queued calls
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
from concurrent.futures import FIRST_COMPLETED, Future, wait

from joblib.externals.loky import get_reusable_executor

from experiments.running import interrupts

POLL_S = 0.1  # how often a wait for a worker looks for a Ctrl-C
DASK_POLL_S = 0.01  # how often a wait for a Dask future asks whether it is done
_PR_SET_PDEATHSIG = 1
LOKY_RESTARTED_A_WORKER = "A worker stopped while some jobs were given to the executor"

warnings.filterwarnings("ignore", message=LOKY_RESTARTED_A_WORKER, category=UserWarning)


def mapped(function: Callable, calls: list[tuple], jobs: int = 1, client=None,
           compiles: list | None = None) -> Iterator:  # fmt: skip
    """``function(*call)`` for each call, the results in order: here (``jobs`` 1), in ``jobs`` worker processes
    (`in_processes`, which ``compiles`` is for), or on a Dask ``client`` (`on_dask`)."""
    if client is not None:
        return on_dask(client, function, calls)
    if jobs == 1:
        return (function(*call) for call in calls)
    return in_processes(function, calls, jobs, compiles)


def in_processes(function: Callable, calls: Iterable[tuple], jobs: int, compiles: list | None = None) -> Iterator:
    """``function(*call)`` for each call, in order, computed in ``jobs`` worker processes.

    ``compiles[i]``, when given, names the compiled code that call i may have to compile (None: nothing worth
    waiting for).  The first call of each name starts at once; the others with that name start when it has
    finished, so that on a fresh machine one worker compiles a kernel while the others train what needs
    none and then load the kernel from numba's cache, instead of every worker compiling it at once.
    """
    interrupts.before_starting_processes()
    threads = max(1, (os.cpu_count() or 1) // jobs)  # compiled code's threads per worker: the cores, shared out
    executor = get_reusable_executor(max_workers=jobs, initializer=_start_worker, initargs=(os.getpid(), threads))
    queue = _CompileOnce(executor, function, list(calls), compiles)
    finished = False
    try:
        yield from _as_interrupt(queue.results())
        finished = True
    finally:
        if not finished:  # the queued calls go with the workers
            _kill_workers()
            executor.shutdown(wait=True)


class _CompileOnce:
    """Calls submitted to a process pool, each held back until the first call with its ``compiles`` name is done.

    ``futures[i]`` is call i's future, or that first call's future while call i is held."""

    def __init__(self, executor, function: Callable, calls: list[tuple], compiles: list | None):
        self.executor, self.function, self.held = executor, function, {}
        firsts: dict = {}
        self.futures: list = []
        for index, (call, name) in enumerate(zip(calls, compiles or [None] * len(calls), strict=True)):
            if name in firsts:
                self.held[index] = call
                self.futures.append(firsts[name])
                continue
            self.futures.append(executor.submit(function, *call))
            if name is not None:
                firsts[name] = self.futures[-1]

    def results(self) -> Iterator:
        """Each call's result, in order; while it waits, the held calls whose first call is done are submitted."""
        for index in range(len(self.futures)):
            while index in self.held or not self.futures[index].done():
                wait([self.futures[index], *self._release()], timeout=POLL_S, return_when=FIRST_COMPLETED)
                interrupts.checkpoint()
            yield self.futures[index].result()

    def _release(self) -> list:
        """Submit the held calls whose first call is done; return the first calls the others still wait for."""
        for index in [index for index in self.held if self.futures[index].done()]:
            self.futures[index] = self.executor.submit(self.function, *self.held.pop(index))
        return [self.futures[index] for index in self.held]


def on_dask(client, function: Callable, calls: Iterable[tuple]) -> Iterator:
    """``function(*call)`` for each call on a Dask ``client``, the results in order; the calls not yet done are
    cancelled whenever the caller stops early."""
    futures = [client.submit(function, *call, pure=False) for call in calls]
    try:
        yield from _in_order(futures)
    finally:
        client.cancel(futures)


def _in_order(futures) -> Iterator:
    """Each future's result, in order (`wait_for`)."""
    yield from _as_interrupt(wait_for(future) for future in futures)


def _as_interrupt(results: Iterator) -> Iterator:
    """``results``, where a failure during a Ctrl-C is the interrupt: a worker hit by the same Ctrl-C fails its
    call (a local Dask worker) or breaks the pool (loky's)."""
    try:
        yield from results
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

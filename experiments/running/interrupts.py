"""Ctrl-C that always stops a run, at a moment the run chooses, and takes its workers with it.

Python raises KeyboardInterrupt wherever the main thread happens to be:
inside a zip file being written, inside numba's boxing of a returned array,
inside a library's cleanup, where it can be swallowed or turned into another
error, and the run then goes on or fails with the wrong message.  And a
terminal's Ctrl-C reaches every process of the group: worker processes die
mid-import with tracebacks of their own.

So the command line defers it (`deferred`):

- SIGINT is blocked in this process, so every worker process and thread it
  starts inherits the block and never sees a Ctrl-C; the run stops them;
- one watcher thread waits for SIGINT (``sigwait``) and only records the
  request (a thread that started earlier and still takes signals records it
  through the handler instead);
- the run raises KeyboardInterrupt itself at the next safe point
  (`checkpoint`): between epochs of a training loop, between units, between
  the phases of a run;
- a second Ctrl-C interrupts the main thread at once.

One library undoes the block: multiprocessing's resource tracker, launched
the first time a worker process is prepared, unblocks SIGINT in the thread
that launches it.  `before_starting_processes` launches it first and blocks
again, so the workers started afterwards still inherit the block.

Outside `deferred` (a notebook, a script), Ctrl-C behaves as Python's always
does, and `checkpoint` costs one global read.
"""

from __future__ import annotations

import _thread
import signal
import threading
from contextlib import contextmanager

INTERRUPTED = "optarena: interrupted; finished units are kept, continue with --resume"
INTERRUPTED_DRAWING = (  # what `optarena check` then says too: the training is whole, the figures are not
    "optarena: interrupted while drawing; the results are complete, redraw the figures and report with optarena plot "
    "{out}"
)

_requested = False
_deferring = False


def _request() -> None:
    """Record a Ctrl-C (the watcher thread's way); a second one interrupts the main thread at once."""
    global _requested
    if _requested:  # asked twice: stop now (the main thread's handler below raises)
        _thread.interrupt_main()
    _requested = True


def _handler(signum, frame) -> None:
    """The main thread's SIGINT handler: records the first request, raises at the second.  It must not call
    `_request` then: since Python 3.10 ``interrupt_main`` simulates SIGINT, which calls this handler again, and
    a handler that asked for itself recursed until Python gave up (a RecursionError instead of a clean stop)."""
    if _requested:
        raise KeyboardInterrupt
    _request()


WATCH_INTERVAL = 0.02  # seconds: how long leaving `deferred` waits for the watcher at most (it was 0.2)


def _watch(stop: threading.Event) -> None:
    while not stop.is_set():
        if signal.sigtimedwait({signal.SIGINT}, WATCH_INTERVAL) is not None:
            _request()


@contextmanager
def deferred():
    """Within: a SIGINT is recorded, the next `checkpoint` raises KeyboardInterrupt for it, and processes
    started here never receive one."""
    global _requested, _deferring
    _requested = False
    _deferring = True
    previous_handler = signal.signal(signal.SIGINT, _handler)
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(stop,), name="optarena-interrupts", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        signal.signal(signal.SIGINT, previous_handler)
        _requested = False
        _deferring = False


def before_starting_processes() -> None:
    """Call before starting worker processes: within `deferred`, they then never receive a Ctrl-C."""
    if _deferring:
        import multiprocessing.resource_tracker

        multiprocessing.resource_tracker.ensure_running()  # its first launch unblocks SIGINT (CPython's bpo-33613 fix)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def requested() -> bool:
    """Whether a deferred Ctrl-C is waiting."""
    return _requested


def checkpoint() -> None:
    """Raise KeyboardInterrupt if a deferred Ctrl-C is waiting: call it where stopping is safe."""
    if _requested:
        raise KeyboardInterrupt

"""A population trained chunk by chunk, the chunks shared out over the cores by threads.

The fused kernels are serial compiled functions that release the GIL (``nogil``): each trains the networks it is
given, block by block, and writes their runs into the ledger's rows.  The networks never interact, so a
population cut into chunks trains to the same bits as in one call.  Threads take the chunks as they come free
(``numba.get_num_threads()`` of them: all cores, or a worker process's share; each takes the next chunk
when it has finished one), and the calling thread looks for a Ctrl-C while they train
(`interrupts.checkpoint`): then each finishes the chunk it holds and takes no other.

Why threads and not numba's ``prange``: a parallel kernel's loop body goes through numba's parfor passes and
is typed twice, which made a fresh install's first run compile the 1-1-1 kernel for about 23 s instead of
14 s (issue 31); the threads cost nothing to compile and balance uneven chunks as well.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numba

from experiments.running import interrupts

BLOCKS_PER_CHUNK = 4  # a chunk is what runs between two chances to stop
POLL_S = 0.1  # how often the calling thread looks for a Ctrl-C while the chunks train


def train_in_chunks(train_chunk: Callable[[slice], None], count: int, width: int) -> None:
    """``train_chunk(part)`` for consecutive slices ``part`` of ``count`` networks, each of up to
    ``BLOCKS_PER_CHUNK`` blocks of ``width`` networks (fewer when there are fewer blocks than threads, so that
    every thread gets one), on ``numba.get_num_threads()`` threads (here, when one)."""
    threads, blocks = numba.get_num_threads(), -(-count // width)
    size = width * max(1, min(BLOCKS_PER_CHUNK, blocks // threads))
    parts = [slice(start, min(start + size, count)) for start in range(0, count, size)]
    threads = min(threads, len(parts))
    if threads <= 1:
        for part in parts:
            interrupts.checkpoint()
            train_chunk(part)
        return
    remaining, taking, stop = iter(parts), threading.Lock(), threading.Event()

    def take_chunks() -> None:  # a thread's loop: the next chunk not yet taken, until none is left or a stop
        while not stop.is_set():
            with taking:
                part = next(remaining, None)
            if part is None:
                return
            train_chunk(part)

    pool = ThreadPoolExecutor(threads, thread_name_prefix="optarena-chunk")
    try:
        pending = {pool.submit(take_chunks) for _ in range(threads)}
        while pending:
            done, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()  # a chunk's error is the call's
            interrupts.checkpoint()
    finally:
        stop.set()  # on an error or a Ctrl-C the threads finish the chunk they hold and take no other
        pool.shutdown(wait=True)

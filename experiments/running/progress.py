"""The loop every run drives its units through, for both kinds of experiment: a progress bar, the Dask client
when a cluster is asked for, and a checkpoint after each finished unit (where a Ctrl-C stops the run with
everything finished already stored)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from tqdm.auto import tqdm

from experiments.running import interrupts
from experiments.running.cluster import connect


@contextlib.contextmanager
def unit_loop(name: str, total: int, progress: bool, cluster: dict | None) -> Iterator[tuple[object, Callable]]:
    """(the Dask client, or None without ``cluster``; ``one_done()``, to call after each of the ``total`` units
    is finished and stored): a bar named ``name`` when ``progress``, then a checkpoint."""
    with (
        tqdm(total=total, desc=name, unit="unit", disable=None if progress else True, leave=False) as bar,
        connect(cluster) if cluster is not None else contextlib.nullcontext() as client,
    ):

        def one_done() -> None:
            bar.update()
            interrupts.checkpoint()

        yield client, one_done

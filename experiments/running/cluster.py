"""Where units train when they leave this process: a Dask cluster, described in a small TOML file.

    scheduler = "tcp://10.0.0.5:8786"    # a running `dask scheduler` (workers started with `dask worker ADDRESS`)
    # or
    local_workers = 2                    # a dask.distributed.LocalCluster started for this run only

Dask is an optional extra: ``pip install "optarena[dask]"``.  The engine sends
each unit (a pure function of its slice of the spec) to the cluster and stores
it as soon as it comes back; a worker that dies has its units rescheduled by
Dask, and nothing already stored is lost.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from experiments.errors import InputError
from experiments.running import interrupts

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

KEYS = ("scheduler", "local_workers")


def load_cluster(path: str | Path) -> dict:
    """A cluster description from a TOML file, checked, or a one-line ValueError."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as problem:
        raise ValueError(f"cluster file {str(path)!r} cannot be read: {problem.strerror or problem}") from None
    except tomllib.TOMLDecodeError as problem:
        raise ValueError(f"cluster file {str(path)!r} is not valid TOML: {problem}") from None
    return checked(data, str(path))


def checked(data: dict, where: str = "cluster") -> dict:
    """``data`` if it names exactly one way to reach a cluster, else a one-line ValueError."""
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ValueError(f"{where} has an unknown key {unknown[0]!r}; allowed: {', '.join(KEYS)}")
    if len(data) != 1:
        raise ValueError(f"{where} must give exactly one of {', '.join(KEYS)}")
    if "scheduler" in data and not isinstance(data["scheduler"], str):
        raise ValueError(f"{where}: scheduler must be an address such as 'tcp://host:8786', got {data['scheduler']!r}")
    workers = data.get("local_workers", 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"{where}: local_workers must be an integer >= 1, got {workers!r}")
    return data


@contextmanager
def connect(cluster: dict):
    """A ``distributed.Client`` for the cluster, closed (and a local cluster shut down) afterwards."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError('running on a cluster needs Dask: pip install "optarena[dask]"') from None
    cluster = checked(cluster)
    if "scheduler" in cluster:
        try:
            client = Client(cluster["scheduler"], timeout="10s")
        except OSError as problem:
            raise InputError(f"no Dask scheduler answers at {cluster['scheduler']}: {problem}") from None
        with client:
            yield client
        return
    interrupts.before_starting_processes()
    with (
        LocalCluster(
            n_workers=cluster["local_workers"], threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,  # fmt: skip
        Client(local) as client,
    ):
        yield client

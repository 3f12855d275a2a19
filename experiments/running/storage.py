"""Results on disk, written so that no interruption can leave a file that reads as valid but is not.

Every file is written to a temporary name in the same folder, flushed to disk,
then renamed over its final name (atomic on POSIX); the manifest, written last,
says whether the folder is complete.  Layout of ``results/<experiment>/``::

    spec.json           the spec as run
    manifest.json       versions, spec digest, seeds, git commit, times, units, complete: true|false
    units/<digest>.npz  one finished work unit (task × schedule × optimizer setting × seed)
    runs.csv.gz         the per-run table
    histories.npz       decimated loss histories, one array per unit
    parameters.npz      every run's initial and final parameter vectors, per population
    summary.csv/.md     the convergence table
    significance.csv/.md  pairwise tests
    tuning.csv          each sweep's best value and well-working region (when the spec sweeps)
    published_comparison.csv/.md  a published table beside ours (when the spec names one)
    variants/<slug>/    a results folder per variant of the spec (when it has variants)
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from experiments.errors import InputError

UNITS = "units"


def write_atomically(path: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write ``path`` through ``write(file)`` so that it appears whole or not at all."""
    path = Path(path)

    def fill(temporary: Path) -> None:
        with open(temporary, "wb") as file:
            write(file)

    _replace_atomically(path, fill, prefix=f".{path.name}.", suffix=".tmp")


def save_atomically(path: Path, save: Callable[[Path], None]) -> None:
    """Write ``path`` through ``save(temporary_path)`` (a library that wants a file name, of the same suffix),
    so that it appears whole or not at all."""
    path = Path(path)
    _replace_atomically(path, save, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")


def _replace_atomically(path: Path, fill: Callable[[Path], None], prefix: str, suffix: str) -> None:
    """``fill`` a temporary file beside ``path``, flush it to disk, then rename it over ``path``; on any failure
    the temporary goes and ``path`` stays as it was.  Data files' temporaries end in ".tmp", so no listing
    of units (``*.npz``) picks one up; a library's file keeps its suffix after ".tmp" (".tmp.gif"), which
    it needs to choose its format, and `clean_stale_temporaries` knows both forms."""
    temporary = path.parent / f"{prefix}{uuid.uuid4().hex}{suffix}"
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))  # the umask applies, as to any file
    try:
        fill(Path(temporary))
        with open(temporary, "rb") as file:
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda file: file.write(text.encode("utf-8")))


def write_json(path: Path, data) -> None:
    write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


OPTIMIZERS_FILE = "optimizers.json"


def write_optimizer_metadata(out: Path, spec) -> None:
    """optimizers.json: what each optimizer of ``spec`` is (`optimizers.metadata_of`), so that the folder can be
    read, tabulated and plotted where its code is not importable."""
    import optimizers

    names = dict.fromkeys(setting.name for setting in spec.optimizers if not setting.is_scipy)
    write_json(Path(out) / OPTIMIZERS_FILE, {name: optimizers.metadata_of(name) for name in names})


def read_optimizer_metadata(out: Path) -> None:
    """Make every optimizer named in ``out``'s optimizers.json known here (stand-ins for those whose code is not)."""
    import optimizers

    path = Path(out) / OPTIMIZERS_FILE
    if path.is_file():
        for entry in json.loads(path.read_text(encoding="utf-8")).values():
            optimizers.stand_in_for(entry)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An .npz file as `numpy.savez_compressed` writes it, with zlib's fastest level (numpy's takes 5× longer
    for files about 15 % smaller)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
    write_atomically(path, lambda file: file.write(buffer.getvalue()))


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an .npz file; OSError/ValueError for a missing or corrupt one."""
    try:
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (zipfile.BadZipFile, EOFError, KeyError) as problem:
        raise InputError(f"{path} is corrupt: {problem}") from None


def prepare_directory(out: Path) -> Path:
    """Create ``out`` (and ``out/units``) and prove it writable, or raise a one-line error."""
    out = Path(out)
    try:
        (out / UNITS).mkdir(parents=True, exist_ok=True)
        write_text(out / UNITS / ".write-test", "ok")
        (out / UNITS / ".write-test").unlink()
    except OSError as problem:
        raise InputError(f"cannot write results to {str(out)!r}: {problem.strerror or problem}") from None
    return out


RESULT_FILES = (
    "manifest.json spec.json optimizers.json runs.csv.gz histories.npz parameters.npz summary.csv summary.md "
    "significance.csv significance.md tuning.csv published_comparison.csv published_comparison.md report.md report.html"
).split()
RESULT_FOLDERS = (UNITS, "variants", "figures")


def holds_results(out: Path) -> bool:
    """Whether ``out`` holds (the start of) an optarena results folder."""
    return (Path(out) / "manifest.json").is_file() or (Path(out) / "spec.json").is_file()


def remove_results(out: Path) -> None:
    """Remove an earlier run's results from ``out``: the files and folders optarena writes, nothing else."""
    for name in RESULT_FILES:
        (Path(out) / name).unlink(missing_ok=True)
    for name in RESULT_FOLDERS:
        shutil.rmtree(Path(out) / name, ignore_errors=True)


def clean_stale_temporaries(out: Path) -> None:
    """Remove temporary files that an interrupted write left behind (they never count as results)."""
    for folder in (Path(out), Path(out) / UNITS, Path(out) / "figures"):
        for temporary in [*folder.glob(".*.tmp"), *folder.glob(".*.tmp.*")]:
            temporary.unlink(missing_ok=True)


def provenance() -> dict:
    """How the results were made: versions, platform, git commit when available, command line."""
    versions = {}
    for package in ("optarena", "numpy", "scipy", "pandas", "matplotlib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "versions": versions | {"python": platform.python_version()},
        "platform": platform.platform(),
        "git_commit": _git_commit(),
        "command": sys.argv,
    }


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _git_commit() -> str | None:
    source = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")


def _sync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

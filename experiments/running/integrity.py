"""A results folder checked in a fraction of a second: every file the run wrote, against the digest it recorded.

When a run finishes, its manifest records the SHA-256 of every file its
training and tables wrote (`digests`): the spec, the units, the tables and
the arrays; not the figures and the report, which `optarena plot` redraws,
nor a variant's folder, which has a manifest of its own.  `check` then reads
only the files and the manifest: a changed or missing file is named, with
what to do.  It needs no numba, pandas or statistics, so ``optarena check``
answers at once; ``optarena check --deep`` (`experiments.pipeline.check`)
recomputes every table from the units instead, which is also the check of a
folder written before digests were recorded.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST, VARIANTS = "manifest.json", "variants"
REDRAWN = ("report.md", "report.html", "figures")  # what optarena plot draws again from the data
HELD_OUT_DRAWN = ("tuning-curve.png", "tuning-curve.svg", "learning-curves.png", "learning-curves.svg", "report.html")
REPORT_DRAWING, REPORT_COMPLETE = "drawing", "complete"


def digests(out: Path) -> dict[str, str]:
    """{path relative to ``out``: SHA-256} of every file the run wrote there, but the manifest, what is redrawn,
    the variants' folders and unfinished temporaries."""
    out = Path(out)
    skipped = {MANIFEST, VARIANTS, *REDRAWN, *HELD_OUT_DRAWN}
    return {
        path.relative_to(out).as_posix(): _sha256(path)
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.relative_to(out).parts[0] not in skipped and ".tmp" not in path.name
    }


def check(out: Path) -> list[str] | None:
    """Problems with the results folder ``out``, one line each ([] when it is whole), or None when its manifest
    records no digests (a folder from before them: `experiments.pipeline.check` recomputes)."""
    out = Path(out)
    manifest, problems = finished_manifest(out)
    if problems:
        return problems
    recorded = manifest.get("files")
    if recorded is None:
        return None
    labels = {f"units/{unit['file']}": unit["label"] for unit in manifest.get("units", [])}
    problems = []
    for name, digest in recorded.items():
        path = out / name
        if name in labels and not path.is_file():
            problems.append(f"{str(out)!r} is incomplete: unit {labels[name]} is missing; finish it with optarena "
                            "run SPEC --out DIR --resume")  # fmt: skip
        elif name in labels and _sha256(path) != digest:
            problems.append(f"{name} (unit {labels[name]}) changed after the run wrote it; optarena check --deep "
                            "says whether the tables still match it")  # fmt: skip
        elif not path.is_file():
            problems.append(f"{name} is missing or unreadable")
        elif _sha256(path) != digest:
            problems.append(f"{name} does not match the stored units")
    problems += report_problems(out, manifest)
    for variant in sorted((out / VARIANTS).glob("*/")) if (out / VARIANTS).is_dir() else ():
        found = check(variant)
        problems += [f"{VARIANTS}/{variant.name}: {problem}" for problem in found or []]
    return problems


def finished_manifest(out: Path) -> tuple[dict, list[str]]:
    """(the manifest of the results folder ``out``, []), or ({}, the one line that says why it is not a finished
    run's: missing, unreadable, or a run that did not finish)."""
    try:
        manifest = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        return {}, [f"manifest.json is missing or unreadable: {problem}"]
    if manifest.get("kind") != "held-out" and manifest.get("complete") is not True:
        return {}, ["manifest.json says the run did not finish; complete it with --resume"]
    return manifest, []


def report_problems(out: Path, manifest: dict) -> list[str]:
    """What is wrong with the figures and report: cut short while drawn, or a file of them missing."""
    if manifest.get("kind") == "held-out":
        missing = [name for name in HELD_OUT_DRAWN if not (out / name).is_file()]
        return [f"{name} is missing; redraw it with optarena plot DIR" for name in missing]
    state = manifest.get("report", {}).get("state")
    if state == REPORT_DRAWING:
        return ["the figures and report were cut short while being drawn; redraw them with optarena plot DIR"]
    if state == REPORT_COMPLETE:
        missing = [name for name in ("report.md", "report.html") if not (out / name).is_file()]
        return [f"{name} is missing; redraw it with optarena plot DIR" for name in missing]
    return []  # never drawn (--no-report): nothing to check


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

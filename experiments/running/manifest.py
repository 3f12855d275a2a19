"""manifest.json, the record of how and when a results folder was made, written the same way for both kinds of
experiment: begun (spec, provenance), completed (every file's digest, what `integrity.check` compares at once),
and the state of its report (drawing, complete).

>>> from experiments.definition.spec_files import load_spec
>>> manifest = begun(load_spec("quick"), seeds=[0])
>>> manifest["spec_name"], manifest["seeds"], "python" in manifest["versions"]
('quick', [0], True)
"""

from __future__ import annotations

import json
from pathlib import Path

from experiments.running import integrity, storage

MANIFEST = integrity.MANIFEST


def begun(spec, **fields) -> dict:
    """A manifest for a run of ``spec`` with ``fields``: the spec's name and digest, and how it is being made
    (versions, platform, git commit, command line: `storage.provenance`)."""
    return {"spec_name": spec.name, "spec_digest": spec.digest(), **fields} | storage.provenance()


def write(out: Path, manifest: dict) -> None:
    storage.write_json(Path(out) / MANIFEST, manifest)


def completed(out: Path, manifest: dict, **fields) -> None:
    """``manifest`` with ``fields``, the time it finished and the digest of every file in ``out``, written last:
    a folder whose manifest has digests holds a finished run."""
    write(out, manifest | fields | {"finished": storage.now(), "files": integrity.digests(Path(out))})


def noted_report(out: Path, state: str) -> None:
    """Note in ``out``'s manifest whether its figures and report are being drawn or complete, so that
    `integrity.check` tells a report cut short (Ctrl-C, a crash) from a finished one.  A folder without a manifest
    (the figures drawn elsewhere with ``plot --out``) is left alone."""
    path = Path(out) / MANIFEST
    if path.is_file():
        manifest = json.loads(path.read_text(encoding="utf-8"))
        write(out, manifest | {"report": {"state": state, "at": storage.now()}})


def kind(out: Path) -> str | None:
    """The kind of experiment the manifest in ``out`` records ("held-out"; None for populations, or no manifest)."""
    try:
        return json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError):
        return None

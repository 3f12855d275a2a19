"""Run a held-out experiment end to end: train every unit, then write its tables and its tuning-curve figure.

A results folder of a held-out experiment holds

    manifest.json      how and when it was made (versions, platform, git commit, command)
    spec.json          the spec, data included, read back by `experiments.definition.held_out.HeldOutSpec.from_dict`
    history.npz        history[task, schedule, optimizer, study, trial, evaluation, part, metric], diverged_epoch
    trials.csv         one row per run: its early-stopping epoch and accuracies there, its hyperparameters
    summary.csv/.md    per task, schedule and optimizer: test accuracy [95 % CI], epochs, the tuning curve
    ranking.csv        the performance-profile score per optimizer across the tasks
    win_rates.csv      the pairwise win-rate matrix
    tuning-curve.png   the tuning curves
    learning-curves.png  the chosen trials' validation error along the epochs

Every file is written whole or not at all.  Results are the same whether the
units ran here, in processes (``jobs``) or on Dask (``cluster``).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from experiments.analysis import held_out as analysis
from experiments.definition.held_out import HeldOutSpec
from experiments.errors import InputError
from experiments.plots import held_out as figures
from experiments.running import interrupts, storage
from experiments.running.cluster import connect
from experiments.running.held_out import train_all

RESULT_FILES = (
    "manifest.json spec.json history.npz trials.csv summary.csv summary.md ranking.csv win_rates.csv tuning-curve.png "
    "learning-curves.png"
).split()


class HeldOutResults(NamedTuple):
    spec: HeldOutSpec
    history: np.ndarray
    diverged: np.ndarray
    summary: pd.DataFrame
    scores: pd.DataFrame
    wins: pd.DataFrame
    seconds: float  # training time summed over the units


def run(spec: HeldOutSpec, out: Path | None = None, jobs: int = 1, cluster: dict | None = None,
        progress: bool = False, overwrite: bool = False) -> HeldOutResults:  # fmt: skip
    """Train every unit of ``spec`` and, with ``out``, write the results folder."""
    if out is not None and storage.holds_results(Path(out)) and not overwrite:
        raise InputError(f"{out} already holds results; choose another --out or pass --overwrite")
    shape = (len(spec.tasks), len(spec.schedules), len(spec.optimizers), len(spec.seeds), spec.trials)
    history = np.empty((*shape, len(spec.evaluation_epochs()), 3, 2))
    diverged = np.empty(shape, dtype=np.int64)
    seconds = 0.0
    with tqdm(total=int(np.prod(shape[:3])), desc=spec.name, unit="unit", disable=None if progress else True,
              leave=False) as bar:  # fmt: skip
        with connect(cluster) if cluster is not None else contextlib.nullcontext() as client:
            for unit, records in train_all(spec, jobs, client):
                history[unit], diverged[unit] = records["history"], records["diverged_epoch"]
                seconds += float(records["seconds"])
                bar.update()
                interrupts.checkpoint()
    summary = analysis.summary(spec, history, diverged)
    scores, wins = analysis.ranking(spec, history)
    results = HeldOutResults(spec, history, diverged, summary, scores, wins, seconds)
    if out is not None:
        write(results, Path(out))
    return results


def is_held_out(out: Path) -> bool:
    """Whether the results folder ``out`` holds a held-out experiment."""
    try:
        return json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8")).get("kind") == "held-out"
    except (OSError, ValueError):
        return False


def load(out: Path) -> HeldOutResults:
    """The results stored in ``out``, their tables computed again from the stored history."""
    out = Path(out)
    problems = _data_problems(out)
    if problems:
        raise InputError(f"{out}: {problems[0]}")
    spec = HeldOutSpec.from_dict(json.loads((out / "spec.json").read_text(encoding="utf-8")))
    stored = storage.read_npz(out / "history.npz")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    history, diverged = stored["history"], stored["diverged_epoch"]
    summary = analysis.summary(spec, history, diverged)
    scores, wins = analysis.ranking(spec, history)
    return HeldOutResults(spec, history, diverged, summary, scores, wins, manifest["training_seconds"])


def check(out: Path) -> list[str]:
    """What is wrong with the held-out results folder ``out``: missing files, a spec that is not the one trained."""
    out = Path(out)
    return _data_problems(out) or [f"{name} is missing" for name in RESULT_FILES if not (out / name).is_file()]


def _data_problems(out: Path) -> list[str]:
    """What keeps the stored data of ``out`` from being read: the tables and the figure are made from it."""
    missing = [name for name in ("manifest.json", "spec.json", "history.npz") if not (out / name).is_file()]
    if missing:
        return [f"{name} is missing" for name in missing]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    spec = HeldOutSpec.from_dict(json.loads((out / "spec.json").read_text(encoding="utf-8")))
    if spec.digest() != manifest.get("spec_digest"):
        return ["spec.json is not the spec these results were trained with (its digest differs from the manifest's)"]
    history = storage.read_npz(out / "history.npz")["history"]
    expected = (len(spec.tasks), len(spec.schedules), len(spec.optimizers), len(spec.seeds), spec.trials,
                len(spec.evaluation_epochs()), 3, 2)  # fmt: skip
    if history.shape != expected:
        return [f"history.npz holds an array of shape {history.shape}, the spec needs {expected}"]
    return []


def write_figures(results: HeldOutResults, out: Path) -> list[Path]:
    """The tuning curves and the learning curves, into ``out``."""
    drawn = {
        "tuning-curve.png": figures.tuning_curves(results.summary, analysis.curve_ks(results.spec.trials)),
        "learning-curves.png": figures.learning_curves(results.spec, results.history),
    }
    for name, figure in drawn.items():
        storage.save_atomically(Path(out) / name, lambda temporary, figure=figure: figure.savefig(temporary, dpi=110))
        plt.close(figure)
    return [Path(out) / name for name in drawn]


def write(results: HeldOutResults, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in RESULT_FILES:
        (out / name).unlink(missing_ok=True)
    spec = results.spec
    storage.write_json(out / "spec.json", spec.to_dict())
    storage.write_npz(out / "history.npz", {"history": results.history, "diverged_epoch": results.diverged,
                                             "evaluation_epochs": spec.evaluation_epochs()})  # fmt: skip
    trials = analysis.trials_table(spec, results.history, results.diverged)
    storage.write_text(out / "trials.csv", trials.to_csv(index=False))
    storage.write_text(out / "summary.csv", results.summary.to_csv(index=False))
    storage.write_text(
        out / "summary.md", analysis.document(results.summary, results.scores, results.wins, spec.trials)
    )
    storage.write_text(out / "ranking.csv", results.scores.to_csv(index=False))
    storage.write_text(out / "win_rates.csv", results.wins.to_csv())
    write_figures(results, out)
    manifest = {"spec_name": spec.name, "spec_digest": spec.digest(), "kind": "held-out",
                "training_seconds": results.seconds, "finished": storage.now()} | storage.provenance()  # fmt: skip
    storage.write_json(out / "manifest.json", manifest)

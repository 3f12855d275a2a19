"""Run a held-out experiment end to end: train every unit, then write its tables and its tuning-curve figure.

A results folder of a held-out experiment holds

    manifest.json      how and when it was made (versions, platform, git commit, command)
    spec.json          the spec, data included, read back by `definition.held_out_spec.HeldOutSpec.from_dict`
    history.npz        history[task, schedule, optimizer, study, trial, evaluation, part, metric], diverged_epoch
    trials.csv         one row per run: its early-stopping epoch and accuracies there, its hyperparameters
    summary.csv/.md    per task, schedule and optimizer: test accuracy [95 % CI], epochs, the tuning curve
    ranking.csv        the performance-profile score per optimizer across the tasks
    win_rates.csv      the pairwise win-rate matrix
    tuning-curve.png   the tuning curves
    learning-curves.png  the chosen trials' validation error along the epochs
    published.csv/.md  with a published table in the spec: its rows beside ours, a verdict each
    report.html        one self-contained page: the tables sortable, an explorer of every part's error and loss
                       along the epochs, the figures (`experiments.report.explorer`)

Every file is written whole or not at all.  Results are the same whether the
units ran here, in processes (``jobs``) or on Dask (``cluster``).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.analysis import held_out_tables, published_accuracies
from experiments.definition.held_out_spec import HeldOutSpec
from experiments.errors import InputError
from experiments.plots import held_out_figures
from experiments.report import explorer
from experiments.running import integrity, manifest, storage
from experiments.running.held_out_training import train_all
from experiments.running.progress import unit_loop

DATA_FILES = ("manifest.json", "spec.json", "history.npz")  # what the tables, figures and report are made from
RESULT_FILES = (  # the data, the tables, and what optarena plot redraws
    *DATA_FILES,
    "trials.csv",
    "summary.csv",
    "summary.md",
    "ranking.csv",
    "win_rates.csv",
    *integrity.HELD_OUT_DRAWN,
)


PUBLISHED_FILES = ("published.csv", "published.md")  # with a published table in the spec


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
    check_can_run(spec, out, overwrite=overwrite)
    shape = (len(spec.tasks), len(spec.schedules), len(spec.optimizers), len(spec.seeds), spec.trials)
    history = np.empty((*shape, len(spec.evaluation_epochs()), 3, 2))
    diverged = np.empty(shape, dtype=np.int64)
    seconds = 0.0
    with unit_loop(spec.name, int(np.prod(shape[:3])), progress, cluster) as (client, one_done):
        for unit, records in train_all(spec, jobs, client):
            history[unit], diverged[unit] = records["history"], records["diverged_epoch"]
            seconds += float(records["seconds"])
            one_done()
    summary = held_out_tables.summary(spec, history, diverged)
    scores, wins = held_out_tables.ranking(spec, history)
    results = HeldOutResults(spec, history, diverged, summary, scores, wins, seconds)
    if out is not None:
        write(results, Path(out))
    return results


def check_can_run(spec: HeldOutSpec, out, resume: bool = False, overwrite: bool = False,
                  chunk_size: int | None = None) -> None:  # fmt: skip
    """A one-line ValueError for what would stop `run` before it trains: a held-out experiment runs whole (no
    resume, no chunks), and a folder that holds results is kept unless ``overwrite``."""
    if resume or chunk_size:
        raise ValueError("a held-out experiment runs whole: --resume and --chunk-size do not apply")
    if out is not None and storage.holds_results(Path(out)) and not overwrite:
        raise ValueError(f"{out} already holds results; choose another --out or pass --overwrite")


def is_held_out(out: Path) -> bool:
    """Whether the results folder ``out`` holds a held-out experiment."""
    return manifest.kind(out) == "held-out"


def load(out: Path) -> HeldOutResults:
    """The results stored in ``out``, their tables computed again from the stored history."""
    out = Path(out)
    try:
        record, spec, stored = _stored(out)
    except InputError as problem:
        raise InputError(f"{out}: {problem}") from None
    history, diverged = stored["history"], stored["diverged_epoch"]
    summary = held_out_tables.summary(spec, history, diverged)
    scores, wins = held_out_tables.ranking(spec, history)
    return HeldOutResults(spec, history, diverged, summary, scores, wins, record["training_seconds"])


def check(out: Path) -> list[str]:
    """What is wrong with the held-out results folder ``out``: missing files, a spec that is not the one trained."""
    out = Path(out)
    missing = [name for name in RESULT_FILES if not (out / name).is_file()]
    if any(name in DATA_FILES for name in missing):  # the data first: everything else is made from it
        return [f"{name} is missing" for name in missing if name in DATA_FILES]
    try:
        _stored(out)
    except InputError as problem:
        return [str(problem)]
    drawn = (".png", ".svg", ".html")  # what optarena plot draws again from the data; the tables it does not
    return [f"{name} is missing" + ("; redraw it with optarena plot DIR" if name.endswith(drawn) else "")
            for name in missing]  # fmt: skip


def _stored(out: Path) -> tuple[dict, HeldOutSpec, dict]:
    """(manifest, spec, the arrays of history.npz): the data the tables and figures are made from, read once, or
    an InputError naming what keeps it from being read."""
    missing = [name for name in DATA_FILES if not (out / name).is_file()]
    if missing:
        raise InputError(f"{missing[0]} is missing")
    record = json.loads((out / manifest.MANIFEST).read_text(encoding="utf-8"))
    spec = HeldOutSpec.from_dict(json.loads((out / "spec.json").read_text(encoding="utf-8")))
    if spec.digest() != record.get("spec_digest"):
        raise InputError("spec.json is not the spec these results were trained with (its digest differs from the "
                         "manifest's)")  # fmt: skip
    stored = storage.read_npz(out / "history.npz")
    expected = (len(spec.tasks), len(spec.schedules), len(spec.optimizers), len(spec.seeds), spec.trials,
                len(spec.evaluation_epochs()), 3, 2)  # fmt: skip
    if stored["history"].shape != expected:
        raise InputError(f"history.npz holds an array of shape {stored['history'].shape}, the spec needs {expected}")
    return record, spec, stored


def write_figures(results: HeldOutResults, out: Path) -> list[Path]:
    """The tuning curves and the learning curves, into ``out``."""
    drawn = {
        "tuning-curve.png": held_out_figures.tuning_curves(
            results.summary, held_out_tables.curve_ks(results.spec.trials)
        ),
        "learning-curves.png": held_out_figures.learning_curves(results.spec, results.history),
    }
    for name, figure in drawn.items():
        for file in (name, name.replace(".png", ".svg")):  # the SVG for the report's download
            storage.save_atomically(
                Path(out) / file, lambda temporary, figure=figure: figure.savefig(temporary, dpi=110)
            )
        plt.close(figure)
    return [Path(out) / name for name in drawn]


def write_report(results: HeldOutResults, out: Path) -> Path:
    """report.html: the summary, the ranking and the win rates (sortable), the explorer, the two figures."""
    spec, escape = results.spec, html.escape
    summary = held_out_tables.readable_summary(results.summary, spec.trials).to_html(index=False, border=0)
    ranking = results.scores.rename(columns=lambda c: c.replace("_", " "))
    names = list(results.wins.columns)  # numbered columns: sixteen names side by side ran off the page
    wins = results.wins.set_axis([f"{i + 1} {name}" for i, name in enumerate(names)], axis=0)
    wins = wins.set_axis([str(i + 1) for i in range(len(names))], axis=1)
    body = [
        f"<h1>optarena report: {escape(spec.name)}</h1>", f"<p>{escape(spec.description)}</p>",
        "<h2 id='summary-table'>Test accuracy at the chosen trials' early stop</h2>",
        explorer.sortable(summary, "summary"),
        *_published_section(results),
        f"<p>{escape(held_out_tables.how_measured(spec))}</p>",
        "<h2 id='explorer-heading'>Explore the chosen trials along the epochs</h2>", *explorer.explorer_section(),
        "<h2 id='ranking-heading'>Ranking across the tasks</h2>",
        explorer.sortable(ranking.to_html(index=False, border=0, float_format=lambda v: f"{v:.3g}", na_rep="–"),
                          "ranking"),
        "<h3>Win rates (row beats column on a task, schedule and study; ties half)</h3>",
        "<div class='wide'>" + wins.to_html(border=0, float_format=lambda v: f"{v:.2f}", na_rep="·") + "</div>",
    ]  # fmt: skip
    for name, title in (("tuning-curve.png", "Tuning curves"), ("learning-curves.png", "Learning curves")):
        body += [f"<h2>{title}</h2>", explorer.figure_block(out, name, title, caption="", vector=True)]
    page = explorer.page(spec.name, body, explorer.data_block(explorer.held_out_data(results)))
    storage.write_text(Path(out) / "report.html", page)
    return Path(out) / "report.html"


def _published_section(results: HeldOutResults) -> list[str]:
    """The published table beside ours, where the spec has one."""
    if results.spec.published is None:
        return []
    beside = published_accuracies.comparison(results.spec, results.history)
    shown = beside.drop(columns=[c for c in ("task", "ci_low", "ci_high") if c in beside])
    return ["<h2 id='published-heading'>The published table beside ours</h2>",
            explorer.sortable(shown.to_html(index=False, border=0, float_format=lambda v: f"{v:.4g}", na_rep="–"),
                              "published")]  # fmt: skip


def write(results: HeldOutResults, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in (*RESULT_FILES, *PUBLISHED_FILES):
        (out / name).unlink(missing_ok=True)
    spec = results.spec
    storage.write_json(out / "spec.json", spec.to_dict())
    storage.write_npz(out / "history.npz", {"history": results.history, "diverged_epoch": results.diverged,
                                             "evaluation_epochs": spec.evaluation_epochs()})  # fmt: skip
    trials = held_out_tables.trials_table(spec, results.history, results.diverged)
    storage.write_text(out / "trials.csv", trials.to_csv(index=False))
    storage.write_text(out / "summary.csv", results.summary.to_csv(index=False))
    storage.write_text(
        out / "summary.md", held_out_tables.document(spec, results.summary, results.scores, results.wins)
    )
    storage.write_text(out / "ranking.csv", results.scores.to_csv(index=False))
    if spec.published is not None:
        beside = published_accuracies.comparison(spec, results.history)
        storage.write_text(out / "published.csv", beside.to_csv(index=False))
        storage.write_text(out / "published.md", published_accuracies.to_markdown(spec, beside))
    storage.write_text(out / "win_rates.csv", results.wins.to_csv())
    write_figures(results, out)
    write_report(results, out)
    manifest.completed(out, manifest.begun(spec, kind="held-out"), training_seconds=results.seconds)

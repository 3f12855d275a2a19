"""A published table of test accuracies beside our rerun of it: one verdict per row (MNIST-1D's, for one).

The table is data (`experiments.definition.published_accuracies`). The published values are single runs.  So a
row's verdict asks whether one run of ours could have given it: **holds** when it lies within the range of
our runs (every study a run of its own: initial weights, and the split where
it has a validation part), **paper higher** above our best run, **paper
lower** below our worst; the value the authors' own notebook logged
gets a verdict of its own.  The table also gives our mean with its 95 %
bootstrap interval, so a reader sees where the mean of many runs lies.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.analysis.held_out_tables import ERROR_RATE, TEST, early_stopping
from experiments.analysis.metrics import mean_confidence_interval
from experiments.definition.published_accuracies import PublishedAccuracies


def comparison(spec, history: np.ndarray) -> pd.DataFrame:
    """One row per published row: the paper's accuracy, ours (mean [95 % CI], range over the runs), the verdict.

    Our runs are every study's trials of the row's optimizer on its task (the spec's first schedule), read where
    the spec reads a result (`HeldOutSpec.result_at`)."""
    table = PublishedAccuracies.from_dict(spec.published, spec)
    _, measures = early_stopping(history, spec.result_at)
    tasks = [task.name for task in spec.tasks]
    labels = [space.label for space in spec.optimizers]
    records = []
    for row in table.rows:
        record = {"model": row.model, "published": row.accuracy, "logged": row.logged, "parameters": row.parameters}
        if row.not_reproduced is not None:
            records.append(record | {"verdict": f"not reproduced: {row.not_reproduced}"})
            continue
        ours = 1 - measures[tasks.index(row.task), 0, labels.index(row.optimizer)][..., TEST, ERROR_RATE].ravel()
        low, high = mean_confidence_interval(ours)
        records.append(record | {
            "task": row.task, "runs": ours.size, "ours_mean": ours.mean(), "ci_low": low, "ci_high": high,
            "ours_min": ours.min(), "ours_max": ours.max(), "verdict": verdict(row.accuracy, ours),
            "logged_verdict": None if row.logged is None else verdict(row.logged, ours),
        })  # fmt: skip
    return pd.DataFrame(records)


def verdict(published: float, ours: np.ndarray) -> str:
    """Whether one run of ours could have given the published single run.

    >>> verdict(0.68, np.array([0.66, 0.70])), verdict(0.75, np.array([0.66, 0.70]))
    ('holds', 'paper higher')
    """
    if published > ours.max():
        return "paper higher"
    return "paper lower" if published < ours.min() else "holds"


def to_markdown(spec, frame: pd.DataFrame) -> str:
    """The comparison as a Markdown table with its source and how to read it."""
    table = PublishedAccuracies.from_dict(spec.published, spec)
    percent = lambda v: "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:.1f} %"  # noqa: E731
    lines = [
        f"# {table.citation}: the published table beside our rerun", "", f"Source: {table.source}.", "",
        f"Published: {table.note}. Ours: {spec.description}", "",
        "| model | parameters | published | verdict | their notebook's final | verdict | ours: mean [95 % CI] | "
        "ours: runs, range |",
        "|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for record in frame.to_dict("records"):
        parameters = "–" if pd.isna(record.get("parameters")) else f"{int(record['parameters']):,}".replace(",", " ")
        logged = None if pd.isna(record.get("logged")) else record["logged"]
        if pd.isna(record.get("ours_mean", np.nan)):
            ours, spread = "–", "–"
        else:
            ours = f"{percent(record['ours_mean'])} [{percent(record['ci_low'])}, {percent(record['ci_high'])}]"
            spread = f"{int(record['runs'])}: {percent(record['ours_min'])} … {percent(record['ours_max'])}"
        logged_verdict = record.get("logged_verdict")
        logged_verdict = "–" if logged is None or pd.isna(logged_verdict) else logged_verdict
        lines.append(f"| {record['model']} | {parameters} | {percent(record['published'])} | {record['verdict']} | "
                     f"{percent(logged)} | {logged_verdict} | {ours} | {spread} |")  # fmt: skip
    lines += ["", "A published value is one run: it **holds** where it lies within the range of our runs (one run of "
              "ours could have given it), the paper is **higher** above our best run and **lower** below our "
              "worst. The interval is the bootstrap interval of our mean over the runs."]  # fmt: skip
    return "\n".join(lines) + "\n"

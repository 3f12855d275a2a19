"""The tuning tables: every swept setting's statistics with confidence intervals, and each sweep's best value and WR.

See `experiments.definition.tuning` for the spec and the statistics.  Costs
here are epochs to success (the success criterion of the spec's targets); a
run that failed counts its epochs until it stopped, as COCO's ERT does.

Confidence intervals (95 %): ERT and the mean epochs by a percentile bootstrap
over runs (`experiments.analysis.metrics`), the success rate by Wilson's score
interval (`scipy.stats.binomtest`).

The best value of a sweep minimizes the statistic (maximizes the success rate);
exact ties go to the higher success rate, then the lower ERT, then the smaller
value.  Its well-working region (WR) is the run of neighbouring grid values
around it whose statistic stays within ``wr_factor`` of the best (at most
factor × best; for the success rate, at least best / factor).  When values
outside that run also qualify, the WR is not contiguous: ``wr_low``/``wr_high``
still give the run around the best, ``wr_contiguous`` is false and
``wr_values`` lists every qualifying value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.analysis.metrics import ert, ert_confidence_interval, mean_confidence_interval, wilson_interval
from experiments.analysis.results import success_column

GROUP = ["task", "schedule", "group"]


def setting_statistics(results) -> pd.DataFrame:
    """One row per task × schedule × setting of a sweep: its runs' success, mean epochs, ERT and the statistic."""
    spec = results.spec
    swept = {setting.label: setting for setting in spec.optimizers if setting.swept is not None}
    runs = results.runs()
    runs = runs[runs["optimizer"].isin(swept)]
    rows = []
    for (task, schedule, label), group in runs.groupby(["task", "schedule", "optimizer"], sort=False):
        setting = swept[label]
        hits = group[success_column(spec.targets)].to_numpy()
        stops = group["stop_epoch"].to_numpy(dtype=float)
        where = {"task": task, "schedule": schedule, "optimizer": label, "name": setting.name}
        sweep = {"group": setting.group, "swept": setting.swept, "value": setting.swept_value}
        rows.append(where | sweep | run_statistics(hits, stops, spec.tuning.statistic))
    return pd.DataFrame(rows)


def run_statistics(hits: np.ndarray, stops: np.ndarray, statistic: str) -> dict:
    """The statistics of one setting's runs: ``hits`` are epochs to success (NaN: failed), ``stops`` when each stopped.

    >>> row = run_statistics(np.array([10.0, 20.0, np.nan]), np.array([10.0, 20.0, 100.0]), "ert")
    >>> row["success_rate"], row["mean_epochs"], row["ert"], row["statistic"]
    (0.6666666666666666, 15.0, 65.0, 65.0)
    """
    succeeded = hits[np.isfinite(hits)]
    runs, successes = hits.size, succeeded.size
    rate_low, rate_high = wilson_interval(successes, runs)
    mean = float(succeeded.mean()) if successes else math.inf
    mean_low, mean_high = mean_confidence_interval(succeeded)
    ert_value = ert(hits, stops)
    ert_low, ert_high = ert_confidence_interval(hits, stops)
    row = {
        "runs": runs,
        "success_rate": successes / runs,
        "success_ci_low": rate_low,
        "success_ci_high": rate_high,
        "mean_epochs": mean,
        "sd_epochs": float(succeeded.std(ddof=1)) if successes > 1 else math.nan,
        "mean_ci_low": mean_low,
        "mean_ci_high": mean_high,
        "ert": ert_value,
        "ert_ci_low": ert_low,
        "ert_ci_high": ert_high,
    }
    if statistic == "success_rate":
        chosen = (row["success_rate"], row["success_ci_low"], row["success_ci_high"])
    elif statistic == "mean_epochs":
        every_run = successes == runs
        chosen = (mean, mean_low, mean_high) if every_run else (math.inf, math.inf, math.inf)
    else:
        chosen = (ert_value, ert_low, ert_high)
    return row | dict(zip(("statistic", "statistic_ci_low", "statistic_ci_high"), chosen, strict=True))


def tuned(results) -> pd.DataFrame:
    """One row per task × schedule × sweep: the best value with its statistic and CI, and the WR (computed once
    per `Results`: the figures and tables all ask for it)."""
    if "tuned" not in results.memo:
        results.memo["tuned"] = _tuned(results)
    return results.memo["tuned"].copy()


def _tuned(results) -> pd.DataFrame:
    table = setting_statistics(results)
    tuning = results.spec.tuning
    rows = []
    for key, sweep in table.groupby(GROUP, sort=False):
        sweep = sweep.sort_values("value")
        best = best_and_region(
            sweep["value"].to_numpy(),
            sweep["statistic"].to_numpy(),
            sweep["success_rate"].to_numpy(),
            sweep["ert"].to_numpy(),
            tuning.wr_factor,
            tuning.maximize,
        )
        if best["index"] is None:  # nothing succeeded: the sweep's own numbers, with no best
            chosen = {column: math.inf for column in STATISTIC_COLUMNS} | {"optimizer": ""}
            chosen |= {"runs": sweep["runs"].iloc[0], "success_rate": 0.0, "sd_epochs": math.nan}
        else:
            chosen = sweep.iloc[best["index"]]
        rows.append(
            dict(zip(GROUP, key, strict=True))
            | {"name": sweep["name"].iloc[0], "swept": sweep["swept"].iloc[0], "values": len(sweep)}
            | {k: v for k, v in best.items() if k != "index"}
            | {"best_optimizer": chosen["optimizer"]}
            | {column: chosen[column] for column in STATISTIC_COLUMNS}
        )
    return pd.DataFrame(rows)


STATISTIC_COLUMNS = (
    "runs statistic statistic_ci_low statistic_ci_high success_rate mean_epochs sd_epochs mean_ci_low mean_ci_high "
    "ert ert_ci_low ert_ci_high"
).split()


def best_and_region(values, statistic, success_rate, ert_values, factor: float, maximize: bool = False) -> dict:
    """The best of a sweep (``values`` ascending) and its well-working region; see the module docstring.

    >>> region = best_and_region(np.array([0.1, 0.3, 1.0, 3.0, 10.0]), np.array([90.0, 40.0, 30.0, 44.0, 50.0]),
    ...                          np.ones(5), np.array([90.0, 40.0, 30.0, 44.0, 50.0]), 1.5)
    >>> region["best_value"], region["wr_low"], region["wr_high"], region["wr_contiguous"]
    (1.0, 0.3, 3.0, True)
    """
    score = -np.asarray(statistic, dtype=float) if maximize else np.asarray(statistic, dtype=float)
    if not np.isfinite(score).any():  # nothing succeeded anywhere in the sweep
        nothing = {"index": None, "best_value": math.nan, "ties": 0, "best_at_edge": False}
        return nothing | {"wr_low": math.nan, "wr_high": math.nan, "wr_contiguous": True, "wr_values": ""}
    order = np.lexsort((np.arange(len(score)), ert_values, -np.asarray(success_rate), score))
    index = int(order[0])
    best = statistic[index]
    within = statistic >= best / factor if maximize else statistic <= best * factor
    low = high = index
    while low > 0 and within[low - 1]:
        low -= 1
    while high < len(values) - 1 and within[high + 1]:
        high += 1
    qualifying = [float(v) for v in np.asarray(values)[within]]
    return {
        "index": index,
        "best_value": float(values[index]),
        "ties": int((score == score[index]).sum() - 1),
        "best_at_edge": bool(len(values) > 1 and index in (0, len(values) - 1)),
        "wr_low": float(values[low]),
        "wr_high": float(values[high]),
        "wr_contiguous": bool(within.sum() == high - low + 1),
        "wr_values": ", ".join(f"{v:g}" for v in qualifying),
    }


def best_of_each_optimizer(tuned_table: pd.DataFrame, maximize: bool = False) -> pd.DataFrame:
    """Per task × schedule × optimizer name, the sweep (fixed settings) whose best is best."""
    finite = tuned_table[np.isfinite(tuned_table["statistic"])]
    ordered = finite.sort_values("statistic", ascending=not maximize, kind="stable")
    return ordered.groupby(["task", "schedule", "name"], sort=False).head(1).reset_index(drop=True)


def representative_settings(results, task_name: str, schedule_label: str) -> list:
    """The settings a figure with one panel or bar per setting draws: every setting outside a sweep, and of each
    sweep its best value on this task and schedule (`tuned`; where no value succeeds, its first), so a sweep of
    thirteen values is one entry, not thirteen."""
    spec = results.spec
    if not any(setting.swept for setting in spec.optimizers):
        return list(spec.optimizers)
    table = tuned(results)
    here = table[(table["task"] == task_name) & (table["schedule"] == schedule_label)]
    best = dict(zip(here["group"], here["best_optimizer"], strict=True))
    chosen, sweeps_drawn = [], set()
    for setting in spec.optimizers:
        if setting.swept is None:
            chosen.append(setting)
        elif setting.group not in sweeps_drawn and best.get(setting.group, "") in ("", setting.label):
            chosen.append(setting)
            sweeps_drawn.add(setting.group)
    return chosen

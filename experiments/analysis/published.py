"""Our results beside a published table: the same problems and methods, a verdict per cell, and what explains a gap.

For each published cell (`experiments.definition.published`) we take, on the
spec's first schedule:

- for a searched parameter (``swept``): the best setting of our sweeps of
  that optimizer and parameter, over every fixed part (`tuning.tuned`);
- for a fixed setting: our runs of exactly that setting.

The verdict compares the published mean with the 95 % confidence interval
of our mean epochs to success (over the runs that succeeded): inside it,
above it (the paper needed more epochs), or below it (it needed fewer); or,
for a problem the paper did not solve, whether we solve it.  Where the two
differ, each variant of the spec (`experiments.definition.variants`) is
asked whether, with its choice of the unknowns, our mean at the same setting
moves to the published one.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from experiments.analysis.results import success_column
from experiments.analysis.tuning import best_of_each_optimizer, run_statistics, tuned


def settings_to_rerun(results) -> list:
    """What variants rerun: the best setting of each optimizer's sweeps (per task and schedule), and every
    setting a fixed published cell names."""
    labels = set(best_of_each_optimizer(tuned(results), results.spec.tuning.maximize)["best_optimizer"])
    cells = results.spec.published.results if results.spec.published else ()
    fixed = [cell for cell in cells if cell.swept is None]
    return [
        setting
        for setting in results.spec.optimizers
        if setting.label in labels
        or any(c.optimizer == setting.name and c.matches(setting.hyperparameters) for c in fixed)
    ]


def comparison(results) -> pd.DataFrame:
    """One row per published cell: the paper's numbers, ours, and the verdict."""
    spec = results.spec
    schedule = spec.schedules[0].label
    tuned_table = tuned(results)
    best = best_of_each_optimizer(tuned_table, spec.tuning.maximize)
    settings = {setting.label: setting for setting in spec.optimizers}
    rows = []
    for cell in spec.published.results:
        if cell.swept is not None:
            mine = (best["task"] == cell.task) & (best["schedule"] == schedule) & (best["name"] == cell.optimizer)
            chosen = best[mine & (best["swept"] == cell.swept)]
            label = chosen["best_optimizer"].iloc[0] if len(chosen) else None
            ours = chosen.iloc[0] if len(chosen) else None
        else:
            label = next(
                s.label for s in spec.optimizers if s.name == cell.optimizer and cell.matches(s.hyperparameters)
            )
            ours = _statistics_of(results, cell.task, schedule, label)
        our_wr = _region(ours) if cell.swept is not None and ours is not None else ""
        rows.append(
            {
                "task": cell.task,
                "algorithm": cell.algorithm,
                "published_mean": cell.mean if cell.solved else math.nan,
                "published_sd": cell.sigma if cell.sigma is not None else math.nan,
                "published_setting": cell.setting,
                "published_wr": f"[{cell.wr[0]:g}, {cell.wr[1]:g}]" if cell.wr else "",
                "our_setting": _setting_text(settings[label], cell.swept) if label else "",
                "our_mean": ours["mean_epochs"] if ours is not None else math.inf,
                "our_ci_low": ours["mean_ci_low"] if ours is not None else math.inf,
                "our_ci_high": ours["mean_ci_high"] if ours is not None else math.inf,
                "our_sd": ours["sd_epochs"] if ours is not None else math.nan,
                "our_success_rate": ours["success_rate"] if ours is not None else 0.0,
                "our_wr": our_wr,
                "runs": int(ours["runs"]) if ours is not None else 0,
                "our_label": label or "",
            }
        )
        rows[-1]["verdict"] = verdict(
            cell.mean if cell.solved else None,
            rows[-1]["our_mean"],
            rows[-1]["our_ci_low"],
            rows[-1]["our_ci_high"],
            rows[-1]["our_success_rate"],
        )
    return pd.DataFrame(rows)


def verdict(published_mean: float | None, our_mean: float, ci_low: float, ci_high: float, success_rate: float) -> str:
    """Where the published mean lies against our 95 % CI; ``published_mean`` None: the paper found no solution.

    >>> verdict(19.0, 22.0, 20.5, 23.5, 1.0)
    'below our CI: the paper needed 0.86× our epochs'
    >>> verdict(None, 900.0, 850.0, 950.0, 0.3)
    'differs: the paper found no solution; 30% of our runs succeed'
    """
    if published_mean is None:
        return (
            "agrees: no solution"
            if success_rate == 0
            else (f"differs: the paper found no solution; {success_rate:.0%} of our runs succeed")
        )
    if success_rate == 0:
        return "differs: none of our runs succeeds"
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
        return "undecided: too few of our runs succeed for an interval"
    if ci_low <= published_mean <= ci_high:
        return "inside our CI"
    side = "above" if published_mean > ci_high else "below"
    return f"{side} our CI: the paper needed {published_mean / our_mean:.2g}× our epochs"


def variant_effects(results, table: pd.DataFrame) -> pd.DataFrame:
    """Per published cell and variant: our mean epochs [CI] and success at the same setting under the variant."""
    schedule = results.spec.schedules[0].label
    settings = {setting.label: setting for setting in results.spec.optimizers}
    rows = []
    for _, cell in table[table["our_label"] != ""].iterrows():
        rows.append(
            _effect_row(
                cell, "main run", cell["our_mean"], cell["our_ci_low"], cell["our_ci_high"], cell["our_success_rate"]
            )
        )
        for variant, variant_results in results.variants:
            setting = settings[cell["our_label"]]
            flat_spot = setting.flat_spot if variant.flat_spot is None else variant.flat_spot
            label = dataclasses.replace(setting, flat_spot=flat_spot, swept=None).label
            stats = _statistics_of(variant_results, cell["task"], schedule, label)
            rows.append(
                _effect_row(
                    cell,
                    variant.name,
                    stats["mean_epochs"],
                    stats["mean_ci_low"],
                    stats["mean_ci_high"],
                    stats["success_rate"],
                )
            )
    return pd.DataFrame(rows)


def explanations(results, table: pd.DataFrame, effects: pd.DataFrame) -> list[str]:
    """A sentence per cell where we differ from the paper: by how much, and which measured factor explains it."""
    sentences = []
    for _, cell in table.iterrows():
        if cell["verdict"].startswith(("inside", "agrees")):
            continue
        where = f"{cell['algorithm']} on {cell['task']}"
        if cell["our_success_rate"] == 0:
            sentences.append(f"{where}: {cell['verdict']}; {_how_runs_ended(results, cell)}.")
            continue
        if not math.isfinite(cell["published_mean"]):
            sentences.append(
                f"{where}: {cell['verdict']} (mean {cell['our_mean']:.0f} epochs at {cell['our_setting']})."
            )
            continue
        gap = (
            f"the paper's mean, {cell['published_mean']:g} epochs, is {cell['verdict'].split(':')[0]} "
            f"(ours {cell['our_mean']:.1f} [{cell['our_ci_low']:.1f}, {cell['our_ci_high']:.1f}])"
        )
        tried = effects[
            (effects["task"] == cell["task"])
            & (effects["algorithm"] == cell["algorithm"])
            & (effects["variant"] != "main run")
            & np.isfinite(effects["mean"])
        ]
        explaining = tried[(tried["ci_low"] <= cell["published_mean"]) & (cell["published_mean"] <= tried["ci_high"])]
        if len(explaining):
            names = "; ".join(
                f"{row.variant} ({row.mean:.1f} [{row.ci_low:.1f}, {row.ci_high:.1f}], {row.success_rate:.0%} succeed)"
                for row in explaining.itertuples()
            )
            sentences.append(f"{where}: {gap}; explained by: {names}.")
        elif len(tried):
            distance = np.abs(np.log(tried["mean"] / cell["published_mean"]))
            nearest = tried.loc[distance.idxmin()]
            sentences.append(
                f"{where}: {gap}; none of the measured factors explains it: the nearest, {nearest['variant']}, "
                f"gives {nearest['mean']:.1f} [{nearest['ci_low']:.1f}, {nearest['ci_high']:.1f}] "
                f"({nearest['success_rate']:.0%} succeed)."
            )
        else:
            sentences.append(f"{where}: {gap}; no variant was measured.")
    return sentences


def _how_runs_ended(results, cell) -> str:
    """How the runs of every setting of the cell's optimizer on its task ended, by status."""
    optimizer = next(c.optimizer for c in results.spec.published.results if c.algorithm == cell["algorithm"])
    names = {setting.label for setting in results.spec.optimizers if setting.name == optimizer}
    runs = results.runs()
    mine = runs[(runs["task"] == cell["task"]) & runs["optimizer"].isin(names)]
    counts = mine["status"].value_counts(normalize=True)
    return f"over all {len(mine)} runs of its {len(names)} settings: " + ", ".join(
        f"{share:.0%} {STATUS_MEANING.get(status, status)}" for status, share in counts.items()
    )


STATUS_MEANING = {
    "diverged": "diverged (a weight beyond the bound, or not finite)",
    "budget": "ran out of epochs",
    "minimum": "stopped at a stationary point (a local minimum)",
    "flat-spot": "stalled on a flat spot (saturated units)",
    "stopped": "ended on its own (no further progress)",
    "converged": "succeeded",
}


def to_markdown(table: pd.DataFrame) -> str:
    """The side-by-side table for people to read."""
    header = (
        "| problem | algorithm | published mean ± σ | published setting | published WR | our setting | "
        "our mean [95% CI] ± σ | our success | our WR | verdict |"
    )
    lines = [header, "|" + "---|" * 10]
    for row in table.itertuples():
        published = (
            "no solution"
            if math.isnan(row.published_mean)
            else (f"{row.published_mean:g}" + ("" if math.isnan(row.published_sd) else f" ± {row.published_sd:g}"))
        )
        ours = (
            "–"
            if not math.isfinite(row.our_mean)
            else (
                f"{row.our_mean:.1f} [{row.our_ci_low:.1f}, {row.our_ci_high:.1f}]"
                + ("" if math.isnan(row.our_sd) else f" ± {row.our_sd:.1f}")
            )
        )
        cells = [row.task, row.algorithm, published, row.published_setting, row.published_wr or "–"]
        cells += [row.our_setting or "–", ours, f"{row.our_success_rate:.0%}", row.our_wr or "–", row.verdict]
        lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def _statistics_of(results, task: str, schedule: str, label: str) -> dict:
    runs = results.runs()
    mine = runs[(runs["task"] == task) & (runs["schedule"] == schedule) & (runs["optimizer"] == label)]
    hits = mine[success_column(results.spec.targets)].to_numpy()
    return run_statistics(hits, mine["stop_epoch"].to_numpy(dtype=float), results.spec.tuning.statistic)


def _region(row) -> str:
    if not math.isfinite(row["wr_low"]):
        return ""
    text = f"[{row['wr_low']:g}, {row['wr_high']:g}]"
    if not row["wr_contiguous"]:
        text += f" (not contiguous: {row['wr_values']})"
    return text + (" (best at the grid's edge)" if row["best_at_edge"] else "")


def _setting_text(setting, swept: str | None) -> str:
    ordered = sorted(setting.hyperparameters.items(), key=lambda item: item[0] != swept)
    text = ", ".join(f"{key} = {value:g}" for key, value in ordered)
    return text + (f", σ′ + {setting.flat_spot:g}" if setting.flat_spot else "")


def _effect_row(cell, variant: str, mean: float, ci_low: float, ci_high: float, success_rate: float) -> dict:
    return {
        "task": cell["task"],
        "algorithm": cell["algorithm"],
        "variant": variant,
        "mean": mean,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "success_rate": success_rate,
    }

"""Our results beside a published table: the same problems and methods, a verdict per cell, and what explains a gap.

For each published cell (`experiments.definition.published_results`) we take, on the
spec's first schedule:

- for a searched parameter (``swept``): the best setting of our sweeps of
  that optimizer and parameter, over every fixed part (`tuning.tuned`);
- for a fixed setting: our runs of exactly that setting.

The verdict compares the published mean with the 95 % confidence interval
of our mean epochs to success (over the runs that succeeded): inside it,
above it (the paper needed more epochs), or below it (it needed fewer); or,
for a problem the paper did not solve, whether we solve it.  The best setting
of a sweep is chosen by the spec's tuning statistic (ERT for the built-in
rerun); the table shows its mean over successful runs, which the paper's
means are compared with, and its ERT [95 % CI] beside it, which is larger
wherever some runs fail.  A verdict holds
under the conditions it was measured in (`experiments.definition.variants.
conditions`: the σ′ offset and where it is added, the initial weights, the
weight bound), and says so.  Each variant of the spec reruns the cell under
other conditions: our best setting, or, where no setting of ours succeeded,
the paper's own; the comparison names every measured condition under which
ours matches the paper.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from experiments.analysis import tables
from experiments.analysis.results import success_column
from experiments.analysis.tuning import best_of_each_optimizer, run_statistics, tuned
from experiments.definition.variants import main_conditions, readable_number


def settings_to_rerun(results) -> list:
    """What variants rerun: the best setting of each optimizer's sweeps (per task and schedule), every setting a
    fixed published cell names, and the paper's own setting of each swept cell where none of ours succeeded."""
    best = best_of_each_optimizer(tuned(results), results.spec.tuning.maximize)
    cells = results.spec.published.results if results.spec.published else ()
    fixed = [cell for cell in cells if cell.swept is None]
    chosen = [
        setting
        for setting in results.spec.optimizers
        if setting.label in set(best["best_optimizer"])
        or any(c.optimizer == setting.name and c.matches(setting.hyperparameters) for c in fixed)
    ]
    schedule = results.spec.schedules[0].label
    unsolved_by_us = [c for c in cells if c.swept is not None and c.solved and _our_best(best, c, schedule) is None]
    return chosen + [published_setting(results.spec, cell) for cell in unsolved_by_us]


def published_setting(spec, cell):
    """The paper's own setting of a swept ``cell``, trained as the spec trains that optimizer (its flat spot)."""
    like = next(s for s in spec.optimizers if s.name == cell.optimizer and s.swept == cell.swept)
    return dataclasses.replace(like, hyperparameters=dict(cell.parameters), swept=None)


def _our_best(best: pd.DataFrame, cell, schedule: str):
    """The row of `best_of_each_optimizer` for a swept ``cell`` on ``schedule``; None where none of ours succeeded."""
    mine = (best["task"] == cell.task) & (best["schedule"] == schedule) & (best["name"] == cell.optimizer)
    chosen = best[mine & (best["swept"] == cell.swept)]
    return chosen.iloc[0] if len(chosen) else None


def comparison(results) -> pd.DataFrame:
    """One row per published cell: the paper's numbers, ours under the main conditions and the verdict, and the
    measured conditions (main run and variants) under which ours matches the paper."""
    spec = results.spec
    schedule = spec.schedules[0].label
    tuned_table = tuned(results)
    best = best_of_each_optimizer(tuned_table, spec.tuning.maximize)
    settings = {setting.label: setting for setting in spec.optimizers}
    rows = []
    for cell in spec.published.results:
        if cell.swept is not None:
            ours = _our_best(best, cell, schedule)
            label = ours["best_optimizer"] if ours is not None else None
            rerun = settings[label] if label else (published_setting(spec, cell) if cell.solved else None)
        else:
            label = next(
                s.label for s in spec.optimizers if s.name == cell.optimizer and cell.matches(s.hyperparameters)
            )
            ours = _statistics_of(results, cell.task, schedule, label)
            rerun = settings[label]
        like = rerun or next(s for s in spec.optimizers if s.name == cell.optimizer)
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
                "our_ert": ours["ert"] if ours is not None else math.inf,
                "our_ert_low": ours["ert_ci_low"] if ours is not None else math.inf,
                "our_ert_high": ours["ert_ci_high"] if ours is not None else math.inf,
                "our_success_rate": ours["success_rate"] if ours is not None else 0.0,
                "our_wr": our_wr,
                "runs": int(ours["runs"]) if ours is not None else 0,
                "our_label": label or "",
                "rerun_label": rerun.label if rerun else "",
                "conditions": main_conditions(spec, like),
            }
        )
        rows[-1]["verdict"] = verdict(
            cell.mean if cell.solved else None,
            rows[-1]["our_mean"],
            rows[-1]["our_ci_low"],
            rows[-1]["our_ci_high"],
            rows[-1]["our_success_rate"],
        )
    table = pd.DataFrame(rows)
    effects = variant_effects(results, table)
    table["matches_under"] = [_matching(effects, row) for row in table.itertuples()]
    return table


def _matching(effects: pd.DataFrame, row) -> str:
    """The measured conditions under which our mean matches the paper's (or we agree that there is no solution)."""
    mine = effects[(effects["task"] == row.task) & (effects["algorithm"] == row.algorithm)]
    matching = mine[mine["verdict"].str.startswith(MATCHING)]
    if not len(matching):
        return f"none of the {len(mine)} measured" if len(mine) else "none measured"
    return "; ".join(f"{r.variant} ({r.conditions})" for r in matching.itertuples())


MATCHING = ("inside", "agrees")  # the verdicts that say ours matches the paper


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
    """Per published cell: our mean epochs [CI], success and verdict in the main run and under each variant, with
    the conditions of each; a variant trains the cell's ``rerun_label`` setting (our best, or the paper's own)."""
    spec = results.spec
    schedule = spec.schedules[0].label
    settings = {setting.label: setting for setting in spec.optimizers}
    cells = {(cell.task, cell.algorithm): cell for cell in spec.published.results}
    rows = []
    for _, cell in table.iterrows():
        published = cells[cell["task"], cell["algorithm"]]
        published_mean = published.mean if published.solved else None
        main = (cell["our_mean"], cell["our_ci_low"], cell["our_ci_high"], cell["our_success_rate"])
        rows.append(_effect_row(cell, "main run", cell["conditions"], *main, verdict(published_mean, *main)))
        if not cell["rerun_label"]:
            continue
        setting = settings.get(cell["rerun_label"]) or published_setting(spec, published)
        for variant, variant_results in results.variants:
            stats = _statistics_of(variant_results, cell["task"], schedule, variant.setting(setting).label)
            measured = (stats["mean_epochs"], stats["mean_ci_low"], stats["mean_ci_high"], stats["success_rate"])
            rows.append(
                _effect_row(
                    cell, variant.name, variant.conditions(spec, setting), *measured, verdict(published_mean, *measured)
                )
            )
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


EFFECT_COLUMNS = ["task", "algorithm", "variant", "conditions", "mean", "ci_low", "ci_high", "success_rate", "verdict"]


def explanations(results, table: pd.DataFrame, effects: pd.DataFrame) -> list[str]:
    """A sentence per cell where we differ from the paper: by how much and under which conditions, and which
    measured conditions (variants) make ours match it."""
    sentences = []
    for _, cell in table.iterrows():
        if cell["verdict"].startswith(MATCHING):
            continue
        where = f"{cell['algorithm']} on {cell['task']}, under {cell['conditions']}"
        if cell["our_success_rate"] == 0:
            gap = f"{cell['verdict']}; {_how_runs_ended(results, cell)}"
        elif not math.isfinite(cell["published_mean"]):
            gap = f"{cell['verdict']} (mean {cell['our_mean']:.0f} epochs at {cell['our_setting']})"
        else:
            gap = (
                f"the paper's mean, {cell['published_mean']:g} epochs, is {cell['verdict'].split(':')[0]} "
                f"(ours {cell['our_mean']:.1f} [{cell['our_ci_low']:.1f}, {cell['our_ci_high']:.1f}])"
            )
        tried = effects[
            (effects["task"] == cell["task"])
            & (effects["algorithm"] == cell["algorithm"])
            & (effects["variant"] != "main run")
        ]
        matching = tried[tried["verdict"].str.startswith(MATCHING)]
        measured = tried[np.isfinite(tried["mean"])]
        if len(matching):
            names = "; ".join(f"{row['variant']} ({_measured(row)})" for _, row in matching.iterrows())
            sentences.append(f"{where}: {gap}. Ours matches the paper with: {names}.")
        elif len(measured) and math.isfinite(cell["published_mean"]):
            distance = np.abs(np.log(measured["mean"] / cell["published_mean"]))
            nearest = measured.loc[distance.idxmin()]
            sentences.append(
                f"{where}: {gap}. None of the measured conditions makes ours match: the nearest, "
                f"{nearest['variant']}, gives {_measured(nearest)}."
            )
        elif len(tried):
            sentences.append(f"{where}: {gap}. None of the {len(tried)} measured variants makes ours match.")
        else:
            sentences.append(f"{where}: {gap}. No variant was measured.")
    return sentences


def _measured(row) -> str:
    """ "405.2 [350.1, 470.3], 57% succeed" of an effects row (its mean epochs and CI, and its success)."""
    mean, low, high, success = row["mean"], row["ci_low"], row["ci_high"], row["success_rate"]
    if not math.isfinite(mean):
        return f"{success:.0%} succeed"
    return f"{mean:.1f} [{low:.1f}, {high:.1f}] epochs, {success:.0%} succeed"


def _how_runs_ended(results, cell) -> str:
    """How the runs of every setting of the cell's optimizer on its task ended, by status; and of the diverged
    ones, how many passed the weight bound with E still finite, and still falling."""
    optimizer = next(c.optimizer for c in results.spec.published.results if c.algorithm == cell["algorithm"])
    names = {setting.label for setting in results.spec.optimizers if setting.name == optimizer}
    runs = results.runs()
    mine = runs[(runs["task"] == cell["task"]) & runs["optimizer"].isin(names)]
    counts = mine["status"].value_counts(normalize=True)
    ended = f"over all {len(mine)} runs of its {len(names)} settings: " + ", ".join(
        f"{share:.0%} {STATUS_MEANING.get(status, status)}" for status, share in counts.items()
    )
    populations = [r.population for r in results.units if r.unit.task.name == cell["task"] and r.unit.setting.label
                   in names]  # fmt: skip
    past, falling = bound_crossings(populations, results.spec.budget.weight_bound)
    diverged = int(mine["status"].eq("diverged").sum())
    if not diverged:
        return ended
    return ended + (
        f"; of the {diverged} diverged, {past} passed |w| ≤ {readable_number(results.spec.budget.weight_bound)} "
        "with E finite, "
        f"{falling} of them with E still falling"
    )


def bound_crossings(populations, weight_bound: float) -> tuple[int, int]:
    """(runs that ended diverged by passing ``weight_bound`` with E still finite, those of them whose E at that
    epoch was their lowest yet): runs that a larger bound would have let go on."""
    past = falling = 0
    for population in populations:
        with np.errstate(invalid="ignore"):
            crossed = (population.status == "diverged") & np.isfinite(population.final_error)
            crossed &= np.abs(population.final_weights).max(axis=-1) > weight_bound
            past += int(crossed.sum())
            falling += int((crossed & (population.final_error < population.best_error)).sum())
    return past, falling


STATUS_MEANING = {
    "diverged": "diverged (a weight beyond the bound, or not finite)",
    "budget": "ran out of epochs",
    "minimum": "stopped at a stationary point (a local minimum)",
    "flat-spot": "stalled on a flat spot (saturated units)",
    "stopped": "ended on its own (no further progress)",
    "converged": "succeeded",
}


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The side-by-side table for people to read, as text cells: each verdict with the conditions it holds under,
    and every measured condition under which ours matches the paper."""
    rows = []
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
        ert = (
            "–"
            if not math.isfinite(row.our_ert)
            else f"{row.our_ert:.1f} [{row.our_ert_low:.1f}, {row.our_ert_high:.1f}]"
        )
        cells += [row.our_setting or "–", ours, f"{row.our_success_rate:.0%}", ert, row.our_wr or "–"]
        cells += [f"{row.verdict} ({row.conditions})", row.matches_under]
        rows.append([str(cell) for cell in cells])
    return pd.DataFrame(rows, columns=READABLE_COLUMNS)


READABLE_COLUMNS = [
    "problem", "algorithm", "published mean ± σ", "published setting", "published WR", "our setting",
    "our mean [95% CI] ± σ", "our success", "our ERT [95% CI]", "our WR", "verdict, under our conditions",
    "ours matches the paper with",
]  # fmt: skip
READABLE_EFFECT_COLUMNS = ["problem", "algorithm", "run", "conditions", "our mean [95% CI]", "our success", "verdict"]


def to_markdown(table: pd.DataFrame) -> str:
    """`readable` as a Markdown table."""
    return tables.to_markdown(readable(table))


EFFECTS_INTRO = (
    "Each cell under every measured condition: the main run (our best setting of the sweep), then each variant, "
    "which reruns our best setting, or the paper's own where none of ours succeeded, with one unknown changed."
)


def document(results) -> str:
    """published_comparison.md: the side-by-side table, each cell under every measured condition, and a sentence
    for every cell where ours differs from the paper."""
    table = comparison(results)
    effects = variant_effects(results, table)
    spec = results.spec.published
    parts = [f"# Beside {spec.citation}", "", f"Source: {spec.source}.", "", to_markdown(table), ""]
    if results.variants:
        parts += ["## The unknowns, measured", "", EFFECTS_INTRO, "", effects_to_markdown(effects), ""]
    differences = explanations(results, table, effects)
    if differences:
        parts += ["## Where we differ from the paper", "", *(f"- {sentence}" for sentence in differences), ""]
    return "\n".join(parts)


def readable_effects(effects: pd.DataFrame) -> pd.DataFrame:
    """Every cell measured in the main run and under each variant, as text cells: its conditions, our numbers and
    the verdict."""
    rows = []
    for row in effects.itertuples():
        mean = "–" if not math.isfinite(row.mean) else f"{row.mean:.1f} [{row.ci_low:.1f}, {row.ci_high:.1f}]"
        cells = [row.task, row.algorithm, row.variant, row.conditions, mean, f"{row.success_rate:.0%}", row.verdict]
        rows.append([str(cell) for cell in cells])
    return pd.DataFrame(rows, columns=READABLE_EFFECT_COLUMNS)


def effects_to_markdown(effects: pd.DataFrame) -> str:
    """`readable_effects` as a Markdown table."""
    return tables.to_markdown(readable_effects(effects))


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


def _effect_row(cell, variant: str, conditions: str, mean, ci_low, ci_high, success_rate, its_verdict) -> dict:
    values = [cell["task"], cell["algorithm"], variant, conditions, mean, ci_low, ci_high, success_rate, its_verdict]
    return dict(zip(EFFECT_COLUMNS, values, strict=True))

"""The report's findings: plain sentences computed from the results, each from a rule that says when it holds.

Every sentence is about one task × schedule (a one-sample task once: there
every schedule is the same training), so a finding true of one place is
never stated of another.  The rules:

- winner: the setting with the lowest ERT, whether the tests separate it from
  the others, and the slowest; or that no setting met the success criterion.
- schedule effect: per-sample updates cut a setting's success rate by at least
  20 points against the full batch on a task (then a word on why for Rprop).
- failure mode, for a setting that failed at least 10 % of its runs in a place:
  how they ended (the statuses), and the mode that ended at least half of them:
    flat-spot    stalled on flat spots (saturated units leave E flat, the gradient gone)
    minimum      stopped at a stationary point above the target (a local minimum)
    stopped      a scipy method ended on its own with the gradient alive
    diverged     diverged
    budget, with what the runs' own errors show over the second half of their budget:
      unsettled  the error ended at least twice as far above E* as the run's best: it rose again
      descending E − E* still fell at least 1.5-fold over that half: more budget would help
      crawling   E − E* fell less than 1.5-fold over that half while the gradient was alive
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCHEDULE_GAP = 0.2  # per-sample success this far below full batch is a finding
FAILING_SHARE = 0.1  # a setting failing at least this share of its runs in a place gets a failure finding
UNSETTLED_FACTOR = 2.0  # final E − E* at least this multiple of the best E − E*: the error rose again
DESCENDING_FACTOR = 1.5  # E − E* shrank at least this much over the second half of the budget: still descending


def findings_of(results, table: pd.DataFrame) -> list[str]:
    """Plain sentences: who wins where (and whether significantly), what the schedule changes, how runs fail."""
    return winners(results, table, results.significance()) + schedule_effects(table) + failure_modes(results)


def places(results) -> list[tuple[str, str, str]]:
    """(task, schedule, how to name it) for every place with runs a finding can be about, a one-sample task once."""
    trained = {(r.unit.task.name, r.unit.schedule.label) for r in results.units}
    named = []
    for task in results.spec.tasks:
        schedules = [s for s in results.spec.schedules if (task.name, s.label) in trained]
        for schedule in schedules[:1] if task.samples == 1 else schedules:
            where = (
                f"**{task.name}** (one sample: every schedule is the same)"
                if task.samples == 1
                else f"**{task.name} · {schedule.label}**"
            )
            named.append((task.name, schedule.label, where))
    return named


def winners(results, table: pd.DataFrame, significance: pd.DataFrame) -> list[str]:
    target = results.spec.targets.success
    sentences = []
    for task, schedule, where in places(results):
        rows = table[(table["task"] == task) & (table["schedule"] == schedule)]
        ranked = rows.sort_values(["ert_evaluations", "success_rate"], ascending=[True, False])
        best, worst = ranked.iloc[0], ranked.iloc[-1]
        if not np.isfinite(best["ert_evaluations"]):
            sentences.append(f"{where}: no optimizer reached {target}.")
            continue
        tests = significance[(significance["task"] == task) & (significance["schedule"] == schedule)]
        involving = tests[(tests["a"] == best["optimizer"]) | (tests["b"] == best["optimizer"])]
        ties = sorted(
            (row["b"] if row["a"] == best["optimizer"] else row["a"])
            for _, row in involving.iterrows()
            if not row["significant"]
        )
        tied = (
            f"; not significantly different from {', '.join(ties)}" if ties else "; significantly ahead of all others"
        )
        sentences.append(
            f"{where}: {best['optimizer']} is fastest (ERT {best['ert_evaluations']:.0f} gradient evaluations, "
            f"{best['success_rate']:.0%} of starts meet {target}){tied}. Slowest: {worst['optimizer']} "
            f"({worst['success_rate']:.0%} success)."
        )
    return sentences


def schedule_effects(table: pd.DataFrame) -> list[str]:
    notes = []
    for (task, optimizer), rows in table.groupby(["task", "optimizer"], sort=False):
        rates = dict(zip(rows["schedule"], rows["success_rate"], strict=True))
        gap = rates.get("full-batch", np.nan) - rates.get("per-sample", np.nan)
        if round(gap, 12) >= SCHEDULE_GAP:  # 1.0 − 0.8 is 0.1999…
            notes.append(
                f"On {task}, per-sample updates cut {optimizer}'s success from {rates['full-batch']:.0%} "
                f"(full batch) to {rates['per-sample']:.0%}."
            )
    if any("rprop" in note for note in notes):
        notes.append(
            "Why Rprop suffers per sample: it adapts each step size from the signs of successive gradients, and "
            "with one sample per update those signs disagree from sample to sample, so steps shrink for the wrong "
            "reason. Rprop was designed for batch learning."
        )
    return notes


def failure_modes(results) -> list[str]:
    """For each place and setting that failed often: how its runs ended, and what ended most of them."""
    targets = results.spec.targets
    notes = []
    for task, schedule, where in places(results):
        minimum = results.reference(task).value if targets.reference == "minimum" else 0.0
        for setting in results.spec.optimizers:
            runs = _runs_of(results, task, schedule, setting.label)
            if runs is None:
                continue
            failed = runs["status"] != "converged"
            if failed.sum() == 0 or failed.sum() < FAILING_SHARE * failed.size:
                continue
            statuses = pd.Series(runs["status"][failed]).value_counts()
            parts = ", ".join(f"{count} {status}" for status, count in statuses.items())
            sentence = f"{where}: {setting.label} failed {failed.sum()} of {failed.size} runs ({parts})"
            mode = statuses.index[0] if statuses.iloc[0] >= failed.sum() / 2 else None
            notes.append(sentence + _explained(mode, runs, runs["status"] == mode, minimum, targets.measured) + ".")
    return notes


def _runs_of(results, task: str, schedule: str, setting: str) -> dict | None:
    """The per-run arrays of one place and setting, seeds pooled; each run's E half-way through its run added."""
    parts = [
        r.population
        for r in results.units
        if (r.unit.task.name, r.unit.schedule.label, r.unit.setting.label) == (task, schedule, setting)
    ]
    if not parts:
        return None
    halfway = []
    for population in parts:
        slots = np.searchsorted(population.history_epochs, population.stop_epoch / 2, side="right") - 1
        halfway.append(population.history[np.arange(len(slots)), slots])
    return {
        "status": np.concatenate([p.status for p in parts]),
        "final_error": np.concatenate([p.final_error for p in parts]),
        "best_error": np.concatenate([p.best_error for p in parts]),
        "halfway_error": np.concatenate(halfway),
    }


def _explained(mode: str | None, runs: dict, chosen: np.ndarray, minimum: float, measured: str) -> str:
    """What ended most failed runs, in words drawn from their own numbers."""
    if mode is None:
        return ""
    final = runs["final_error"][chosen] - minimum
    median = f"median {measured} {np.median(final):.1e}"
    if mode == "flat-spot":
        return f"; most stalled on flat spots ({median}): saturated units leave E flat, the gradient gone"
    if mode == "minimum":
        return f"; most stopped at a stationary point above the target ({median}): a local minimum"
    if mode == "stopped":
        return f"; most ended on their own, the gradient still alive ({median}): the method could make no progress"
    if mode == "diverged":
        return "; most diverged (a weight past weight_bound, or E or the gradient no longer finite)"
    best, halfway = runs["best_error"][chosen] - minimum, runs["halfway_error"][chosen] - minimum
    with np.errstate(divide="ignore", invalid="ignore"):
        unsettled = final >= UNSETTLED_FACTOR * np.maximum(best, 0) + np.finfo(float).tiny
        progress = halfway / final
    if unsettled.mean() >= 0.5:
        return (
            f"; most ran out of budget without settling ({median}): their error ended at least "
            f"{UNSETTLED_FACTOR:g}× as far above E* as their best, so it rose again"
        )
    factor = float(np.nanmedian(progress)) if np.isfinite(progress).any() else np.nan
    if factor >= DESCENDING_FACTOR:
        return (
            f"; most were still descending when the budget ran out ({median}; {measured} fell {factor:.1f}-fold "
            "over the second half of their run): a larger budget would help"
        )
    return (
        f"; most ran out of budget crawling ({median}; over the second half of their run {measured} fell by a "
        f"factor of only {factor:.3g}, the gradient still alive)"
    )

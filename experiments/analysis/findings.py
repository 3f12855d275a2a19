"""The report's findings: plain sentences computed from the results, each from a rule that says when it holds.

Every sentence is about one task × schedule (a one-sample task once: there
every schedule is the same training), so a finding true of one place is
never stated of another.  The report shows the few largest (`headline`),
ranked by an effect size on one scale, log2 of a factor in expected cost
(ERT ∝ 1 / success rate), capped at 4 (16×):

- winner: the setting with the lowest ERT against the runner-up, with both
  ERTs, their 95 % intervals and whether the tests separate them; effect
  log2 of the ERT ratio.  Or that no setting met the success criterion (effect 4).
- schedule effect: per-sample updates cut settings' success rates by at least
  20 points against the full batch on a task (then a word on why for Rprop);
  one finding per task, effect log2(full-batch rate / per-sample rate) of the
  largest cut.
- failure mode, for a setting that failed at least 10 % of its runs in a place:
  how they ended (the statuses), and the mode that ended at least half of them;
  the report groups the settings of a place that failed the same way, effect
  log2(1 / success rate) of the one that failed most:
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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.analysis.metrics import wilson_interval

SCHEDULE_GAP = 0.2  # per-sample success this far below full batch is a finding
FAILING_SHARE = 0.1  # a setting failing at least this share of its runs in a place gets a failure finding
UNSETTLED_FACTOR = 2.0  # final E − E* at least this multiple of the best E − E*: the error rose again
DESCENDING_FACTOR = 1.5  # E − E* shrank at least this much over the second half of the budget: still descending
STALLED = 0.05  # E − E* shrank less than 5 % over the second half: it did not fall
LEVEL = 1.05  # a winner whose ERT is within 5 % of the runner-up's is level with it, not "1× faster"


HEADLINES = 8  # findings the report shows
LARGEST = 4.0  # the effect of the largest findings: a factor of 16 in cost or more, a method that never succeeds


@dataclass(frozen=True)
class Finding:
    """One finding: its sentence (Markdown), its effect size, the figure that shows it, and what it is about
    (``subject``: no two findings of a report share one)."""

    text: str
    effect: float
    figure: str
    subject: tuple


def findings_of(results, table: pd.DataFrame) -> list[Finding]:
    """Every finding the rules make: who wins where, what the schedule changes, how runs fail."""
    return winners(results, table, results.significance()) + schedule_effects(table) + failure_modes(results)


def headline(findings: list[Finding], limit: int = HEADLINES) -> list[Finding]:
    """The ``limit`` findings of largest effect, largest first (ties in the order the rules made them)."""
    return sorted(findings, key=lambda finding: -finding.effect)[:limit]


def places(results) -> list[tuple[str, str, str]]:
    """(task, schedule, how to name it) for every place a finding can be about (`Results.places`)."""
    return [
        (task.name, schedule.label,
         f"**{task.name}** (one sample: every schedule is the same)" if task.samples == 1
         else f"**{task.name} · {schedule.label}**")
        for task, schedule in results.places()
    ]  # fmt: skip


def winners(results, table: pd.DataFrame, significance: pd.DataFrame) -> list[Finding]:
    target = results.spec.targets.success
    found = []
    for task, schedule, where in places(results):
        rows = table[(table["task"] == task) & (table["schedule"] == schedule)]
        ranked = rows.sort_values(["ert_evaluations", "success_rate"], ascending=[True, False], kind="stable")
        best = ranked.iloc[0]
        subject = ("winner", task, schedule)
        if not np.isfinite(best["ert_evaluations"]):
            found.append(Finding(f"{where}: no optimizer reached {target}.", LARGEST, "success", subject))
            continue
        text = f"{where}: {best['optimizer']} reaches {target} in the fewest gradient evaluations, ERT {_ert(best)}"
        if len(ranked) == 1:
            found.append(Finding(text + f" ({best['success_rate']:.0%} of starts).", 0.0, "convergence", subject))
            continue
        second = ranked.iloc[1]
        pair = significance[(significance["task"] == task) & (significance["schedule"] == schedule)
                            & (significance["a"].isin([best["optimizer"], second["optimizer"]]))
                            & (significance["b"].isin([best["optimizer"], second["optimizer"]]))]  # fmt: skip
        separated = bool(pair["significant"].iloc[0]) if len(pair) else False
        ratio = second["ert_evaluations"] / best["ert_evaluations"]
        if ratio < LEVEL:
            against = f"level with the runner-up, {second['optimizer']} ({_ert(second)})"
        elif np.isfinite(ratio):
            against = f"{ratio:.2g}× fewer than the runner-up, {second['optimizer']} ({_ert(second)})"
        else:
            against = f"and the runner-up, {second['optimizer']}, never succeeds"
        verdict = "the tests separate the two" if separated else "the tests do not separate the two"
        found.append(Finding(f"{text}, {against}; {verdict}.", _capped(ratio), "convergence", subject))
    return found


def _capped(factor: float) -> float:
    """log2 of a factor in cost, at most `LARGEST`."""
    return float(min(np.log2(factor), LARGEST))


def _cost_of(failed_share: float) -> float:
    """The effect of failing this share of the runs: log2 of the factor it adds to the ERT, 1 / success rate."""
    return _capped(1.0 / (1.0 - failed_share)) if failed_share < 1 else LARGEST


def _ert(row) -> str:
    """An ERT with its interval: ``147 [141, 153]``."""
    return f"{row['ert_evaluations']:.3g} [{row['ert_ci_low']:.3g}, {row['ert_ci_high']:.3g}]"


def schedule_effects(table: pd.DataFrame) -> list[Finding]:
    """Per task, the settings whose success per sample falls at least `SCHEDULE_GAP` below the full batch's."""
    found = []
    for task, rows in table.groupby("task", sort=False):
        cuts = []
        for optimizer, setting in rows.groupby("optimizer", sort=False):
            rates = dict(zip(setting["schedule"], setting["success_rate"], strict=True))
            gap = rates.get("full-batch", np.nan) - rates.get("per-sample", np.nan)
            if round(gap, 12) >= SCHEDULE_GAP:  # 1.0 − 0.8 is 0.1999…
                cuts.append((gap, optimizer, rates["full-batch"], rates["per-sample"]))
        if not cuts:
            continue
        cuts.sort(key=lambda cut: -cut[0])
        listed = ", ".join(f"{name} {full:.0%} → {per:.0%}" for _, name, full, per in cuts)
        _, largest, full, per = cuts[0]
        runs = int(rows.loc[(rows["optimizer"] == largest) & (rows["schedule"] == "per-sample"), "runs"].iloc[0])
        low, high = wilson_interval(round(per * runs), runs)
        listed += f" (per sample, {largest}: {per:.0%} [{low:.0%}, {high:.0%}] of {runs} runs)"
        text = f"On **{task}**, per-sample updates cut the success rate of {len(cuts)} optimizer" + (
            f"{'s' * (len(cuts) > 1)} against the full batch: {listed}."
        )
        if any("rprop" in name for _, name, _, _ in cuts):
            text += (
                " Rprop adapts each step size from the signs of successive gradients; with one sample per update "
                "those signs disagree from sample to sample, so its steps shrink for the wrong reason."
            )
        found.append(Finding(text, _capped(full / per if per else np.inf), "success", ("schedule", task)))
    return found


def failure_modes(results) -> list[Finding]:
    """Per place, the settings that failed often, grouped by what ended most of their runs."""
    targets = results.spec.targets
    found = []
    for task, schedule, where in places(results):
        minimum = results.reference(task).value if targets.reference == "minimum" else 0.0
        groups: dict[str, list] = {}
        for setting in results.spec.optimizers:
            runs = _runs_of(results, task, schedule, setting.label)
            if runs is None:
                continue
            failed = runs["status"] != "converged"
            if failed.sum() == 0 or failed.sum() < FAILING_SHARE * failed.size:
                continue
            statuses = pd.Series(runs["status"][failed]).value_counts()
            mode = statuses.index[0] if statuses.iloc[0] >= failed.sum() / 2 else None
            kind, why = _explained(mode, runs, runs["status"] == mode, minimum, targets.measured)
            groups.setdefault(kind, []).append((failed.mean(), setting.label, failed.sum(), failed.size, statuses, why))
        two_weights = next(t for t in results.spec.tasks if t.name == task).network.size == 2
        figure = f"basin-{task}" if two_weights else "convergence"
        for kind, failing in groups.items():
            failing.sort(key=lambda entry: -entry[0])
            if len(failing) == 1 or kind is None:
                for _, label, count, total, statuses, why in failing:
                    parts = ", ".join(f"{n} {status}" for status, n in statuses.items())
                    text = f"{where}: {label} failed {count} of {total} runs ({parts}){why}."
                    found.append(Finding(text, _cost_of(count / total), figure, ("failure", task, schedule, label)))
                continue
            shares = [share for share, *_ in failing]
            names = ", ".join(label for _, label, *_ in failing)
            _, worst, count, total, *_ = failing[0]
            low, high = wilson_interval(count, total)
            span = f"{min(shares):.0%}–{max(shares):.0%}" if f"{min(shares):.0%}" != f"{max(shares):.0%}" else (
                f"all {min(shares):.0%}" if len(failing) > 2 else f"both {min(shares):.0%}"
            )  # fmt: skip
            text = (
                f"{where}: {names} failed {span} of their runs (the most, {worst}: "
                f"{count} of {total}, {count / total:.0%} [{low:.0%}, {high:.0%}]); most {KINDS[kind]}."
            )
            found.append(Finding(text, _cost_of(failing[0][0]), figure, ("failure", task, schedule, kind)))
    return found


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


KINDS = {  # how most failed runs of a setting ended, in a few words for a group of settings
    "flat-spot": "stalled on flat spots (saturated units leave E flat, the gradient gone)",
    "minimum": "stopped at a stationary point above the target (a local minimum)",
    "stopped": "ended on their own with the gradient alive",
    "diverged": "diverged",
    "unsettled": "ran out of budget with their error risen again above its best",
    "descending": "ran out of budget still descending (a larger budget would help)",
    "crawling": "ran out of budget crawling, the gradient still alive",
}


def _explained(mode: str | None, runs: dict, chosen: np.ndarray, minimum: float, measured: str) -> tuple:
    """(kind, words): what ended most failed runs (a key of `KINDS`, or None), in words drawn from their numbers."""
    if mode is None:
        return None, ""
    final = runs["final_error"][chosen] - minimum
    median = f"median {measured} {np.median(final):.1e}"
    if mode == "flat-spot":
        return mode, f"; most stalled on flat spots ({median}): saturated units leave E flat, the gradient gone"
    if mode == "minimum":
        return mode, f"; most stopped at a stationary point above the target ({median}): a local minimum"
    if mode == "stopped":
        return (
            mode,
            f"; most ended on their own, the gradient still alive ({median}): the method could make no progress",
        )
    if mode == "diverged":
        return mode, "; most diverged (a weight past weight_bound, or E or the gradient no longer finite)"
    best, halfway = runs["best_error"][chosen] - minimum, runs["halfway_error"][chosen] - minimum
    with np.errstate(divide="ignore", invalid="ignore"):
        unsettled = final >= UNSETTLED_FACTOR * np.maximum(best, 0) + np.finfo(float).tiny
        progress = halfway / final
    if unsettled.mean() >= 0.5:
        return "unsettled", (
            f"; most ran out of budget without settling ({median}): their error ended at least "
            f"{UNSETTLED_FACTOR:g}× as far above E* as their best, so it rose again"
        )
    factor = float(np.nanmedian(progress)) if np.isfinite(progress).any() else np.nan
    if factor >= DESCENDING_FACTOR:
        return "descending", (
            f"; most were still descending when the budget ran out ({median}; {measured} fell {factor:.1f}-fold "
            "over the second half of their run): a larger budget would help"
        )
    if not factor >= 1 + STALLED:
        return "crawling", (
            f"; most ran out of budget crawling ({median}; {measured} did not fall over the second half of "
            "their run, the gradient still alive)"
        )
    return "crawling", (
        f"; most ran out of budget crawling ({median}; over the second half of their run {measured} fell only "
        f"{factor:.2g}-fold, the gradient still alive)"
    )

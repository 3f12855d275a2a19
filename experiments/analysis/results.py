"""The results of an experiment as tables: per run, the convergence summary, and pairwise significance."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import numpy as np
import pandas as pd

from experiments.analysis.metrics import (
    ert,
    ert_confidence_interval,
    fisher_on_successes,
    holm,
    mann_whitney_batch,
    quartiles,
)
from experiments.definition.spec import ExperimentSpec
from experiments.records import STATUSES, Reference, UnitResult, known

GROUP = ["task", "schedule", "optimizer"]
SIGNIFICANCE_LEVEL = 0.05
SIGNIFICANCE_COLUMNS = [
    "task", "schedule", "a", "b", "success_a", "success_b", "median_epochs_a", "median_epochs_b", "faster",
    "mann_whitney_p", "fisher_p", "mann_whitney_p_holm", "fisher_p_holm", "significant",
]  # fmt: skip


BIT_HIT_COLUMN = "hit_epoch[bit]"


def hit_column(target: float) -> str:
    """The per-run table's column of hit epochs for ``target``.

    >>> hit_column(1e-6)
    'hit_epoch[1e-06]'
    """
    return f"hit_epoch[{target:.3g}]"


def success_column(targets) -> str:
    """The per-run table's column of the epochs at which runs met the success criterion of ``targets``."""
    return BIT_HIT_COLUMN if targets.criterion == "bit" else hit_column(targets.headline)


@dataclass(frozen=True)
class Results:
    """Everything one experiment produced; tables are computed from the per-run data on demand."""

    spec: ExperimentSpec
    units: tuple[UnitResult, ...]
    variants: tuple = ()  # (Variant, Results) for each variant of the spec (`experiments.definition.variants`)
    references: dict = dataclasses.field(default_factory=dict)  # task name: its E* (`experiments.records.Reference`)
    replay: object = dataclasses.field(default=None, compare=False, repr=False)  # how the figures train runs again
    memo: dict = dataclasses.field(default_factory=dict, init=False, compare=False, repr=False)  # derived tables

    def subset(self, tasks=None, schedules=None, optimizers=None) -> Results:
        """The results of some tasks, schedules (labels) and optimizer settings (names or labels) only.

        None keeps them all; with no filter at all, these results themselves (their published table and
        variants too, which any narrower subset leaves out).

        >>> import experiments
        >>> quick = experiments.run("quick")
        >>> quick.subset(tasks=["teacher"], optimizers=["gd", "adam"]).table()[["task", "optimizer"]].values.tolist()
        [['teacher', 'gd'], ['teacher', 'adam'], ['teacher', 'gd'], ['teacher', 'adam']]
        """
        if tasks is None and schedules is None and optimizers is None:
            return self
        spec = self.spec
        kept_tasks = _chosen("task", [t.name for t in spec.tasks], tasks, lambda name, pick: name == pick)
        kept_schedules = _chosen(
            "schedule", [s.label for s in spec.schedules], schedules,
            lambda label, pick: label == pick or label.split("(")[0] == pick, unambiguous=True,
        )  # fmt: skip
        kept_settings = _chosen(
            "optimizer", [s.label for s in spec.optimizers], optimizers,
            lambda label, pick: label == pick or label.split("(")[0].split(" [")[0] == pick,
        )  # fmt: skip
        narrowed = dataclasses.replace(
            spec,
            tasks=tuple(t for t in spec.tasks if t.name in kept_tasks),
            schedules=tuple(s for s in spec.schedules if s.label in kept_schedules),
            optimizers=tuple(s for s in spec.optimizers if s.label in kept_settings),
            published=None,
            variants=(),
        )
        units = tuple(
            r for r in self.units
            if r.unit.task.name in kept_tasks and r.unit.schedule.label in kept_schedules
            and r.unit.setting.label in kept_settings
        )  # fmt: skip
        references = {task: reference for task, reference in self.references.items() if task in kept_tasks}
        return Results(narrowed, units, references=references, replay=self.replay)

    def replayed(self):
        """What trains this experiment's runs again for the figures that draw paths, grids and internals
        (`experiments.running.replay.Replay`, which the pipeline gives the results it runs or loads)."""
        if self.replay is None:
            raise ValueError("these results cannot train their runs again for this figure; get them from "
                             "experiments.run or experiments.load")  # fmt: skip
        return self.replay

    def places(self) -> list[tuple]:
        """(task, schedule) of every place with runs, in the spec's order, a one-sample task once: every schedule
        trains it alike, so it stands in the schedule with the most settings trained (scipy's methods train the
        full batch only)."""
        trained: dict[tuple[str, str], set] = {}
        for r in self.units:
            trained.setdefault((r.unit.task.name, r.unit.schedule.label), set()).add(r.unit.setting.label)
        places = []
        for task in self.spec.tasks:
            schedules = [s for s in self.spec.schedules if (task.name, s.label) in trained]
            if task.samples == 1 and schedules:
                schedules = [max(schedules, key=lambda s: len(trained[(task.name, s.label)]))]
            places += [(task, schedule) for schedule in schedules]
        return places

    def populations(self, task, schedule, setting) -> list:
        """The `PopulationResult` of each seed for one task × schedule × optimizer setting (maybe none)."""
        return [
            r.population
            for r in self.units
            if r.unit.task.name == task.name and r.unit.schedule == schedule and r.unit.setting == setting
        ]

    def reference(self, task: str) -> Reference:
        """The E* the targets of ``task`` were measured from (`experiments.running.references`)."""
        if task in self.references:
            return self.references[task]
        spec_task = next(t for t in self.spec.tasks if t.name == task)
        return known(spec_task) or Reference(0.0, "given", "none recorded: absolute targets")

    def runs(self) -> pd.DataFrame:
        """One row per run: how it ended and when it hit each target (and the bit criterion, for 0/1 tasks).

        The article's 1-1-1 runs also show their start and end (w_h0, w_o0,
        final_w_h, final_w_o); every network's parameter vectors are in
        `populations` (and in the results folder's parameters.npz).
        """
        return self._runs.copy()

    def table(self) -> pd.DataFrame:
        """The convergence table: one row per task × schedule × optimizer setting, seeds pooled."""
        return self._table.copy()

    def significance(self) -> pd.DataFrame:
        """Pairwise tests between optimizer settings on each task × schedule, Holm-corrected per family."""
        return self._significance.copy()

    @cached_property
    def _runs(self) -> pd.DataFrame:
        article = any(task.is_article for task in self.spec.tasks)
        binary = any(task.binary for task in self.spec.tasks)
        frames = []
        for result in self.units:
            unit, population = result.unit, result.population
            count = len(population.status)
            start, end = population.initial_weights, population.final_weights
            if not unit.task.is_article:
                start = end = np.full((count, 2), np.nan)
            columns = {
                "task": unit.task.name,
                "schedule": unit.schedule.label,
                "optimizer": unit.setting.label,
                "seed": unit.seed,
                "run": np.arange(count),
                "samples": unit.task.samples,
                **({"w_h0": start[:, 0], "w_o0": start[:, 1]} if article else {}),
                "status": population.status,
                "final_error": population.final_error,
                "best_error": population.best_error,
                **({"final_w_h": end[:, 0], "final_w_o": end[:, 1]} if article else {}),
                "final_grad_norm": population.final_grad_norm,
                "stop_epoch": population.stop_epoch,
                "diverged_epoch": population.diverged_epoch,
                "grad_evaluations": population.grad_evaluations,
            }
            for index, target in enumerate(self.spec.targets.values):
                columns[hit_column(target)] = population.hit_epochs[:, index].astype(np.float64)
            if binary:
                columns[BIT_HIT_COLUMN] = population.bit_hit_epoch
            frames.append(pd.DataFrame(columns))
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def _table(self) -> pd.DataFrame:
        runs = self._runs
        wall_times = pd.DataFrame(
            [(r.unit.task.name, r.unit.schedule.label, r.unit.setting.label, r.wall_time) for r in self.units],
            columns=[*GROUP, "wall_time_s"],
        )
        rows = [self._summary_row(key, group) for key, group in runs.groupby(GROUP, sort=False)]
        table = pd.DataFrame(rows)
        wall = wall_times.groupby(GROUP, sort=False)["wall_time_s"].sum().reset_index()
        return table.merge(wall, on=GROUP, how="left")

    @cached_property
    def _significance(self) -> pd.DataFrame:
        runs = self._runs
        headline = success_column(self.spec.targets)
        frames = []
        for (task, schedule), family in runs.groupby(["task", "schedule"], sort=False):
            hits = {name: group[headline].to_numpy() for name, group in family.groupby("optimizer", sort=False)}
            pairs = list(combinations(hits, 2))
            u, p = _rank_sum_tests(hits, pairs)
            rows = []
            for (a, b), u_of_a, p_value in zip(pairs, u, p, strict=True):
                hits_a, hits_b = hits[a], hits[b]
                success_a, success_b = int(np.isfinite(hits_a).sum()), int(np.isfinite(hits_b).sum())
                half = hits_a.size * hits_b.size / 2  # U of a below this: a has the lower mean rank
                rows.append(
                    {
                        "task": task,
                        "schedule": schedule,
                        "a": a,
                        "b": b,
                        "success_a": success_a / hits_a.size,
                        "success_b": success_b / hits_b.size,
                        "median_epochs_a": quartiles(hits_a)[1],
                        "median_epochs_b": quartiles(hits_b)[1],
                        "faster": a if u_of_a < half else b if u_of_a > half else "=",
                        "mann_whitney_p": p_value,
                        "fisher_p": fisher_on_successes(success_a, hits_a.size, success_b, hits_b.size),
                    }
                )
            if rows:
                frame = pd.DataFrame(rows)
                frame["mann_whitney_p_holm"] = holm(frame["mann_whitney_p"])
                frame["fisher_p_holm"] = holm(frame["fisher_p"])
                frame["significant"] = (frame["mann_whitney_p_holm"] < SIGNIFICANCE_LEVEL) | (
                    frame["fisher_p_holm"] < SIGNIFICANCE_LEVEL
                )
                frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=SIGNIFICANCE_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    def _summary_row(self, key, group: pd.DataFrame) -> dict:
        hits = group[success_column(self.spec.targets)].to_numpy()
        samples = group["samples"].to_numpy()
        cost_to_hit = hits * samples  # gradient evaluations at the hit (NaN for failures)
        total_cost = group["grad_evaluations"].to_numpy()
        q1, median, q3 = quartiles(hits)
        ci_low, ci_high = ert_confidence_interval(cost_to_hit, total_cost)
        counts = group["status"].value_counts()
        reference = self.reference(key[0])
        return {
            **dict(zip(GROUP, key, strict=True)),
            "runs": len(group),
            "success_rate": float(np.isfinite(hits).mean()),
            "epochs_median": median,
            "epochs_q1": q1,
            "epochs_q3": q3,
            "ert_evaluations": ert(cost_to_hit, total_cost),
            "ert_ci_low": ci_low,
            "ert_ci_high": ci_high,
            "final_error_median": float(np.median(group["final_error"])),
            "reference_minimum": reference.value,
            "reference_kind": reference.kind,
            **{status: int(counts.get(status, 0)) for status in STATUSES},
            "grad_evaluations": int(total_cost.sum()),
        }


def _chosen(kind: str, available: list[str], picks, matches, unambiguous: bool = False) -> set[str]:
    """The names among ``available`` that some pick matches (all of them for None), or a one-line ValueError;
    ``unambiguous``: a pick that is no name itself must match one name only."""
    if picks is None:
        return set(available)
    chosen = set()
    for pick in picks:
        found = {name for name in available if matches(name, pick)}
        if not found:
            raise ValueError(f"these results have no {kind} {pick!r}; they have: {', '.join(available)}")
        if unambiguous and len(found) > 1 and pick not in found:
            raise ValueError(f"{kind} {pick!r} is ambiguous here: say which of {', '.join(sorted(found))}")
        chosen |= found
    return chosen


def _rank_sum_tests(hits: dict, pairs: list) -> tuple[np.ndarray, np.ndarray]:
    """(U of a, p) of every pair (a, b) of ``hits``, one vectorized test per pair of run counts."""
    u, p = np.empty(len(pairs)), np.empty(len(pairs))
    by_counts = {}
    for index, (a, b) in enumerate(pairs):
        by_counts.setdefault((hits[a].size, hits[b].size), []).append(index)
    for indices in by_counts.values():
        a_rows = np.stack([hits[pairs[i][0]] for i in indices])
        b_rows = np.stack([hits[pairs[i][1]] for i in indices])
        u[indices], p[indices] = mann_whitney_batch(a_rows, b_rows)
    return u, p

"""The figures of a held-out experiment: tuning curves and learning curves (`experiments.analysis.held_out_tables`)."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullFormatter

from experiments.analysis.held_out_tables import ERROR_RATE, TEST, VALIDATION, chosen_trials, early_stopping
from experiments.plots.style import label_small_multiples, optimizer_style, small_multiples

PART_NAMES = {VALIDATION: "validation", TEST: "test"}


def tuning_curves(summary, ks: list[int]):
    """The expected best validation accuracy after k trials, per optimizer, with its 95 % bootstrap band: one
    panel per task and schedule, k on a log axis (from `experiments.analysis.held_out_tables.summary`'s table).  A curve
    flat from k = 1 belongs to an optimizer that needs no tuning within its space; one that climbs late needs
    many trials."""
    problems = list(summary.groupby(["task", "schedule"], sort=False))
    figure, axes = small_multiples(len(problems), width=5.0, height=3.8, columns=3)
    for ax, ((task, schedule), rows) in zip(axes.flat, problems, strict=False):
        if len(ks) == 1 or not np.isfinite(rows[f"best_of_{ks[0]}"]).any():
            reason = "one trial per study" if len(ks) == 1 else "no validation part"
            ax.text(0.5, 0.5, f"nothing tuned:\n{reason}", ha="center", va="center", transform=ax.transAxes)
            ax.set(title=f"{task}, {schedule}", xticks=[], yticks=[])
            continue
        for _, row in rows.iterrows():
            curve = np.array([row[f"best_of_{k}"] for k in ks])
            low, high = (np.array([row[f"best_of_{k}_{end}"] for k in ks]) for end in ("low", "high"))
            style = optimizer_style(row["optimizer"])
            ax.plot(ks, curve, label=row["optimizer"], **style)
            ax.fill_between(ks, low, high, color=style["color"], alpha=0.12, linewidth=0)
        ax.set(xscale="log", title=f"{task}, {schedule}")
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.xaxis.set_minor_formatter(NullFormatter())  # under a decade of k, log minor ticks got labels (3×10⁰)
        ax.grid(True, alpha=0.3)
    label_small_multiples(axes, len(problems), "tuning trials k", "expected best validation accuracy")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside right upper", fontsize="small")
    return figure


def learning_curves(spec, history: np.ndarray):
    """The validation error rate of each optimizer's chosen trials (median over the studies) along the epochs, on
    a log axis, with a dot at the median early-stopping epoch: one panel per task and schedule.  A task without a
    validation part (a published split that trains on all of it) draws its test part's."""
    epochs = spec.evaluation_epochs()
    evaluation, measures = early_stopping(history, spec.result_at)
    trial = chosen_trials(measures)  # (tasks, schedules, optimizers, studies)
    problems = [(t, s) for t in range(len(spec.tasks)) for s in range(len(spec.schedules))]
    figure, axes = small_multiples(len(problems), width=5.0, height=3.8, columns=3)
    studies = np.arange(len(spec.seeds))
    drawn = set()
    for ax, (t, s) in zip(axes.flat, problems, strict=False):
        part = VALIDATION if len(spec.tasks[t].parts_of(spec.seeds[0])[VALIDATION].labels) else TEST
        drawn.add(PART_NAMES[part])
        for o, space in enumerate(spec.optimizers):
            chosen = history[t, s, o, studies, trial[t, s, o]]  # (studies, evaluations, part, metric)
            curve = np.median(chosen[..., part, ERROR_RATE], axis=0)
            stop = np.median(epochs[evaluation[t, s, o, studies, trial[t, s, o]]])
            style = optimizer_style(space.name)
            ax.plot(epochs, np.maximum(curve, 1e-3), label=space.label, **style)
            ax.plot([stop], [max(np.interp(stop, epochs, curve), 1e-3)], "o", color=style["color"], markersize=4)
        ax.set(yscale="log", title=f"{spec.tasks[t].name}, {spec.schedules[s].label}")
        ax.grid(True, which="both", alpha=0.3)
    label_small_multiples(
        axes, len(problems), "epochs", f"{' or '.join(sorted(drawn))} error rate (chosen trials, median)"
    )
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside right upper", fontsize="small")
    return figure

"""The tuning curve of a held-out experiment: the expected best validation accuracy after k trials, per optimizer.

One panel per task and schedule, one line per optimizer with its 95 % bootstrap
band (`experiments.analysis.expected_max`); the x axis is the tuning budget k
on a log scale.  A curve that is flat from k = 1 belongs to an optimizer that
needs no tuning within its declared space; one that climbs late needs many trials.
"""

from __future__ import annotations

import numpy as np

from experiments.plots.style import label_small_multiples, optimizer_style, small_multiples


def draw(summary, ks: list[int]):
    """The figure, from `experiments.analysis.held_out.summary`'s table."""
    problems = list(summary.groupby(["task", "schedule"], sort=False))
    figure, axes = small_multiples(len(problems), width=5.0, height=3.8, columns=3)
    for ax, ((task, schedule), rows) in zip(axes.flat, problems, strict=False):
        for _, row in rows.iterrows():
            curve = np.array([row[f"best_of_{k}"] for k in ks])
            low, high = (np.array([row[f"best_of_{k}_{end}"] for k in ks]) for end in ("low", "high"))
            style = optimizer_style(row["optimizer"])
            ax.plot(ks, curve, label=row["optimizer"], **style)
            ax.fill_between(ks, low, high, color=style["color"], alpha=0.12, linewidth=0)
        ax.set(xscale="log", title=f"{task}, {schedule}")
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.grid(True, alpha=0.3)
    label_small_multiples(axes, len(problems), "tuning trials k", "expected best validation accuracy")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside right upper", fontsize="small")
    return figure

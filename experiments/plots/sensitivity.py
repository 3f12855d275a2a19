"""Sensitivity: how epochs to target and success depend on an optimizer's step-size hyperparameter."""

from __future__ import annotations

import numpy as np

from experiments.analysis.metrics import quartiles
from experiments.plots.style import (
    FigureNotApplicable,
    figure_legend,
    label_small_multiples,
    optimizer_style,
    small_multiples,
    wrapped,
)


def sweeps(spec) -> dict[str, tuple[str, list]]:
    """The spec's sweeps (`experiments.definition.tuning`) with ≥ 3 values: group → (swept key, settings by value)."""
    found: dict[str, list] = {}
    for setting in spec.optimizers:
        if setting.swept is not None:
            found.setdefault(setting.group, []).append(setting)
    return {
        group: (settings[0].swept, sorted(settings, key=lambda s: s.swept_value))
        for group, settings in found.items()
        if len(settings) >= 3
    }


def sensitivity(results, columns: int = 4):
    """One panel per swept optimizer: median epochs to success (IQR bars) and the success rate.

    x is the swept step-size hyperparameter; one line per task × schedule
    (solid, dashed, …); the right axis (grey) is the success rate.  A flat,
    low epoch curve with success near 1 across the sweep needs no tuning.
    """
    spec = results.spec
    swept = sweeps(spec)
    if not swept:
        raise FigureNotApplicable(
            "these results hold no hyperparameter sweep of 3 values or more (sweep = { ... } in the spec); "
            "run the built-in experiment: optarena run sensitivity"
        )
    combos = [(t, s) for t in spec.tasks for s in spec.schedules]
    figure, axes = small_multiples(len(swept), width=3.6, height=2.9, columns=columns, sharey=True)
    for ax, (group, (key, settings)) in zip(axes.flat, swept.items(), strict=False):
        success_axis = ax.twinx()
        colour = optimizer_style(settings[0].name)["color"]
        for index, (task, schedule) in enumerate(combos):
            values, medians, lows, highs, rates = [], [], [], [], []
            for setting in settings:
                populations = results.populations(task, schedule, setting)
                if not populations:
                    continue
                hits = np.concatenate([population.success_epochs(spec.targets) for population in populations])
                q1, median, q3 = quartiles(hits)
                values.append(setting.swept_value)
                medians.append(median), lows.append(median - q1), highs.append(q3 - median)
                rates.append(np.isfinite(hits).mean())
            style = ("-", "--", ":", "-.")[index % 4]
            ax.errorbar(
                values,
                medians,
                yerr=[lows, highs],
                color=colour,
                linestyle=style,
                marker="o",
                markersize=3,
                capsize=2,
                label=f"{task.name} · {schedule.label}",
            )
            success_axis.plot(values, rates, color="grey", linestyle=style, linewidth=1)
        success_axis.set(ylim=(-0.03, 1.03))
        success_axis.tick_params(axis="y", colors="grey", labelsize="small")
        ax.set(xscale="log", yscale="log", xlabel=key)
        ax.set_title(wrapped(group, 34), fontsize="small")
        ax.grid(True, alpha=0.3)
    label_small_multiples(axes, len(swept), None, "epochs to target")
    figure_legend(figure, axes)
    figure.suptitle(
        f"Sensitivity to the step size: median epochs to {spec.targets.short_success} with IQR (colour, left) "
        "and success rate (grey, right)"
    )
    return figure

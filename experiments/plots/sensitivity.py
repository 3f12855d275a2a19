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
)


def sweeps(spec) -> dict[str, tuple[str, list]]:
    """Optimizers with ≥ 3 settings that differ in exactly one numeric hyperparameter: name → (key, settings).

    The settings come sorted by that hyperparameter's value.
    """
    found = {}
    for name in dict.fromkeys(s.name for s in spec.optimizers):
        settings = [s for s in spec.optimizers if s.name == name]
        keys = {key for s in settings for key in s.hyperparameters}
        varying = [k for k in keys if len({repr(s.hyperparameters.get(k)) for s in settings}) > 1]
        if len(settings) >= 3 and len(varying) == 1 and all(varying[0] in s.hyperparameters for s in settings):
            key = varying[0]
            found[name] = (key, sorted(settings, key=lambda s, key=key: s.hyperparameters[key]))
    return found


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
            "these results hold no hyperparameter sweep (>= 3 settings of one optimizer differing in one "
            "hyperparameter); run the built-in experiment: optarena run sensitivity"
        )
    combos = [(t, s) for t in spec.tasks for s in spec.schedules]
    figure, axes = small_multiples(len(swept), width=3.6, height=2.9, columns=columns, sharey=True)
    for ax, (name, (key, settings)) in zip(axes.flat, swept.items(), strict=False):
        success_axis = ax.twinx()
        colour = optimizer_style(name)["color"]
        for index, (task, schedule) in enumerate(combos):
            values, medians, lows, highs, rates = [], [], [], [], []
            for setting in settings:
                populations = results.populations(task, schedule, setting)
                if not populations:
                    continue
                hits = np.concatenate([population.success_epochs(spec.targets) for population in populations])
                q1, median, q3 = quartiles(hits)
                values.append(setting.hyperparameters[key])
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
        ax.set(xscale="log", yscale="log", title=name, xlabel=key)
        ax.grid(True, alpha=0.3)
    label_small_multiples(axes, len(swept), None, "epochs to target")
    figure_legend(figure, axes.flat[0])
    figure.suptitle(
        f"Sensitivity to the step size: median epochs to {spec.targets.short_success} with IQR (colour, left) "
        "and success rate (grey, right)"
    )
    return figure

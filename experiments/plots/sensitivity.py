"""Sensitivity: how epochs to target and success depend on an optimizer's step-size hyperparameter."""

from __future__ import annotations

import numpy as np

from experiments.metrics import quartiles
from experiments.plots.style import new_figure, optimizer_style


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


def sensitivity(results):
    """Top row: median epochs to the headline target with IQR bars; bottom row: success rate; x: the swept step size."""
    spec = results.spec
    swept = sweeps(spec)
    if not swept:
        raise ValueError(
            "these results hold no hyperparameter sweep (>= 3 settings of one optimizer differing in one "
            "hyperparameter); run the built-in experiment: optarena run sensitivity"
        )
    headline = spec.targets.headline_index
    panels = [(t, s) for t in spec.tasks for s in spec.schedules]
    figure, axes = new_figure(2, len(panels), width=4.4, height=3.2, sharex="col")
    for column, (task, schedule) in enumerate(panels):
        top, bottom = axes[0, column], axes[1, column]
        for name, (key, settings) in swept.items():
            values, medians, lows, highs, rates = [], [], [], [], []
            for setting in settings:
                hits = np.concatenate(
                    [
                        r.population.hit_epochs[:, headline]
                        for r in results.units
                        if r.unit.task is task and r.unit.schedule == schedule and r.unit.setting == setting
                    ]
                )
                q1, median, q3 = quartiles(hits)
                values.append(setting.hyperparameters[key])
                medians.append(median), lows.append(median - q1), highs.append(q3 - median)
                rates.append(np.isfinite(hits).mean())
            style = optimizer_style(name)
            top.errorbar(values, medians, yerr=[lows, highs], marker="o", capsize=3, label=f"{name} ({key})", **style)
            bottom.plot(values, rates, marker="o", **style)
        top.set(
            xscale="log", yscale="log", ylabel="epochs to target (median, IQR)", title=f"{task.name} · {schedule.label}"
        )
        bottom.set(
            xscale="log", ylim=(-0.03, 1.03), xlabel="step size: η (gd), Δ0 (Rprop), Δ (sign)", ylabel="success rate"
        )
        top.grid(True, alpha=0.3), bottom.grid(True, alpha=0.3)
    axes[0, 0].legend(fontsize="small")
    figure.suptitle(f"Sensitivity to the step size (target E ≤ {spec.targets.headline:g}): flat and high is robust")
    return figure

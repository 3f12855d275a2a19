"""Convergence curves: E against epoch, median and inter-quartile band per optimizer, with sample runs."""

from __future__ import annotations

import numpy as np

from experiments.analysis.curves import error_quartiles, filled_histories
from experiments.plots.style import figure_legend, panels_by_family, setting_style


def convergence_curves(results, sample_runs: int = 8):
    """One panel per task × schedule (per family, when crowded: `panels_by_family`); per optimizer setting the
    median E, its IQR band and a few single runs (none in the panel of each family's best)."""
    spec = results.spec

    def draw(ax, task, schedule, settings, title, summary):
        _draw(ax, results, task, schedule, settings, 0 if summary else sample_runs, title)

    figure, axes = panels_by_family(results, draw)
    figure_legend(figure, axes)
    dotted = " (dotted: target)" if spec.targets.criterion == "error" else ""
    figure.suptitle(f"Convergence: median E with inter-quartile band, thin lines are single runs{dotted}")
    return figure


def _draw(ax, results, task, schedule, settings, sample_runs: int, title: str) -> None:
    spec = results.spec
    for setting in settings:
        populations = results.populations(task, schedule, setting)
        epochs, errors = filled_histories(populations)
        style = setting_style(setting, spec.optimizers)
        x = np.maximum(epochs, 0.5)  # epoch 0 on a log axis
        q1, median, q3 = error_quartiles(errors)
        ax.plot(x, median, label=setting.label, linewidth=2, **style)
        ax.fill_between(x, np.minimum(q1, 1e3), np.minimum(q3, 1e3), color=style["color"], alpha=0.15)
        for run in np.linspace(0, len(errors) - 1, min(sample_runs, len(errors))).astype(int):
            ax.plot(x, errors[run], color=style["color"], linewidth=0.5, alpha=0.35)
    if spec.targets.criterion == "error":
        ax.axhline(spec.targets.headline, color="black", linewidth=0.8, linestyle=":")
    ax.set(xscale="log", yscale="log", xlabel="epoch", ylabel="error E", title=title)
    ax.grid(True, which="major", alpha=0.3)

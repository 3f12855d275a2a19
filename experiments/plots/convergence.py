"""Convergence curves: E against epoch, median and inter-quartile band per optimizer, with sample runs."""

from __future__ import annotations

import numpy as np

from experiments.plots.style import figure_legend, panels_by_family, setting_style


def filled_histories(populations) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, errors) of several populations, each run's error held at its final value after it stopped.

    A run that reached the finest target stops costing work; holding its last
    error is the best-so-far view.  A diverged run counts as +inf from then on.
    """
    epochs = populations[0].history_epochs
    blocks = []
    for population in populations:
        errors = population.history.copy()
        final = np.where(np.isnan(population.diverged_epoch), population.final_error, np.inf)
        after_stop = epochs[None, :] > population.stop_epoch[:, None]
        errors[after_stop] = np.broadcast_to(final[:, None], errors.shape)[after_stop]
        errors[np.isnan(errors)] = np.inf
        blocks.append(errors)
    return epochs, np.concatenate(blocks)


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
        with np.errstate(invalid="ignore"):  # diverged runs count as +inf: inf − inf inside the interpolation
            q1, median, q3 = np.percentile(errors, [25, 50, 75], axis=0)
        ax.plot(x, median, label=setting.label, linewidth=2, **style)
        ax.fill_between(x, np.minimum(q1, 1e3), np.minimum(q3, 1e3), color=style["color"], alpha=0.15)
        for run in np.linspace(0, len(errors) - 1, min(sample_runs, len(errors))).astype(int):
            ax.plot(x, errors[run], color=style["color"], linewidth=0.5, alpha=0.35)
    if spec.targets.criterion == "error":
        ax.axhline(spec.targets.headline, color="black", linewidth=0.8, linestyle=":")
    ax.set(xscale="log", yscale="log", xlabel="epoch", ylabel="error E", title=title)
    ax.grid(True, which="major", alpha=0.3)

"""Convergence curves: E against epoch, median and inter-quartile band per optimizer, with sample runs."""

from __future__ import annotations

import numpy as np

from experiments.plots.style import families_of, family_of, figure_legend, new_figure, setting_style


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


CROWDED = 8  # more optimizer settings than this: one column of panels per family, and one of each family's best


def convergence_curves(results, sample_runs: int = 8):
    """One panel per task × schedule; per optimizer setting the median E, its IQR band and a few runs.

    With more than CROWDED settings, each task × schedule gets a row of
    panels: one per optimizer family, and a last one with each family's best
    setting (lowest ERT) side by side.
    """
    spec = results.spec
    panels = [(task, schedule) for task in spec.tasks for schedule in spec.schedules]
    if len(spec.optimizers) <= CROWDED:
        figure, axes = new_figure(len(spec.tasks), len(spec.schedules))
        for (task, schedule), ax in zip(panels, axes.flat, strict=True):
            _draw(ax, results, task, schedule, spec.optimizers, sample_runs, f"{task.name} · {schedule.label}")
    else:
        families = families_of(spec.optimizers)
        best = best_of_families(results)
        figure, axes = new_figure(len(panels), len(families) + 1, width=3.6, height=2.9, sharey="row")
        for row, (task, schedule) in enumerate(panels):
            for column, (family, members) in enumerate(families.items()):
                _draw(axes[row, column], results, task, schedule, members, sample_runs,
                      f"{task.name} · {schedule.label}\n{family}")  # fmt: skip
            chosen = [s for s in spec.optimizers if s.label in best.get((task.name, schedule.label), ())]
            _draw(axes[row, -1], results, task, schedule, chosen, 0, f"{task.name} · {schedule.label}\nbest of each")
    figure_legend(figure, axes)
    dotted = " (dotted: target)" if spec.targets.criterion == "error" else ""
    figure.suptitle(f"Convergence: median E with inter-quartile band, thin lines are single runs{dotted}")
    return figure


def best_of_families(results) -> dict[tuple[str, str], list[str]]:
    """Per (task, schedule): the label of each family's setting with the lowest ERT (ties: higher success)."""
    table, family = results.table(), {s.label: family_of(s.name) for s in results.spec.optimizers}
    best = {}
    for (task, schedule), rows in table.groupby(["task", "schedule"], sort=False):
        rows = rows.assign(family=rows["optimizer"].map(family))
        ranked = rows.sort_values(["ert_evaluations", "success_rate"], ascending=[True, False], kind="stable")
        best[(task, schedule)] = ranked.groupby("family", sort=False)["optimizer"].first().tolist()
    return best


def _draw(ax, results, task, schedule, settings, sample_runs: int, title: str) -> None:
    spec = results.spec
    drawn = [s for s in settings if results.populations(task, schedule, s)]  # scipy's methods: full batch only
    if not drawn:
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.5, 0.5, "no runs in this schedule", ha="center", va="center", transform=ax.transAxes)
        return
    for setting in drawn:
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

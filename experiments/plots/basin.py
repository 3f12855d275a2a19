"""Basin map: which initial points reach the target, how fast, and how the others fail."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D

from experiments.analysis.tuning import representative_settings
from experiments.plots.landscape import shared_start
from experiments.plots.style import (
    STATUS_COLOURS,
    label_small_multiples,
    small_multiples,
    trainable,
    weight_names,
    wrapped,
)

MAX_PANELS = 20  # a basin map draws at most this many settings (each sweep by its best value)


def basin_map(results, task_name: str | None = None, schedule_label: str | None = None, max_panels: int = MAX_PANELS):
    """One panel per optimizer setting: each initial point coloured by epochs to success.

    Grid starts are drawn as cells, random or listed starts as dots; failures
    take their status colour (minimum, flat-spot, diverged, budget).  A
    network with more than two weights gets `parameter_basin_map` instead.
    """
    spec = results.spec
    task = next((t for t in spec.tasks if t.name == task_name), spec.tasks[0])
    if task.network.size != 2:
        return parameter_basin_map(results, task.name, schedule_label, max_panels=max_panels)
    schedule = next((s for s in spec.schedules if s.label == schedule_label), spec.schedules[0])
    settings, left_out = basin_settings(results, task, schedule, max_panels)
    chosen = {setting.label: results.populations(task, schedule, setting) for setting in settings}
    norm = _norm(np.concatenate([p.success_epochs(spec.targets) for pops in chosen.values() for p in pops]))
    figure, axes = small_multiples(len(settings), width=3.9, height=3.5, sharex=True, sharey=True)
    coloured = None
    for ax, setting in zip(axes.flat, settings, strict=False):
        population = chosen[setting.label][0]  # the first seed: one map per panel
        starts, hits, status = population.initial_weights, population.success_epochs(spec.targets), population.status
        if spec.initial_points.kind == "grid":
            axis = np.linspace(spec.initial_points.low, spec.initial_points.high, spec.initial_points.count)
            coloured = _cells(ax, axis, axis, hits, status, norm)
        else:
            success = np.isfinite(hits)
            coloured = ax.scatter(*starts[success].T, c=np.maximum(hits[success], 1), norm=norm, cmap="viridis", s=9)
            for name, colour in STATUS_COLOURS.items():
                failed = status == name
                ax.scatter(*starts[failed].T, color=colour, marker="x" if name == "diverged" else "s", s=9)
        ax.set_title(_panel_title(setting, np.isfinite(hits).mean()), fontsize="small")
        ax.set_aspect("equal", adjustable="box")
    first, second = weight_names(task)
    label_small_multiples(axes, len(settings), f"initial {first}", f"initial {second}")
    if coloured is not None:
        figure.colorbar(coloured, ax=axes, label="epochs to target (log scale)", shrink=0.8)
    _status_legend(figure)
    figure.suptitle(
        wrapped(
            f"Basin map: {task.name} · {schedule.label}, seed {spec.seeds[0]}; the share of starts that reach "
            f"{spec.targets.short_success} above each panel{_left_out_note(left_out, max_panels)}",
            45 * min(4, len(settings)) + 20,
        )
    )
    return figure


def parameter_basin_map(results, task_name=None, schedule_label=None, parameters=None, resolution: int = 21,
                        max_panels: int = MAX_PANELS):  # fmt: skip
    """Basin map of a network with more than two parameters: two of them varied, the others held fixed.

    The two parameters are ``parameters`` (indices), by default the two whose
    final values spread the most across the experiment's runs; they vary over
    the range of the experiment's starts, on a ``resolution``² grid, and every
    other parameter stays at the experiment's first start.  Each grid point is
    trained afresh with the spec's schedule, budget and targets, one population
    per optimizer setting (the scipy methods, one network at a time, are left out).
    """
    spec = results.spec
    task = next((t for t in spec.tasks if t.name == task_name), spec.tasks[0])
    schedule = next((s for s in spec.schedules if s.label == schedule_label), spec.schedules[0])
    settings, left_out = basin_settings(results, task, schedule, max_panels)
    populations = [p for s in settings for p in results.populations(task, schedule, s)]
    first, second = widest_parameters(populations) if parameters is None else parameters
    starts = np.concatenate([p.initial_weights for p in populations])
    axes_values = [np.linspace(starts[:, k].min(), starts[:, k].max(), resolution) for k in (first, second)]
    grid = np.repeat(shared_start(results, task)[None], resolution**2, axis=0)
    grid[:, first], grid[:, second] = (values.ravel() for values in np.meshgrid(*axes_values, indexing="ij"))
    minimum = results.reference(task.name).value
    replay = results.replayed()
    trained = {setting.label: replay.population(spec, setting, task, grid, schedule, minimum) for setting in settings}
    hits = np.concatenate([p.success_epochs(spec.targets) for p in trained.values()])
    norm = _norm(hits)
    figure, axes = small_multiples(len(settings), width=3.9, height=3.5, sharex=True, sharey=True)
    coloured = None
    for ax, setting in zip(axes.flat, settings, strict=False):
        population = trained[setting.label]
        success = population.success_epochs(spec.targets)
        coloured = _cells(ax, *axes_values, success, population.status, norm)
        ax.set_title(_panel_title(setting, np.isfinite(success).mean()), fontsize="small")
    names = weight_names(task)
    label_small_multiples(axes, len(settings), f"initial {names[first]}", f"initial {names[second]}")
    if coloured is not None:
        figure.colorbar(coloured, ax=axes, label="epochs to target (log scale)", shrink=0.8)
    _status_legend(figure)
    figure.suptitle(
        wrapped(
            f"Basin map: {task.name} · {schedule.label}, {names[first]} and {names[second]} varied (the widest "
            f"spread of the final solutions), the other {task.network.size - 2} parameters held at the first start; "
            f"the share of starts that reach {spec.targets.short_success} above each panel"
            f"{_left_out_note(left_out, max_panels)}",
            45 * min(4, len(settings)) + 20,
        )
    )
    return figure


def basin_settings(results, task, schedule, max_panels: int = MAX_PANELS) -> tuple[list, list]:
    """(the settings a basin map of ``task`` draws, those it leaves out): each sweep by its best value
    (`representative_settings`), only settings trained on this schedule (and, for a network larger than two
    weights, that can be retrained here, scipy's aside), at most ``max_panels``."""
    candidates = representative_settings(results, task.name, schedule.label)
    if task.network.size != 2:
        candidates = [s for s in trainable(candidates) if not s.is_scipy]
    candidates = [s for s in candidates if results.populations(task, schedule, s)]
    return candidates[:max_panels], candidates[max_panels:]


def _panel_title(setting, rate: float) -> str:
    return wrapped(f"{setting.label}: {rate:.0%}", 34)


def _left_out_note(left_out: list, max_panels: int) -> str:
    if not left_out:
        return ""
    return f"; {len(left_out)} more settings not drawn (at most {max_panels} panels; the caption names them)"


def widest_parameters(populations) -> tuple[int, int]:
    """The two parameters whose final values spread the most (standard deviation over the finite runs).

    >>> from types import SimpleNamespace
    >>> widest_parameters([SimpleNamespace(final_weights=np.array([[0.0, 5, 1], [0, -5, 3]]))])
    (1, 2)
    """
    finals = np.concatenate([p.final_weights for p in populations])
    finals = finals[np.isfinite(finals).all(axis=1)]
    spread = finals.std(axis=0) if len(finals) else np.zeros(populations[0].final_weights.shape[1])
    first, second = np.argsort(-spread, kind="stable")[:2]
    return int(first), int(second)


def _norm(hits: np.ndarray) -> LogNorm:
    """A log colour scale over the finite epochs to success, at least 1 to 10."""
    finite = hits[np.isfinite(hits)]
    low, high = (finite.min(), finite.max()) if finite.size else (1.0, 10.0)
    return LogNorm(vmin=max(1.0, low), vmax=max(10.0, high))


def _cells(ax, x_values, y_values, hits, status, norm):
    """Grid cells coloured by epochs to success, failures in their status colour; returns the coloured mesh."""
    shape = (len(x_values), len(y_values))
    cells = np.where(np.isfinite(hits), np.maximum(hits, 1), np.nan).reshape(shape).T
    coloured = ax.pcolormesh(x_values, y_values, cells, norm=norm, cmap="viridis", shading="nearest")
    for name, colour in STATUS_COLOURS.items():
        mask = (status == name).reshape(shape).T
        ax.pcolormesh(x_values, y_values, np.where(mask, 1.0, np.nan), cmap=_flat(colour), shading="nearest")
    return coloured


def _status_legend(figure) -> None:
    handles = [Line2D([], [], marker="s", linestyle="", color=c, label=n) for n, c in STATUS_COLOURS.items()]
    figure.legend(handles=handles, loc="outside lower center", ncols=3, title="failed runs")


def _flat(colour: str):
    from matplotlib.colors import ListedColormap

    return ListedColormap([colour])

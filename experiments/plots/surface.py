"""The whole error surface E(w_h, w_o) of a task, with each optimizer's path over it."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import LogLocator

import network
from experiments.plots.style import (
    label_small_multiples,
    require_two_weights,
    setting_style,
    small_multiples,
    trainable,
    weight_names,
)

FLOOR = 1e-10  # errors below this share the darkest colour


def surface_grid(task: network.Task, extent: tuple[float, float, float, float], resolution: int = 241):
    """(first weights, second weights, E) on a regular grid; E[i, j] is the error at (first[j], second[i]).

    For a network with two weights: the article's (w_h, w_o), or any other.

    >>> w_h, w_o, E = surface_grid(network.get_task("single-sample"), (-1, 1, -2, 2), resolution=3)
    >>> float(E[1, 1]) == float(network.error([0.0, 0.0], [1.0], [0.9]))
    True
    """
    require_two_weights(task, "error surface")
    first = np.linspace(extent[0], extent[1], resolution)
    second = np.linspace(extent[2], extent[3], resolution)
    grid = np.stack(np.meshgrid(first, second, indexing="xy"), axis=-1)
    return first, second, task.error(grid)


def default_starts(spec) -> np.ndarray:
    """Three instructive starts inside the spec's box (or its listed points)."""
    points = spec.initial_points
    if points.kind == "list":
        return np.array(points.listed[:3])
    low, high = points.low, points.high
    centre, half = (low + high) / 2, (high - low) / 2
    return centre + half * np.array([[-0.6, -0.5], [0.7, -0.6], [-0.4, 0.7]])


def error_surface(results, task_name: str | None = None, starts=None, max_panels: int = 20):
    """Filled log-scaled contours of E for one task, one panel per optimizer setting, paths from the same starts.

    Needs a network with two weights.
    """
    spec = results.spec
    task = next((t for t in spec.tasks if t.name == task_name), spec.tasks[0]) if task_name else spec.tasks[0]
    require_two_weights(task, "error surface")
    starts = default_starts(spec) if starts is None else np.asarray(starts, dtype=float)
    schedule = spec.schedules[0]
    settings = trainable(spec.optimizers)[:max_panels]
    minimum = results.reference(task.name).value
    replay = results.replayed()
    paths = {setting.label: [weights for weights, _ in replay.paths(spec, setting, task, starts, minimum)]
             for setting in settings}  # fmt: skip
    extent = _extent(spec, starts, paths)
    w_h, w_o, errors = surface_grid(task, extent)
    lowest = max(errors.min(), FLOOR)
    levels = np.logspace(np.log10(lowest), np.log10(max(errors.max(), lowest * 10)), 24)
    figure, axes = small_multiples(len(settings), width=4.0, height=3.6, sharex=True, sharey=True)
    for ax, setting in zip(axes.flat, settings, strict=False):
        filled = ax.contourf(w_h, w_o, np.maximum(errors, FLOOR), levels=levels, norm=LogNorm(), cmap="bone")
        style = setting_style(setting, spec.optimizers)
        for path in paths[setting.label]:
            ax.plot(path[:, 0], path[:, 1], color="white", linewidth=2.6, alpha=0.8)
            ax.plot(path[:, 0], path[:, 1], color=style["color"], linewidth=1.4)
            ax.plot(*path[0], "o", color="white", markeredgecolor="black", markersize=6)
            ax.plot(*path[-1], "*", color=style["color"], markeredgecolor="white", markersize=12)
        ax.set(title=setting.label, xlim=extent[:2], ylim=extent[2:])
    label_small_multiples(axes, len(settings), *weight_names(task))
    figure.colorbar(filled, ax=axes, label="error E (log scale)", shrink=0.8, ticks=LogLocator())
    figure.suptitle(f"Error surface of {task.name} ({schedule.label} paths; o start, * end)")
    return figure


def _extent(spec, starts, paths) -> tuple[float, float, float, float]:
    """The spec's box, widened to hold the paths, but by at most half its size on each side."""
    points = np.concatenate([starts, *[p for path_list in paths.values() for p in path_list]])
    points = points[np.isfinite(points).all(axis=1)]
    low, high = starts.min(axis=0), starts.max(axis=0)
    if spec.initial_points.kind != "list":
        low, high = np.full(2, spec.initial_points.low), np.full(2, spec.initial_points.high)
    span = high - low
    limit_low, limit_high = low - span / 2, high + span / 2
    low = np.maximum(np.minimum(low, points.min(axis=0)), limit_low)
    high = np.minimum(np.maximum(high, points.max(axis=0)), limit_high)
    margin = 0.05 * (high - low) + 1e-9
    return (low[0] - margin[0], high[0] + margin[0], low[1] - margin[1], high[1] + margin[1])

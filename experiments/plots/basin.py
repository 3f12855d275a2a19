"""Basin map: which initial points reach the target, how fast, and how the others fail."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D

from experiments.plots.style import (
    STATUS_COLOURS,
    label_small_multiples,
    require_two_weights,
    small_multiples,
    weight_names,
)


def basin_map(results, task_name: str | None = None, schedule_label: str | None = None, max_panels: int = 20):
    """One panel per optimizer setting: each initial point coloured by epochs to success.

    Grid starts are drawn as cells, random or listed starts as dots; failures
    take their status colour (minimum, flat-spot, diverged, budget).  Needs a network
    with two weights.
    """
    spec = results.spec
    task = next((t for t in spec.tasks if t.name == task_name), spec.tasks[0])
    require_two_weights(task, "basin map")
    schedule = next((s for s in spec.schedules if s.label == schedule_label), spec.schedules[0])
    settings = spec.optimizers[:max_panels]
    settings = [s for s in settings if results.populations(task, schedule, s)]
    chosen = {setting.label: results.populations(task, schedule, setting) for setting in settings}
    all_hits = np.concatenate([p.success_epochs(spec.targets) for pops in chosen.values() for p in pops])
    finite = all_hits[np.isfinite(all_hits)]
    norm = LogNorm(
        vmin=max(1.0, finite.min() if finite.size else 1.0), vmax=max(10.0, finite.max() if finite.size else 10)
    )
    figure, axes = small_multiples(len(settings), width=3.9, height=3.5, sharex=True, sharey=True)
    coloured = None
    for ax, setting in zip(axes.flat, settings, strict=False):
        population = chosen[setting.label][0]  # the first seed: one map per panel
        starts, hits, status = population.initial_weights, population.success_epochs(spec.targets), population.status
        if spec.initial_points.kind == "grid":
            size = spec.initial_points.count
            axis = np.linspace(spec.initial_points.low, spec.initial_points.high, size)
            cells = np.where(np.isfinite(hits), np.maximum(hits, 1), np.nan).reshape(size, size).T
            coloured = ax.pcolormesh(axis, axis, cells, norm=norm, cmap="viridis", shading="nearest")
            for name, colour in STATUS_COLOURS.items():
                mask = (status == name).reshape(size, size).T
                ax.pcolormesh(axis, axis, np.where(mask, 1.0, np.nan), cmap=_flat(colour), shading="nearest")
        else:
            success = np.isfinite(hits)
            coloured = ax.scatter(*starts[success].T, c=np.maximum(hits[success], 1), norm=norm, cmap="viridis", s=9)
            for name, colour in STATUS_COLOURS.items():
                failed = status == name
                ax.scatter(*starts[failed].T, color=colour, marker="x" if name == "diverged" else "s", s=9)
        rate = np.isfinite(hits).mean()
        ax.set(title=f"{setting.label}: {rate:.0%} reach {spec.targets.short_success}")
        ax.set_aspect("equal", adjustable="box")
    first, second = weight_names(task)
    label_small_multiples(axes, len(settings), f"initial {first}", f"initial {second}")
    if coloured is not None:
        figure.colorbar(coloured, ax=axes, label="epochs to target (log scale)", shrink=0.8)
    handles = [Line2D([], [], marker="s", linestyle="", color=c, label=n) for n, c in STATUS_COLOURS.items()]
    figure.legend(handles=handles, loc="outside lower center", ncols=3, title="failed runs")
    figure.suptitle(f"Basin map: {task.name} · {schedule.label}, seed {spec.seeds[0]}")
    return figure


def _flat(colour: str):
    from matplotlib.colors import ListedColormap

    return ListedColormap([colour])

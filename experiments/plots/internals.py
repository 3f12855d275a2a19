"""Inside an adaptive-step optimizer: its per-weight step sizes Δ and the weights, epoch by epoch."""

from __future__ import annotations

import numpy as np

from experiments.plots.style import FigureNotApplicable, new_figure, setting_style, trainable, weight_names
from experiments.plots.surface import default_starts
from optimizers.layout import with_layout

NAMED_LINES = 4  # a network with more parameters shows each as a thin line, without a legend
LINE_STYLES = ("-", "--", ":", "-.")


def step_size_internals(results, task_name: str | None = None, start=None, max_panels: int = 4):
    """For one run of each optimizer whose state has per-weight ``step_size`` (the Rprop family), over its first
    2000 epochs at most (`Replay.first_epochs`: every epoch is drawn, so a longer budget would only cost time)."""
    spec = results.spec
    task = next((t for t in spec.tasks if t.name == task_name), spec.tasks[0])
    start = _instructive_start(spec, task) if start is None else np.asarray(start, dtype=float)
    probe = np.zeros(task.network.size)
    adaptive = [
        s for s in trainable(spec.optimizers)
        if not s.is_scipy and hasattr(with_layout(s.build_step(), task.network).init(probe), "step_size")
    ]  # fmt: skip
    if not adaptive:
        raise FigureNotApplicable(
            "no optimizer in these results keeps per-weight step sizes (such as the Rprop family)"
        )
    names = weight_names(task)
    named = len(names) <= NAMED_LINES
    figure, axes = new_figure(2, len(adaptive[:max_panels]), width=4.0, height=3.0, sharex="col")
    for column, setting in enumerate(adaptive[:max_panels]):
        path = results.replayed().first_epochs(spec, setting, task, start, results.reference(task.name).value)
        step_sizes = np.array([np.asarray(state.step_size).reshape(-1, len(names))[0] for state in path.states])
        colour = setting_style(setting, spec.optimizers)["color"]
        for index, name in enumerate(names):
            style = _line(index) if named else {"linewidth": 0.6, "alpha": 0.5}
            axes[0, column].plot(path.epochs, step_sizes[:, index], color=colour, label=f"Δ of {name}", **style)
            axes[1, column].plot(path.epochs, path.weights[:, index], color=colour, label=name, **style)
        where = f" from ({start[0]:g}, {start[1]:g})" if len(names) == 2 else ""
        axes[0, column].set(yscale="log", ylabel="step size Δ", title=f"{setting.label}{where}")
        axes[1, column].set(xlabel="epoch", ylabel="weight")
        for ax in axes[:, column]:
            ax.grid(True, alpha=0.3)
            if named:
                ax.legend(fontsize="small")
    every = "" if named else f", each of its {len(names)} parameters a thin line"
    figure.suptitle(f"Step sizes and weights of one run on {task.name} ({spec.schedules[0].label}{every})")
    return figure


def _instructive_start(spec, task) -> np.ndarray:
    """One of `default_starts` for two weights; the spec's first initial point for any other network."""
    if task.network.size == 2:
        return default_starts(spec)[0]
    return spec.initial_points.points(spec.seeds[0], task.network.size)[0]


def _line(index: int) -> dict:
    return {"linestyle": LINE_STYLES[index % len(LINE_STYLES)], "linewidth": 1.4}

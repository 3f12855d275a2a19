"""Inside an adaptive-step optimizer: its per-weight step sizes Δ and the weights, epoch by epoch."""

from __future__ import annotations

import numpy as np

from experiments.plots.style import FigureNotApplicable, new_figure, setting_style
from experiments.plots.surface import default_starts
from experiments.runner import trace


def step_size_internals(results, task_name: str | None = None, start=None, max_panels: int = 4):
    """For one run of each optimizer whose state has per-weight ``step_size`` (the Rprop family)."""
    spec = results.spec
    task = next((t for t in spec.tasks if t.name == task_name), spec.tasks[0])
    start = default_starts(spec)[0] if start is None else np.asarray(start, dtype=float)
    adaptive = [s for s in spec.optimizers if not s.is_scipy and hasattr(s.build().init(np.zeros(2)), "step_size")][
        :max_panels
    ]
    if not adaptive:
        raise FigureNotApplicable(
            "no optimizer in these results keeps per-weight step sizes (such as the Rprop family)"
        )
    figure, axes = new_figure(2, len(adaptive), width=4.0, height=3.0, sharex="col")
    for column, setting in enumerate(adaptive):
        path = trace(setting.build(), task, start, spec.schedules[0], spec.budget, spec.targets, spec.seeds[0])
        step_sizes = np.array([np.asarray(state.step_size).reshape(-1, 2)[0] for state in path.states])
        colour = setting_style(setting, spec.optimizers)["color"]
        epochs = path.epochs
        for index, (weight, style) in enumerate((("w_h", "-"), ("w_o", "--"))):
            axes[0, column].plot(epochs, step_sizes[:, index], style, color=colour, label=f"Δ of {weight}")
            axes[1, column].plot(epochs, path.weights[:, index], style, color=colour, label=weight)
        axes[0, column].set(
            yscale="log", ylabel="step size Δ", title=f"{setting.label} from ({start[0]:g}, {start[1]:g})"
        )
        axes[1, column].set(xlabel="epoch", ylabel="weight")
        for ax in axes[:, column]:
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize="small")
    figure.suptitle(f"Step sizes and weights of one run on {task.name} ({spec.schedules[0].label})")
    return figure

"""Learning curves of a held-out experiment: each optimizer's chosen trials, validation error against epochs.

One panel per task and schedule, one line per optimizer: at every evaluation,
the median over the studies of the validation error rate of the trial each
study chose (`experiments.analysis.held_out`), on a log axis, with a dot at the
median early-stopping epoch.  Where the lines part is where the optimizers differ in speed.
"""

from __future__ import annotations

import numpy as np

from experiments.analysis.held_out import ERROR_RATE, VALIDATION, chosen_trials, early_stopping
from experiments.plots.style import label_small_multiples, optimizer_style, small_multiples


def draw(spec, history: np.ndarray):
    epochs = spec.evaluation_epochs()
    evaluation, measures = early_stopping(history)
    trial = chosen_trials(measures)  # (tasks, schedules, optimizers, studies)
    problems = [(t, s) for t in range(len(spec.tasks)) for s in range(len(spec.schedules))]
    figure, axes = small_multiples(len(problems), width=5.0, height=3.8, columns=3)
    studies = np.arange(len(spec.seeds))
    for ax, (t, s) in zip(axes.flat, problems, strict=False):
        for o, space in enumerate(spec.optimizers):
            chosen = history[t, s, o, studies, trial[t, s, o]]  # (studies, evaluations, part, metric)
            curve = np.median(chosen[..., VALIDATION, ERROR_RATE], axis=0)
            stop = np.median(epochs[evaluation[t, s, o, studies, trial[t, s, o]]])
            style = optimizer_style(space.name)
            ax.plot(epochs, np.maximum(curve, 1e-3), label=space.name, **style)
            ax.plot([stop], [max(np.interp(stop, epochs, curve), 1e-3)], "o", color=style["color"], markersize=4)
        ax.set(yscale="log", title=f"{spec.tasks[t].name}, {spec.schedules[s].label}")
        ax.grid(True, which="both", alpha=0.3)
    label_small_multiples(axes, len(problems), "epochs", "validation error rate (chosen trials, median)")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside right upper", fontsize="small")
    return figure

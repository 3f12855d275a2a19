"""Success fractions: per task, how many of the starts each optimizer setting brought to success, per schedule."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Patch

from experiments.analysis.metrics import wilson_interval
from experiments.analysis.tuning import representative_settings
from experiments.plots.style import setting_style, small_multiples, wrapped

HATCHES = ("", "//", "..", "xx", "\\\\")


def success_bars(results, columns: int = 3):
    """One panel per task, a horizontal bar per optimizer setting and schedule (hatched by schedule), with its
    Wilson 95 % interval.

    A sweep is drawn by its best value on the task (`representative_settings`):
    the sensitivity figure shows every value.  Labels are wrapped beside their
    bars, and the figure grows with the number of bars, so nothing overlaps.
    """
    spec = results.spec
    per_task = {}
    drawn = results.places()
    for task in spec.tasks:
        schedules = [s for where, s in drawn if where is task]  # with runs; a one-sample task's once: one bar
        settings = representative_settings(results, task.name, schedules[0].label) if schedules else []
        per_task[task.name] = (schedules, [o for o in settings if any(results.populations(task, s, o)
                                                                       for s in schedules)])  # fmt: skip
    rows = max(max(0.45 * len(settings), 0.25 * len(settings) * len(schedules)) for schedules, settings in
               per_task.values())  # fmt: skip
    figure, axes = small_multiples(len(spec.tasks), width=5.6, height=1.5 + rows, columns=columns)
    for ax, task in zip(axes.flat, spec.tasks, strict=False):
        schedules, settings = per_task[task.name]
        height = 0.8 / max(1, len(schedules))
        for index, setting in enumerate(settings):
            for s, schedule in enumerate(schedules):
                populations = results.populations(task, schedule, setting)
                if not populations:
                    continue
                hits = np.concatenate([p.success_epochs(spec.targets) for p in populations])
                successes, runs = int(np.isfinite(hits).sum()), hits.size
                low, high = wilson_interval(successes, runs)
                rate = successes / runs
                y = index + (s - (len(schedules) - 1) / 2) * height
                colour = setting_style(setting, spec.optimizers)["color"]
                hatch = HATCHES[spec.schedules.index(schedule) % len(HATCHES)]
                ax.barh(y, rate, height, color=colour, edgecolor="black", linewidth=0.5, hatch=hatch)
                ax.errorbar(rate, y, xerr=[[rate - low], [high - rate]], color="black", linewidth=0.8, capsize=2)
        ax.set_yticks(range(len(settings)), [wrapped(s.label, 38) for s in settings], fontsize="small")
        title = f"{task.name} (every schedule)" if task.samples == 1 else task.name
        ax.set(xlim=(0, 1.02), ylim=(len(settings) - 0.5, -0.5), xlabel="fraction of starts", title=title)
        ax.grid(True, axis="x", alpha=0.3)
    for ax in axes.flat[len(spec.tasks) :]:
        ax.set_visible(False)
    handles = [Patch(facecolor="white", edgecolor="black", hatch=HATCHES[s % len(HATCHES)], label=schedule.label)
               for s, schedule in enumerate(spec.schedules)]  # fmt: skip
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), title="schedule (hatching)")
    starts = spec.initial_points.size * len(spec.seeds)
    swept = " Each sweep at its best value on the task." if any(s.swept for s in spec.optimizers) else ""
    figure.suptitle(f"Success ({spec.targets.short_success}) over {starts} starts per setting, with Wilson 95% "
                    f"intervals.{swept}")  # fmt: skip
    return figure

"""Success fractions: per task, how many of the starts each optimizer setting brought to success, per schedule."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Patch
from scipy import stats

from experiments.plots.style import new_figure, setting_style

HATCHES = ("", "//", "..", "xx", "\\\\")


def success_interval(successes: int, runs: int) -> tuple[float, float]:
    """The Wilson 95 % interval of a success fraction (scipy.stats.binomtest).

    >>> [round(x, 3) for x in success_interval(5, 10)]
    [0.237, 0.763]
    """
    interval = stats.binomtest(successes, runs).proportion_ci(confidence_level=0.95, method="wilson")
    return float(interval.low), float(interval.high)


def success_bars(results):
    """One panel per task: a bar per optimizer setting and schedule (hatched by schedule), with its 95 % CI."""
    spec = results.spec
    figure, axes = new_figure(len(spec.tasks), 1, width=max(6.0, 0.5 * len(spec.optimizers) * len(spec.schedules)),
                              height=3.2)  # fmt: skip
    width = 0.8 / len(spec.schedules)
    for ax, task in zip(axes[:, 0], spec.tasks, strict=True):
        for s, schedule in enumerate(spec.schedules):
            for index, setting in enumerate(spec.optimizers):
                populations = results.populations(task, schedule, setting)
                if not populations:
                    continue
                hits = np.concatenate([p.success_epochs(spec.targets) for p in populations])
                successes, runs = int(np.isfinite(hits).sum()), hits.size
                low, high = success_interval(successes, runs)
                rate = successes / runs
                colour = setting_style(setting, spec.optimizers)["color"]
                x = index + (s - (len(spec.schedules) - 1) / 2) * width
                ax.bar(x, rate, width, color=colour, edgecolor="black", linewidth=0.5, hatch=HATCHES[s % len(HATCHES)])
                ax.errorbar(x, rate, yerr=[[rate - low], [high - rate]], color="black", linewidth=0.8, capsize=2)
        ax.set_xticks(range(len(spec.optimizers)), [s.label for s in spec.optimizers], rotation=45, ha="right")
        title = f"{task.name}: success ({spec.targets.short_success})"
        ax.set(ylim=(0, 1.05), ylabel="fraction of starts", title=title)
        ax.grid(True, axis="y", alpha=0.3)
    handles = [Patch(facecolor="white", edgecolor="black", hatch=HATCHES[s % len(HATCHES)], label=schedule.label)
               for s, schedule in enumerate(spec.schedules)]  # fmt: skip
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), title="schedule (hatching)")
    starts = spec.initial_points.size * len(spec.seeds)
    figure.suptitle(f"Success over {starts} starts per setting, with Wilson 95% intervals")
    return figure

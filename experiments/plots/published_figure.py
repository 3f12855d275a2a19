"""Our sweeps beside a published table: mean epochs against the swept step size, the paper's best points and WRs."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

from experiments.analysis.tuning import best_of_each_optimizer, setting_statistics, tuned
from experiments.plots.style import FigureNotApplicable, new_figure, optimizer_style


def published_comparison(results, task_name: str):
    """One panel: for each swept optimizer, the mean epochs to success of its best sweep against the swept value.

    Lines are ours (the best fixed part of each optimizer's sweeps; a band for
    the 95 % CI of the mean, hollow markers where some runs failed); stars are
    the paper's best settings, with a bar across its well-working region.
    """
    spec = results.spec
    if spec.published is None:
        raise FigureNotApplicable("these results have no published table to compare with (published = ... in the spec)")
    schedule = spec.schedules[0].label
    statistics = setting_statistics(results)
    statistics = statistics[(statistics["task"] == task_name) & (statistics["schedule"] == schedule)]
    best = best_of_each_optimizer(tuned(results), spec.tuning.maximize)
    best = best[(best["task"] == task_name) & (best["schedule"] == schedule)]
    figure, axes = new_figure(1, 1, width=8.0, height=5.6)
    ax = axes[0, 0]
    for group in best["group"]:
        sweep = statistics[statistics["group"] == group].sort_values("value")
        name = sweep["name"].iloc[0]
        style = optimizer_style(name)
        fixed = [part for part in group.split("(", 1)[-1].rstrip(")").split(", ") if "·" not in part and "=" in part]
        solved = np.isfinite(sweep["mean_epochs"].to_numpy())
        x, mean = sweep["value"].to_numpy()[solved], sweep["mean_epochs"].to_numpy()[solved]
        every_run = sweep["success_rate"].to_numpy()[solved] == 1.0
        label = f"{name} ({sweep['swept'].iloc[0]} swept{''.join(', ' + part for part in fixed)})"
        ax.plot(x, mean, label=label, linewidth=1.6, **style)
        ax.scatter(x[every_run], mean[every_run], color=style["color"], s=14)
        ax.scatter(x[~every_run], mean[~every_run], facecolor="white", edgecolor=style["color"], s=14)
        low, high = sweep["mean_ci_low"].to_numpy()[solved], sweep["mean_ci_high"].to_numpy()[solved]
        low, high = np.where(np.isfinite(low), low, mean), np.where(np.isfinite(high), high, mean)
        ax.fill_between(x, low, high, color=style["color"], alpha=0.15)
    for cell in (c for c in spec.published.results if c.task == task_name and c.solved and c.swept is not None):
        colour = optimizer_style(cell.optimizer)["color"]
        star = {"marker": "*", "markersize": 14, "markeredgecolor": "black", "linestyle": ""}
        ax.plot(cell.parameters[cell.swept], cell.mean, color=colour, label=f"published: {cell.algorithm}", **star)
        if cell.wr:
            ax.plot(cell.wr, [cell.mean, cell.mean], color=colour, linewidth=4, alpha=0.5, solid_capstyle="butt")
    unsolved = [c.algorithm for c in spec.published.results if c.task == task_name and not c.solved]
    ax.set(xscale="log", yscale="log", xlabel="swept step size (ε, or Δ0 for Rprop)", title=task_name)
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylabel(f"mean epochs to {spec.targets.short_success}")
    ours_unsolved = [
        c.algorithm for c in spec.published.results if c.task == task_name and c.solved and c.swept is not None
        and not (best["name"] == c.optimizer).any()
    ]  # fmt: skip
    notes = [f"the paper found no solution with {', '.join(unsolved)}"] * bool(unsolved)
    notes += [f"none of our settings succeeds with {', '.join(ours_unsolved)}"] * bool(ours_unsolved)
    if notes:
        ax.text(0.01, 0.01, "; ".join(notes), transform=ax.transAxes, fontsize="small", color="dimgrey")
    ax.grid(True, which="major", alpha=0.3)
    figure.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize="small")
    figure.suptitle(
        f"{spec.published.citation} beside ours: our mean epochs (lines; band: 95% CI; hollow: some runs failed)\n"
        "and the published best settings (stars; bar: the published well-working region)",
        fontsize="medium",
    )
    return figure

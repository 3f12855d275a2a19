"""Distribution views across runs: COCO's runtime ECDF and Dolan & Moré's performance profile.

Runtime ECDF (Hansen et al., COCO): for every (initial point, target) pair the
gradient evaluations until E ≤ target first held; the curve is the fraction of
all pairs solved within x evaluations, failures kept in the denominator.

Performance profile (Dolan & Moré 2002): for problem p (task, schedule, seed,
initial point) and optimizer setting s with cost t_ps to the headline target,
r_ps = t_ps / min_s t_ps and ρ_s(τ) = fraction of problems with r_ps ≤ τ.
ρ_s(1) is how often s is the fastest; the right end is how often it succeeds.
"""

from __future__ import annotations

import numpy as np

from experiments.plots.style import figure_legend, new_figure, setting_style


def ecdf_points(costs: np.ndarray, budget: float) -> tuple[np.ndarray, np.ndarray]:
    """Step-curve (x, y) of the fraction of ``costs`` ≤ x; NaN costs (failures) count in the denominator.

    >>> ecdf_points(np.array([1.0, 4.0, np.nan, np.nan]), 10.0)[1].tolist()
    [0.0, 0.25, 0.5, 0.5]
    """
    solved = np.sort(costs[np.isfinite(costs)])
    x = np.concatenate([[max(solved[0] if solved.size else 1.0, 1.0) * 0.9], np.maximum(solved, 1.0), [budget]])
    y = np.concatenate([[0.0], np.arange(1, solved.size + 1) / costs.size, [solved.size / costs.size]])
    return x, y


def performance_ratios(costs: np.ndarray) -> np.ndarray:
    """r_ps for a (problems, solvers) cost array; inf where s failed or no solver succeeded.

    >>> performance_ratios(np.array([[2.0, 4.0], [np.nan, 3.0]])).tolist()
    [[1.0, 2.0], [inf, 1.0]]
    """
    costs = np.where(np.isfinite(costs), np.maximum(costs, 1.0), np.inf)
    best = costs.min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(costs) & np.isfinite(best), costs / best, np.inf)


def runtime_ecdf(results):
    """Per task × schedule: the fraction of (initial point, target) pairs solved against gradient evaluations."""
    spec = results.spec
    figure, axes = new_figure(len(spec.tasks), len(spec.schedules))
    for ax, (task, schedule) in zip(axes.flat, [(t, s) for t in spec.tasks for s in spec.schedules], strict=True):
        budget = spec.budget.max_epochs * task.inputs.size
        for setting in spec.optimizers:
            hits = np.concatenate(
                [
                    r.population.hit_epochs
                    for r in results.units
                    if r.unit.task is task and r.unit.schedule == schedule and r.unit.setting == setting
                ]
            )
            x, y = ecdf_points(hits.ravel() * task.inputs.size, budget)
            ax.step(x, y, where="post", label=setting.label, linewidth=1.8, **setting_style(setting, spec.optimizers))
        ax.axvline(budget, color="black", linewidth=0.8, linestyle=":")
        ax.set(
            xscale="log",
            ylim=(-0.02, 1.02),
            xlabel="gradient evaluations",
            ylabel="fraction of (start, target) pairs",
            title=f"{task.name} · {schedule.label}",
        )
        ax.grid(True, alpha=0.3)
    figure_legend(figure, axes.flat[0])
    figure.suptitle(
        f"Runtime ECDF over {spec.initial_points.size * len(spec.seeds)} starts × {len(spec.targets.values)} "
        f"targets ({spec.targets.values[0]:g} … {spec.targets.values[-1]:g}); dotted: budget"
    )
    return figure


def performance_profile(results, tau_max: float | None = None):
    """Dolan–Moré profile over every task × schedule × seed × initial point, at the headline target."""
    spec = results.spec
    headline = spec.targets.headline_index
    columns = []
    for setting in spec.optimizers:
        column = [
            r.population.hit_epochs[:, headline] * r.unit.task.inputs.size
            for r in results.units
            if r.unit.setting == setting
        ]
        columns.append(np.concatenate(column))
    ratios = performance_ratios(np.stack(columns, axis=1))
    finite = ratios[np.isfinite(ratios)]
    tau_max = tau_max or max(2.0, float(np.percentile(finite, 99)) * 1.5 if finite.size else 2.0)
    taus = np.logspace(0, np.log10(tau_max), 400)
    figure, axes = new_figure(1, 1, width=6.5, height=4.2)
    ax = axes[0, 0]
    for index, setting in enumerate(spec.optimizers):
        rho = (ratios[:, index][:, None] <= taus[None, :]).mean(axis=0)
        ax.step(taus, rho, where="post", label=setting.label, linewidth=1.8, **setting_style(setting, spec.optimizers))
    ax.set(
        xscale="log",
        ylim=(-0.02, 1.02),
        xlabel="τ: within this factor of the fastest optimizer",
        ylabel="fraction of problems",
        title=f"Performance profile at E ≤ {spec.targets.headline:g} over {len(ratios)} problems",
    )
    ax.grid(True, alpha=0.3)
    figure_legend(figure, ax)
    return figure

"""Distribution views across runs: COCO's runtime ECDF and Dolan & Moré's performance profile.

Runtime ECDF (Hansen et al., COCO): for every (initial point, target) pair the
gradient evaluations until E ≤ target first held; the curve is the fraction of
all pairs solved within x evaluations, failures kept in the denominator.  With
the bit criterion, runs stop at their success, so the curve is over the starts
and their bit hits alone.

Performance profile (Dolan & Moré 2002): for problem p (task, schedule, seed,
initial point) and optimizer setting s with cost t_ps to success (the headline target or the bit criterion),
r_ps = t_ps / min_s t_ps and ρ_s(τ) = fraction of problems with r_ps ≤ τ.
ρ_s(1) is how often s is the fastest; the right end is how often it succeeds.
"""

from __future__ import annotations

import numpy as np

from experiments.plots.style import (
    CROWDED,
    families_of,
    figure_legend,
    fraction_axes,
    new_figure,
    panels_by_family,
    setting_style,
)


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
    """Per task × schedule (per family, when crowded: `panels_by_family`): the fraction of (initial point,
    target) pairs solved against gradient evaluations."""
    spec = results.spec
    pairs = "fraction of starts" if spec.targets.criterion == "bit" else "fraction of (start, target) pairs"

    def draw(ax, task, schedule, settings, title, summary):
        budget = spec.budget.max_epochs * task.samples
        for setting in settings:
            populations = results.populations(task, schedule, setting)
            hits = np.concatenate([_solved_epochs(population, spec.targets) for population in populations])
            x, y = ecdf_points(hits.ravel() * task.samples, budget)
            ax.step(x, y, where="post", label=setting.label, linewidth=1.8, **setting_style(setting, spec.optimizers))
        ax.axvline(budget, color="black", linewidth=0.8, linestyle=":")
        fraction_axes(ax, "gradient evaluations", pairs, title)

    figure, axes = panels_by_family(results, draw)
    figure_legend(figure, axes)
    starts = spec.initial_points.size * len(spec.seeds)
    over = (
        f"{starts} starts, each to {spec.targets.short_success}"
        if spec.targets.criterion == "bit"
        else f"{starts} starts × {len(spec.targets.values)} targets "
        f"({spec.targets.values[0]:g} … {spec.targets.values[-1]:g})"
    )
    figure.suptitle(f"Runtime ECDF over {over}; dotted: budget")
    return figure


def _solved_epochs(population, targets) -> np.ndarray:
    """(runs, pairs) epochs at which each (start, target) pair was solved: the ladder, or the bit hits alone."""
    return population.bit_hit_epoch[:, None] if targets.criterion == "bit" else population.hit_epochs


def performance_profile(results, tau_max: float | None = None):
    """Dolan–Moré profiles of the cost to success, one panel per schedule, over every task × seed × start.

    Each panel compares the optimizer settings that ran in that schedule.  With
    more than CROWDED settings, each schedule gets a row: a panel per family and
    one of each family's best (the fewest epochs at ρ's right end), all drawn from
    ratios to the fastest of every setting, so the panels stay comparable.
    """
    spec = results.spec
    families = families_of(spec.optimizers) if len(spec.optimizers) > CROWDED else {"": list(spec.optimizers)}
    columns_per_row = len(families) + (len(families) > 1)
    trained = [
        (schedule, [s for s in spec.optimizers if all(results.populations(t, schedule, s) for t in spec.tasks)])
        for schedule in spec.schedules
    ]
    trained = [(schedule, settings) for schedule, settings in trained if settings]  # no row without runs
    figure, axes = new_figure(len(trained), columns_per_row, width=5.2 if len(families) == 1 else 3.6,
                              height=4.0 if len(families) == 1 else 2.9, sharey="row")  # fmt: skip
    for row, (schedule, settings) in enumerate(trained):
        costs = [
            np.concatenate(
                [
                    population.success_epochs(spec.targets) * task.samples
                    for task in spec.tasks
                    for population in results.populations(task, schedule, setting)
                ]
            )
            for setting in settings
        ]
        ratios = performance_ratios(np.stack(costs, axis=1))
        finite = ratios[np.isfinite(ratios)]
        limit = tau_max or max(2.0, float(np.percentile(finite, 99)) * 1.5 if finite.size else 2.0)
        taus = np.logspace(0, np.log10(limit), 400)
        rho = {s.label: (ratios[:, i][:, None] <= taus[None, :]).mean(axis=0) for i, s in enumerate(settings)}
        panels = [(family, [s for s in members if s.label in rho]) for family, members in families.items()]
        if len(families) > 1:  # each family's best: the largest area under its profile
            panels.append(("best of each", [max(members, key=lambda s: rho[s.label].sum()) for _, members in panels
                                            if members]))  # fmt: skip
        panels = [(family, members) for family, members in panels if members]  # no panel without runs
        for ax, (family, members) in zip(axes[row], panels, strict=False):
            for setting in members:
                ax.step(taus, rho[setting.label], where="post", label=setting.label, linewidth=1.8,
                        **setting_style(setting, spec.optimizers))  # fmt: skip
            title = f"{schedule.label}: {len(ratios)} problems" + (f"\n{family}" if family else "")
            fraction_axes(ax, "τ: within this factor of the fastest", "fraction of problems", title)
        for ax in axes[row][len(panels) :]:
            ax.set_visible(False)
    figure_legend(figure, axes)
    figure.suptitle(
        f"Performance profiles at {spec.targets.short_success} (ρ(1): how often fastest; right end: success)"
    )
    return figure

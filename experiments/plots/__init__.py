"""Figures of an experiment's results; each function takes a `Results` and returns a matplotlib Figure.

>>> import experiments
>>> from experiments import plots
>>> figure = plots.convergence_curves(experiments.run("quick"))
>>> len(figure.axes)  # 3 rows (single-sample once, teacher in 2 schedules) of 9: a panel per family, and the best
27
"""

from experiments.plots.basin import MAX_PANELS as MAX_BASIN_PANELS
from experiments.plots.basin import basin_map, basin_settings, parameter_basin_map
from experiments.plots.convergence import convergence_curves
from experiments.plots.internals import step_size_internals
from experiments.plots.landscape import loss_landscape
from experiments.plots.profiles import performance_profile, runtime_ecdf
from experiments.plots.published_figure import published_comparison
from experiments.plots.sensitivity import sensitivity, sweeps
from experiments.plots.style import FigureNotApplicable
from experiments.plots.success import success_bars
from experiments.plots.surface import error_surface, surface_grid

__all__ = [
    "MAX_BASIN_PANELS",
    "FigureNotApplicable",
    "basin_map",
    "basin_settings",
    "convergence_curves",
    "error_surface",
    "loss_landscape",
    "parameter_basin_map",
    "performance_profile",
    "published_comparison",
    "runtime_ecdf",
    "sensitivity",
    "step_size_internals",
    "success_bars",
    "surface_grid",
    "sweeps",
]

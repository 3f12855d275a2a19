"""Loss landscapes of networks with any number of parameters: E on a plane through parameter space, paths on it.

A plane is an origin θ₀ and two directions d₁, d₂; its point (a, b) is
θ₀ + a·d₁ + b·d₂, and E there is the network's own error.  Two planes, after
Li et al., "Visualizing the loss landscape of neural nets" (NeurIPS 2018):

    paths    θ₀ the optimizers' shared start; d₁, d₂ the two leading principal directions of every
             path's displacements θ_k − θ₀ (SVD), orthonormal, each path scaled to unit length first
             so that one long path does not decide the plane alone.  It holds the share of the
             paths' squared displacement that the figure reports; the rest is off the plane.
    random   θ₀ the lowest final point the paths found; d₁, d₂ Gaussian, filter-normalised: each
             unit's incoming weights rescaled to the norm of that unit's weights at θ₀, biases not
             moved.  It shows the minimum's width, comparable across networks.

Pitfalls, said in each figure's caption: a path is drawn by its least-squares
projection, so it can cross contours it never crossed in the full space, and
the E under it is the plane's, not the path's; random directions in high
dimension are almost orthogonal to every path, so paths barely show on them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import LogLocator

from experiments.plots.style import label_small_multiples, setting_style, small_multiples, trainable, wrapped

TITLE_WIDTH = 34  # characters on a panel title's line: a 3.8-inch panel holds about that in small type

PLANES = ("paths", "random")
FLOOR = 1e-12  # E below this is drawn as this (log colour scale)


@dataclass(frozen=True)
class Plane:
    """θ₀ + a·d₁ + b·d₂ in a network's parameter space."""

    origin: np.ndarray  # (P,) θ₀
    directions: np.ndarray  # (2, P) d₁, d₂
    kind: str  # "paths" or "random"
    captured: float  # the share of the paths' squared displacement from θ₀ that lies in the plane

    def points(self, a, b) -> np.ndarray:
        """The parameter vectors at plane coordinates (a, b), shape a.shape + (P,)."""
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return self.origin + a[..., None] * self.directions[0] + b[..., None] * self.directions[1]

    def project(self, params) -> np.ndarray:
        """Least-squares plane coordinates (..., 2) of parameter vectors (..., P)."""
        gram = self.directions @ self.directions.T
        return np.linalg.solve(gram, self.directions @ (np.asarray(params) - self.origin)[..., None])[..., 0]


def plane_of_paths(paths, start) -> Plane:
    """The plane through ``start`` spanned by the paths' two leading principal directions.

    >>> plane = plane_of_paths([np.array([[0.0, 0, 0], [1, 0, 0], [2, 1, 0]])], np.zeros(3))
    >>> float(np.abs(plane.directions[:, 2]).max()), plane.captured  # the path lies in z = 0: all of it in the plane
    (0.0, 1.0)
    """
    start = np.asarray(start, dtype=float)
    displacements = []
    for path in paths:
        moved = np.asarray(path, dtype=float) - start
        moved = moved[np.isfinite(moved).all(axis=1)]
        longest = np.linalg.norm(moved, axis=1).max(initial=0.0)
        displacements.append(moved / longest if longest > 0 else moved)
    _, singular, right = np.linalg.svd(np.concatenate(displacements), full_matrices=False)
    directions = right[:2]
    if len(directions) < 2 or singular[1] <= 1e-12 * max(singular[0], 1e-300):  # all paths on one line
        directions = _completed(directions[:1] if singular.size and singular[0] > 0 else np.zeros((0, start.size)))
    total = float((singular**2).sum())
    captured = float((singular[:2] ** 2).sum() / total) if total > 0 else 1.0
    return Plane(start, directions, "paths", captured)


def random_plane(net, origin, seed: int = 0, paths=()) -> Plane:
    """Two Gaussian directions around ``origin``, filter-normalised for ``net`` (Li et al. 2018), biases fixed."""
    origin = np.asarray(origin, dtype=float)
    directions = np.random.default_rng(seed).standard_normal((2, origin.size))
    for layer in net.layers:
        for unit in range(layer.units):
            row = slice(layer.weights.start + unit * layer.fan_in, layer.weights.start + (unit + 1) * layer.fan_in)
            scale = np.linalg.norm(origin[row]) / np.linalg.norm(directions[:, row], axis=1)
            directions[:, row] *= scale[:, None]
        if layer.biases is not None:
            directions[:, layer.biases] = 0.0
    plane = Plane(origin, directions, "random", 0.0)
    displacements = np.concatenate([np.asarray(path) - origin for path in paths]) if len(paths) else np.zeros((0,))
    if displacements.size:
        inside = plane.points(*plane.project(displacements).T) - origin
        total = (displacements**2).sum()
        plane = Plane(origin, directions, "random", float((inside**2).sum() / total) if total > 0 else 1.0)
    return plane


def landscape_grid(task, plane: Plane, extent, resolution: int = 61):
    """(a, b, E) on a resolution × resolution grid of the plane over ``extent`` = (a_min, a_max, b_min, b_max)."""
    a, b = np.meshgrid(np.linspace(*extent[:2], resolution), np.linspace(*extent[2:], resolution))
    return a, b, task.error(plane.points(a, b))


def optimizer_paths(results, task, settings, start) -> dict[str, np.ndarray]:
    """Each setting's path from ``start`` on ``task`` in the spec's first schedule: every epoch (scipy: iterate)."""
    spec = results.spec
    minimum = results.reference(task.name).value
    paths = {}
    for setting in settings:
        ((paths[setting.label], _),) = results.replayed().paths(spec, setting, task, [start], minimum)
    return paths


def shared_start(results, task) -> np.ndarray:
    """The experiment's own first start on ``task``: the first run of its first population."""
    spec = results.spec
    setting = next(s for s in spec.optimizers if results.populations(task, spec.schedules[0], s))
    return results.populations(task, spec.schedules[0], setting)[0].initial_weights[0]


def loss_landscape(results, task_name: str | None = None, plane: str = "paths", max_panels: int = 20):
    """One panel per optimizer setting: log E on a plane through parameter space, the setting's path on it.

    ``plane`` is "paths" (through the shared start, along the paths' leading
    principal directions) or "random" (filter-normalised directions around the
    lowest point found); see the module docstring for what each can mislead about.
    """
    if plane not in PLANES:
        raise ValueError(f"plane must be one of {', '.join(PLANES)}, got {plane!r}")
    spec = results.spec
    task = next((t for t in spec.tasks if t.name == task_name), spec.tasks[0]) if task_name else spec.tasks[0]
    settings = trainable(spec.optimizers)[:max_panels]
    start = shared_start(results, task)
    paths = optimizer_paths(results, task, settings, start)
    ends = np.array([path[-1] for path in paths.values()])
    end_errors = task.error(ends)
    lowest = ends[np.nanargmin(np.where(np.isfinite(end_errors), end_errors, np.inf))]
    chosen = plane_of_paths(paths.values(), start) if plane == "paths" else random_plane(task.network, lowest)
    projected = {label: chosen.project(path) for label, path in paths.items()}
    grids = {label: landscape_grid(task, chosen, _extent(coordinates)) for label, coordinates in projected.items()}
    finite = np.concatenate([errors[np.isfinite(errors)] for *_, errors in grids.values()])
    low = max(finite.min(), FLOOR) if finite.size else FLOOR
    levels = np.logspace(np.log10(low), np.log10(max(finite.max() if finite.size else 1.0, low * 10)), 24)
    figure, axes = small_multiples(len(settings), width=3.8, height=3.4)
    for ax, setting in zip(axes.flat, settings, strict=False):
        a, b, errors = grids[setting.label]
        filled = ax.contourf(a, b, np.maximum(errors, FLOOR), levels=levels, norm=LogNorm(), cmap="bone")
        coordinates = projected[setting.label]
        colour = setting_style(setting, spec.optimizers)["color"]
        ax.plot(*coordinates.T, color="white", linewidth=2.6, alpha=0.8)
        ax.plot(*coordinates.T, color=colour, linewidth=1.4)
        ax.plot(*coordinates[0], "o", color="white", markeredgecolor="black", markersize=6)
        ax.plot(*coordinates[-1], "*", color=colour, markeredgecolor="white", markersize=12)
        ax.set(xlim=(a.min(), a.max()), ylim=(b.min(), b.max()))
        ax.set_title(wrapped(setting.label, TITLE_WIDTH), fontsize="small")  # a sweep's labels are long
    names = ("a: 1st principal direction", "b: 2nd") if plane == "paths" else ("a: random direction 1", "b: 2")
    label_small_multiples(axes, len(settings), *names)
    figure.colorbar(filled, ax=axes, label="error E on the plane (log scale)", shrink=0.8, ticks=LogLocator())
    subtitle = "\n".join(textwrap.wrap(caption(chosen), 110))
    figure.suptitle(f"Loss landscape of {task.name} ({task.network.size} parameters)\n{subtitle}")
    return figure


def caption(plane: Plane) -> str:
    """What the plane is and what it can mislead about, in one line."""
    if plane.kind == "paths":
        return (
            f"plane of the paths' two principal directions from the shared start (o), holding {plane.captured:.0%} "
            "of their squared displacement; each panel zooms on its own path; paths are projections, E is the plane's"
        )
    return "filter-normalised random plane around the lowest end point (Li et al. 2018); paths barely show on it"


def _completed(directions: np.ndarray) -> np.ndarray:
    """``directions`` (0 or 1 unit rows) completed to two orthonormal rows with the first free coordinate axes."""
    size = directions.shape[1]
    rows = list(directions)
    for axis in np.eye(size):
        if len(rows) == 2:
            break
        candidate = axis - sum((axis @ row) * row for row in rows)
        if np.linalg.norm(candidate) > 1e-6:
            rows.append(candidate / np.linalg.norm(candidate))
    return np.array(rows)


def _extent(coordinates) -> tuple[float, float, float, float]:
    """A box around a projected path (its finite points) and the origin, with a margin, at least ±1."""
    points = np.concatenate([coordinates[np.isfinite(coordinates).all(axis=1)], np.zeros((1, 2))])
    low, high = np.minimum(points.min(axis=0), -1.0), np.maximum(points.max(axis=0), 1.0)
    margin = 0.1 * (high - low)
    low, high = low - margin, high + margin
    return (low[0], high[0], low[1], high[1])

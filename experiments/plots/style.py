"""One look for every figure: headless backend, a colour-blind-safe hue per optimizer family, and a line style
and marker per member."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless: figures are files, never windows

import textwrap

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

import optimizers


class FigureNotApplicable(ValueError):
    """These results cannot support this figure (no sweep, no adaptive optimizer, ...)."""


# One hue per optimizer family (Paul Tol's colour-blind-safe "bright" and "muted" schemes); the members of a
# family differ by line style and marker, so twenty optimizers stay apart in one figure and in grey print.
FAMILIES = {
    "gradient descent": ("#4477AA", ("gd", "momentum", "nesterov")),
    "sign and Rprop": ("#EE6677", ("sign", "rprop+", "rprop-", "irprop+", "irprop-")),
    "adaptive moments": (
        "#228833",
        ("adagrad", "rmsprop", "rmsprop-centered", "adadelta", "adam", "amsgrad", "prodigy"),
    ),
    "adaptive rates": ("#CCBB44", ("quickprop", "delta-bar-delta", "supersab")),
    "since 2016": ("#66CCEE", ("adamw", "nadam", "radam", "adamax", "lion", "adan")),
    "schedule-free": ("#332288", ("schedule-free-adamw", "schedule-free-sgd")),
    "per matrix": ("#882255", ("muon", "adafactor")),
    "scipy": ("#555555", ("scipy-bfgs", "scipy-cg", "scipy-lbfgsb", "scipy-nelder-mead")),
}
OTHERS = ("others", "#AA3377")  # optimizers registered by a user
LOOKS = (
    ("-", "o"),
    ("--", "s"),
    (":", "^"),
    ("-.", "D"),
    ((0, (5, 1, 1, 1)), "v"),
    ((0, (1, 3)), "P"),
    ((0, (3, 1, 1, 1, 1, 1)), "X"),
)  # as many as the largest family has members
STATUS_COLOURS = {
    "minimum": "#BBBBBB",
    "flat-spot": "#DDCC77",
    "stopped": "#99DDFF",
    "diverged": "#000000",
    "budget": "#EE8866",
}


def family_of(name: str) -> str:
    """The family of optimizer ``name``: one of FAMILIES, or "others".

    >>> family_of("irprop-"), family_of("adam"), family_of("my-own")
    ('sign and Rprop', 'adaptive moments', 'others')
    """
    return next((family for family, (_, members) in FAMILIES.items() if name in members), OTHERS[0])


def optimizer_style(name: str) -> dict:
    """Colour, line style and marker of optimizer ``name``: its family's hue, its own place in the family.

    Fixed by the name alone, so every figure of a report agrees; optimizers
    outside the built-in families share the "others" hue, in registry order.

    >>> optimizer_style("rprop+")["color"] == optimizer_style("irprop-")["color"]
    True
    >>> optimizer_style("rprop+")["marker"] != optimizer_style("irprop-")["marker"]
    True
    """
    family = family_of(name)
    if family == OTHERS[0]:
        colour = OTHERS[1]
        known = [n for n in optimizers.available() if family_of(n) == family]
        index = known.index(name) if name in known else sum(map(ord, name))
    else:
        colour, members = FAMILIES[family]
        index = members.index(name)
    linestyle, marker = LOOKS[index % len(LOOKS)]
    return {"color": colour, "linestyle": linestyle, "marker": marker, "markevery": 0.12, "markersize": 5}


def wrapped(text: str, width: int = 40) -> str:
    """``text`` on lines of at most about ``width`` characters, broken after commas and spaces: a panel title or
    a setting's label that would run into its neighbour's.

    >>> print(wrapped("quickprop(max_growth=1.75, learning_rate=·) [σ′+0.1]", 30))
    quickprop(max_growth=1.75,
    learning_rate=·) [σ′+0.1]
    """
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def trainable(settings) -> list:
    """The settings whose optimizer can train here: figures that retrain paths leave out the ones known only
    from a results folder's metadata (their code is not importable in this process)."""
    return [s for s in settings if s.is_scipy or optimizers.is_available(s.name)]


def weight_names(task) -> list[str]:
    """The names of a task network's parameters: (w_h, w_o) for the article's, W1[0,0], … otherwise."""
    return ["w_h", "w_o"] if task.is_article else task.network.parameter_names()


def require_two_weights(task, figure: str) -> None:
    """Raise `FigureNotApplicable` unless ``task``'s network has exactly two parameters (a plane to draw)."""
    if task.network.size != 2:
        raise FigureNotApplicable(
            f"the {figure} needs a network with two weights; task {task.name!r} has {task.network.size} parameters"
        )


def new_figure(rows: int, columns: int, width: float = 4.2, height: float = 3.4, **kwargs):
    """A figure of ``rows`` × ``columns`` panels, always as a 2-D array of axes."""
    figure, axes = plt.subplots(
        rows, columns, figsize=(width * columns, height * rows), squeeze=False, layout="constrained", **kwargs
    )
    return figure, axes


def without_minor_log_ticks(figure, decades: float = 2.0):
    """``figure`` with the unlabelled minor ticks removed from its log axes that span ``decades`` or more.

    There the decades' major ticks and grid already say where values lie, and
    the minor ticks' objects (eight per decade per panel) cost most of the time
    that drawing a many-panel figure takes.  Axes spanning fewer decades keep
    theirs: they may be the only labelled ticks there.
    """
    for ax in figure.axes:
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = sorted(limits)
            if axis.get_scale() == "log" and low > 0 and np.log10(high / low) >= decades:
                axis.set_minor_locator(matplotlib.ticker.NullLocator())
    return figure


def small_multiples(count: int, width: float, height: float, columns: int = 4, **kwargs):
    """A figure with one panel for each of ``count`` things, ``columns`` to a row."""
    columns = min(columns, count)
    return new_figure(-(-count // columns), columns, width=width, height=height, **kwargs)


def label_small_multiples(axes, used: int, xlabel: str | None, ylabel: str) -> None:
    """Axis labels on the outer panels only (no x label with None), and the panels beyond ``used`` hidden."""
    for ax in axes[-1] if xlabel is not None else ():
        ax.set_xlabel(xlabel)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    for ax in axes.flat[used:]:
        ax.set_visible(False)


def fraction_axes(ax, xlabel: str, ylabel: str, title: str) -> None:
    """A log-x panel of fractions in [0, 1]: the frame of ECDFs and performance profiles."""
    ax.set(xscale="log", ylim=(-0.02, 1.02), xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, alpha=0.3)


def setting_style(setting, settings) -> dict:
    """`optimizer_style` of the setting's optimizer; further settings of it (a sweep) get darker to lighter
    shades of its colour, so each keeps its optimizer's line style and marker."""
    siblings = [s for s in settings if s.name == setting.name]
    style = optimizer_style(setting.name)
    if len(siblings) > 1:
        style["color"] = shade(style["color"], siblings.index(setting) / (len(siblings) - 1))
    return style


def shade(colour: str, position: float) -> tuple[float, float, float]:
    """``colour`` darkened (position 0) through itself (0.5) to lightened (1).

    >>> shade("#808080", 0.5)
    (0.5019607843137255, 0.5019607843137255, 0.5019607843137255)
    """
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    mixed = rgb * (0.45 + 1.1 * position) if position <= 0.5 else rgb + (1 - rgb) * (position - 0.5) * 1.3
    return tuple(float(channel) for channel in np.clip(mixed, 0, 1))


CROWDED = 8  # more optimizer settings than this: a column of panels per family, and one of each family's best


def panels_by_family(results, draw):
    """A figure with a panel per task × schedule, each drawn by ``draw(ax, task, schedule, settings, title,
    summary)``; returns (figure, axes).

    With more than CROWDED settings each task × schedule gets a row: a panel
    per optimizer family, and a last one (``summary`` true) with each family's
    best setting (lowest ERT) side by side.  A panel with no runs (scipy's
    methods in a per-sample schedule) says so instead.
    """
    spec = results.spec
    cells = results.places()
    if len(spec.optimizers) <= CROWDED:
        figure, axes = new_figure(len(spec.tasks), len(spec.schedules))
        cells = [(task, schedule) for task in spec.tasks for schedule in spec.schedules]
        grid = [[(spec.optimizers, f"{task.name} · {schedule.label}", False)] for task, schedule in cells]
    else:
        families, best = families_of(spec.optimizers), best_of_families(results)
        figure, axes = new_figure(len(cells), len(families) + 1, width=3.6, height=2.9, sharey="row")
        grid = [
            [(members, f"{_place_name(task, schedule)}\n{family}", False) for family, members in families.items()]
            + [([s for s in spec.optimizers if s.label in best.get((task.name, schedule.label), ())],
                f"{_place_name(task, schedule)}\nbest of each", True)]
            for task, schedule in cells
        ]  # fmt: skip
    for (task, schedule), row, axes_row in zip(cells, grid, axes.reshape(len(cells), -1), strict=True):
        drawn = [(present, title, summary) for settings, title, summary in row
                 if (present := [s for s in settings if results.populations(task, schedule, s)])]  # fmt: skip
        for (present, title, summary), ax in zip(drawn, axes_row, strict=False):  # panels with runs, left to right
            draw(ax, task, schedule, present, title, summary)
        for ax in axes_row[len(drawn) :]:
            ax.set_visible(False)
    return figure, axes


def _place_name(task, schedule) -> str:
    return f"{task.name} (every schedule)" if task.samples == 1 else f"{task.name} · {schedule.label}"


def best_of_families(results) -> dict[tuple[str, str], list[str]]:
    """Per (task, schedule): the label of each family's setting with the lowest ERT (ties: higher success)."""
    table, family = results.table(), {s.label: family_of(s.name) for s in results.spec.optimizers}
    best = {}
    for (task, schedule), rows in table.groupby(["task", "schedule"], sort=False):
        rows = rows.assign(family=rows["optimizer"].map(family))
        ranked = rows.sort_values(["ert_evaluations", "success_rate"], ascending=[True, False], kind="stable")
        best[(task, schedule)] = ranked.groupby("family", sort=False)["optimizer"].first().tolist()
    return best


def families_of(settings) -> dict[str, list]:
    """The settings grouped by family, in the order of FAMILIES (then "others"), each in its given order."""
    order = [*FAMILIES, OTHERS[0]]
    grouped = {family: [s for s in settings if family_of(s.name) == family] for family in order}
    return {family: members for family, members in grouped.items() if members}


MAX_LEGEND_ENTRIES = 24


def figure_legend(figure, axes) -> None:
    """One legend for the whole figure, below the panels, from every line of ``axes`` (one axes or many) once,
    in as many columns as it needs to stay short.

    With more than MAX_LEGEND_ENTRIES lines, some of them settings of one optimizer (a hyperparameter sweep),
    it names each optimizer once, by its colour, line style and marker.
    """
    from matplotlib.lines import Line2D

    entries = {}
    for ax in np.atleast_1d(axes).flat:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    labels, handles = list(entries), list(entries.values())
    names = list(dict.fromkeys(label.split("(")[0].split(" [")[0] for label in labels))
    if len(labels) > MAX_LEGEND_ENTRIES and len(names) < len(labels):
        looks = [{k: v for k, v in optimizer_style(name).items() if k != "markevery"} for name in names]
        handles = [Line2D([], [], linewidth=2, **look) for look in looks]
        labels = [f"{name} (all settings)" for name in names]
    figure.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 6), fontsize="small")

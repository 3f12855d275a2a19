"""One look for every figure: headless backend, a colour-blind-safe palette, one colour per optimizer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless: figures are files, never windows

import matplotlib.pyplot as plt

import optimizers


# Paul Tol's "muted" qualitative scheme (colour-blind safe), then a dark grey for the tenth.
class FigureNotApplicable(ValueError):
    """These results cannot support this figure (no sweep, no adaptive optimizer, ...)."""


PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499", "#666666")
LINE_STYLES = ("-", "--", ":", "-.")
STATUS_COLOURS = {
    "minimum": "#BBBBBB",
    "flat-spot": "#DDCC77",
    "stopped": "#99DDFF",
    "diverged": "#000000",
    "budget": "#EE8866",
}


def optimizer_style(name: str) -> dict:
    """Colour and line style of optimizer ``name``: fixed by its place in the registry, so every figure agrees.

    >>> optimizer_style("gd")["color"] == optimizer_style("gd")["color"]
    True
    """
    names = optimizers.available()
    index = names.index(name) if name in names else len(names) + sum(map(ord, name))
    return {"color": PALETTE[index % len(PALETTE)], "linestyle": LINE_STYLES[(index // len(PALETTE)) % 4]}


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
    """`optimizer_style` of the setting's optimizer; further settings of it get further line styles."""
    siblings = [s for s in settings if s.name == setting.name]
    style = optimizer_style(setting.name)
    return style | {"linestyle": LINE_STYLES[siblings.index(setting) % len(LINE_STYLES)]}


MAX_LEGEND_ENTRIES = 24


def figure_legend(figure, ax, settings=None) -> None:
    """One legend for the whole figure, below the panels, in as many columns as it needs to stay short.

    With more than MAX_LEGEND_ENTRIES lines (a hyperparameter sweep), it names
    each optimizer once, by its colour.
    """
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    if len(labels) > MAX_LEGEND_ENTRIES:
        names = list(dict.fromkeys(label.split("(")[0].split(" [")[0] for label in labels))
        handles = [Line2D([], [], color=optimizer_style(name)["color"], linewidth=2) for name in names]
        labels = [f"{name} (all settings)" for name in names]
    figure.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 6), fontsize="small")

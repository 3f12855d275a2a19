"""The one-command report: every figure written to disk, and report.md / a self-contained report.html.

Captions and findings are computed from the results, so they always say what
this run measured.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import matplotlib.pyplot as plt
import pandas as pd

from experiments import plots
from experiments.analysis import published_comparison
from experiments.analysis.findings import findings_of, headline
from experiments.analysis.tables import (
    how_measured,
    readable,
    readable_tuning,
    significance_count,
    to_markdown,
    tuning_intro,
    without_repeats,
)
from experiments.plots import animation
from experiments.plots.style import without_minor_log_ticks
from experiments.report import explorer
from experiments.running import interrupts, storage
from experiments.running.workers import mapped

FIGURES = "figures"
ANIMATION_FRAMES = 30  # of the report's animation; `optarena animate` makes longer ones


@dataclass(frozen=True)
class Figure:
    """A figure of the report: its file stem, section title and the one-line caption that says what to notice.

    ``skipped`` says in one line why the results could not support it (then no file was written).
    """

    stem: str
    title: str
    caption: str
    skipped: str = ""
    extension: str = "png"  # "gif" for an animation
    vector: bool = False  # also written as SVG

    @property
    def file(self) -> str:
        """Its path inside the results folder."""
        return f"{FIGURES}/{self.stem}.{self.extension}"


def write_figures(results, out: Path, formats: tuple[str, ...] = ("png",), jobs: int = 1) -> list[Figure]:
    """Draw every figure the results support into ``out/figures`` (atomically) and describe each.

    A figure the results cannot support (an error surface of a network with
    more than two weights, a sweep that was not run) is listed with the reason
    it was skipped.  ``jobs`` > 1 draws the figures in that many processes, each
    taking the next figure when it is done with one (the results travel with
    each: tens of milliseconds against seconds of drawing); the files are the same.
    The first task's paths are also animated, as a GIF.
    """
    folder = Path(out) / FIGURES
    folder.mkdir(parents=True, exist_ok=True)
    plan = _figure_plan(results, results.table())
    calls = [(planned.draw, formats) for planned in plan]
    drawn = mapped(_render, calls, max(1, min(jobs, len(calls))))
    written = []
    for (stem, title, _, caption), images in zip(plan, drawn, strict=True):
        interrupts.checkpoint()
        if isinstance(images, str):  # the results cannot support this view: say why
            written.append(Figure(stem, title, caption, skipped=images))
            continue
        for extension, image in images.items():
            storage.write_atomically(folder / f"{stem}.{extension}", lambda file, image=image: file.write(image))
        written.append(Figure(stem, title, caption, extension=next(iter(images)), vector="svg" in images))
    return written


def _render(draw, formats) -> dict[str, bytes] | str:
    """The figure ``draw()`` makes, encoded in each format (an animation comes encoded as a GIF); the reason
    when the results cannot support it."""
    try:
        made = draw()
    except plots.FigureNotApplicable as reason:
        return str(reason)
    if isinstance(made, dict):
        return made
    figure = without_minor_log_ticks(made)
    images = {}
    for extension in formats:
        buffer = io.BytesIO()
        figure.savefig(buffer, format=extension, dpi=110)
        images[extension] = buffer.getvalue()
    plt.close(figure)
    return images


def write_report(results, out: Path, figures: list[Figure], static: bool = False) -> tuple[Path, Path]:
    """report.md (figures linked) and report.html in ``out``: interactive (`experiments.report.explorer`), or
    with ``static`` every figure embedded at full size and no script."""
    out = Path(out)
    table, significance = results.table(), results.significance()
    findings = headline(findings_of(results, table))
    markdown = _markdown(results, table, significance, findings, figures)
    storage.write_text(out / "report.md", markdown)
    storage.write_text(out / "report.html", _html(results, table, significance, findings, figures, out, static))
    return out / "report.md", out / "report.html"


class PlannedFigure(NamedTuple):
    """One figure of the report: its file stem, its title, how to draw it, and its caption."""

    stem: str
    title: str
    draw: Callable[[], object]
    caption: str


def _figure_plan(results, table: pd.DataFrame) -> list[PlannedFigure]:
    """Every figure of the report, in order: convergence, each task's maps, then the summaries."""
    plan = [_convergence(results, table)]
    for task in results.spec.tasks:
        plan += _maps_of(results, table, task)
    return plan + _summaries(results)


def _convergence(results, table: pd.DataFrame) -> PlannedFigure:
    best = table.sort_values("ert_evaluations").iloc[0]
    return PlannedFigure(
        "convergence", "Convergence curves", lambda: plots.convergence_curves(results),
        f"Median error per optimizer with its inter-quartile band; the steepest early drop to the dotted target "
        f"is the fastest (best ERT overall: {best['optimizer']} on {best['task']} · {best['schedule']}).",
    )  # fmt: skip


def _maps_of(results, table: pd.DataFrame, task) -> list[PlannedFigure]:
    """A task's maps: its error surface (two weights) or its two loss landscapes, and its basin map."""
    spec = results.spec
    schedule = _first_schedule_with_runs(table, spec, task.name)
    rows = table[(table["task"] == task.name) & (table["schedule"] == schedule)]
    winner = rows.sort_values("ert_evaluations").iloc[0]["optimizer"]
    if task.network.size == 2:
        maps = [PlannedFigure(
            f"surface-{task.name}", f"Error surface: {task.name}", lambda: plots.error_surface(results, task.name),
            "The dark curve is the valley of minima; paths start at o and end at *. Compare how far each "
            f"optimizer gets across the flat (light) regions; {winner} has the best ERT on this task.",
        )]  # fmt: skip
    else:
        maps = [
            PlannedFigure(
                f"landscape-{task.name}", f"Loss landscape: {task.name}",
                lambda: plots.loss_landscape(results, task.name, "paths"),
                f"E on the plane of the paths' two principal directions from one shared start, each panel "
                f"zoomed on its own path ({task.network.size} parameters seen in 2). Beware: a path is "
                "projected, so it may seem to cross contours it never crossed, and the E drawn under it is "
                f"the plane's, not the path's. {winner} has the best ERT on this task.",
            ),
            PlannedFigure(
                f"landscape-random-{task.name}", f"Loss landscape around a minimum: {task.name}",
                lambda: plots.loss_landscape(results, task.name, "random"),
                "E on a plane of two filter-normalised random directions (Li et al. 2018) around the lowest "
                "end point found: the width of the basin that point sits in. Beware: in high dimension random "
                "directions are nearly orthogonal to every path, so the paths barely show here.",
            ),
        ]  # fmt: skip
    where = (
        "Each start"
        if task.network.size == 2
        else "A grid of starts over the two parameters whose final values spread the most (the others held "
        "at the experiment's first start), each trained afresh,"
    )
    left_out = plots.basin_settings(results, task, next(s for s in spec.schedules if s.label == schedule))[1]
    not_drawn = (
        f" Not drawn (at most {plots.MAX_BASIN_PANELS} panels): {', '.join(s.label for s in left_out)}."
        if left_out
        else ""
    )
    return [*maps, PlannedFigure(
        f"basin-{task.name}", f"Basin map: {task.name}", lambda: plots.basin_map(results, task.name, schedule),
        f"{where} coloured by epochs to the target (darker is faster); grey, sand, light blue, black and "
        "orange mark runs at a minimum, on a flat spot, stopped by the method, diverged and out of budget: "
        f"the map shows where each optimizer's starts fail.{_sweep_note(spec)}{not_drawn}",
    )]  # fmt: skip


def _sweep_note(spec) -> str:
    return " A sweep is drawn at its best value." if any(s.swept for s in spec.optimizers) else ""


def _summaries(results) -> list[PlannedFigure]:
    """The figures over every task: success, runtime ECDF, performance profile, sensitivity, the published
    comparison, Rprop's step sizes and the animated paths."""
    spec = results.spec
    first = spec.tasks[0]
    published = [
        PlannedFigure(
            f"published-{task.name}", f"Published comparison: {task.name}",
            lambda task=task: plots.published_comparison(results, task.name),
            "Our mean epochs to success against the swept step size, for the best fixed part of each method's "
            "sweeps (hollow: some runs failed; band: 95% CI), with the paper's best setting (star) and its "
            "well-working region (bar). Where a star sits above our line, the paper needed more epochs.",
        )
        for task in (spec.tasks if spec.published else ())
    ]  # fmt: skip
    return [
        PlannedFigure(
            "success", "Success per optimizer", lambda: plots.success_bars(results),
            "The fraction of starts that met the success criterion, per optimizer and schedule, with Wilson 95% "
            "intervals: bars that stay short in one schedule show which optimizers need the full batch."
            + _sweep_note(spec),
        ),
        PlannedFigure(
            "runtime-ecdf", "Runtime ECDF", lambda: plots.runtime_ecdf(results),
            "Fraction of (start, target) pairs solved within a budget; a curve further left is faster, higher is "
            "more reliable, and the gap to 1 at the dotted budget line is what never got solved.",
        ),
        PlannedFigure(
            "performance-profile", "Performance profile", lambda: plots.performance_profile(results),
            "At τ = 1: how often each optimizer was the fastest on a start; at the right end: how often it "
            "succeeded at all.",
        ),
        PlannedFigure(
            "sensitivity", "Sensitivity to the step size", lambda: plots.sensitivity(results),
            "Epochs to target and success against the step-size hyperparameter: a flat, high curve needs no tuning.",
        ),
        *published,
        PlannedFigure(
            f"internals-{first.name}", "Step sizes inside Rprop", lambda: plots.step_size_internals(results),
            "Δ grows by η+ while a gradient keeps its sign and halves at each sign change; the weights jump "
            "through flat regions and settle once the steps shrink.",
        ),
        PlannedFigure(
            f"animation-{first.name}", f"Animated paths: {first.name}", lambda: _animated(results, first.name),
            f"Every optimizer from the same starts, the paths growing on one clock (epochs, log-spaced frames) over "
            f"{'the error surface' if first.network.size == 2 else 'the plane of the paths'}; each panel zoomed on "
            "its own paths. `optarena animate` makes more (MP4, more frames, other clocks).",
        ),
    ]  # fmt: skip


def _first_schedule_with_runs(table: pd.DataFrame, spec, task: str) -> str:
    """The spec's first schedule in which ``task`` has rows (scipy methods train in the full batch only)."""
    present = set(table.loc[table["task"] == task, "schedule"])
    return next(schedule.label for schedule in spec.schedules if schedule.label in present)


def _animated(results, task_name: str) -> dict[str, bytes]:
    """The report's animation of the paths on task ``task_name``, as {"gif": its bytes}."""
    movie = animation.path_movie(results, task_name, frames=ANIMATION_FRAMES)
    return {"gif": animation.gif_of(movie, results.spec, fps=8, dpi=60)}


def _tuning_section(results) -> list:
    """The tuning section as blocks: text, and a table of each sweep's best value, its statistic and its WR."""
    if not any(setting.swept for setting in results.spec.optimizers):
        return []
    return [("h2", "Tuning"), ("p", tuning_intro(results.spec.tuning)), ("table", readable_tuning(results))]


def _published_section(results) -> list:
    """The published table beside ours, what the unknowns change, and every disagreement, as blocks."""
    spec = results.spec
    if spec.published is None:
        return []
    table = published_comparison.comparison(results)
    effects = published_comparison.variant_effects(results, table)
    blocks = [("h2", "Published comparison"), ("p", f"Source: {spec.published.source}.")]
    blocks += [("p", spec.published.note)] if spec.published.note else []
    blocks += [("table", published_comparison.readable(table))]
    if results.variants:
        blocks += [("h3", "The unknowns, measured"), ("p", published_comparison.EFFECTS_INTRO)]
        blocks += [("table", published_comparison.readable_effects(effects))]
    explained = published_comparison.explanations(results, table, effects)
    if explained:
        blocks += [("h3", "Where we differ from the paper"), ("list", explained)]
    return blocks


def _spec_lines(results) -> list[str]:
    spec = results.spec
    points = spec.initial_points
    dimensions = sorted({task.network.size for task in spec.tasks})
    power = "²" if dimensions == [2] else f"^P (P = {', '.join(map(str, dimensions))})"
    where = (
        f"{points.count} uniform in [{points.low:g}, {points.high:g}]{power}"
        if points.kind == "uniform"
        else f"a {points.count}×{points.count} grid over [{points.low:g}, {points.high:g}]²"
        if points.kind == "grid"
        else f"{points.size} listed points"
    )
    return [
        f"- **Tasks**: {'; '.join(f'{t.name} ({t.description}; {_network_of(t)})' for t in spec.tasks)}",
        f"- **Schedules**: {', '.join(s.label for s in spec.schedules)}",
        f"- **Initial points**: {where}, seeds {', '.join(map(str, spec.seeds))}",
        f"- **Optimizers**: {_optimizers_in_short(spec.optimizers)}",
        f"- **Budget**: {spec.budget.max_epochs} epochs; targets {spec.targets.values[0]:g} … "
        f"{spec.targets.values[-1]:g} ({len(spec.targets.values)}); success: {spec.targets.success}",
        *(f"- {line}" for line in how_measured(results)),
    ]


def _optimizers_in_short(settings) -> str:
    """The optimizers, each sweep once with its range of values rather than a setting per value.

    >>> from experiments import OptimizerSetting
    >>> _optimizers_in_short([OptimizerSetting("adam")] + [OptimizerSetting("gd", {"learning_rate": r},
    ...     swept="learning_rate") for r in (0.01, 0.1, 1.0)])
    'adam, gd(learning_rate=0.01 … 1: 3 values)'
    """
    sweeps: dict[str, list] = {}
    for setting in settings:
        sweeps.setdefault(setting.group if setting.swept else setting.label, []).append(setting)
    return ", ".join(
        name if members[0].swept is None else name.replace(
            "=·", f"={min(m.swept_value for m in members):g} … {max(m.swept_value for m in members):g}: "
                  f"{len(members)} values")
        for name, members in sweeps.items()
    )  # fmt: skip


def _network_of(task) -> str:
    return "the article's 1-1-1 network" if task.is_article else f"network {task.network.describe()}"


def _markdown(results, table, significance, findings, figures) -> str:
    return "\n".join(_as_markdown(_blocks(results, table, significance, findings, figures, explorer=False)))


def _html(results, table, significance, findings, figures, out: Path, static: bool = False) -> str:
    blocks = _blocks(results, table, significance, findings, figures, explorer=not static)
    body = _as_html(blocks, results, out, static)
    if not static:
        return explorer.page(results.spec.name, body, explorer.data_block(explorer.data_of(results)))
    style = (
        "body{font-family:system-ui,sans-serif;max-width:1500px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;font-size:0.85em}td,th{padding:0.25em 0.6em;border-bottom:1px solid #ddd;"
        "text-align:right}th{background:#f3f3f3}.figure{display:flex;gap:1.5em;align-items:flex-start}"
        ".figure img{max-width:78%;flex:0 1 auto}.caption{color:#444;font-style:italic;flex:1 1 14em}"
        "nav ol{columns:2}"
    )
    name = html.escape(results.spec.name)

    def page(size: str) -> str:
        footer = f"<footer><p>One self-contained file of {size}: every figure and animation is embedded.</p></footer>"
        return (
            f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>optarena: {name}"
            f"</title><style>{style}</style></head><body>\n" + "\n".join(body) + f"\n{footer}\n</body></html>\n"
        )

    return page(human_size(len(page("0.0 MB").encode("utf-8"))))


def _blocks(results, table, significance, findings, figures, explorer: bool) -> list[tuple[str, object]]:
    """The report as one list of (kind, content) blocks, in reading order, which `_as_markdown` and `_as_html`
    both render: the Markdown and the HTML report have the same sections in the same order (the HTML one adds
    its table of contents and, unless static, the explorer)."""
    spec = results.spec
    drawn = [figure for figure in figures if not figure.skipped]
    blocks = [("h1", f"optarena report: {spec.name}"), ("p", spec.description), ("spec", _spec_lines(results))]
    blocks += [("contents", None), ("h2", "Findings"), ("p", "The largest effects first:"), ("findings", findings)]
    blocks += [("h2", "Explore the convergence curves"), ("explorer", None)] if explorer else []
    blocks += [("h2", "Convergence table"), ("summary", table)]
    for figure in drawn:
        blocks += [("h2", figure.title), ("figure", figure)]
    skipped = [f"{figure.title}: {figure.skipped}" for figure in figures if figure.skipped]
    blocks += [("h2", "Figures not drawn"), ("list", skipped)] if skipped else []
    blocks += _tuning_section(results) + _published_section(results)
    return [*blocks, ("h2", "Pairwise significance"), ("significance", significance)]


def _as_markdown(blocks: list) -> list[str]:
    """``blocks`` as the lines of report.md (figures linked beside it)."""
    files = {content.stem: content.file for kind, content in blocks if kind == "figure"}
    render = {
        "h1": lambda text: [f"# {text}"],
        "h2": lambda text: [f"## {text}"],
        "h3": lambda text: [f"### {text}"],
        "p": lambda text: [text],
        "spec": lambda lines: lines,
        "contents": lambda _: [],
        "findings": lambda found: [_linked(f.text, files.get(f.figure)) for f in found],
        "summary": lambda table: [to_markdown(table, "summary")],
        "figure": lambda figure: [f"![{figure.title}]({figure.file})", "", figure.caption],
        "list": lambda items: [f"- {item}" for item in items],
        "table": lambda table: [to_markdown(table)],
        "significance": lambda table: [to_markdown(table, "significance")],
    }
    lines = []
    for kind, content in blocks:
        rendered = render[kind](content)
        lines += [*rendered, ""] if rendered else []
    return lines


def _linked(finding: str, file: str | None) -> str:
    """A finding as a Markdown list item, with a link to its figure's ``file`` where it has one."""
    return f"- {finding}" + (f" [figure]({file})" if file else "")


def _as_html(blocks: list, results, out: Path, static: bool) -> list[str]:
    """``blocks`` as the lines of report.html's body: figures from the results folder ``out``, embedded; sortable
    tables and the explorer unless ``static``."""
    escape = html.escape
    titles = {content.stem: content.title for kind, content in blocks if kind == "figure"}
    sections = [content for kind, content in blocks if kind == "h2"]

    def findings(found) -> list[str]:
        items = [f"<li>{_inline_markdown(f.text)}"
                 + (f" <a href='#{_anchor(titles[f.figure])}'>[figure]</a>" if f.figure in titles else "") + "</li>"
                 for f in found]  # fmt: skip
        return ["<ol>", *items, "</ol>"]

    def summary(table) -> list[str]:
        text = readable(table, "summary").to_html(index=False, border=0)
        return [text if static else explorer.sortable(text, "summary")]

    render = {
        "h1": lambda text: [f"<h1>{escape(text)}</h1>"],
        "h2": lambda text: [_heading(text)],
        "h3": lambda text: [f"<h3>{escape(text)}</h3>"],
        "p": lambda text: [f"<p>{escape(text)}</p>"],
        "spec": lambda lines: ["<ul>", *[f"<li>{_inline_markdown(line[2:])}</li>" for line in lines], "</ul>"],
        "contents": lambda _: ["<nav><h2>Contents</h2><ol>",
                               *[f"<li><a href='#{_anchor(t)}'>{escape(t)}</a></li>" for t in sections], "</ol></nav>"],
        "findings": findings,
        "explorer": lambda _: explorer.explorer_section(),
        "summary": summary,
        "figure": lambda figure: [explorer.figure_block(out, figure.file, figure.title, figure.caption, figure.vector,
                                                        static)],
        "list": lambda items: ["<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"],
        "table": lambda table: [table.to_html(index=False, border=0)],
        "significance": lambda table: _significance_html(results, table, static),
    }  # fmt: skip
    return [line for kind, content in blocks for line in render[kind](content)]


def _significance_html(results, significance: pd.DataFrame, static: bool) -> list[str]:
    """The significance section's body: the whole table, or (interactive) the count, the matrix and the tests
    between the settings that stand for their sweeps, sortable, folded away."""
    if static:
        return [readable(significance, "significance").to_html(index=False, border=0)]
    between = _between_sweeps(results, significance)
    shown = without_repeats(results, between)
    tests = readable(shown, "significance").to_html(index=False, border=0)
    which = "every pair of optimizers" if len(between) == len(significance) else "the best setting of every sweep"
    return [f"<p>{html.escape(significance_count(results, significance))}.</p>",
            f"<details><summary>The tests between {which} in every place ({len(shown)}): open to read, sort and "
            "filter</summary>", *explorer.significance_matrix(), explorer.sortable(tests, "significance"),
            "</details>"]  # fmt: skip


def _inline_markdown(text: str) -> str:
    """``text`` escaped for HTML, its **bold** spans as <strong>."""
    text = html.escape(text)
    while "**" in text:
        text = text.replace("**", "<strong>", 1).replace("**", "</strong>", 1)
    return text


def _between_sweeps(results, significance: pd.DataFrame) -> pd.DataFrame:
    """The tests between the settings that stand for their sweep in each place (`explorer.leaders`); all of them
    where nothing was swept.  A sweep's thousands of pairs stay in significance.csv."""
    leaders = explorer.leaders(results)
    keep = [(t, s, a) in leaders and (t, s, b) in leaders
            for t, s, a, b in significance[["task", "schedule", "a", "b"]].to_numpy()]  # fmt: skip
    return significance[keep]


def human_size(size: int) -> str:
    """A byte count for people.

    >>> human_size(2_345_678), human_size(12_345)
    ('2.3 MB', '12 kB')
    """
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


def _anchor(title: str) -> str:
    """An HTML id for a section title."""
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def _heading(title: str) -> str:
    return f"<h2 id='{_anchor(title)}'>{html.escape(title)}</h2>"

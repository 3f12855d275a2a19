"""What the interactive report costs a reader: file size and first render, against plotly.js and bokeh.

Three pages show the same chart, the explorer's first place of a results folder (every optimizer's
median E − E* with its inter-quartile band, log axes), each working offline (the library inlined):

- optarena: the folder's whole report.html (findings, tables, embedded figures, its own 10 kB script);
- plotly: that chart alone, ``plotly.graph_objects`` with plotly.js inlined (``include_plotlyjs=True``);
- bokeh: that chart alone, ``bokeh.embed.file_html`` with BokehJS inlined (``resources.INLINE``).

Each page is loaded ``--repeats`` times in one headless Chromium from file://; printed are the
medians of the first contentful paint, the load event and the moment the chart's marks exist (SVG
paths for optarena and plotly, BokehJS's views finished for bokeh), all from the navigation's start.

    python benchmarks/bench_report.py [RESULTS_FOLDER]   # default: runs the default experiment first

Needs ``pip install playwright plotly bokeh`` and a Chromium (``apt install chromium``, or
``playwright install chromium``).
"""

from __future__ import annotations

import argparse
import math
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from experiments.report import explorer

QUANTITY = "E − E*"
CHART_DRAWN = {
    "optarena": "() => document.querySelectorAll('#chart path').length > 0",
    "plotly": "() => document.querySelectorAll('.scatterlayer .trace path').length > 0",
    "bokeh": "() => window.Bokeh && Bokeh.index && Object.values(Bokeh.index).length > 0"
    " && Object.values(Bokeh.index).every(view => view.has_finished())",
}
TIMINGS = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {paint: paint ? paint.startTime : null, load: performance.getEntriesByType('navigation')[0].loadEventEnd,
          chart: performance.now()};
}"""


def first_place_curves(report: Path) -> tuple[str, list[dict]]:
    """The title and the curves (optimizer, epochs, median, q1, q3) of the report's first place."""
    place = explorer.read_data(report.read_text())["places"][0]
    curves = [
        {"optimizer": c["optimizer"], "epochs": c["epochs"], **c["series"][QUANTITY]}
        for c in place["curves"]
        if QUANTITY in c["series"]
    ]
    return place["name"], curves


def _positive(values):
    return [v if v is not None and v > 0 else None for v in values]


def plotly_page(title: str, curves: list[dict], path: Path) -> Path:
    import plotly.graph_objects as go

    figure = go.Figure()
    for c in curves:
        figure.add_trace(go.Scatter(x=c["epochs"] + c["epochs"][::-1], y=_positive(c["q3"] + c["q1"][::-1]),
                                    fill="toself", opacity=0.2, line={"width": 0}, showlegend=False))  # fmt: skip
        figure.add_trace(go.Scatter(x=c["epochs"], y=_positive(c["median"]), name=c["optimizer"], mode="lines"))
    figure.update_layout(title=title, width=900, height=500)
    figure.update_xaxes(type="log", title="epochs")
    figure.update_yaxes(type="log", title=QUANTITY)
    figure.write_html(path, include_plotlyjs=True, full_html=True)
    return path


def bokeh_page(title: str, curves: list[dict], path: Path) -> Path:
    from bokeh.embed import file_html
    from bokeh.palettes import Category20
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    chart = figure(title=title, width=900, height=500, x_axis_type="log", y_axis_type="log",
                   x_axis_label="epochs", y_axis_label=QUANTITY)  # fmt: skip
    colours = Category20[20] * (len(curves) // 20 + 1)
    for c, colour in zip(curves, colours, strict=False):
        kept = [(e, m, lo, hi) for e, m, lo, hi in zip(c["epochs"], c["median"], c["q1"], c["q3"], strict=True)
                if e > 0 and None not in (m, lo, hi) and min(m, lo, hi) > 0]  # fmt: skip
        if kept:
            epochs, median, low, high = map(list, zip(*kept, strict=True))
            chart.varea(x=epochs, y1=low, y2=high, fill_color=colour, fill_alpha=0.2)
            chart.line(epochs, median, line_color=colour, legend_label=c["optimizer"])
    path.write_text(file_html(chart, INLINE, title))
    return path


def render_times(pages: dict[str, Path], repeats: int) -> dict[str, dict[str, float]]:
    """Median milliseconds from navigation start to first contentful paint, load, and the chart drawn."""
    from playwright.sync_api import sync_playwright

    system = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    medians = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=system, args=["--no-sandbox", "--disable-gpu"])
        for name, path in pages.items():
            runs = []
            for _ in range(repeats + 1):  # the first load warms the browser's caches and is dropped
                page = browser.new_page()
                page.goto(path.as_uri())
                page.wait_for_function(CHART_DRAWN[name], polling="raf")
                runs.append(page.evaluate(TIMINGS))
                page.close()
            medians[name] = {  # a load whose first paint the browser did not record counts for the others only
                key: statistics.median([run[key] for run in runs[1:] if run[key] is not None] or [math.nan])
                for key in runs[0]
            }
        browser.close()
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", type=Path, help="a results folder with report.html (default: run one)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.results
        if folder is None:
            folder = Path(scratch) / "default"
            print("running the default experiment for its report (optarena run --quiet) ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "experiments", "run", "--out", str(folder), "--quiet"], check=True)
        title, curves = first_place_curves(folder / "report.html")
        pages = {
            "optarena": folder / "report.html",
            "plotly": plotly_page(title, curves, Path(scratch) / "plotly.html"),
            "bokeh": bokeh_page(title, curves, Path(scratch) / "bokeh.html"),
        }
        times = render_times(pages, args.repeats)
        print(f"Chromium, headless, {platform.machine()}, {args.repeats} loads each (medians, ms from navigation)")
        print(f"{len(curves)} curves of {title!r}; optarena's page is its whole report, the others this chart alone")
        print(f"{'page':10} {'bytes':>10} {'first paint':>12} {'load':>8} {'chart drawn':>12} {'chart / optarena':>17}")
        for name, path in pages.items():
            t = times[name]
            ratio = t["chart"] / times["optarena"]["chart"]
            print(f"{name:10} {path.stat().st_size:>10,} {t['paint']:>12.0f} {t['load']:>8.0f} {t['chart']:>12.0f}"
                  f" {ratio:>16.1f}×")  # fmt: skip


if __name__ == "__main__":
    main()

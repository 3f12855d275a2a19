"""Every figure draws real content from a small results fixture; the report's links and images resolve."""

import base64
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import experiments
import network
from experiments import ExperimentSpec, InitialPoints, OptimizerSetting, Schedule, Targets, plots
from experiments.definition.spec import Budget
from experiments.plots.style import LOOKS, setting_style
from experiments.report import document, explorer

SMALL = ExperimentSpec(
    name="small",
    description="a small grid experiment with a learning-rate sweep",
    tasks=(network.get_task("teacher"),),
    schedules=(Schedule("full-batch"), Schedule("per-sample")),
    initial_points=InitialPoints("grid", count=6, low=-5.0, high=5.0),
    optimizers=(
        *(OptimizerSetting("gd", {"learning_rate": rate}, swept="learning_rate") for rate in (0.5, 2.0, 8.0)),
        OptimizerSetting("irprop-"),
        OptimizerSetting("sign"),
    ),
    budget=Budget(max_epochs=120),
    targets=Targets.ladder(0.1, 1e-4, per_decade=2),
)


@pytest.fixture(scope="module")
def results():
    return experiments.run(SMALL)


def pixels(figure) -> np.ndarray:
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3]


def assert_drawn(figure):
    image = pixels(figure)
    not_white = (image < 245).any(axis=-1).mean()
    colours = len(np.unique(image.reshape(-1, 3)[::7], axis=0))
    assert not_white > 0.05, "the figure is (nearly) blank"
    assert colours > 50, "the figure has almost no content"
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert figure.get_suptitle() or all(ax.get_title() for ax in visible), "the figure has no title"
    assert any(ax.get_xlabel() for ax in visible) and any(ax.get_ylabel() for ax in visible), "unlabelled axes"


@pytest.mark.parametrize(
    "draw",
    [
        plots.convergence_curves,
        plots.error_surface,
        plots.basin_map,
        plots.runtime_ecdf,
        plots.performance_profile,
        plots.sensitivity,
        plots.step_size_internals,
    ],
)
def test_each_figure_draws_real_content(results, draw):
    figure = draw(results)
    assert isinstance(figure, matplotlib.figure.Figure)
    assert_drawn(figure)
    matplotlib.pyplot.close(figure)


def test_the_surface_is_the_networks_exact_error(results):
    task = network.get_task("teacher")
    w_h, w_o, errors = plots.surface_grid(task, (-5, 5, -4, 6), resolution=41)
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, 41, size=(30, 2)):
        assert errors[i, j] == network.error([w_h[j], w_o[i]], task.inputs, task.targets)


def test_the_basin_map_colours_every_grid_start(results):
    figure = plots.basin_map(results)
    meshes = [c for c in figure.axes[0].collections if isinstance(c, matplotlib.collections.QuadMesh)]
    coloured = np.ma.masked_invalid(meshes[0].get_array()).count()
    failed = sum(np.ma.masked_invalid(mesh.get_array()).count() for mesh in meshes[1:])
    assert coloured + failed == 36


def test_sensitivity_needs_a_sweep():
    no_sweep = experiments.run(
        ExperimentSpec(
            "plain",
            (network.get_task("teacher"),),
            (OptimizerSetting("gd"),),
            InitialPoints(count=4),
            budget=Budget(max_epochs=10),
        )
    )
    with pytest.raises(
        ValueError, match=r"no hyperparameter sweep .*; run the built-in experiment: optarena run sensitivity"
    ):
        plots.sensitivity(no_sweep)
    assert plots.sweeps(SMALL) == {"gd(learning_rate=·)": ("learning_rate", list(SMALL.optimizers[:3]))}


def test_every_optimizer_keeps_its_colour_across_figures(results):
    convergence = plots.convergence_curves(results)
    ecdf = plots.runtime_ecdf(results)
    colour = {line.get_label(): line.get_color() for line in convergence.axes[0].lines if line.get_label()[0] != "_"}
    for line in ecdf.axes[0].lines:
        if line.get_label() in colour:
            assert line.get_color() == colour[line.get_label()]


def test_log_axes_over_two_decades_or_more_lose_their_minor_ticks_and_shorter_ones_keep_them():
    figure, (wide, narrow) = plt.subplots(1, 2)
    wide.loglog([1, 1e3], [1e-8, 1.0])
    narrow.semilogx([1, 50], [0, 1])
    plots.style.without_minor_log_ticks(figure)
    figure.canvas.draw()
    assert not wide.xaxis.get_minorticklocs().size and not wide.yaxis.get_minorticklocs().size
    assert wide.xaxis.get_majorticklocs().size and narrow.xaxis.get_minorticklocs().size
    plt.close(figure)


@pytest.mark.slow
def test_the_report_links_and_embeds_every_figure(results, tmp_path):
    figures = document.write_figures(results, tmp_path, ("png", "svg"))
    assert {f.stem for f in figures} >= {
        "convergence",
        "surface-teacher",
        "basin-teacher",
        "runtime-ecdf",
        "performance-profile",
        "sensitivity",
        "internals-teacher",
        "animation-teacher",
    }
    markdown_path, html_path = document.write_report(results, tmp_path, figures)
    markdown = markdown_path.read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert len(links) == len(figures)
    magic = {"png": b"\x89PNG\r\n\x1a\n", "gif": b"GIF89a", "jpeg": b"\xff\xd8\xff"}
    for link in links:
        extension = link.rsplit(".", 1)[1]
        assert (tmp_path / link).read_bytes()[:6] == magic[extension][:6]
        if extension == "png":  # the animation is a GIF only
            assert (tmp_path / link).with_suffix(".svg").read_text().lstrip().startswith("<?xml")
    page = html_path.read_text()
    for figure in figures:  # each downloads beside the page at full size, and as SVG where one was written
        assert f"<a href='{figure.file}' download>" in page
        assert (f"<a href='figures/{figure.stem}.svg' download>SVG</a>" in page) == (figure.extension == "png")
    images = re.findall(r'<img alt="[^"]*" src="([^"]+)"', page)
    assert len(images) == len(figures)
    for source in images:
        kind = source.removeprefix("data:image/").split(";")[0]
        assert source.startswith(f"data:image/{kind};base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(magic[kind])
    assert sorted(source.split(";")[0] for source in images).count("data:image/gif") == 1
    assert 'src="http' not in page and "## Findings" in markdown and "id='findings'>Findings</h2>" in page
    for figure in figures:
        assert figure.caption in markdown


@pytest.mark.slow
def test_figures_drawn_in_several_processes_are_the_ones_drawn_in_one(results, tmp_path):
    alone = document.write_figures(results, tmp_path / "one", jobs=1)
    shared = document.write_figures(results, tmp_path / "three", jobs=3)
    assert shared == alone
    for figure in alone:
        name = figure.file
        assert (tmp_path / "three" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), figure.stem


@pytest.mark.slow
def test_plotting_works_without_a_display(tmp_path):
    script = (
        "import experiments\nfrom experiments import plots\n"
        "figure = plots.convergence_curves(experiments.run('quick'))\n"
        f"figure.savefig({str(tmp_path / 'c.png')!r})\n"
        "import matplotlib; print(matplotlib.get_backend())\n"
    )
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True)
    assert done.stdout.strip().lower() == "agg" and (tmp_path / "c.png").stat().st_size > 10_000


@pytest.fixture(scope="module")
def written(results, tmp_path_factory):
    """A folder with the figures and the interactive report of `results`, drawn once for the tests below."""
    out = tmp_path_factory.mktemp("report")
    figures = document.write_figures(results, out)
    return out, figures, document.write_report(results, out, figures)[1]


def test_the_interactive_report_embeds_the_results_curves_as_data(results, written):
    page = written[2].read_text()
    data = explorer.read_data(page)
    assert data == json.loads(json.dumps(explorer.data_of(results)))  # what the page draws is the results'
    places = {(p["task"], p["schedule"]): {c["optimizer"]: c for c in p["curves"]} for p in data["places"]}
    assert set(places) == {("teacher", "full-batch"), ("teacher", "per-sample")}
    task = network.get_task("teacher")
    (population,) = results.populations(task, Schedule("per-sample"), SMALL.optimizers[3])
    curve = places[("teacher", "per-sample")]["irprop-"]
    assert curve["epochs"] == population.history_epochs.tolist()
    assert curve["evaluations_per_epoch"] == task.samples
    assert "<script>" in page and "id='chart'" in page and 'class="dataframe sortable"' in page and "<details>" in page
    assert "src='http" not in page and 'src="http' not in page  # nothing from the network


def test_the_explorers_curve_is_the_static_figures_median_at_every_epoch(results):
    """Both hold a run's error after it stopped: the explorer's median never climbs back up as successful runs leave
    (its NaN-skipping median of the runs still running did)."""
    figure = plots.convergence_curves(results)
    minimum = results.reference("teacher").value
    compared = 0
    for place in explorer.data_of(results)["places"]:
        (ax,) = [ax for ax in figure.axes if ax.get_title() == f"{place['task']} · {place['schedule']}"]
        drawn = {line.get_label(): line.get_ydata() for line in ax.get_lines() if line.get_linewidth() == 2}
        for curve in place["curves"]:
            median = np.array([np.nan if v is None else v for v in curve["series"]["E − E*"]["median"]])
            static = np.asarray(drawn[curve["optimizer"]]) - minimum
            finite = np.isfinite(static)
            assert np.array_equal(np.isfinite(median), finite), curve["optimizer"]
            np.testing.assert_allclose(median[finite], np.maximum(static[finite], explorer.FLOOR), rtol=5e-4)
            compared += 1
    plt.close(figure)
    assert compared == 2 * len(SMALL.optimizers)


def test_the_static_report_embeds_full_size_figures_and_no_script(results, written):
    out, figures, _ = written
    page = document._html(results, results.table(), results.significance(), [], figures, out, static=True)
    assert "<script" not in page and "optarena-data" not in page
    convergence = next(f for f in figures if f.stem == "convergence")
    encoded = base64.b64encode((out / convergence.file).read_bytes()).decode("ascii")
    assert encoded in page


@pytest.mark.slow
def test_the_default_runs_report_is_at_most_2_mb(tmp_path):
    results = experiments.run("default", tmp_path, jobs=2)
    figures = document.write_figures(results, tmp_path, jobs=2)
    size = document.write_report(results, tmp_path, figures)[1].stat().st_size
    assert size <= 2_000_000, f"report.html is {size} bytes"


def test_the_report_loads_in_a_headless_browser_and_a_filter_redraws(written, browser_page):
    """In Chromium: the page loads without a script error, draws the explorer, and unchecking an optimizer takes its
    line and band away; the tables filter and sort, the chart and the figures download."""
    page, errors = browser_page
    page.goto(written[2].as_uri())
    lines = page.locator("#chart path").count()
    page.locator("#optimizers input:checked").first.uncheck()
    assert errors == [] and lines > 0 and page.locator("#chart path").count() < lines
    page.select_option("#place", index=1)  # the other place: its curves replace the first's
    assert page.locator("#chart path").count() > 0
    table, box = page.locator("table.sortable").first, page.locator("input.filter").first
    rows = table.locator("tbody tr")
    box.fill("irprop-")  # the filter keeps the rows that mention it
    shown = [row.inner_text() for row in rows.all() if row.is_visible()]
    assert 0 < len(shown) < rows.count() and all("irprop-" in row for row in shown)
    box.fill("")
    column = table.locator("tbody tr td:nth-child(3)")
    table.locator("thead th").nth(2).click()  # sorted by the third column, then the other way
    ascending = column.all_inner_texts()
    table.locator("thead th").nth(2).click()
    assert column.all_inner_texts() == ascending[::-1] != ascending
    with page.expect_download() as svg:
        page.click("#svg")
    assert svg.value.suggested_filename == "explorer.svg"
    assert Path(svg.value.path()).read_text().startswith("<svg")
    with page.expect_download() as png:
        page.click("#png")
    assert png.value.suggested_filename == "explorer.png"
    assert Path(png.value.path()).read_bytes().startswith(b"\x89PNG")
    with page.expect_download() as figure:
        page.locator("button.download").first.click()
    assert figure.value.suggested_filename.rsplit(".", 1)[1] in {"png", "jpg"}
    assert errors == []


def test_the_reports_script_runs_and_a_filter_redraws_on_a_minimal_dom(written):
    """Without a browser: ``report_dom.js`` runs the page's script in node against the few DOM calls it makes."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the script's run is tested where it is (and in a browser with playwright)")
    page = written[2]
    script = Path(__file__).resolve().parents[2] / "report_dom.js"
    drawn = json.loads(
        subprocess.run([node, str(script), str(page)], capture_output=True, text=True, check=True).stdout
    )
    assert drawn["places"] == 2 and drawn["optimizers"] == len(SMALL.optimizers)
    assert drawn["drawn"] > 0 and drawn["afterUnchecking"] < drawn["drawn"] and drawn["texts"] > 5
    leaders = 3  # gd at its best rate, irprop-, sign: the significance matrix has a cell for every ordered pair
    assert drawn["matrixCells"] == leaders * (leaders - 1)


@pytest.fixture(scope="module")
def every_optimizer():
    """Every built-in optimizer and scipy baseline, a few starts and epochs: the crowded case of the explorer."""
    spec = {"name": "crowd", "tasks": ["teacher"], "optimizers": "all", "budget": {"max_epochs": 30},
            "initial_points": {"kind": "uniform", "count": 6, "low": -3.0, "high": 3.0}}  # fmt: skip
    return experiments.run(spec)


@pytest.mark.parametrize("which", ["small", "every optimizer"])
def test_the_explorer_draws_each_optimizer_as_its_figures_do_and_never_two_alike(results, every_optimizer, which):
    chosen = results if which == "small" else every_optimizer
    data = explorer.data_of(chosen)
    figure = plots.convergence_curves(chosen)
    drawn = {line.get_label(): (matplotlib.colors.to_hex(line.get_color()), line.get_linestyle())
             for ax in figure.axes for line in ax.get_lines() if line.get_linewidth() == 2}  # fmt: skip
    plt.close(figure)
    dashes = {"-": "", "--": "6,3", ":": "1.5,2.5", "-.": "6,2.5,1.5,2.5"}
    for place in data["places"]:
        looks = [(data["styles"][c["optimizer"]]["colour"], data["styles"][c["optimizer"]]["dash"]) for c in
                 place["curves"]]  # fmt: skip
        assert len(set(looks)) == len(looks), place["name"]  # gd and scipy-bfgs shared a colour
    settings = {setting.label: setting for setting in chosen.spec.optimizers}
    for label, style in data["styles"].items():
        if label in drawn:
            assert style["colour"] == drawn[label][0], label  # Adam was blue in the explorer, green in the figures
            named = setting_style(settings[label], chosen.spec.optimizers)["linestyle"]
            if isinstance(named, str):  # matplotlib reports a custom dash pattern as '--'
                assert drawn[label][1] == named and style["dash"] == dashes[named], label


def test_the_explorer_opens_with_the_best_few_leaders_of_each_place(every_optimizer):
    data = explorer.data_of(every_optimizer)
    for place in data["places"]:
        ranks = sorted(c["rank"] for c in place["curves"] if c["rank"] is not None)
        assert ranks == list(range(len(ranks)))
        shown = [c for c in place["curves"] if c["rank"] is not None and c["rank"] < data["shown_first"]]
        assert len(shown) == min(explorer.SHOWN_FIRST, len(ranks)) < len(place["curves"])
        table = every_optimizer.table().set_index(["task", "schedule", "optimizer"])
        best = min(place["curves"], key=lambda c: table.loc[(place["task"], place["schedule"], c["optimizer"]),
                                                            "ert_evaluations"])  # fmt: skip
        assert best["rank"] == 0 or table.loc[(place["task"], place["schedule"], best["optimizer"]),
                                              "ert_evaluations"] == float("inf")  # fmt: skip


def test_the_terminal_and_the_report_count_the_pairwise_tests_alike(quick, tmp_path):
    """A one-sample task trains once for every schedule: significance.csv repeats its tests, and the report counted
    them (860 of 860) where the terminal did not (591 of 620)."""
    from experiments import pipeline
    from experiments.analysis.tables import significance_count

    one_sample = next(task for task in quick.spec.tasks if task.samples == 1)
    assert one_sample and len(quick.spec.schedules) > 1
    sentence = significance_count(quick, quick.significance())
    assert f"{len(quick.significance())} rows" in sentence
    assert sentence in pipeline.tables(quick, significance=False)
    page = document.write_report(quick, tmp_path, [])[1].read_text()
    assert html.escape(sentence) in page


@pytest.mark.parametrize("linestyle", [linestyle for linestyle, _ in LOOKS])
def test_every_line_style_of_the_figures_has_its_dash_in_the_explorer(linestyle):
    dash = explorer.dash_of(linestyle)
    assert (dash == "") == (linestyle == "-")
    if not isinstance(linestyle, str):
        assert [float(length) for length in dash.split(",")] == list(linestyle[1])

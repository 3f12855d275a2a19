"""Sweeps and long names on screen: figures whose titles and labels never collide, and terminal tables that say
what tuning found and fit the terminal."""

import itertools

import matplotlib.pyplot as plt
import pytest

import experiments
from experiments import plots
from experiments.analysis.tables import to_text, tuning_to_text, without_repeats
from experiments.cli import main

SWEEPS = {
    "name": "sweeps",
    "tasks": ["teacher", "single-sample"],
    "schedules": ["full-batch", "per-sample"],
    "optimizers": [
        {"name": "momentum", "settings": [{"momentum": 0.0}, {"momentum": 0.9}],
         "sweep": {"learning_rate": {"low": 0.1, "high": 10.0, "count": 5}}},
        {"name": "quickprop", "settings": [{"max_growth": 1.75, "weight_decay": 0.0001}],
         "sweep": {"learning_rate": [0.01, 0.1, 1.0]}, "flat_spot": 0.1},
        {"name": "rprop+", "sweep": {"delta0": [0.01, 0.1, 1.0, 10.0]}},
        "irprop-",
    ],
    "initial_points": {"kind": "uniform", "count": 8, "low": -3.0, "high": 3.0},
    "budget": {"max_epochs": 80},
    "targets": {"high": 0.1, "low": 1e-4, "headline": 1e-4},
}  # fmt: skip


@pytest.fixture(scope="module")
def swept_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweeps") / "out"
    experiments.run(SWEEPS, folder, jobs=2)
    return folder


@pytest.fixture(scope="module")
def swept(swept_folder):
    return experiments.load(swept_folder)


def no_two_overlap(texts) -> bool:
    """Whether the drawn extents of ``texts`` (matplotlib Text objects with text) are pairwise disjoint."""
    boxes = [text.get_window_extent() for text in texts if text.get_text()]
    return not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


@pytest.mark.parametrize(
    "draw",
    [
        lambda results: plots.sensitivity(results),
        lambda results: plots.basin_map(results, "teacher", "full-batch"),
        lambda results: plots.success_bars(results),
    ],
    ids=["sensitivity", "basin", "success"],
)
def test_figures_of_a_sweep_lay_out_without_warnings_or_colliding_titles(swept, draw):
    figure = draw(swept)  # the suite turns matplotlib's "constrained_layout not applied" warning into an error
    figure.canvas.draw()
    axes = [ax for ax in figure.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    assert no_two_overlap([ax.title for ax in axes])
    for ax in axes:  # tick labels stay inside the figure
        for label in ax.get_yticklabels():
            if label.get_text():
                assert label.get_window_extent().x0 >= 0
    plt.close(figure)


def test_a_sweep_appears_once_at_its_best_value_in_the_success_bars(swept):
    figure = plots.success_bars(swept)
    labels = [label.get_text().replace("\n", " ") for label in figure.axes[0].get_yticklabels()]
    assert sum(label.startswith("momentum(") for label in labels) == 2  # two fixed parts, each at its best
    assert sum(label.startswith("rprop+(") for label in labels) == 1 and "irprop-" in labels
    plt.close(figure)


def test_a_basin_map_says_what_it_leaves_out_in_the_figure_and_the_caption(swept, tmp_path):
    task, schedule = swept.spec.tasks[0], swept.spec.schedules[0]
    drawn, left_out = plots.basin_settings(swept, task, schedule, max_panels=2)
    assert len(drawn) == 2 and len(left_out) == 3
    figure = plots.basin_map(swept, task.name, schedule.label, max_panels=2)
    assert "3 more settings not drawn (at most 2 panels" in figure._suptitle.get_text().replace("\n", " ")
    plt.close(figure)
    from experiments.report import document

    crowded = experiments.run(
        SWEEPS | {"tasks": ["single-sample"], "schedules": ["full-batch"], "optimizers": [
            {"name": "gd", "settings": [{"learning_rate": 0.1 * k} for k in range(1, 23)]}]}
    )  # fmt: skip
    plan = document._figure_plan(crowded, crowded.table())
    caption = next(entry.caption for entry in plan if entry.stem.startswith("basin"))
    assert "Not drawn (at most 20 panels): gd(learning_rate=2.1" in caption


def test_the_terminal_shows_each_sweeps_best_value_its_region_and_its_unit(swept, swept_folder, capsys):
    text = tuning_to_text(swept)
    assert "ERT [epochs] [95% CI]" in text and "well-working region" in text
    assert "rprop+(delta0=·)" in text and "delta0 = " in text
    assert main(["table", str(swept_folder)]) == 0
    printed = capsys.readouterr().out
    assert "Tuning. Each sweep's best value by ERT [epochs] (95% CI)" in printed
    assert "learning_rate = " in printed and "well-working region" in printed


def test_the_terminal_flags_a_best_value_at_the_grids_edge():
    spec = SWEEPS | {"tasks": ["teacher"], "schedules": ["full-batch"],
                     "optimizers": [{"name": "irprop-", "sweep": {"delta0": [0.001, 0.003, 0.01]}}]}  # fmt: skip
    text = tuning_to_text(experiments.run(spec))
    assert "delta0 = 0.01" in text and "(best at the grid's edge: widen it)" in text


def test_a_one_sample_task_is_printed_once_for_all_schedules(swept):
    text = to_text(without_repeats(swept, swept.table()), "summary")
    assert text.count("single-sample · ") == 1 and "single-sample · every schedule (one sample)" in text
    assert text.count("teacher · ") == 2


@pytest.mark.parametrize("width", [70, 100, 140])
def test_tables_fit_the_terminal_width_and_say_what_they_left_out(swept, width):
    for kind, table in (("summary", swept.table()), ("significance", swept.significance())):
        text = to_text(table, kind, width)
        assert max(len(line) for line in text.splitlines()) <= width
    assert "(to fit 70 columns: left out time [s]" in to_text(swept.table(), "summary", 70)
    assert max(len(line) for line in tuning_to_text(swept, width).splitlines()) <= width

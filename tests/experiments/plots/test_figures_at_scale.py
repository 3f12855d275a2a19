"""Figures that scale: twenty optimizers told apart, landscapes of layered networks, and animated paths."""

import dataclasses
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image

import experiments
import network
import optimizers
from experiments import Budget, ExperimentSpec, InitialPoints, OptimizerSetting, Schedule, Targets, plots
from experiments.cli import main
from experiments.definition.training_setup import TrainingSetup
from experiments.plots import animation, landscape
from experiments.plots.style import FAMILIES, family_of, optimizer_style, setting_style
from experiments.report import document
from experiments.running.runner import trace
from experiments.running.scipy_baselines import METHODS, scipy_path_and_costs

EVERY_NAME = [*optimizers.available(), *METHODS]

XOR = ExperimentSpec(
    name="tiny-xor",
    tasks=(network.get_task("xor"),),
    optimizers=tuple(OptimizerSetting(name) for name in ("gd", "irprop-", "adam", "quickprop", "scipy-bfgs")),
    schedules=(Schedule("full-batch"),),
    initial_points=InitialPoints("uniform", count=6, low=-1.0, high=1.0),
    budget=Budget(max_epochs=60),
    targets=Targets.ladder(1.0, 1e-3, per_decade=2, criterion="bit"),
)
CROWDED = ExperimentSpec(
    name="crowded",
    tasks=(network.get_task("teacher"),),
    optimizers=tuple(OptimizerSetting(name) for name in EVERY_NAME),
    schedules=(Schedule("full-batch"), Schedule("per-sample")),
    initial_points=InitialPoints("uniform", count=4, low=-5.0, high=5.0),
    budget=Budget(max_epochs=40),
)


@pytest.fixture(scope="module")
def xor():
    return experiments.run(XOR)


@pytest.fixture(scope="module")
def crowded():
    return experiments.run(CROWDED)


def look(line) -> tuple:
    return line.get_color(), str(line.get_linestyle()), line.get_marker()


def test_every_built_in_optimizer_and_scipy_method_has_a_look_of_its_own():
    looks = {name: (optimizer_style(name)["color"], str(optimizer_style(name)["linestyle"]),
                    optimizer_style(name)["marker"]) for name in EVERY_NAME}  # fmt: skip
    assert len(set(looks.values())) == len(EVERY_NAME)
    for family, (hue, members) in FAMILIES.items():
        assert {looks[name][0] for name in members} == {hue}, family
        assert len({looks[name][1:] for name in members}) == len(members), family
    assert family_of("my-own") == "others"
    assert optimizer_style("my-own")["color"] not in [hue for hue, _ in FAMILIES.values()]


def test_settings_of_one_optimizer_keep_its_line_and_marker_in_shades_of_its_hue():
    settings = [OptimizerSetting("gd", {"learning_rate": rate}) for rate in (0.1, 1.0, 10.0)]
    styles = [setting_style(setting, settings) for setting in settings]
    assert len({style["color"] for style in styles}) == 3
    assert {(str(style["linestyle"]), style["marker"]) for style in styles} == {("-", "o")}


@pytest.mark.parametrize("draw", [plots.convergence_curves, plots.runtime_ecdf])
def test_a_crowded_figure_has_a_panel_per_family_and_one_of_each_familys_best(crowded, draw):
    figure = draw(crowded)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    families = ["gradient descent", "sign and Rprop", "adaptive moments", "adaptive rates", "since 2016",
                "schedule-free", "per matrix", "scipy"]  # fmt: skip
    for schedule, drawn in (("full-batch", families), ("per-sample", families[:-1])):  # no panel without runs
        row = [title.split("\n")[1] for title in titles if f"· {schedule}" in title]
        assert row == [*drawn, "best of each"]
    labelled = [line for ax in figure.axes for line in ax.lines if not line.get_label().startswith("_")]
    by_label = {}
    for line in labelled:
        by_label.setdefault(line.get_label(), set()).add(look(line))
    assert set(by_label) == {s.label for s in CROWDED.optimizers}
    assert all(len(looks) == 1 for looks in by_label.values()), "an optimizer changed its look between panels"
    assert len({next(iter(looks)) for looks in by_label.values()}) == len(by_label), "two optimizers look alike"
    legend = figure.legends[0]
    assert sorted(text.get_text() for text in legend.get_texts()) == sorted(s.label for s in CROWDED.optimizers)
    matplotlib.pyplot.close(figure)


def test_a_crowded_performance_profile_has_a_row_of_family_panels_per_schedule(crowded):
    figure = plots.performance_profile(crowded)
    titles = [ax.get_title().split("\n")[1] for ax in figure.axes if ax.get_title()]
    families = ["gradient descent", "sign and Rprop", "adaptive moments", "adaptive rates", "since 2016",
                "schedule-free", "per matrix", "scipy", "best of each"]  # fmt: skip
    assert titles == families + [family for family in families if family != "scipy"]  # per sample: no scipy runs
    best = [line.get_label() for line in figure.axes[8].lines]
    assert len(best) == 8 and {family_of(label) for label in best} == set(families[:8])
    matplotlib.pyplot.close(figure)


def test_the_best_of_each_family_panel_holds_the_lowest_ert_of_each_family(crowded):
    from experiments.plots.style import best_of_families

    table = crowded.table()
    best = best_of_families(crowded)[("teacher", "full-batch")]
    rows = table[(table.task == "teacher") & (table.schedule == "full-batch")]
    assert len(best) == 8
    for label in best:
        family = family_of(label)
        same = rows[rows.optimizer.map(family_of) == family]
        assert rows.set_index("optimizer").loc[label, "ert_evaluations"] == same["ert_evaluations"].min()


def test_the_landscape_plane_holds_the_networks_own_error_at_its_points(xor):
    task = network.get_task("xor")
    paths = landscape.optimizer_paths(xor, task, XOR.optimizers, landscape.shared_start(xor, task))
    for plane in (
        landscape.plane_of_paths(paths.values(), landscape.shared_start(xor, task)),
        landscape.random_plane(task.network, next(iter(paths.values()))[-1], seed=3),
    ):
        a, b, errors = landscape.landscape_grid(task, plane, (-2, 3, -1, 4), resolution=9)
        for i, j in np.random.default_rng(0).integers(0, 9, size=(12, 2)):
            point = plane.origin + a[i, j] * plane.directions[0] + b[i, j] * plane.directions[1]
            assert errors[i, j] == task.network.error(point, task.inputs, task.targets)
        assert np.allclose(plane.project(plane.points(a, b)), np.stack([a, b], axis=-1))


def test_the_paths_plane_is_orthonormal_through_the_start_and_holds_a_flat_path_whole():
    start = np.array([1.0, 2.0, 3.0, 4.0])
    path = start + np.outer(np.linspace(0, 1, 5), [1.0, 0, 0, 0]) + np.outer(np.linspace(0, 1, 5) ** 2, [0, 0, 2, 0])
    plane = landscape.plane_of_paths([path], start)
    assert np.allclose(plane.directions @ plane.directions.T, np.eye(2)) and np.array_equal(plane.origin, start)
    assert plane.captured == pytest.approx(1.0)
    assert np.allclose(plane.points(*plane.project(path).T), path)


def test_random_directions_are_filter_normalised_and_leave_biases_alone():
    net = network.Layered([2, 3, 1])
    origin = np.random.default_rng(1).normal(size=net.size)
    plane = landscape.random_plane(net, origin, seed=0)
    for layer in net.layers:
        for unit in range(layer.units):
            row = slice(layer.weights.start + unit * layer.fan_in, layer.weights.start + (unit + 1) * layer.fan_in)
            assert np.allclose(np.linalg.norm(plane.directions[:, row], axis=1), np.linalg.norm(origin[row]))
        assert not plane.directions[:, layer.biases].any()


@pytest.mark.parametrize("plane", ["paths", "random"])
def test_the_landscape_figure_has_a_panel_and_a_path_per_optimizer(xor, plane):
    figure = plots.loss_landscape(xor, "xor", plane)
    panels = [ax for ax in figure.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == [s.label for s in XOR.optimizers]
    assert all(len(ax.lines) == 4 for ax in panels)  # halo, path, start, end
    assert "Li et al." in figure.get_suptitle() or "principal directions" in figure.get_suptitle()
    matplotlib.pyplot.close(figure)
    with pytest.raises(ValueError, match="plane must be one of paths, random, got 'pca'"):
        plots.loss_landscape(xor, "xor", "pca")


def test_a_layered_basin_map_trains_every_cell_of_its_two_parameter_grid(xor):
    figure = plots.parameter_basin_map(xor, "xor", resolution=5)
    for ax in (ax for ax in figure.axes if ax.get_title()):
        meshes = [c for c in ax.collections if isinstance(c, matplotlib.collections.QuadMesh)]
        filled = sum(np.ma.masked_invalid(mesh.get_array()).count() for mesh in meshes)
        assert filled == 25
    assert "held at the first start" in figure.get_suptitle()
    assert len([ax for ax in figure.axes if ax.get_title()]) == 4  # scipy's method is left out
    matplotlib.pyplot.close(figure)


def test_success_bars_are_the_tables_success_rates(crowded):
    figure = plots.success_bars(crowded)
    heights = sorted(round(p.get_width(), 12) for p in figure.axes[0].patches)  # horizontal bars
    rates = sorted(round(r, 12) for r in crowded.table()["success_rate"])
    assert heights == rates
    matplotlib.pyplot.close(figure)


def test_an_animation_has_the_frames_asked_for_and_ends_on_the_final_weights(xor):
    task = network.get_task("xor")
    movie = animation.path_movie(xor, "xor", frames=7)
    assert movie.frames == 7 and movie.times[0] == 0
    start = landscape.shared_start(xor, task)
    for setting in XOR.optimizers:
        drawn = movie.weights_at(movie.frames - 1)[setting.label][0]
        if setting.is_scipy:
            final = scipy_path_and_costs(setting.name, task, start, XOR.budget, XOR.targets, 0.0)[0][-1]
        else:
            final = trace(
                setting.build(), task, start, TrainingSetup(XOR.schedules[0], XOR.budget, XOR.targets)
            ).weights[-1]
        assert np.array_equal(drawn[-1], final)
        assert np.array_equal(movie.weights_at(0)[setting.label][0], start[None])
    assert np.all(np.diff(movie.times) > 0)


def test_the_evaluation_clock_counts_every_sample_and_every_scipy_evaluation(xor):
    epochs = animation.path_movie(xor, "xor", frames=4, clock="epochs")
    evaluations = animation.path_movie(xor, "xor", frames=4, clock="evaluations")
    for label in epochs.labels:
        assert np.array_equal(evaluations.costs[label][0], epochs.costs[label][0] * 4)  # xor has 4 samples
    scipy_costs = epochs.costs["scipy-bfgs"][0]
    assert scipy_costs[0] == 0 and np.all(np.diff(scipy_costs) >= 1)


def test_a_gif_holds_every_frame_and_is_written_whole_or_not_at_all(xor, tmp_path, monkeypatch):
    movie = animation.path_movie(xor, "xor", frames=6)
    path = animation.write_animation(movie, XOR, tmp_path / "paths.gif", fps=5, progress=False)
    with Image.open(path) as gif:
        assert gif.n_frames == 6 and gif.info["duration"] == 200

    def broken(frames, temporary, fps):
        Path(temporary).write_bytes(b"GIF89a half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(animation, "_gif", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        animation.write_animation(movie, XOR, tmp_path / "broken.gif", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paths.gif"]


def test_animation_arguments_are_checked_in_one_line(xor, tmp_path):
    with pytest.raises(ValueError, match="frames must be an integer from 2 to 10000, got 1"):
        animation.path_movie(xor, "xor", frames=1)
    with pytest.raises(ValueError, match="clock must be one of epochs, evaluations, got 'seconds'"):
        animation.path_movie(xor, "xor", clock="seconds")
    with pytest.raises(ValueError, match="these results have no task 'parity-3'; they have: xor"):
        animation.path_movie(xor, "parity-3")
    movie = animation.path_movie(xor, "xor", frames=2)
    with pytest.raises(ValueError, match=r"an animation is written as gif or mp4, got 'paths.avi'"):
        animation.write_animation(movie, XOR, tmp_path / "paths.avi")
    with pytest.raises(ValueError, match="fps must be an integer from 1 to 100, got 0"):
        animation.write_animation(movie, XOR, tmp_path / "paths.gif", fps=0)


def test_optarena_animate_writes_a_gif_per_task_for_the_chosen_optimizers(xor, tmp_path, capsys):
    experiments.run(XOR, out=tmp_path / "xs")
    code = main(["animate", str(tmp_path / "xs"), "--frames", "3", "--optimizer", "irprop-", "--optimizer", "adam",
                 "--format", "gif", "--quiet", "--together"])  # fmt: skip
    assert code == 0
    written = tmp_path / "xs" / "figures" / "animation-xor-together.gif"
    assert f"{written}: 3 frames" in capsys.readouterr().out
    with Image.open(written) as gif:
        assert gif.n_frames == 3


@pytest.mark.slow
def test_the_html_report_has_contents_captions_beside_figures_an_animation_and_its_size(xor, tmp_path):
    figures = document.write_figures(xor, tmp_path)
    stems = {figure.stem for figure in figures if not figure.skipped}
    assert {"landscape-xor", "landscape-random-xor", "basin-xor", "success", "animation-xor"} <= stems
    page = document.write_report(xor, tmp_path, figures)[1].read_text()
    anchors = set(re.findall(r"id='([^']+)'", page))
    links = re.findall(r"<a href='#([^']+)'>", page)
    assert links and set(links) <= anchors
    assert page.count("data:image/gif;base64,") == 1
    assert page.count("<div class='figure'>") == len(stems)
    size = re.search(r"One self-contained file of ([\d.]+) (kB|MB)", page)
    assert size and float(size[1]) * (1e3 if size[2] == "kB" else 1e6) == pytest.approx(len(page.encode()), rel=0.01)


def test_the_landscapes_long_sweep_labels_keep_to_their_panels():
    """With a sweep's long labels (riedmiller-braun-1993's) the panel titles ran into each other."""
    long = [OptimizerSetting("quickprop", {"max_growth": growth, "weight_decay": 1e-4, "learning_rate": 1.0},
                             flat_spot=0.1, swept="learning_rate") for growth in (1.3, 1.75, 2.0)]  # fmt: skip
    results = experiments.run(dataclasses.replace(XOR, optimizers=tuple(long)))
    figure = plots.loss_landscape(results, "xor", "paths")
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    boxes = [ax.title.get_window_extent(renderer) for ax in figure.axes if ax.get_title()]
    assert len(boxes) == 3 and all(len(line) <= 40 for ax in figure.axes for line in ax.get_title().splitlines())
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    matplotlib.pyplot.close(figure)

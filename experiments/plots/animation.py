"""Animated paths: every optimizer's path growing over the error surface (two weights) or a landscape plane.

All optimizers start from the same points and share one clock, so a frame
compares them at equal cost: the clock is epochs, or gradient evaluations
(one per sample: an epoch costs S of them in every schedule, and a scipy
method's full-batch evaluation S too).  Frame 0 shows the starts, the last
frame every whole path; the frames between are log-spaced in cost, since the
fast methods finish in tens of epochs and plain gradient descent in
thousands.

On a network with two weights the plane is the weights themselves (the error
surface); on a larger one it is the paths' principal plane of
`experiments.plots.landscape`, with each panel zoomed on its own paths.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.colors import LogNorm
from tqdm.auto import tqdm

from experiments.plots.landscape import FLOOR, Plane, landscape_grid, plane_of_paths, shared_start
from experiments.plots.style import (
    FAMILIES,
    OTHERS,
    label_small_multiples,
    setting_style,
    small_multiples,
    trainable,
    weight_names,
)
from experiments.plots.surface import default_starts
from experiments.running import storage

CLOCKS = ("epochs", "evaluations")
FORMATS = ("gif", "mp4")


@dataclass(frozen=True)
class Movie:
    """The paths of an animation and the clock of its frames; `draw` turns it into a matplotlib animation."""

    task: object  # network.Task
    labels: tuple[str, ...]  # one panel per optimizer setting (or one panel with all of them)
    paths: dict  # label -> list of (K, P) weight paths, one per start
    costs: dict  # label -> list of (K,) costs of each path point on the clock
    plane: Plane
    clock: str
    times: np.ndarray  # (frames,) the cost each frame shows paths up to

    @property
    def frames(self) -> int:
        return len(self.times)

    def weights_at(self, frame: int) -> dict[str, list[np.ndarray]]:
        """Per label, the part of each path that frame ``frame`` draws (its points with cost ≤ the frame's)."""
        return {
            label: [path[costs <= self.times[frame]] for path, costs in zip(paths, self.costs[label], strict=True)]
            for label, paths in self.paths.items()
        }


def path_movie(results, task_name=None, optimizers=None, frames: int = 40, clock: str = "epochs") -> Movie:
    """The paths of ``optimizers`` (names or labels; default: all, at most 20) on a task, and the frames' clock."""
    if clock not in CLOCKS:
        raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, got {clock!r}")
    if isinstance(frames, bool) or not isinstance(frames, int) or not 2 <= frames <= 10_000:
        raise ValueError(f"frames must be an integer from 2 to 10000, got {frames!r}")
    spec = results.spec
    task = next((t for t in spec.tasks if t.name == task_name), None) if task_name else spec.tasks[0]
    if task is None:
        names = ", ".join(t.name for t in spec.tasks)
        raise ValueError(f"these results have no task {task_name!r}; they have: {names}")
    chosen = [s for s in spec.optimizers if not optimizers or s.name in optimizers or s.label in optimizers]
    settings = trainable(chosen)[:20]
    if not settings:
        raise ValueError(f"these results have no optimizer among {', '.join(optimizers)}")
    starts = default_starts(spec) if task.network.size == 2 else shared_start(results, task)[None]
    scale = task.samples if clock == "evaluations" else 1
    minimum = results.reference(task.name).value
    paths, costs = {}, {}
    for setting in settings:
        found = results.replayed().paths(spec, setting, task, starts, minimum)
        paths[setting.label], costs[setting.label] = [p for p, _ in found], [c * scale for _, c in found]
    if task.network.size == 2:
        plane = Plane(np.zeros(2), np.eye(2), "weights", 1.0)
    else:
        plane = plane_of_paths([p for group in paths.values() for p in group], starts[0])
    longest = max(float(c[-1]) for group in costs.values() for c in group)
    times = np.concatenate([[0.0], np.geomspace(1.0, max(longest, 1.0), frames - 1)])
    times[-1] = max(longest, 1.0)  # the last frame holds every whole path
    return Movie(task, tuple(paths), paths, costs, plane, clock, times)


def draw(movie: Movie, spec, together: bool = False, dpi: int = 72):
    """(figure, show) for ``movie``: a panel per setting, or all of them in one panel; ``show(frame)`` sets the
    moving artists (created ``animated``, so a plain draw leaves them out) to that frame and returns them."""
    groups = [list(movie.labels)] if together else [[label] for label in movie.labels]
    figure, axes = small_multiples(len(groups), width=3.6 if not together else 6.0, height=3.2 if not together else 5)
    figure.set_dpi(dpi)
    settings = {s.label: s for s in spec.optimizers}
    lines = []
    for ax, group in zip(axes.flat, groups, strict=False):
        projected = [movie.plane.project(p) for label in group for p in movie.paths[label]]
        extent = _extent(projected)
        *_, errors = landscape_grid(movie.task, movie.plane, extent, resolution=81)
        finite = errors[np.isfinite(errors)]
        low = max(finite.min(), FLOOR) if finite.size else FLOOR
        ax.imshow(np.maximum(errors, FLOOR), origin="lower", extent=extent, aspect="auto", cmap="bone",
                  norm=LogNorm(vmin=low, vmax=max(finite.max() if finite.size else 1.0, low * 10)))  # fmt: skip
        for label in group:
            colour = setting_style(settings[label], spec.optimizers)["color"]
            for index, path in enumerate(movie.paths[label]):
                start = movie.plane.project(path[0])
                ax.plot(*start, "o", color="white", markeredgecolor="black", markersize=5)
                (line,) = ax.plot([], [], color=colour, linewidth=1.6, label=label if together else None, animated=True)
                (head,) = ax.plot([], [], "o", color=colour, markeredgecolor="white", markersize=6, animated=True)
                lines.append((label, index, line, head))
        ax.set(xlim=extent[:2], ylim=extent[2:], title=", ".join(group) if not together else movie.task.name)
        if together:
            ax.legend(fontsize="x-small", ncols=2, loc="upper right")
    names = weight_names(movie.task) if movie.plane.kind == "weights" else ["a: 1st principal direction", "b: 2nd"]
    label_small_multiples(axes, len(groups), *names[:2])
    unit = "epoch" if movie.clock == "epochs" else "gradient evaluations"

    def heading(frame: int) -> str:
        time = movie.times[frame]
        shown = f"{time:,.1f}" if time < 10 else f"{time:,.0f}"
        return f"{movie.task.name}: paths up to {unit} {shown} (frame {frame + 1}/{movie.frames})"

    title = figure.suptitle(heading(movie.frames - 1), animated=True)
    figure.get_layout_engine().execute(figure)  # lay the panels out once, for the longest title,
    figure.set_layout_engine("none")  # then keep them still: a frame only moves lines

    def show(frame: int):
        drawn = movie.weights_at(frame)
        for label, index, line, head in lines:
            coordinates = movie.plane.project(drawn[label][index]) if len(drawn[label][index]) else np.empty((0, 2))
            line.set_data(coordinates[:, 0], coordinates[:, 1])
            head.set_data(coordinates[-1:, 0], coordinates[-1:, 1])
        title.set_text(heading(frame))
        return [title, *(artist for *_, line, head in lines for artist in (line, head))]

    return figure, show


def rendered_frames(movie: Movie, spec, together: bool = False, dpi: int = 72):
    """Each frame of ``movie`` as an RGB array: the still parts drawn once, then only the moving artists
    redrawn over them (blitting), so a frame costs milliseconds whatever the number of panels."""
    import matplotlib.pyplot as plt

    figure, show = draw(movie, spec, together, dpi)
    try:
        figure.canvas.draw()
        still = figure.canvas.copy_from_bbox(figure.bbox)
        for frame in range(movie.frames):
            figure.canvas.restore_region(still)
            for artist in show(frame):
                figure.draw_artist(artist)
            yield np.asarray(figure.canvas.buffer_rgba())[..., :3].copy()
    finally:
        plt.close(figure)


def write_animation(movie: Movie, spec, path: Path, fps: int = 10, together: bool = False, progress: bool = True,
                    dpi: int = 72) -> Path:  # fmt: skip
    """Render ``movie`` to ``path`` (.gif with Pillow, .mp4 with ffmpeg), atomically, with a progress bar."""
    path = Path(path)
    fmt = path.suffix.lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"an animation is written as {' or '.join(FORMATS)}, got {path.name!r}")
    if fmt == "mp4" and shutil.which("ffmpeg") is None:
        raise ValueError("writing MP4 needs ffmpeg on the PATH; write a .gif instead")
    if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= 100:
        raise ValueError(f"fps must be an integer from 1 to 100, got {fps!r}")
    frames = rendered_frames(movie, spec, together, dpi)
    with tqdm(total=movie.frames, desc=f"rendering {path.name}", unit="frame", disable=not progress) as bar:
        storage.save_atomically(
            path, lambda temporary: (_gif if fmt == "gif" else _mp4)(_counted(frames, bar), temporary, fps)
        )
    return path


def gif_of(movie: Movie, spec, fps: int = 10, dpi: int = 72) -> bytes:
    """``movie`` as the bytes of an endlessly looping GIF, a panel per setting."""
    buffer = io.BytesIO()
    _gif(rendered_frames(movie, spec, dpi=dpi), buffer, fps)
    return buffer.getvalue()


def _counted(frames, bar):
    """The frames, each ticking the progress bar as it is rendered."""
    for frame in frames:
        bar.update()
        yield frame


def _gif(frames, file, fps: int) -> None:
    """Frames to an endlessly looping GIF (Pillow, which matplotlib depends on) in ``file`` (a path or a binary
    file), one palette per frame."""
    from PIL import Image

    palette = Image.new("P", (1, 1))
    palette.putpalette(_palette())
    images = [Image.fromarray(frame).quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
    images[0].save(file, format="GIF", save_all=True, append_images=images[1:], duration=round(1000 / fps), loop=0,
                   optimize=True)  # fmt: skip


def _palette() -> list[int]:
    """256 GIF colours: every optimizer family's hue exactly, the surface colour map, greys for the rest."""
    hues = [colour for colour, _ in FAMILIES.values()] + [OTHERS[1], "#ffffff", "#000000"]
    rgb = [matplotlib.colors.to_rgb(colour) for colour in hues]
    rgb += [tuple(matplotlib.colormaps["bone"](x)[:3]) for x in np.linspace(0, 1, 196)]
    rgb += [(g, g, g) for g in np.linspace(0, 1, 256 - len(rgb))]
    return [round(255 * channel) for colour in rgb for channel in colour]


def _mp4(frames, path: Path, fps: int) -> None:
    """Frames to an H.264 MP4 through ffmpeg, fed raw RGB on its standard input."""
    first = next(frames)
    height, width = first.shape[:2]
    command = ["ffmpeg", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
               "-r", str(fps), "-i", "-", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-pix_fmt", "yuv420p", "-f", "mp4",
               str(path)]  # fmt: skip
    with subprocess.Popen(command, stdin=subprocess.PIPE) as encoder:
        for frame in (first, *frames):
            encoder.stdin.write(frame.tobytes())
        encoder.stdin.close()
        if encoder.wait() != 0:
            raise ValueError(f"ffmpeg could not write {path.name}")


def _extent(projected) -> tuple[float, float, float, float]:
    """A box around the projected paths' finite points, with a 10 % margin."""
    points = np.concatenate([p[np.isfinite(p).all(axis=1)] for p in projected])
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-3)
    return (low[0] - margin[0], high[0] + margin[0], low[1] - margin[1], high[1] + margin[1])

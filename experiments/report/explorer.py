"""The interactive report.html: one self-contained file, its data embedded as compact JSON, drawn by its own script.

Plotting libraries were weighed by size: plotly.js alone is about 4.8 MB and
bokeh's about 1.3 MB, more than the whole report may weigh; the page instead
carries about 160 lines of its own JavaScript (``report.js``, 10 kB) that draw SVG,
with no CDN and no network access.  What it offers:

- an explorer of the convergence curves: pick the task, the schedule and the
  optimizers, switch the x axis (epochs, gradient evaluations, seconds) and
  its scale, show or hide the inter-quartile bands, download the view as SVG or PNG;
  each optimizer has its figures' colour and dash (`svg_style`), and the view
  opens with the `SHOWN_FIRST` best leaders of each place;
- the convergence table and the pairwise significance tests, sortable by any
  column and filtered by a text (the tests folded away until opened);
- the figures drawn by matplotlib, each scaled to at most `EMBED_WIDTH`
  pixels (the full-size files stay in ``figures/``).

The embedded data (``<script type="application/json" id="optarena-data">``)
holds, for every task, schedule and optimizer, the median and quartiles of
E − E* over its runs at each recorded epoch (each run's error held after it
stopped, as the static convergence figure draws it: `experiments.analysis.curves`), with what an epoch costs in
gradient evaluations and in seconds; `data_of` computes it, and the tests read
it back from the page.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import matplotlib.colors
import numpy as np

from experiments.analysis.curves import error_quartiles, filled_histories
from experiments.analysis.held_out_tables import ERROR_RATE, LOSS, VALIDATION, chosen_trials, early_stopping
from experiments.analysis.tuning import representative_settings
from experiments.plots.style import optimizer_style, setting_style

EMBED_WIDTH = 900  # pixels: the widest an embedded figure gets (the page is 1200 wide; full size in figures/)
FLOOR = 1e-300  # E − E* at or below 0 is drawn here on the log axis


def data_of(results) -> dict:
    """The explorer's data: per place (task, schedule), per optimizer, quartiles of E − E* at each recorded epoch."""
    table = results.table().set_index(["task", "schedule", "optimizer"])
    drawn = {(task.name, schedule.label) for task, schedule in results.places()}
    leading = leaders(results)
    places = {}
    for unit in results.units:
        key = (unit.unit.task.name, unit.unit.schedule.label)
        if key in drawn:
            places.setdefault(key, {}).setdefault(unit.unit.setting.label, []).append(unit)
    data = []
    styles = {setting.label: svg_style(setting_style(setting, results.spec.optimizers))
              for setting in results.spec.optimizers}  # fmt: skip
    for (task, schedule), settings in places.items():
        minimum = results.reference(task).value
        task_spec = next(t for t in results.spec.tasks if t.name == task)
        curves = []
        for label, units in settings.items():
            epochs = units[0].population.history_epochs
            if any(not np.array_equal(u.population.history_epochs, epochs) for u in units):
                continue  # chunks recorded at other epochs: not drawn (never the case for one spec)
            q1, median, q3 = error_quartiles(filled_histories([u.population for u in units])[1]) - minimum
            row = table.loc[(task, schedule, label)]
            stop = max(float(np.nanmax(u.population.stop_epoch)) for u in units)
            curves.append({
                "optimizer": label,
                "epochs": epochs.tolist(),
                "series": {"E − E*": {"median": _numbers(median), "q1": _numbers(q1), "q3": _numbers(q3)}},
                "evaluations_per_epoch": float(task_spec.samples),
                "seconds_per_epoch": float(row["wall_time_s"]) / stop if stop > 0 else 0.0,
                "note": f"{row['success_rate']:.0%} of its runs succeed",
                "leader": (task, schedule, label) in leading,
                "ert": float(row["ert_evaluations"]),
            })  # fmt: skip
        name = f"{task} (every schedule)" if task_spec.samples == 1 else f"{task} · {schedule}"
        data.append({"task": task, "schedule": schedule, "name": name, "curves": ranked(curves, "ert")})
    return {"name": results.spec.name, "target": results.spec.targets.success, "places": data, "styles": styles,
            "shown_first": SHOWN_FIRST}  # fmt: skip


SHOWN_FIRST = 6  # curves per place the explorer opens with: the leaders that rank best there


def ranked(curves: list[dict], key: str) -> list[dict]:
    """``curves`` with their "rank" among the leaders by ``key`` (lower is better, then by name; 0 the best, None
    for a setting that is not a leader), the key itself dropped: the explorer opens with the `SHOWN_FIRST` best."""
    leaders = sorted((c for c in curves if c["leader"]), key=lambda c: (c[key], c["optimizer"]))
    rank = {id(c): i for i, c in enumerate(leaders)}
    return [{k: v for k, v in c.items() if k != key} | {"rank": rank.get(id(c))} for c in curves]


# SVG dash patterns of matplotlib's line styles (`experiments.plots.style.LOOKS`), in units of the line width
NAMED_DASHES = {"-": "", "--": "6,3", ":": "1.5,2.5", "-.": "6,2.5,1.5,2.5"}


def dash_of(linestyle) -> str:
    """An SVG stroke-dasharray for a matplotlib line style: a named one, or (offset, (on, off, …))."""
    if isinstance(linestyle, str):
        return NAMED_DASHES[linestyle]
    return ",".join(f"{length:g}" for length in linestyle[1])


def svg_style(style: dict) -> dict:
    """A figure's matplotlib style of an optimizer (`experiments.plots.style`) as the explorer draws it: the same
    colour and dash, so a curve looks alike in the figures and the explorer."""
    return {"colour": matplotlib.colors.to_hex(style["color"]), "dash": dash_of(style["linestyle"])}


def leaders(results) -> set:
    """(task, schedule, label) of the settings a view of every place shows: each setting outside a sweep, and of each
    sweep its best value there (`experiments.analysis.tuning.representative_settings`)."""
    places = results.table()[["task", "schedule"]].drop_duplicates().to_numpy()
    return {(task, schedule, setting.label) for task, schedule in places
            for setting in representative_settings(results, task, schedule)}  # fmt: skip


def _numbers(values: np.ndarray, floor: float = FLOOR) -> list:
    """Values for JSON with 4 significant digits (a curve needs no more), at least ``floor``, None for NaN."""
    return [None if not np.isfinite(v) else float(f"{max(v, floor):.4g}") for v in np.asarray(values, dtype=float)]


def held_out_data(results) -> dict:
    """The explorer's data of a held-out experiment: per task and schedule, per optimizer, the error rate and loss
    of the trial each study chose, on every part, along the epochs (median and quartiles over the studies).
    An epoch's seconds are the units' mean: the training time over the units and their epochs."""
    spec, history = results.spec, results.history
    seconds_per_epoch = results.seconds / (np.prod(history.shape[:3]) * spec.max_epochs)
    epochs = spec.evaluation_epochs()
    trial = chosen_trials(early_stopping(history, spec.result_at)[1])
    studies = np.arange(len(spec.seeds))
    data = []
    for t, task in enumerate(spec.tasks):
        train = len(task.parts_of(spec.seeds[0])[0].labels)
        for s, schedule in enumerate(spec.schedules):
            curves = []
            for o, space in enumerate(spec.optimizers):
                chosen = history[t, s, o, studies, trial[t, s, o]]  # (studies, evaluations, part, metric)
                series = {}
                for metric, what in ((ERROR_RATE, "error rate"), (LOSS, "loss per sample")):
                    for part, name in enumerate(("train", "validation", "test")):
                        q1, median, q3 = np.quantile(chosen[..., part, metric], [0.25, 0.5, 0.75], axis=0)
                        series[f"{name} {what}"] = {"median": _numbers(median, 0.0), "q1": _numbers(q1, 0.0),
                                                    "q3": _numbers(q3, 0.0)}  # fmt: skip
                curves.append({
                    "optimizer": space.label, "epochs": epochs.tolist(), "series": series,
                    "evaluations_per_epoch": float(train), "seconds_per_epoch": float(seconds_per_epoch),
                    "note": f"chosen trials of {len(studies)} studies", "leader": True,
                    "validation_error": float(np.median(chosen[:, :, VALIDATION, ERROR_RATE].min(axis=1))),
                })  # fmt: skip
            data.append({"task": task.name, "schedule": schedule.label, "name": f"{task.name} · {schedule.label}",
                         "curves": ranked(curves, "validation_error")})  # fmt: skip
    styles = {space.label: svg_style(optimizer_style(space.name)) for space in spec.optimizers}
    return {"name": spec.name, "target": "", "places": data, "first": "test error rate", "styles": styles,
            "shown_first": SHOWN_FIRST}  # fmt: skip


def embedded_figure(path: Path) -> tuple[str, str]:
    """(MIME type, base64) of the figure at ``path``, scaled to at most `EMBED_WIDTH` pixels wide and encoded as
    the smaller of a 128-colour PNG and a JPEG (quality 60); a GIF (an animation) as it is."""
    if path.suffix == ".gif":
        return "image/gif", base64.b64encode(path.read_bytes()).decode("ascii")
    from PIL import Image  # matplotlib's own dependency

    image = Image.open(path).convert("RGB")
    if image.width > EMBED_WIDTH:
        image = image.resize((EMBED_WIDTH, round(image.height * EMBED_WIDTH / image.width)), Image.LANCZOS)
    encoded = {}
    for kind, save in (
        ("image/png", lambda f: image.quantize(colors=128).save(f, "PNG", optimize=True)),
        ("image/jpeg", lambda f: image.save(f, "JPEG", quality=60, optimize=True)),
    ):
        buffer = io.BytesIO()
        save(buffer)
        encoded[kind] = buffer.getvalue()
    kind = min(encoded, key=lambda k: len(encoded[k]))
    return kind, base64.b64encode(encoded[kind]).decode("ascii")


def read_data(page: str) -> dict:
    """The data a report.html embeds (what `data_of` gave when it was written)."""
    start = page.index('<script type="application/json" id="optarena-data">') + len(
        '<script type="application/json" id="optarena-data">'
    )
    return json.loads(page[start : page.index("</script>", start)])


def data_block(data: dict) -> str:
    """The ``<script>`` element that carries ``data``; ``</`` is escaped so no value can end it early."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return f'<script type="application/json" id="optarena-data">{text}</script>'


def explorer_section() -> list[str]:
    """The explorer's controls and its empty SVG, which the script fills."""
    return [
        "<div id='explorer'>",
        "<div class='controls'>",
        "<label>Task and schedule <select id='place'></select></label>",
        "<label>y axis <select id='y'></select></label>",
        "<fieldset><legend>x axis</legend>",
        *(
            f"<label><input type='radio' name='x' value='{value}'{' checked' * (value == 'epochs')}> {label}</label>"
            for value, label in (("epochs", "epochs"), ("evaluations", "gradient evaluations"), ("seconds", "seconds"))
        ),
        "<label><input type='checkbox' id='xlog' checked> log scale</label></fieldset>",
        "<label><input type='checkbox' id='bands' checked> inter-quartile bands</label>",
        "<button id='svg'>download SVG</button> <button id='png'>download PNG</button>",
        "<fieldset id='optimizers'><legend>optimizers <button id='all'>all</button> <button id='none'>none</button>"
        "</legend></fieldset>",
        "</div>",
        "<svg id='chart' xmlns='http://www.w3.org/2000/svg' width='900' height='500' role='img'></svg>",
        "</div>",
    ]


def figure_block(out: Path, file: str, title: str, caption: str, vector: bool, static: bool = False) -> str:
    """A figure of a results folder ``out`` as the page shows it: the image embedded (`embedded_figure`), a link
    from it to the full-size ``file`` beside the page, the caption, and its downloads: the embedded image (it
    travels with the page), the full-size file and its SVG twin where one was written (``vector``).
    ``static``: the file embedded as it is, with its caption only (the report without a script)."""
    path, name = Path(file), html.escape(file)
    caption = f"<p class='caption'>{html.escape(caption)}</p>" if caption else ""
    if static:
        kind, encoded = f"image/{path.suffix[1:]}", base64.b64encode((Path(out) / file).read_bytes()).decode("ascii")
    else:
        kind, encoded = embedded_figure(Path(out) / file)
    image = f'<img alt="{html.escape(title)}" src="data:{kind};base64,{encoded}">'
    if static:
        return f"<div class='figure'>{image}{caption}</div>"
    links = [f"<a href='{name}' download>full size {path.suffix[1:].upper()}</a>"]
    if vector:
        links.append(f"<a href='{html.escape(str(path.with_suffix('.svg')))}' download>SVG</a>")
    button = f"<button class='download' data-name='{html.escape(path.stem)}'>download this image</button>"
    return (
        f"<div class='figure'><a href='{name}' target='_blank' title='full size'>{image}</a>{caption}"
        f"<p class='downloads'>{button} · " + " · ".join(links)
        + " (beside this page, in its results folder; the image opens at full size)</p></div>"
    )  # fmt: skip


def sortable(table_html: str, name: str) -> str:
    """A pandas table's HTML with a filter box above it, scrolling sideways where it is wider than the page; the
    script makes its columns sortable."""
    box = f"<input class='filter' data-table='{name}' placeholder='filter rows: type any text' size='40'>"
    table = table_html.replace('class="dataframe"', f'id="{name}" class="dataframe sortable"', 1)
    return f"{box}<div class='wide'>{table}</div>"


def significance_matrix() -> list[str]:
    """Where the script draws the significance tests of one place as a matrix (from the table below it)."""
    return ["<p>As a matrix: <select id='matrix-place'></select> the row is faster (green) or slower (red) "
            "than the column (numbered as the rows; hover for the name); a saturated cell is a significant difference "
            "(Holm-corrected), a pale one is not.</p>",
            "<div id='matrix'></div>"]  # fmt: skip


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;font-size:0.85em}td,th{padding:0.25em 0.6em;border-bottom:1px solid #ddd;"
    "text-align:right}th{background:#f3f3f3;cursor:pointer}.figure img{max-width:100%}"
    ".caption{color:#444;font-style:italic}nav ol{columns:2}.controls{display:flex;flex-wrap:wrap;gap:0.8em;"
    "align-items:flex-start}.controls fieldset{border:1px solid #ccc}#optimizers label{display:inline-block;"
    "min-width:11em}.filter{margin:0.5em 0}details summary{cursor:pointer;font-weight:bold}"
    ".wide,#matrix{overflow-x:auto}#matrix td{min-width:1.6em;padding:0}#matrix th{padding:0.25em 0.3em}"
)

SCRIPT = (Path(__file__).parent / "report.js").read_text(encoding="utf-8")  # embedded whole in every page


def page(title: str, body: list[str], data: str) -> str:
    """The whole HTML document: ``body`` (HTML lines), a footer with its own size, the data block and the script."""

    def document(size: str) -> str:
        footer = f"<footer><p>One self-contained file of {size}: figures, data and script embedded, no network.</p>"
        return (
            f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>optarena: {html.escape(title)}"
            f"</title><style>{STYLE}</style></head><body>\n" + "\n".join(body) + f"\n{footer}</footer>\n{data}\n"
            f"<script>{SCRIPT}</script>\n</body></html>\n"
        )

    size = len(document("0.0 MB").encode("utf-8"))
    return document(f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB")

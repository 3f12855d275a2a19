"""Readable renderings of the summary, significance and tuning tables: for the terminal and as Markdown."""

from __future__ import annotations

import math
import textwrap

import pandas as pd

from experiments.analysis.tuning import tuned
from experiments.records import STATUSES

ONE_SAMPLE = "every schedule (one sample)"  # the schedule column of a one-sample task's rows, shown once
DROPPABLE = ("time [s]", "grad evals", "final E median", "Mann-Whitney p (Holm)", "Fisher p (Holm)", "success a/b")
SHORT_HEADERS = {
    "epochs to target, median [IQR]": "epochs [IQR]",
    "ERT grad evals [95% CI]": "ERT [CI]",
    "conv/min/flat/stop/div/budget": "c/m/f/s/d/b",
    "well-working region": "WR",
}
LABEL_COLUMNS = ("optimizer", "a", "b", "sweep")  # what names a row: on a line of its own when the table is too wide


SCIPY_EPOCHS = (
    "scipy-* rows: an epoch is one evaluation of E (with its gradient, except Nelder-Mead) over all samples, "
    "line-search and simplex trials included; E is the best seen so far."
)


def terminal_text(results, significance: bool = True, width: int | None = None) -> str:
    """What ``optarena table`` prints: how it was measured, the summary, the tuning, and every pairwise test
    (or, without ``significance``, their count), for a terminal ``width`` characters wide (None: whole lines)."""
    spec = results.spec
    parts = ["", *how_measured(results), "", to_text(without_repeats(results, results.table()), "summary", width)]
    if any(setting.is_scipy for setting in spec.optimizers):
        parts += ["", SCIPY_EPOCHS]
    if any(setting.swept for setting in spec.optimizers):
        parts += ["", f"Tuning. {tuning_intro(spec.tuning)}", "", tuning_to_text(results, width)]
    tests = without_repeats(results, results.significance())
    if significance:
        parts += ["", "Pairwise tests on hit times (Mann-Whitney U, failures ranked worst) and successes (Fisher):",
                  "", to_text(tests, "significance", width)]  # fmt: skip
    elif len(tests):
        parts += ["", f"{significance_count(results, results.significance())}; optarena table DIR shows them all."]
    else:
        parts += ["", "No pairwise tests: each task × schedule has a single optimizer setting."]
    return "\n".join(parts)


def readable(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The table with merged, rounded, labelled columns for people to read."""
    if table.empty:
        return table
    if kind == "summary":
        return pd.DataFrame(
            {
                "task": table["task"],
                "schedule": table["schedule"],
                "optimizer": table["optimizer"],
                "success": table["success_rate"].map("{:.1%}".format),
                "epochs to target, median [IQR]": [
                    _median_iqr(m, a, b)
                    for m, a, b in zip(table["epochs_median"], table["epochs_q1"], table["epochs_q3"], strict=True)
                ],
                "ERT grad evals [95% CI]": [
                    f"{_count(e)} [{_count(lo)}, {_count(hi)}]"
                    for e, lo, hi in zip(
                        table["ert_evaluations"], table["ert_ci_low"], table["ert_ci_high"], strict=True
                    )
                ],
                "final E median": table["final_error_median"].map("{:.1e}".format),
                "conv/min/flat/stop/div/budget": [
                    "/".join(str(count) for count in counts)
                    for counts in zip(*(table[status] for status in STATUSES), strict=True)
                ],
                "grad evals": table["grad_evaluations"].map(_count),
                "time [s]": table["wall_time_s"].map("{:.2f}".format),
            }
        )
    return pd.DataFrame(
        {
            "task": table["task"],
            "schedule": table["schedule"],
            "a": table["a"],
            "b": table["b"],
            "success a/b": [f"{a:.0%}/{b:.0%}" for a, b in zip(table["success_a"], table["success_b"], strict=True)],
            "faster": table["faster"],
            "Mann-Whitney p (Holm)": table["mann_whitney_p_holm"].map(_p_value),
            "Fisher p (Holm)": table["fisher_p_holm"].map(_p_value),
            "significant": table["significant"].map({True: "yes", False: "no"}),
        }
    )


def how_measured(results) -> list[str]:
    """Sentences on what the rows count and measure: the targets' kind, each task's E* and where it came from,
    and which runs were trained once because no seed changes them."""
    spec, targets = results.spec, results.spec.targets
    if targets.reference == "minimum":
        kind = "relative targets: a target τ is met when E − E* ≤ τ, E* the task's reference minimum"
        minima = "; ".join(
            f"{task.name}: E* = {results.reference(task.name).value:.10g} ({results.reference(task.name).kind}: "
            f"{results.reference(task.name).source})"
            for task in spec.tasks
        )
        lines = [f"Targets: {kind}. {minima}."]
    else:
        lines = ["Targets: absolute: a target τ is met when E ≤ τ."]
    lines.append(f"Success = {targets.success} within {spec.budget.max_epochs} epochs.")
    once = sorted(
        {f"{task.name} · {schedule.label}" for task in spec.tasks for schedule in spec.schedules
         if len(spec.seeds) > 1 and len(spec.seeds_for(task, schedule)) == 1}
    )  # fmt: skip
    per_seed = spec.initial_points.size
    if once:
        lines.append(
            f"Runs per row: {per_seed * len(spec.seeds)}, except {per_seed} in {', '.join(once)}: with "
            f"{spec.initial_points.kind} starts and no sample order to draw, every seed repeats seed {spec.seeds[0]}'s "
            "runs bit for bit, so they are trained and counted once."
        )
    else:
        lines.append(f"Runs per row: {per_seed * len(spec.seeds)} ({per_seed} starts × {len(spec.seeds)} seeds).")
    return lines


def to_text(table: pd.DataFrame, kind: str, width: int | None = None) -> str:
    """The table for a terminal: one block per task × schedule, columns aligned across blocks.

    With ``width``, columns of `DROPPABLE` are left out, in that order, and then
    the first column's labels shortened, until every line fits; a last line
    says what was left out.
    """
    return _blocks(readable(table, kind), table, width)


def readable_tuning(results) -> pd.DataFrame:
    """Each sweep's best value with its statistic (95 % CI) and success, and its well-working region, noting a
    region that is not contiguous and a best value at the grid's edge (the grid may need widening)."""
    tuning = results.spec.tuning
    rows = []
    for row in tuned(results).itertuples():
        region = "–" if math.isnan(row.wr_low) else f"[{row.wr_low:g}, {row.wr_high:g}]"
        region += "" if row.wr_contiguous else f" (not contiguous: {row.wr_values})"
        region += " (best at the grid's edge: widen it)" if row.best_at_edge else ""
        statistic = "–"
        if math.isfinite(row.statistic):
            statistic = f"{row.statistic:.3g} [{row.statistic_ci_low:.3g}, {row.statistic_ci_high:.3g}]"
            statistic = statistic.replace("inf", "∞")
        rows.append(
            {
                "task": row.task,
                "schedule": row.schedule,
                "sweep": row.group,
                "best value": "none succeeds" if math.isnan(row.best_value) else f"{row.swept} = {row.best_value:g}",
                f"{tuning.statistic_label} [95% CI]": statistic,
                "success": f"{row.success_rate:.0%}",
                "well-working region": region,
            }
        )
    return pd.DataFrame(rows)


def tuning_intro(tuning) -> str:
    """What the tuning table shows, in one sentence."""
    return (
        f"Each sweep's best value by {tuning.statistic_label} (95% CI), and its well-working region: the "
        f"neighbouring values whose {tuning.statistic_label} stays within {tuning.wr_factor:g}× the best."
    )


def tuning_to_text(results, width: int | None = None) -> str:
    """`readable_tuning` for a terminal, one block per task × schedule (see `to_text` for ``width``)."""
    return _blocks(readable_tuning(results), None, width)


def without_repeats(results, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with a one-sample task's rows kept for one schedule only (every schedule is the same training
    there), that schedule shown as `ONE_SAMPLE`."""
    one_sample = {task.name for task in results.spec.tasks if task.samples == 1}
    if table.empty or not one_sample:
        return table
    same_training = ["task", "optimizer"] if "optimizer" in table.columns else ["task", "a", "b"]
    repeated = table["task"].isin(one_sample) & table.duplicated(same_training)
    kept = table[~repeated].copy()
    kept.loc[kept["task"].isin(one_sample), "schedule"] = ONE_SAMPLE
    return kept.reset_index(drop=True)


def significance_count(results, significance: pd.DataFrame) -> str:
    """How many of the pairwise differences are significant, counted once per training (`without_repeats`): the
    sentence the terminal and the report both give."""
    tests = without_repeats(results, significance)
    text = f"{int(tests['significant'].sum())} of {len(tests)} pairwise differences are significant (Holm-corrected, "
    text += "alpha = 0.05)"
    if len(tests) < len(significance):
        text += f"; significance.csv has {len(significance)} rows, a one-sample task's tests under every schedule"
    return text


def _blocks(shown: pd.DataFrame, table: pd.DataFrame | None, width: int | None) -> str:
    if shown.empty:
        return "(no rows)"
    body, labels, left_out = _fitted(shown.drop(columns=["task", "schedule"]), width)
    lines = body.to_string(index=False).splitlines()
    header, rows = lines[0], lines[1:]
    blocks, previous = [], None
    for index, ((task, schedule), row) in enumerate(zip(zip(shown["task"], shown["schedule"], strict=True), rows,
                                                         strict=True)):  # fmt: skip
        if (task, schedule) != previous:
            note = _reference_note(table.iloc[index]) if table is not None else ""
            blocks += ["", f"{task} · {schedule}{note}", header]
            previous = (task, schedule)
        blocks += [_wrapped(labels[index], width), row] if labels is not None else [row]
    if left_out:
        note = f"(to fit {width} columns: {'; '.join(left_out)}; a wider terminal shows it all)"
        blocks += ["", textwrap.fill(note, width)]
    return "\n".join(blocks[1:])


def _fitted(body: pd.DataFrame, width: int | None) -> tuple[pd.DataFrame, list[str] | None, list[str]]:
    """(``body`` made to fit ``width``, each row's label when it goes on a line of its own, what was changed).

    In turn, until the lines fit: leave out `DROPPABLE` columns; shorten the
    headers (`SHORT_HEADERS`); put each row's labels (optimizer, a and b,
    sweep) on a line above its numbers; cut the longest remaining entries.
    """
    changed: list[str] = []
    if width is None:
        return body, None, changed

    def fits(frame) -> bool:
        return max(len(line) for line in frame.to_string(index=False).splitlines()) <= width

    for column in DROPPABLE:
        if fits(body):
            return body, None, changed
        if column in body.columns and len(body.columns) > 2:
            body, changed = body.drop(columns=column), [*changed, f"left out {column}"]
    if fits(body):
        return body, None, changed
    body, changed = body.rename(columns=SHORT_HEADERS), [*changed, "shorter headers"]
    if fits(body):
        return body, None, changed
    label_columns = [column for column in LABEL_COLUMNS if column in body.columns]
    labels = [" vs ".join(map(str, row)) for row in body[label_columns].itertuples(index=False)]
    body, changed = body.drop(columns=label_columns), [*changed, f"{' and '.join(label_columns)} above each row"]
    while not fits(body):
        lengths = {c: int(body[c].astype(str).str.len().max()) for c in body.columns}
        room = {c: length - max(8, len(str(c))) for c, length in lengths.items()}
        column = max(room, key=room.get)
        if room[column] <= 0:
            break
        keep = lengths[column] - 1
        body = body.assign(**{column: body[column].astype(str).map(lambda text, keep=keep: _shortened(text, keep))})
        changed = [*dict.fromkeys([*changed, f"long {column} entries cut"])]
    return body, labels, changed


def _wrapped(label: str, width: int) -> str:
    return textwrap.fill(label, width, subsequent_indent="    ", break_long_words=True)


def _shortened(text: str, room: int) -> str:
    """``text`` cut to ``room`` characters, its end replaced by "…" when cut.

    >>> _shortened("momentum(learning_rate=0.5)", 12), _shortened("gd", 12)
    ('momentum(le…', 'gd')
    """
    return text if len(text) <= room else text[: room - 1] + "…"


def _reference_note(row: pd.Series) -> str:
    """ ", E* = 0.0650 (found)": the reference minimum a summary row's targets are relative to."""
    if "reference_minimum" not in row:
        return ""
    return f" · E* = {row['reference_minimum']:.6g} ({row['reference_kind']})"


def to_markdown(table: pd.DataFrame, kind: str | None = None) -> str:
    """The table as a GitHub-flavoured Markdown table: as it is, or made `readable` as a table of ``kind``
    ("summary", "significance", ...).

    >>> print(to_markdown(pd.DataFrame({"a": [1], "b": ["x|y"]})))
    | a | b |
    |---|---|
    | 1 | x\\|y |
    """
    shown = table if kind is None else readable(table, kind)
    cells = [[str(value).replace("|", "\\|") for value in row] for row in shown.itertuples(index=False)]
    lines = ["| " + " | ".join(map(str, shown.columns)) + " |", "|" + "---|" * len(shown.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def _median_iqr(median: float, q1: float, q3: float) -> str:
    if math.isnan(median):
        return "–"
    return f"{median:.0f} [{q1:.0f}, {q3:.0f}]"


def _count(value: float) -> str:
    if math.isinf(value):
        return "∞"
    if math.isnan(value):
        return "–"
    return f"{value:.3g}" if value >= 1e5 else f"{value:.0f}"


def _p_value(p: float) -> str:
    return "<1e-4" if p < 1e-4 else f"{p:.4f}"

"""The top of an experiment, for both kinds: run, load, check, narrow, tabulate and draw.

An experiment is either populations trained to targets (`population_runs`: plan → train → store →
tables → variants → manifest) or optimizers tuned and scored on held-out data (`held_out_runs`).
Which one a spec or a results folder holds is decided here, once; the command line and
``experiments.run`` call these functions and never ask.  Both sit above everything they orchestrate:
`experiments.running` trains and stores, `experiments.analysis` reads the records,
`experiments.plots` draws, `experiments.report` writes the report.

Each function imports what it uses when it runs, so that ``optarena check`` and a spec with a typo
answer without loading the training's modules.
"""

from __future__ import annotations

from pathlib import Path


def read_spec(spec):
    """``spec`` as a spec object: a spec already, a plain dict (what spec.json holds), or a file or a built-in
    experiment's name (`experiments.definition.spec_files.load_spec`)."""
    from experiments.definition.held_out_spec import HeldOutSpec
    from experiments.definition.spec import ExperimentSpec
    from experiments.definition.spec_files import load_spec

    if isinstance(spec, (ExperimentSpec, HeldOutSpec)):
        return spec
    if isinstance(spec, dict):
        return HeldOutSpec.from_dict(spec) if spec.get("kind") == "held-out" else ExperimentSpec.from_dict(spec)
    return load_spec(spec)


def _held_out(spec) -> bool:
    from experiments.definition.held_out_spec import HeldOutSpec

    return isinstance(spec, HeldOutSpec)


def check_can_run(spec, out, resume: bool = False, overwrite: bool = False, chunk_size: int | None = None) -> None:
    """A one-line ValueError for anything that would stop `run` before it trains (what the command line calls a
    usage error)."""
    if _held_out(spec):
        from experiments.pipeline import held_out_runs

        return held_out_runs.check_can_run(spec, out, resume, overwrite, chunk_size)
    from experiments.pipeline import population_runs

    population_runs.check_can_run(spec, out, resume, overwrite)


def estimate(spec):
    """What a long run will cost (`experiments.running.cost.Cost`), or None for a short one; a held-out experiment
    is priced by its tuning budget, which its spec states."""
    if _held_out(spec):
        return None
    from experiments.running.cost import estimate as cost

    return cost(spec)


def run(spec, out: str | Path | None = None, *, resume: bool = False, progress: bool = False, jobs: int = 1,
        chunk_size: int | None = None, cluster: dict | None = None, overwrite: bool = False):  # fmt: skip
    """Train ``spec`` (a spec, a file, a built-in name or a spec.json dict) and, with ``out``, store it there:
    `population_runs.run` or `held_out_runs.run`, whichever its kind.

    >>> results = run("quick")
    >>> results.table()[["task", "optimizer", "runs"]].head(2).values.tolist()
    [['single-sample', 'gd', 16], ['single-sample', 'sign', 16]]
    """
    spec = read_spec(spec)
    if _held_out(spec):
        from experiments.pipeline import held_out_runs

        held_out_runs.check_can_run(spec, out, resume, overwrite, chunk_size)
        return held_out_runs.run(spec, None if out is None else Path(out), jobs, cluster, progress, overwrite)
    from experiments.pipeline import population_runs

    return population_runs.run(spec, out, resume=resume, progress=progress, jobs=jobs, chunk_size=chunk_size,
                               cluster=cluster, overwrite=overwrite)  # fmt: skip


def holds_held_out(folder: str | Path) -> bool:
    """Whether the results folder holds a held-out experiment (its manifest says so)."""
    from experiments.pipeline.held_out_runs import is_held_out

    return is_held_out(Path(folder))


def load(folder: str | Path):
    """The results stored in ``folder``: `experiments.analysis.results.Results`, or
    `held_out_runs.HeldOutResults` for a held-out experiment."""
    if holds_held_out(folder):
        from experiments.pipeline import held_out_runs

        return held_out_runs.load(Path(folder))
    from experiments.pipeline import population_runs

    return population_runs.load(folder)


def check(folder: str | Path, deep: bool = False) -> list[str]:
    """What is wrong with a results folder, one line each (none: complete and consistent).  Every file against
    the digest its run recorded, at once; with ``deep``, or for a folder from before digests, the tables made
    again from what was trained and compared."""
    from experiments.running import integrity

    quick = None if deep else integrity.check(Path(folder))
    if quick is not None:
        return quick
    if holds_held_out(folder):
        from experiments.pipeline import held_out_runs

        return held_out_runs.check(Path(folder))
    from experiments.pipeline import population_runs

    return population_runs.check(folder)


def narrowed(results, task=None, schedule=None, optimizer=None):
    """``results`` narrowed to these tasks, schedules and optimizers (None: all); a held-out experiment's tables
    cover all of it, so there a filter is a one-line ValueError."""
    if _held_out(results.spec):
        if task or schedule or optimizer:
            raise ValueError("a held-out experiment's tables cover all of it: --task, --schedule and --optimizer "
                             "do not apply")  # fmt: skip
        return results
    return results.subset(task, schedule, optimizer)


def tables(results, significance: bool = True, width: int | None = None) -> str:
    """The results' tables as text for a terminal ``width`` characters wide (None: whole lines), with every
    pairwise test or only their count."""
    if _held_out(results.spec):
        from experiments.analysis import held_out_tables, published_accuracies

        published = ""
        if results.spec.published is not None:
            beside = published_accuracies.comparison(results.spec, results.history)
            published = "\n\n" + published_accuracies.to_markdown(results.spec, beside)
        return held_out_tables.terminal_text(results) + published
    from experiments.analysis import tables as population_tables

    return population_tables.terminal_text(results, significance, width)


def draw(results, out: str | Path, svg: bool = True, jobs: int = 1, static: bool = False) -> Path:
    """Every figure and the report of ``results`` into ``out`` (SVG beside PNG with ``svg``; the report without
    its explorer with ``static``); the report page's path.  A Ctrl-C while drawing leaves the manifest saying
    the report is unfinished, and says how to draw it again."""
    out = Path(out)
    if _held_out(results.spec):
        from experiments.pipeline import held_out_runs

        held_out_runs.write_figures(results, out)
        return held_out_runs.write_report(results, out)
    from experiments.report import document
    from experiments.running import integrity, interrupts, manifest

    manifest.noted_report(out, integrity.REPORT_DRAWING)
    try:
        figures = document.write_figures(results, out, ("png", "svg") if svg else ("png",), jobs)
        page = document.write_report(results, out, figures, static)[1]
        interrupts.checkpoint()  # a Ctrl-C that came while drawing leaves the manifest saying so
    except KeyboardInterrupt:
        raise KeyboardInterrupt(interrupts.INTERRUPTED_DRAWING.format(out=out)) from None
    manifest.noted_report(out, integrity.REPORT_COMPLETE)
    return page


def paths_of(results):
    """``results`` if their runs have paths to animate (an experiment of populations); a held-out experiment's
    is a one-line ValueError."""
    if _held_out(results.spec):
        raise ValueError("it holds a held-out experiment: there are no paths to animate")
    return results

"""The ``optarena`` command line; the only module that parses arguments or prints.

Exit codes: 0 success, 1 a run or a check failed, 2 a usage error (bad arguments, spec, results folder or
module to import), 3 an internal error (a bug in optarena: the traceback is printed to report it).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

from experiments.errors import InputError, RunFailure
from experiments.running import interrupts

# The commands import what they use when they run: --help, list, check and a usage error answer in a fraction
# of a second, without loading numba's kernels, matplotlib or scipy.stats.
CLOCKS = ("epochs", "evaluations")  # optarena animate --clock: `experiments.plots.animation.CLOCKS`
EXPLAIN_FORMATS = ("text", "markdown", "latex")  # optarena explain --format: `experiments.explain.FORMATS`

USAGE_ERROR, RUN_FAILURE, INTERNAL_ERROR = 2, 1, 3


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        import optimizers

        for problem in optimizers.PLUGIN_PROBLEMS:
            print(f"optarena: warning: {problem}", file=sys.stderr)
        with _validating():
            optimizers.import_modules([*(args.leading_imports or []), *(args.imports or [])])
        with interrupts.deferred():  # a Ctrl-C stops the command at its next safe point, never inside a write
            code = args.command(args)
            interrupts.checkpoint()
            return code
    except (UsageError, InputError) as problem:
        print(f"optarena: error: {problem}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # output piped into head, less, ...: the reader has all it wants; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the flush at exit cannot fail again
        return 0
    except OSError as problem:  # a full disk, a vanished directory: finished files stay whole (atomic writes)
        where = f" {problem.filename}" if problem.filename else ""
        print(f"optarena: error: could not write{where}: {problem.strerror or problem}", file=sys.stderr)
        return RUN_FAILURE
    except RunFailure as failure:
        print(f"optarena: run failed: {failure}", file=sys.stderr)
        return RUN_FAILURE
    except KeyboardInterrupt as stop:  # what to do next: resume the training, or redraw (`_write_report`)
        print(str(stop) if str(stop).startswith("optarena:") else interrupts.INTERRUPTED, file=sys.stderr)
        return 130
    except Exception as bug:  # not the user's input: a defect of optarena, to be reported with its traceback
        traceback.print_exc()
        print(f"optarena: internal error: {type(bug).__name__}: {bug} (a bug in optarena; please report it with "
              "the traceback above)", file=sys.stderr)  # fmt: skip
        return INTERNAL_ERROR


class UsageError(Exception):
    """Bad input from the user: a spec, an argument, a results folder or a module to import (exit code 2)."""


@contextmanager
def _validating():
    """Within this block, a ValueError or TypeError is the user's input refused (a `UsageError`); outside, a bug."""
    try:
        yield
    except (ValueError, TypeError) as problem:
        raise UsageError(str(problem)) from None


def _run(args) -> int:
    from experiments import pipeline

    with _validating():
        out = Path(args.out) if args.out else Path("results") / _spec_name(args.spec)
        if args.resume:  # optimizers known only from the folder can then say what to import
            from experiments.running import storage

            storage.read_optimizer_metadata(out)
        from experiments.running.cluster import load_cluster

        spec = pipeline.read_spec(args.spec)
        cluster = load_cluster(args.cluster) if args.cluster else None
        pipeline.check_can_run(spec, out, args.resume, args.overwrite, args.chunk_size)
    if not args.quiet:
        print(f"{spec.name}: {spec.description}" if spec.description else spec.name)
        cost = pipeline.estimate(spec)  # a long run says what it may cost before it starts
        if cost is not None:
            from experiments.running.cost import describe

            print(describe(cost))
    results = pipeline.run(
        spec, out, resume=args.resume, progress=not args.quiet, jobs=args.jobs, chunk_size=args.chunk_size,
        cluster=cluster, overwrite=args.overwrite,
    )  # fmt: skip
    if not args.quiet:
        print(pipeline.tables(results, significance=False, width=_terminal_width()))
    if not args.no_report:
        _draw(results, out, args)
    print(f"results written to {out}/")
    return 0


def _spec_name(spec_or_name) -> str:
    """The name a spec gives its results folder, read before the spec is checked (its optimizers may be known only
    from that folder); a spec with no name is checked, and refused, by `load_spec`."""
    from experiments.definition.spec_files import read_spec_data

    data = read_spec_data(spec_or_name)[0]
    name = data.get("name") if isinstance(data, dict) else None
    if isinstance(name, str) and name:
        return name
    from experiments.definition.spec_files import load_spec

    return load_spec(spec_or_name).name


def _terminal_width() -> int | None:
    """The terminal's width, or None for a pipe or a file (they get whole lines)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _plot(args) -> int:
    out = Path(args.out or args.results_dir)
    _draw(_selected(args), out, args)
    print(f"figures and report written to {out}/")
    return 0


def _selected(args):
    """The stored results, narrowed by the command's --task, --schedule and --optimizer filters."""
    from experiments import pipeline

    with _validating():
        results = pipeline.load(args.results_dir)
        return pipeline.narrowed(results, args.task, args.schedule, args.optimizer)


def _draw(results, out: Path, args) -> None:
    from experiments import pipeline
    from experiments.report import document

    page = pipeline.draw(results, out, not args.no_svg, args.jobs, args.static)
    print(f"{page}: one self-contained file of {document.human_size(page.stat().st_size)}")


def _animate(args) -> int:
    from experiments import pipeline
    from experiments.plots import animation
    from experiments.report import document

    with _validating():
        results = pipeline.paths_of(_selected(args))
    out = Path(args.out) if args.out else Path(args.results_dir) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    formats = ["gif", "mp4"] if args.format == "both" else [args.format]
    if args.format == "both" and shutil.which("ffmpeg") is None:
        formats = ["gif"]
        print("ffmpeg is not on the PATH: writing GIF only (install ffmpeg for MP4)")
    for task in (task.name for task in results.spec.tasks):
        movie = animation.path_movie(results, task, frames=args.frames, clock=args.clock)
        for fmt in formats:
            path = out / f"animation-{task}{'-together' * args.together}.{fmt}"
            animation.write_animation(movie, results.spec, path, fps=args.fps, together=args.together,
                                      progress=not args.quiet)  # fmt: skip
            print(f"{path}: {movie.frames} frames, {document.human_size(path.stat().st_size)}")
    return 0


def _table(args) -> int:
    from experiments import pipeline

    print(pipeline.tables(_selected(args), width=_terminal_width()))
    return 0


def _check(args) -> int:
    from experiments import pipeline

    problems = pipeline.check(args.results_dir, deep=args.deep)
    for problem in problems:
        print(f"{args.results_dir}: {problem}")
    if not problems:
        print(f"{args.results_dir}: complete and consistent")
    return RUN_FAILURE if problems else 0


def _list(args) -> int:
    import network
    import optimizers
    from experiments.definition.scipy_methods import SCIPY_METHODS
    from experiments.definition.spec_files import built_in_experiments, read_spec_data
    from network.datasets import SHIPPED as SHIPPED_DATASETS

    print("optimizers (name: what it is; defaults; source):")
    for name in optimizers.available():
        defaults = ", ".join(f"{key}={value!r}" for key, value in optimizers.hyperparameters_of(name).items())
        print(f"  {name:18} {optimizers.summary_of(name)}")
        print(f"  {'':18} origin: {optimizers.origin_of(name)}")
        print(f"  {'':18} defaults: {defaults or 'none'}")
        print(f"  {'':18} source: {optimizers.source_of(name)}")
    print("  torch:CLASS        any torch.optim class (torch:Adam) or your subclass (torch:pkg.mod.Class), "
          'run by torch on the population; needs pip install "optarena[torch]"')  # fmt: skip
    print("scipy.optimize baselines (full batch; an epoch is one evaluation of E, and of ∇E where used):")
    for name, (method, description) in SCIPY_METHODS.items():
        print(f"  {name:18} scipy.optimize.minimize(method={method!r}): {description}")
    print("tasks (name: data; network):")
    for task in network.tasks().values():
        learned_by = "the article's 1-1-1 network" if task.is_article else task.network.describe()
        print(f"  {task.name:18} {task.description}")
        print(f"  {'':18} {task.samples} sample{'s' * (task.samples != 1)}; {learned_by}")
    print('datasets (for held-out experiments: dataset = "NAME"; scikit-learn\'s, no download):')
    for name, (_, description) in SHIPPED_DATASETS.items():
        print(f"  {name:18} {description}")
    print("built-in experiments (optarena run NAME):")
    for name in built_in_experiments():
        print(f"  {name:18} {read_spec_data(name)[0].get('description', '')}")
    return 0


def _explain(args) -> int:
    from experiments import explain
    from network.derivation import derive

    given = {"inputs": args.input, "targets": args.target, "w_h": args.w_h, "w_o": args.w_o}
    defaulted = [key for key, value in given.items() if value is None]
    values = {key: explain.WORKED_EXAMPLE[key] if value is None else value for key, value in given.items()}
    with _validating():
        derivation = derive(values["inputs"], values["targets"], values["w_h"], values["w_o"], args.eta, args.delta)
    if defaulted:
        taken = ", ".join(f"{key} = {explain.WORKED_EXAMPLE[key]}" for key in defaulted)
        print(f"(not given, the worked example's: {taken}; see optarena explain --help)\n", file=sys.stderr)
    print(explain.render(derivation, args.format), end="")
    return 0


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


NO_SVG_HELP = "figures as PNG only (by default also as SVG, which the report offers for download)"


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (and exit code 2) instead of the usage block."""

    def error(self, message: str):
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="optarena",
        description="Compare optimizers on the article's 1-1-1 sigmoid network and on layered networks.",
    )
    parser.add_argument("--import", dest="leading_imports", action="append", metavar="MODULE",
                        help=IMPORTING + "(repeatable; before or after the command)")  # fmt: skip
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--import", dest="imports", action="append", metavar="MODULE", help=IMPORTING + "(repeatable)")
    for build in (_run_parser, _plot_parser, _table_parser, _animate_parser, _check_parser, _explain_parser,
                  _list_parser):  # fmt: skip
        build(commands, common)
    return parser


IMPORTING = "import MODULE (a module name or a .py file) first: the optimizers it registers become available "


def _run_parser(commands, common) -> None:
    run = commands.add_parser(parents=[common], name="run", help="run an experiment (default: the built-in 'default')")
    run.add_argument("spec", nargs="?", default="default", help="a .toml/.json spec file or a built-in name")
    run.add_argument("--out", help="results directory (default: results/<experiment name>)")
    run.add_argument("--resume", action="store_true", help="reuse the units already stored in the directory")
    run.add_argument("--overwrite", action="store_true", help="replace the results already in the directory")
    run.add_argument(
        "--jobs", type=_positive_int, default=os.cpu_count() or 1, help="local processes (default: one per core)"
    )
    run.add_argument(
        "--cluster", metavar="FILE", help="train on a Dask cluster described in FILE (see docs/running-at-scale.md)"
    )
    run.add_argument("--chunk-size", type=_positive_int, help="split each population into units of this many starts")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no tables")
    run.add_argument("--no-report", action="store_true", help="skip the figures and report.md/report.html")
    _drawing_options(run)
    run.set_defaults(command=_run)


def _plot_parser(commands, common) -> None:
    plot = commands.add_parser(
        parents=[common], name="plot", help="(re)draw the figures and report of a results directory"
    )
    plot.add_argument("results_dir")
    plot.add_argument("--out", help="where to write them (default: the results directory)")
    _drawing_options(plot)
    plot.add_argument("--jobs", type=_positive_int, default=os.cpu_count() or 1, help="local processes")
    _filters(plot)
    plot.set_defaults(command=_plot)


def _table_parser(commands, common) -> None:
    table = commands.add_parser(parents=[common], name="table", help="print the tables of a results directory")
    table.add_argument("results_dir")
    _filters(table)
    table.set_defaults(command=_table)


def _animate_parser(commands, common) -> None:
    animate = commands.add_parser(
        parents=[common],
        name="animate",
        help="animate every optimizer's path over the error surface or a landscape plane (GIF, and MP4 with ffmpeg)",
    )
    animate.add_argument("results_dir")
    animate.add_argument("--out", help="where to write them (default: RESULTS_DIR/figures)")
    animate.add_argument("--frames", type=_positive_int, default=40, help="frames per animation (default 40)")
    animate.add_argument("--fps", type=_positive_int, default=10, help="frames per second (default 10)")
    animate.add_argument("--clock", choices=CLOCKS, default="epochs",
                         help="what frames advance by: epochs or gradient evaluations (default epochs)")  # fmt: skip
    animate.add_argument("--together", action="store_true", help="every optimizer in one panel")
    animate.add_argument("--format", choices=("gif", "mp4", "both"), default="both",
                         help="gif, mp4 (needs ffmpeg) or both (default; GIF alone without ffmpeg)")  # fmt: skip
    animate.add_argument("--quiet", action="store_true", help="no progress bar")
    _filters(animate)
    animate.set_defaults(command=_animate)


def _check_parser(commands, common) -> None:
    check = commands.add_parser(parents=[common], name="check", help="validate a results directory")
    check.add_argument("results_dir")
    check.add_argument("--deep", action="store_true",
                       help="recompute every table from the stored units (by default: every file against the "
                            "digest its run recorded, at once)")  # fmt: skip
    check.set_defaults(command=_check)


def _explain_parser(commands, common) -> None:
    explaining = commands.add_parser(
        parents=[common],
        name="explain",
        help="the article's derivation, step by step, with your numbers",
        description="Print the forward pass, both derivatives factor by factor (the article's eqs. 1.1-1.4 and "
        "2.1-2.8), a finite-difference check and the gradient-descent and RProp updates. Repeat --input and "
        "--target for several samples; with no values, a worked example.",
    )
    explaining.add_argument("--input", type=_finite, action="append", help="a training input i (repeatable)")
    explaining.add_argument("--target", type=_finite, action="append", help="its target t (repeatable)")
    explaining.add_argument("--w-h", type=_finite, help="the hidden weight w_h")
    explaining.add_argument("--w-o", type=_finite, help="the output weight w_o")
    explaining.add_argument("--eta", type=_finite, default=0.5, help="gradient descent's learning rate (default 0.5)")
    explaining.add_argument("--delta", type=_finite, default=0.1, help="RProp's step size Δ (default 0.1)")
    explaining.add_argument("--format", choices=EXPLAIN_FORMATS, default="text", help="text, markdown or latex")
    explaining.set_defaults(command=_explain)


def _list_parser(commands, common) -> None:
    listing = commands.add_parser(
        parents=[common], name="list", help="list optimizers with their defaults, tasks and experiments"
    )
    listing.set_defaults(command=_list)


def _drawing_options(command) -> None:
    """What the figures and the report are drawn as (run and plot)."""
    command.add_argument("--no-svg", action="store_true", help=NO_SVG_HELP)
    command.add_argument("--static", action="store_true", help="report.html with full-size figures and no script")


def _filters(command) -> None:
    """The filters of the commands that read a results directory's populations."""
    command.add_argument("--task", action="append", help="only this task (repeatable)")
    command.add_argument("--schedule", action="append", help="only this schedule, e.g. full-batch (repeatable)")
    command.add_argument("--optimizer", action="append", help="only this optimizer: a name or a label (repeatable)")


if __name__ == "__main__":
    sys.exit(main())

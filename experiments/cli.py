"""The ``optarena`` command line; the only module that parses arguments or prints."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

import network
import optimizers
from experiments.compare import compare
from experiments.runner import Budget


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except (ValueError, TypeError) as problem:
        print(f"optarena: error: {problem}", file=sys.stderr)
        return 2


def _run(args) -> int:
    budget = Budget(max_epochs=args.epochs, target_error=args.target)
    task_names = list(network.tasks()) if args.task == "all" else [args.task]
    tables = {
        name: compare(network.get_task(name), None, args.points, args.half_width, args.seed, budget)
        for name in task_names
    }
    print(
        f"{args.points} initial points uniform in [-{args.half_width:g}, {args.half_width:g}]² "
        f"(seed {args.seed}), full batch, at most {args.epochs} epochs, target E <= {args.target:g}"
    )
    for name, table in tables.items():
        print(f"\n{name}: {network.get_task(name).description}")
        print(_format(table))
    return 0


def _list(args) -> int:
    print("optimizers:")
    for name in optimizers.available():
        defaults = ", ".join(f"{key}={value!r}" for key, value in optimizers.hyperparameters_of(name).items())
        print(f"  {name:10} {optimizers.summary_of(name)}\n  {'':10} {defaults or 'no hyperparameters'}")
    print("tasks:")
    for task in network.tasks().values():
        print(f"  {task.name:14} {task.description}")
    return 0


def _format(table: pd.DataFrame) -> str:
    shown = table.rename(
        columns={
            "success_rate": "success",
            "median_epochs_to_target": "median epochs",
            "median_final_error": "median final E",
            "wall_time_s": "time [s]",
        }
    )
    return shown.to_string(
        formatters={
            "success": "{:.1%}".format,
            "median epochs": "{:.0f}".format,
            "median final E": "{:.2e}".format,
            "time [s]": "{:.3f}".format,
        }
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optarena", description="Compare optimizers on the 1-1-1 sigmoid network of the article."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="train every optimizer from the same initial points; print a table")
    run.add_argument("--task", default="all", choices=[*network.tasks(), "all"], help="task (default: all)")
    run.add_argument("--points", type=int, default=1000, help="initial points (default: 1000)")
    run.add_argument(
        "--half-width", type=float, default=10.0, help="points uniform in [-h, h]² (default: 10)"
    )
    run.add_argument("--epochs", type=int, default=2000, help="epoch budget (default: 2000)")
    run.add_argument("--target", type=float, default=1e-4, help="error target (default: 1e-4)")
    run.add_argument("--seed", type=int, default=0, help="seed of the initial points (default: 0)")
    run.set_defaults(command=_run)
    listing = commands.add_parser("list", help="list optimizers with their defaults, and tasks")
    listing.set_defaults(command=_list)
    return parser


if __name__ == "__main__":
    sys.exit(main())

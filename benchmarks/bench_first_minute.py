"""The first minute of a new user, measured side by side in one run: what the commands cost before any training,
and the default run with numba's cache empty (the first run after an install) against the same run warm.

    python benchmarks/bench_first_minute.py [--repeats 5] [--skip-run] [--pairs 1]

Each command runs in a fresh process, as a user starts it: ``optarena --help``, ``optarena list``, a spec with
a typo, a spec that does not exist, and ``optarena check`` on a finished folder (medians of --repeats).  The
default run runs twice with NUMBA_CACHE_DIR pointing to one empty folder: the first compiles every kernel it
uses (a fresh install's first run), the second loads them (every run after it); the ratio is the target of
issue 31 (at most 1.3).  ``--pairs`` repeats that pair, each with a cache of its own, and prints the median
ratio: on a machine of two cores a first run's time depends on which worker waits for which compilation.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TYPO = 'name = "typo"\ntasks = ["teacher"]\n[[optimizers]]\nname = "adamm"\n'


def seconds(arguments: list[str], environment: dict | None = None, cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "experiments", *arguments], capture_output=True, env=environment, cwd=cwd)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-run", action="store_true", help="the commands only, not the default run")
    parser.add_argument("--pairs", type=int, default=1, help="cold and warm default runs, each pair its own cache")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "typo.toml").write_text(TYPO)
        subprocess.run([sys.executable, "-m", "experiments", "run", "quick", "--out", str(folder / "quick"),
                        "--quiet", "--no-report"], check=True, capture_output=True)  # fmt: skip
        commands = {
            "optarena --help": ["--help"],
            "optarena list": ["list"],
            "a spec with a typo": ["run", str(folder / "typo.toml"), "--out", str(folder / "typo")],
            "a spec that does not exist": ["run", str(folder / "none.toml")],
            "optarena check (quick run)": ["check", str(folder / "quick")],
        }
        print(f"{'command':32} {'median s':>9}   (of {args.repeats} fresh processes)")
        for name, arguments in commands.items():
            times = [seconds(arguments, cwd=folder) for _ in range(args.repeats)]
            print(f"{name:32} {statistics.median(times):9.2f}")
        if args.skip_run:
            return
        print(f"\n{'optarena run (default)':32} {'cold s':>9} {'warm s':>9} {'ratio':>7}   (cold: numba's cache empty)")
        ratios = []
        for pair in range(args.pairs):
            environment = os.environ | {"NUMBA_CACHE_DIR": str(folder / f"numba-cache-{pair}")}
            cold = seconds(["run", "--out", str(folder / f"cold-{pair}"), "--quiet"], environment, folder)
            warm = seconds(["run", "--out", str(folder / f"warm-{pair}"), "--quiet"], environment, folder)
            ratios.append(cold / warm)
            print(f"{f'pair {pair + 1}':32} {cold:9.1f} {warm:9.1f} {cold / warm:7.2f}")
        print(f"{'cold / warm, median of the pairs':32} {statistics.median(ratios):29.2f}   (target ≤ 1.3)")


if __name__ == "__main__":
    main()

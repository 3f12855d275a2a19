"""How fast optarena trains populations, measured side by side in one run.

For gd and irprop- on the teacher task (4 samples, float64, full batch) at
N = 1, 10², 10⁴, 10⁶ networks it prints the median throughput, in
network-epochs per second, of:

- optarena's engine (`experiments.train_population`: the compiled kernel for
  these optimizers, with all per-run bookkeeping: 36 targets, histories, statuses);
- optarena in pure numpy (the same engine with ``accelerate=False``: every
  optimizer's own numpy step on the numpy network);
- a naive per-network Python loop over optarena's own API (what a newcomer writes);
- torch, vectorized over the population with autograd and ``torch.optim``
  (when torch is importable), with 2 threads;

and the ratios between them; then the peak memory of a 10⁶-network, 1000-epoch
population, how the work shrinks as runs converge, and the wall time of the
default ``optarena run`` with its figures.

    python benchmarks/bench_population.py            # everything (a few minutes)
    python benchmarks/bench_population.py --quick    # smaller N and fewer repeats
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import network
import optimizers
from experiments import Budget, Targets, train_population

TASK = network.get_task("teacher")
NO_STOPPING = Targets((1e-300,))  # no run ever stops early: every network does every epoch
PARTS = ["throughput", "library", "memory", "shrinking", "default"]
TORCH_KWARGS = {"gd": ("SGD", {"lr": 0.5}), "irprop-": ("Rprop", {"lr": 0.1}), "adam": ("Adam", {"lr": 0.05})}


def starts(count: int) -> np.ndarray:
    return np.random.default_rng(0).uniform(-10, 10, size=(count, 2))


def epochs_for(count: int) -> int:
    """Enough epochs for a measurable run: about 2·10⁷ network-epochs, and at least 200 epochs."""
    return int(min(2000, max(200, 2e7 / count)))


def median_rate(run, count: int, epochs: int, repeats: int) -> float:
    run()  # warm up: numba's compile or cache load, torch's first call
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return count * epochs / statistics.median(times)


def engine(name: str, count: int, epochs: int, accelerate: bool):
    weights = starts(count)
    budget = Budget(max_epochs=epochs)
    return lambda: train_population(
        optimizers.get(name), TASK, weights, budget=budget, targets=NO_STOPPING, accelerate=accelerate
    )


def naive_loop(name: str, count: int, epochs: int):
    """One network at a time through optarena's public API: the loop a newcomer writes."""
    weights = starts(count)

    def run():
        optimizer = optimizers.get(name)
        for start in weights:
            w, state = start, optimizer.init(start)
            for _ in range(epochs):
                error, grad = network.loss_and_grad(w, TASK.inputs, TASK.targets)
                w, state = optimizer.step(w, grad, state, loss=error)

    return run


def library_loop(name: str, count: int, epochs: int):
    """A user's own loop over the public API, on a whole population at once (issue 16's loop)."""
    weights = starts(count)

    def run():
        optimizer = optimizers.get(name)
        w, state = weights, optimizer.init(weights)
        for _ in range(epochs):
            error, grad = network.loss_and_grad(w, TASK.inputs, TASK.targets)
            w, state = optimizer.step(w, grad, state, loss=error)

    return run


def torch_vectorized(name: str, count: int, epochs: int):
    import torch

    torch.set_num_threads(2)
    inputs, targets = torch.tensor(TASK.inputs[:, 0]), torch.tensor(TASK.targets[:, 0])
    class_name, kwargs = TORCH_KWARGS[name]

    def run():
        weights = torch.tensor(starts(count), requires_grad=True)
        optimizer = getattr(torch.optim, class_name)([weights], **kwargs)
        for _ in range(epochs):
            optimizer.zero_grad()
            r_h = torch.sigmoid(weights[:, :1] * inputs)
            r_o = torch.sigmoid(weights[:, 1:] * r_h)
            ((targets - r_o) ** 2 / 2).sum().backward()
            optimizer.step()

    return run


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def throughput_table(sizes, repeats: int) -> None:
    has_torch = torch_available()
    print("\nThroughput, network-epochs/s (median of repeats), teacher task, full batch, float64")
    header = f"{'optimizer':9} {'N':>9} {'epochs':>6} {'engine':>10} {'numpy':>10} {'naive':>10} {'torch':>10}"
    print(header + "   engine/torch  engine/numpy  engine/naive")
    for name in ("gd", "irprop-"):
        for count in sizes:
            epochs = epochs_for(count)
            fast = median_rate(engine(name, count, epochs, True), count, epochs, repeats)
            plain = median_rate(engine(name, count, epochs, False), count, epochs, repeats)
            naive_count = min(count, 200)  # the naive loop's rate does not depend on N; time 200 networks at most
            naive_epochs = min(epochs, 200)
            naive = median_rate(naive_loop(name, naive_count, naive_epochs), naive_count, naive_epochs, 1)
            torch_rate = (
                median_rate(torch_vectorized(name, count, epochs), count, epochs, repeats) if has_torch else None
            )
            torch_text = f"{torch_rate:10.3g}" if torch_rate else f"{'-':>10}"
            ratio = f"{fast / torch_rate:13.2f}×" if torch_rate else f"{'-':>14}"
            print(
                f"{name:9} {count:9d} {epochs:6d} {fast:10.3g} {plain:10.3g} {naive:10.3g} {torch_text}"
                f" {ratio} {fast / plain:12.2f}× {fast / naive:12.0f}×"
            )
    if not has_torch:
        print("(torch is not installed: pip install torch to add its column)")


def library_table(sizes, repeats: int) -> None:
    """The public API in a user's own loop against torch's vectorized autograd and torch.optim, side by side."""
    if not torch_available():
        return
    print("\nA user's own loop: network.loss_and_grad + optimizer.step on the whole population (teacher task)")
    print(f"{'optimizer':9} {'N':>9} {'epochs':>6} {'library':>10} {'torch':>10}   library/torch")
    for name in ("gd", "irprop-", "adam"):
        for count in sizes:
            epochs = 200 if count <= 10_000 else 20
            ours = median_rate(library_loop(name, count, epochs), count, epochs, repeats)
            theirs = median_rate(torch_vectorized(name, count, epochs), count, epochs, repeats)
            print(f"{name:9} {count:9d} {epochs:6d} {ours:10.3g} {theirs:10.3g} {ours / theirs:14.2f}×")


def peak_memory(count: int, epochs: int) -> None:
    """Peak resident memory of one population trained in a fresh process, default targets and histories."""
    script = (  # VmHWM is the peak resident size; writing 5 to clear_refs resets it (Linux)
        "import numpy as np, network, optimizers\n"
        "from experiments import Budget, train_population\n"
        "def peak():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        f"w = np.random.default_rng(0).uniform(-10, 10, size=({count}, 2))\n"
        "before = peak()\n"
        f"r = train_population(optimizers.get('irprop-'), network.get_task('teacher'), w, "
        f"budget=Budget(max_epochs={epochs}))\n"
        "print(before, peak(), (r.status == 'converged').mean())\n"
    )
    started = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    before, peak, converged = output.split()
    print(
        f"\nPeak memory, irprop-, N = {count:,}, up to {epochs} epochs, 36 targets and histories: "
        f"{int(peak) / 1024:.0f} MB resident ({int(before) / 1024:.0f} MB before training; "
        f"{float(converged):.0%} converged; {time.perf_counter() - started:.1f} s)"
    )


def shrinking_work(count: int) -> None:
    """Runs that reached the finest target stop: wall time with the target ladder against never stopping."""
    weights, budget = starts(count), Budget(max_epochs=2000)
    for name in ("irprop-", "adam"):
        optimizer = optimizers.get(name)
        timed = {}
        for label, targets in (("stopping", None), ("never stopping", NO_STOPPING)):
            started = time.perf_counter()
            result = train_population(optimizer, TASK, weights, budget=budget, targets=targets)
            timed[label] = (time.perf_counter() - started, result.stop_epoch.mean())
        print(
            f"{name:8} N = {count}: {timed['stopping'][0]:.2f} s with early stops (mean stop epoch "
            f"{timed['stopping'][1]:.0f}) vs {timed['never stopping'][0]:.2f} s running all 2000 epochs"
        )


def default_run() -> None:
    """The default experiment end to end, serially and in 2 processes (side by side), then with its figures;
    cold (numba's cache emptied first, as after an install) and warm."""

    def timed(*flags, cold=False) -> tuple[float, dict]:
        if cold:
            clear_numba_cache()
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "default"
            started = time.perf_counter()
            command = [sys.executable, "-m", "experiments", "run", "--out", str(out), "--quiet"]
            subprocess.run([*command, *flags], check=True, capture_output=True)
            wall = time.perf_counter() - started
            return wall, json.loads((out / "manifest.json").read_text())["timings_s"]

    (serial, _), (parallel, phases) = timed("--jobs", "1", "--no-report"), timed("--jobs", "2", "--no-report")
    print(f"\nDefault experiment, training and tables: {serial:.1f} s serially, {parallel:.1f} s with --jobs 2 "
          f"({serial / parallel:.2f}× faster)")  # fmt: skip
    print(f"  of the {parallel:.1f} s with --jobs 2: training {phases['training']:.1f} s, tables and their "
          f"statistics and files {phases['tables']:.1f} s ({phases['tables'] / parallel:.0%}), imports and the "
          f"rest {parallel - phases['training'] - phases['tables']:.1f} s")  # fmt: skip
    cold, _ = timed(cold=True)
    warm, phases = timed()
    print(f"Default `optarena run` with figures and report (one process per core): {warm:.1f} s warm, "
          f"{cold:.1f} s cold (numba's cache empty, as after an install: {cold / warm:.2f}× warm)")  # fmt: skip
    print(f"  the tables' share of the warm run: {phases['tables'] / warm:.0%}")


def clear_numba_cache() -> None:
    """Remove numba's cached machine code of optarena's kernels (the __pycache__/*.nbi/*.nbc files)."""
    root = Path(network.__file__).parent.parent
    for package in ("network", "optimizers", "experiments"):
        for path in (root / package).rglob("__pycache__/*.nb[ic]"):
            path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N up to 10⁴, fewer repeats, no 10⁶ memory run")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=PARTS, help="measure only these (default: all)")
    args = parser.parse_args()
    print(
        f"optarena population benchmark on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"
    )
    repeats = 2 if args.quick else 3
    if "throughput" in args.parts:
        throughput_table((1, 100, 10_000) if args.quick else (1, 100, 10_000, 1_000_000), repeats)
    if "library" in args.parts:
        library_table((10_000,) if args.quick else (10_000, 1_000_000), repeats)
    if "memory" in args.parts and not args.quick:
        peak_memory(1_000_000, 1000)
    if "shrinking" in args.parts:
        print("\nThe active set shrinks: finished runs cost nothing")
        shrinking_work(2_000 if args.quick else 20_000)
    if "default" in args.parts:
        default_run()


if __name__ == "__main__":
    main()

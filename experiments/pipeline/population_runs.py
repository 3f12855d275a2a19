"""Run an experiment: plan its units, train each (or reuse it with --resume), write and check results."""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

import optimizers
from experiments.analysis import published_comparison
from experiments.analysis.published_comparison import settings_to_rerun
from experiments.analysis.results import Results
from experiments.analysis.tables import to_markdown
from experiments.analysis.tuning import tuned
from experiments.definition.spec import ExperimentSpec
from experiments.definition.spec_files import load_spec
from experiments.errors import RunFailure
from experiments.records import UnitResult
from experiments.running import integrity, interrupts, manifest, references, storage
from experiments.running.integrity import report_problems
from experiments.running.progress import unit_loop
from experiments.running.replay import Replay
from experiments.running.units import load_unit, merge_chunks, plan, run_unit, save_unit, unit_path
from experiments.running.workers import mapped

RUNS_FILE, SUMMARY_FILE, SIGNIFICANCE_FILE = "runs.csv.gz", "summary.csv", "significance.csv"
HISTORIES_FILE, PARAMETERS_FILE = "histories.npz", "parameters.npz"
TUNING_FILE, PUBLISHED_FILE = "tuning.csv", "published_comparison.csv"
VARIANTS = "variants"  # each variant's results folder: variants/<slug>/
VOLATILE_COLUMNS = ["wall_time_s"]  # the only columns that differ between identical runs


def run(
    spec: ExperimentSpec,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    jobs: int = 1,
    chunk_size: int | None = None,
    cluster: dict | None = None,
    overwrite: bool = False,
) -> Results:
    """Train every unit of ``spec``; with ``out``, store each unit as it finishes and write the tables
    (`experiments.pipeline.run` reads a spec from a file, a name or a dict and calls this).

    A folder ``out`` that already holds results is refused, unless ``resume``
    (units already stored there for this very spec are loaded instead of
    trained; the tables come out the same as an uninterrupted run) or
    ``overwrite`` (the old results are removed first).
    ``jobs`` > 1 trains units in that many local processes (joblib's loky);
    ``cluster`` (see `experiments.running.cluster`) trains them on a Dask cluster;
    ``chunk_size`` splits each population into units of that many starts.  The
    results depend on none of these.  A unit that fails is retried once.
    """
    check_can_run(spec, out, resume, overwrite)
    units = plan(spec, chunk_size)
    if out is not None:
        out, begun = _started(spec, Path(out), chunk_size, overwrite)

    def train(batch):
        return _train_units(spec, batch, out, resume, progress, jobs, cluster)

    started = time.perf_counter()
    finished, minima, units = _with_references(spec, units, train)
    results = Results(spec, tuple(merge_chunks(finished)), references=minima, replay=Replay())
    if spec.variants:
        run_variant = functools.partial(run, resume=resume, progress=progress, jobs=jobs, chunk_size=chunk_size,
                                        cluster=cluster, overwrite=overwrite)  # fmt: skip
        results = dataclasses.replace(results, variants=_run_variants(results, out, run_variant))
    interrupts.checkpoint()
    if out is not None:
        trained = time.perf_counter()
        _write_tables(out, results)
        timings = {"training": trained - started, "tables": time.perf_counter() - trained}
        _remove_stale_units(out, spec, units)
        interrupts.checkpoint()  # an interrupted run never says it is complete
        _finished(out, results, finished, begun, timings)
    return results


def _started(spec: ExperimentSpec, out: Path, chunk_size: int | None, overwrite: bool) -> tuple[Path, dict]:
    """The results folder made ready (emptied first with ``overwrite``), with the spec, the optimizers' metadata and
    a manifest that says the run has not finished; (the folder, that manifest)."""
    if storage.holds_results(out) and overwrite:
        storage.remove_results(out)
    out = storage.prepare_directory(out)
    storage.clean_stale_temporaries(out)
    begun = manifest.begun(spec, seeds=list(spec.seeds), chunk_size=chunk_size, complete=False,
                           started=storage.now())  # fmt: skip
    manifest.write(out, begun)
    storage.write_json(out / "spec.json", spec.to_dict())
    storage.write_optimizer_metadata(out, spec)
    return out, begun


def _finished(out: Path, results: Results, finished: list[UnitResult], begun: dict, timings: dict) -> None:
    """The manifest of a complete run: its units and their times, the reference minima, the phases' times and
    every file's digest (what `optarena check` compares at once)."""
    spec = results.spec
    units = [{"label": result.unit.label, "file": unit_path(out, spec, result.unit).name,
              "wall_time_s": result.wall_time} for result in finished]  # fmt: skip
    minima = {task: dataclasses.asdict(reference) for task, reference in results.references.items()}
    timings = {phase: round(seconds, 3) for phase, seconds in timings.items()}
    manifest.completed(out, begun, complete=True, units=units, reference_minima=minima, timings_s=timings)


def check_can_run(spec: ExperimentSpec, out: str | Path | None, resume: bool = False, overwrite: bool = False):
    """A one-line ValueError for anything that would stop `run` before it trains (what the CLI calls a usage
    error): resume without a folder or with overwrite, an optimizer known only as a stand-in, a folder that holds
    results when neither resume nor overwrite is given, or another spec's results to resume."""
    if resume and out is None:
        raise ValueError("resume needs an output directory to resume from")
    if resume and overwrite:
        raise ValueError("give either resume (keep the stored results) or overwrite (replace them), not both")
    for setting in spec.optimizers:
        if not setting.is_scipy:
            optimizers.require_available(setting.name)  # a stand-in read from a results folder says what to import
    if out is None or not storage.holds_results(Path(out)):
        return
    if resume:
        _require_continuation(Path(out), spec)
    elif not overwrite:
        raise ValueError(
            f"{str(out)!r} already holds results; add --resume to continue or reuse them, or --overwrite to replace "
            "them"
        )


def _require_continuation(out: Path, spec: ExperimentSpec) -> None:
    """A one-line ValueError unless ``spec`` continues the experiment stored in ``out``: the same one, or the same
    with more seeds, tasks, schedules or optimizer settings, so that --resume keeps every stored unit.

    A different spec (another name, budget, targets or initial points, or one that leaves stored settings out)
    would silently replace the folder's results: that takes --overwrite."""
    try:
        stored = json.loads((out / "spec.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValueError(
            f"cannot resume in {str(out)!r}: its spec.json is missing or unreadable; use --overwrite to replace "
            "what is there, or another --out"
        ) from None
    given = json.loads(json.dumps(spec.to_dict()))
    difference = None
    for key in [*stored, *(key for key in given if key not in stored)]:
        if key == "description":  # words, not results
            continue
        if key in EXTENDABLE and isinstance(stored.get(key), list) and isinstance(given.get(key), list):
            dropped = next((item for item in stored[key] if item not in given[key]), None)
            difference = f"{key}: {dropped!r} is there, not here" if dropped is not None else None
        else:
            difference = first_difference(stored.get(key), given.get(key), key)
        if difference:
            break
    if difference is not None:
        raise ValueError(
            f"cannot resume in {str(out)!r}: it holds the results of another spec ({difference}); use --overwrite "
            "to replace them, or another --out"
        )


EXTENDABLE = ("seeds", "tasks", "schedules", "optimizers", "variants")  # --resume may add to these: stored units stay


def first_difference(stored, given, where: str = "") -> str | None:
    """Where two parsed JSON values first differ, in words; None if they are equal.

    >>> first_difference({"tasks": ["xor"], "seeds": [0]}, {"tasks": ["teacher"], "seeds": [0]})
    "tasks[0] is 'xor' there, 'teacher' here"
    >>> first_difference({"name": "a"}, {"name": "a", "seeds": [1]}) is None, first_difference({}, {"seeds": [1]})
    (False, 'seeds is not there, [1] here')
    """
    if isinstance(stored, dict) and isinstance(given, dict):
        for key in [*stored, *(key for key in given if key not in stored)]:
            inner = f"{where}.{key}" if where else str(key)
            if key not in given:
                return f"{inner} is {stored[key]!r} there, not given here"
            if key not in stored:
                return f"{inner} is not there, {given[key]!r} here"
            found = first_difference(stored[key], given[key], inner)
            if found:
                return found
        return None
    if isinstance(stored, list) and isinstance(given, list) and len(stored) == len(given):
        for index, (a, b) in enumerate(zip(stored, given, strict=True)):
            found = first_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        return None
    return None if stored == given else f"{where or 'the spec'} is {stored!r} there, {given!r} here"


def _train_units(spec, units, out, resume, progress, jobs, cluster) -> list[UnitResult]:
    """Every unit's result: loaded when ``resume`` finds it stored, else trained (each stored as it finishes)."""
    finished = [load_unit(out, spec, unit) if resume else None for unit in units]
    twins = shared_trainings(units)
    sharing: dict[int, list[int]] = {}
    for j, twin in enumerate(twins):
        sharing.setdefault(twin, []).append(j)
    needed = dispatch_order(units, sorted({twins[i] for i, result in enumerate(finished) if result is None}))
    failures = {}
    with unit_loop(spec.name, len(needed), progress, cluster) as (client, one_done):
        for attempt in ("first", "retry"):
            todo = needed if attempt == "first" else sorted(failures)
            failures = {}
            for index, outcome in _trained(spec, [units[i] for i in todo], todo, jobs, client):
                if isinstance(outcome, str):
                    failures[index] = outcome
                    continue
                for j in (j for j in sharing[index] if finished[j] is None):
                    finished[j] = UnitResult(units[j], outcome.population, outcome.wall_time if j == index else 0.0)
                    if out is not None:
                        save_unit(out, spec, finished[j])  # stored as soon as it exists: nothing finished is lost
                one_done()
            if not failures:
                break
    if failures:
        first = failures[min(failures)]
        raise RunFailure(f"{len(failures)} of {len(needed)} units failed twice; the others are stored. First: {first}")
    return finished


def dispatch_order(units, indices: list[int]) -> list[int]:
    """The order in which ``indices`` of ``units`` go to the workers: the first unit of each compiled kernel
    (`kernel_of`), then the units that compile no kernel (scipy's baselines), then the rest.  On a fresh machine
    a worker compiles a kernel for its first unit (about 15 s), and the other units of that kernel wait for it
    (`workers.in_processes`): this way the other workers train scipy's units or compile another kernel meanwhile.
    With one process, or a warm cache, it changes nothing but the order; the tables are in table order whatever it.
    """
    first = list({kernel_of(units[i]): i for i in reversed(indices) if kernel_of(units[i]) is not None}.values())
    plain, leading = [i for i in indices if kernel_of(units[i]) is None], set(first)
    return first[::-1] + plain + [i for i in indices if i not in leading and kernel_of(units[i]) is not None]


def kernel_of(unit) -> str | None:
    """Which compiled kernel trains ``unit``: the article's closed form or the layered network (None for scipy's
    baselines, which compile nothing worth waiting for)."""
    if unit.setting.is_scipy:
        return None
    return "closed form" if unit.task.closed_form(unit.setting.flat_spots) else "layered"


def _with_references(spec: ExperimentSpec, units: list, obtain) -> tuple[list[UnitResult], dict, list]:
    """The results of ``units`` (``obtain(units)`` trains or loads them), measured against each task's E*.

    Tasks whose E* must be found are explored first and their units near it
    replayed (`experiments.running.references`).  Also returns every unit
    that was obtained, explored and replayed ones alike.
    """
    explored = [references.explore(spec, unit) for unit in units]
    results = obtain(explored)
    minima = references.references(spec, results)
    replays = [
        i for i, result in enumerate(results) if references.to_replay(spec, result, minima[result.unit.task.name])
    ]
    if not replays:
        return results, minima, explored
    again = [dataclasses.replace(explored[i], minimum=minima[explored[i].task.name].value) for i in replays]
    for i, result in zip(replays, obtain(again), strict=True):
        results[i] = result
    return results, minima, explored + again


def _run_variants(results: Results, out: Path | None, run_variant) -> tuple:
    """Every variant of the spec trained after the main run by ``run_variant(spec, folder)`` (`run` with the main
    run's options), each into ``out/variants/<slug>/``."""
    return tuple(
        (variant, run_variant(variant_spec(results, variant), None if out is None else out / VARIANTS / variant.slug))
        for variant in results.spec.variants
    )


def variant_spec(results: Results, variant) -> ExperimentSpec:
    """The spec a variant runs: the best settings of ``results``' sweeps (and the published ones) under its choices."""
    return variant.apply(results.spec, settings_to_rerun(results))


def shared_trainings(units) -> list[int]:
    """For each unit, the index of the unit whose training it repeats exactly (its own index if none).

    On a one-sample task every schedule is the same training: one update per
    epoch on that sample's gradient (the same arrays, the same operations), so
    the mini-batch and per-sample units reuse the full-batch unit's runs.
    """
    full_batch = {
        (unit.task.name, unit.setting.label, unit.seed, unit.chunk): index
        for index, unit in enumerate(units)
        if unit.schedule.kind == "full-batch"
    }
    return [
        full_batch.get((unit.task.name, unit.setting.label, unit.seed, unit.chunk), index)
        if unit.task.samples == 1
        else index
        for index, unit in enumerate(units)
    ]


def _trained(spec, units, indices, jobs: int, client):
    """(index, UnitResult or failure line) for ``units`` as they finish: here, in ``jobs`` processes or on the
    Dask ``client`` (`workers.mapped`)."""
    calls = [(spec, unit, _optimizer_of(spec, unit)) for unit in units]
    compiles = [kernel_of(unit) for unit in units]
    return zip(indices, mapped(_train_unit, calls, jobs, client, compiles), strict=True)


def _optimizer_of(spec, unit):
    """The unit's optimizer object, built here so a worker gets it pickled (a notebook's own optimizer too)."""
    return None if unit.setting.is_scipy else spec.optimizer_for(unit.setting, unit.task, unit.schedule)


def _train_unit(spec, unit, optimizer=None):
    """run_unit, with a failure turned into a one-line message instead of an exception."""
    try:
        return run_unit(spec, unit, optimizer)
    except Exception as problem:  # a faulty (user) optimizer fails its unit, not the experiment
        return f"{unit.label}: {type(problem).__name__}: {problem}"


def load(results_dir: str | Path) -> Results:
    """The results stored in ``results_dir`` (every unit must be there)."""
    results_dir = Path(results_dir)
    spec_file = results_dir / "spec.json"
    if not spec_file.is_file():
        raise ValueError(f"{str(results_dir)!r} holds no results: spec.json is missing")
    storage.read_optimizer_metadata(results_dir)
    with optimizers.missing_imports_allowed():  # the stored metadata stands in for what cannot be imported
        spec = load_spec(spec_file)
    try:
        chunk_size = json.loads((results_dir / "manifest.json").read_text(encoding="utf-8")).get("chunk_size")
    except (OSError, ValueError):
        chunk_size = None

    def stored(units):
        results = [load_unit(results_dir, spec, unit) for unit in units]
        missing = next((unit for unit, result in zip(units, results, strict=True) if result is None), None)
        if missing is not None:
            raise ValueError(
                f"{str(results_dir)!r} is incomplete: unit {missing.label} is missing; "
                "finish it with optarena run SPEC --out DIR --resume"
            )
        return results

    finished, minima, _ = _with_references(spec, plan(spec, chunk_size), stored)
    results = Results(spec, tuple(merge_chunks(finished)), references=minima, replay=Replay())
    if spec.variants:
        variants = tuple((variant, load(results_dir / VARIANTS / variant.slug)) for variant in spec.variants)
        results = dataclasses.replace(results, variants=variants)
    return results


def check(results_dir: str | Path) -> list[str]:
    """Problems with a results folder, one line each; an empty list means it is complete and consistent: every
    table recomputed from the units and compared (`experiments.pipeline.check` compares the digests first)."""
    results_dir = Path(results_dir)
    record, problems = integrity.finished_manifest(results_dir)
    if problems:
        return problems
    try:
        results = load(results_dir)
    except ValueError as problem:
        return [str(problem)]
    problems = []
    if record.get("spec_digest") != results.spec.digest():
        problems.append("spec.json does not match the spec digest recorded in manifest.json")
    problems += report_problems(results_dir, record)
    expected = {
        RUNS_FILE: results.runs(),
        SUMMARY_FILE: results.table().drop(columns=VOLATILE_COLUMNS),
        SIGNIFICANCE_FILE: results.significance(),
    }
    if any(setting.swept for setting in results.spec.optimizers):
        expected[TUNING_FILE] = tuned(results)
    if results.spec.published is not None:
        expected[PUBLISHED_FILE] = published_comparison.comparison(results)
    for name, table in expected.items():
        try:
            stored = read_table(results_dir / name)
        except (OSError, ValueError, EOFError) as problem:
            problems.append(f"{name} is missing or unreadable: {problem}")
            continue
        stored = stored.drop(columns=[c for c in VOLATILE_COLUMNS if c in stored.columns])
        if not _same_table(stored, table):
            problems.append(f"{name} does not match the stored units")
    for variant, variant_results in results.variants:
        where = f"{VARIANTS}/{variant.slug}"
        if variant_results.spec.digest() != variant_spec(results, variant).digest():
            problems.append(f"{where} did not train the best settings of this folder's sweeps")
        problems += [f"{where}: {problem}" for problem in check(results_dir / VARIANTS / variant.slug)]
    for name, expected in ((HISTORIES_FILE, _histories(results)), (PARAMETERS_FILE, _parameters(results))):
        try:
            stored = storage.read_npz(results_dir / name)
        except (OSError, ValueError) as problem:
            problems.append(f"{name} is missing or unreadable: {problem}")
            continue
        if stored.keys() != expected.keys() or not all(np.array_equal(stored[k], expected[k], equal_nan=True)
                                                       for k in expected):  # fmt: skip
            problems.append(f"{name} does not match the stored units")
    return problems


def read_table(path: Path) -> pd.DataFrame:
    """A stored CSV table with every float exactly as written."""
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(path, **exact)


def _write_tables(out: Path, results: Results) -> None:
    runs, table, significance = results.runs(), results.table(), results.significance()
    storage.write_atomically(
        out / RUNS_FILE,
        lambda file: _whole_epochs(runs).to_csv(
            file, index=False, compression={"method": "gzip", "mtime": 0, "compresslevel": 1}
        ),
    )
    storage.write_text(out / SUMMARY_FILE, table.to_csv(index=False))
    storage.write_text(out / SIGNIFICANCE_FILE, significance.to_csv(index=False))
    storage.write_text(out / "summary.md", to_markdown(table, "summary") + "\n")
    storage.write_text(out / "significance.md", to_markdown(significance, "significance") + "\n")
    storage.write_npz(out / HISTORIES_FILE, _histories(results))
    storage.write_npz(out / PARAMETERS_FILE, _parameters(results))
    if any(setting.swept for setting in results.spec.optimizers):
        storage.write_text(out / TUNING_FILE, tuned(results).to_csv(index=False))
    if results.spec.published is not None:
        comparison = published_comparison.comparison(results)
        storage.write_text(out / PUBLISHED_FILE, comparison.to_csv(index=False))
        storage.write_text(out / "published_comparison.md", published_comparison.document(results))


def _whole_epochs(runs: pd.DataFrame) -> pd.DataFrame:
    """The per-run table with its epoch columns (hit and diverged epochs) as integers, empty where there is none:
    written as 123 rather than 123.0, and in half the time."""
    epochs = [column for column in runs.columns if column.startswith("hit_epoch[") or column == "diverged_epoch"]
    return runs.astype(dict.fromkeys(epochs, "Int64"))


def _histories(results: Results) -> dict[str, np.ndarray]:
    """The loss histories of every population, keyed by its place in ``results.units``."""
    histories = {}
    for index, result in enumerate(results.units):
        histories[f"{index:04d}/epochs"] = result.population.history_epochs
        histories[f"{index:04d}/errors"] = result.population.history
    return histories


def _parameters(results: Results) -> dict[str, np.ndarray]:
    """Every run's initial and final parameter vectors, (runs, P) per population, keyed by its label.

    The key is "task · schedule · optimizer · seed N · initial" (or "final"); row r
    is the run numbered r in runs.csv.gz.
    """
    arrays = {}
    for result in results.units:
        unit = result.unit
        label = f"{unit.task.name} · {unit.schedule.label} · {unit.setting.label} · seed {unit.seed}"
        arrays[f"{label} · initial"] = result.population.initial_weights
        arrays[f"{label} · final"] = result.population.final_weights
    return arrays


def _remove_stale_units(out: Path, spec: ExperimentSpec, units) -> None:
    current = {unit_path(out, spec, unit).name for unit in units}
    for path in (out / storage.UNITS).glob("*.npz"):
        if path.name not in current:
            path.unlink()


def _text(column: pd.Series) -> np.ndarray:
    """A column as text, an empty cell (which a CSV reads back as NaN) as ""."""
    return column.astype(object).where(column.notna(), "").astype(str).to_numpy()


def _same_table(stored: pd.DataFrame, expected: pd.DataFrame) -> bool:
    if list(stored.columns) != list(expected.columns) or len(stored) != len(expected):
        return False
    for column in expected.columns:
        left, right = stored[column].to_numpy(), expected[column].to_numpy()
        if expected[column].dtype.kind in "fiu" and stored[column].dtype.kind in "fiu":
            if not np.array_equal(left.astype(float), right.astype(float), equal_nan=True):
                return False
        elif not np.array_equal(_text(stored[column]), _text(expected[column])):
            return False
    return True

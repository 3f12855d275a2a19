"""The optarena command: run, table, check, list; one-line errors; exit codes 0, 1, 2."""

import subprocess
import sys

import pytest

from experiments.cli import main


@pytest.mark.slow
def test_run_writes_results_that_check_accepts_and_prints_the_tables(tmp_path, capsys):
    out = tmp_path / "quick"
    assert main(["run", "quick", "--out", str(out), "--no-report"]) == 0
    printed = capsys.readouterr().out
    assert "Success = E − E* ≤ 0.0001 within 300 epochs.\nRuns per row: 16 (16 starts × 1 seeds)." in printed
    assert "ERT grad evals [95% CI]" in printed and "pairwise differences are significant" in printed
    for name in ["gd", "sign", "rprop+", "rprop-", "irprop+", "irprop-"]:
        assert f" {name} " in printed
    assert main(["check", str(out)]) == 0
    assert capsys.readouterr().out == f"{out}: complete and consistent\n"
    assert main(["table", str(out)]) == 0
    table = capsys.readouterr().out
    assert "conv/min/flat/stop/div/budget" in table and "Mann-Whitney" in table


@pytest.mark.slow  # a whole experiment
def test_run_resume_reuses_the_stored_units(tmp_path, capsys):
    out = str(tmp_path / "quick")
    assert main(["run", "quick", "--out", out, "--quiet", "--no-report"]) == 0
    assert main(["run", "quick", "--out", out, "--quiet", "--no-report", "--resume"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"results written to {out}/"


def test_run_with_a_spec_file(tmp_path, capsys):
    spec = tmp_path / "mine.toml"
    spec.write_text(
        'name = "mine"\noptimizers = ["irprop-"]\n[[tasks]]\nname = "teacher"\n'
        '[initial_points]\nkind = "list"\npoints = [[1.0, 1.0]]\n[targets]\nvalues = [1e-3]\n'
    )
    assert main(["run", str(spec), "--out", str(tmp_path / "out"), "--quiet", "--no-report"]) == 0
    assert main(["check", str(tmp_path / "out")]) == 0


def test_list_shows_optimizers_with_defaults_tasks_and_experiments(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "irprop-" in out and "delta0=0.1" in out and "learning_rate=0.5" in out
    assert "teacher" in out and "quick" in out and "default" in out


def test_check_of_an_incomplete_folder_fails_with_exit_code_1(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 1
    assert "manifest.json is missing or unreadable" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["run", "nope"],
            "optarena: error: no spec file or built-in experiment named 'nope'; "
            "built-in: classics, classics-quick, default",
        ),
        (["run", "missing.toml"], "optarena: error: spec file 'missing.toml' does not exist"),
        (["table", "/nonexistent"], "optarena: error: '/nonexistent' holds no results: spec.json is missing"),
    ],
)
def test_bad_arguments_get_one_line_and_exit_code_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fly"])
    assert exit_info.value.code == 2


def test_a_run_whose_units_fail_exits_with_1(tmp_path, capsys):
    import optimizers

    @optimizers.register("broken-for-cli")
    class Broken:
        def init(self, weights):
            return ()

        def step(self, weights, grad, state, loss=None):
            raise RuntimeError("boom")

    spec = tmp_path / "broken.toml"
    spec.write_text('name = "broken"\noptimizers = ["broken-for-cli"]\n[[tasks]]\nname = "teacher"\n')
    try:
        assert main(["run", str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    finally:
        optimizers.unregister("broken-for-cli")
    assert capsys.readouterr().err.startswith("optarena: run failed: 1 of 1 units failed")


@pytest.mark.slow
def test_run_writes_the_figures_and_report_and_plot_redraws_them(tmp_path, capsys):
    out = tmp_path / "quick"
    assert main(["run", "quick", "--out", str(out), "--quiet"]) == 0
    assert (out / "report.html").is_file() and (out / "figures" / "convergence.png").is_file()
    assert "href='figures/convergence.svg' download" in (out / "report.html").read_text()  # SVG by default
    for figure in (out / "figures").iterdir():
        figure.unlink()
    assert main(["plot", str(out), "--no-svg", "--task", "teacher"]) == 0
    assert (out / "figures" / "convergence.png").is_file() and not list((out / "figures").glob("*.svg"))
    assert "figures/convergence.svg" not in (out / "report.html").read_text()  # no link to a file not there
    assert main(["check", str(out)]) == 0


def test_no_report_skips_the_figures(tmp_path):
    assert main(["run", "quick", "--out", str(tmp_path), "--quiet", "--no-report"]) == 0
    assert not (tmp_path / "figures").exists() and not (tmp_path / "report.html").exists()


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("results") / "quick"
    assert main(["run", "quick", "--out", str(out), "--quiet", "--no-report"]) == 0
    return out


def test_a_folder_that_holds_results_is_not_overwritten_without_being_asked(quick_results, capsys):
    before = (quick_results / "manifest.json").read_text()
    assert main(["run", "quick", "--out", str(quick_results), "--quiet", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"optarena: error: {str(quick_results)!r} already holds results; add --resume to continue or reuse them, "
        "or --overwrite to replace them\n"
    )
    assert (quick_results / "manifest.json").read_text() == before


@pytest.mark.slow
def test_overwrite_replaces_the_old_results(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "quick", "--out", str(out), "--quiet", "--no-report"]) == 0
    (out / "units" / "stale.npz").write_bytes(b"not a unit")
    (out / "my-notes.txt").write_text("mine")
    assert main(["run", "quick", "--out", str(out), "--quiet", "--no-report", "--overwrite"]) == 0
    assert not (out / "units" / "stale.npz").exists() and (out / "my-notes.txt").read_text() == "mine"
    assert main(["check", str(out)]) == 0


@pytest.mark.slow
def test_a_closed_pipe_ends_the_output_quietly(quick_results):
    command = f"{sys.executable} -m experiments table {quick_results} | head -n 2"
    finished = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True)
    assert finished.returncode == 0 and finished.stderr == "" and len(finished.stdout.splitlines()) == 2


def test_table_filters_by_task_schedule_and_optimizer(quick_results, capsys):
    assert (
        main(["table", str(quick_results), "--task", "teacher", "--schedule", "per-sample", "--optimizer", "adam"]) == 0
    )
    printed = capsys.readouterr().out
    assert "teacher · per-sample" in printed and "single-sample" not in printed and "full-batch" not in printed
    rows = [line for line in printed.splitlines() if line.strip().startswith(("adam", "gd", "sign"))]
    assert [row.split()[0] for row in rows] == ["adam"]
    assert main(["table", str(quick_results), "--optimizer", "adamz"]) == 2
    assert "these results have no optimizer 'adamz'; they have: gd, sign" in capsys.readouterr().err


@pytest.mark.slow
def test_plot_draws_a_filtered_selection_where_it_is_told(quick_results, tmp_path, capsys):
    out = tmp_path / "teacher-only"
    assert main(["plot", str(quick_results), "--task", "teacher", "--out", str(out), "--jobs", "1"]) == 0
    assert (out / "figures" / "surface-teacher.png").is_file() and not (
        out / "figures" / "surface-single-sample.png"
    ).exists()
    assert "single-sample" not in (out / "report.md").read_text()


HEAVY = ("matplotlib", "scipy.stats", "scipy.optimize", "sklearn", "pandas", "experiments.pipeline.population_runs")


@pytest.mark.parametrize(
    ("arguments", "also_absent"),
    [(["--help"], ("numba", "network.tasks")), (["run", "--help"], ("numba", "network.tasks")), (["list"], ("numba",)),
     (["run", "no-such-spec.toml"], ("numba", "network.tasks")), (["run", "TYPO"], ("numba",)),
     (["table", "--nope"], ("numba",))],
    ids=["help", "run-help", "list", "no-such-spec", "a-typo-in-a-spec", "a-bad-flag"],
)  # fmt: skip
def test_help_list_and_usage_errors_load_none_of_the_heavy_libraries(tmp_path, arguments, also_absent):
    """What --help, list and a usage error import decides how long they take (benchmarks/README.md has the times):
    none of them loads matplotlib, scipy.stats, the training engine or numba (the network's definition needs no
    compiled code: its kernels load when a network first computes)."""
    typo = tmp_path / "typo.toml"
    typo.write_text('name = "typo"\ntasks = ["teacher"]\n[[optimizers]]\nname = "adamm"\n')
    arguments = [str(typo) if argument == "TYPO" else argument for argument in arguments]
    script = (
        "import sys\nfrom experiments.cli import main\n"
        f"try:\n    main({arguments!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY + also_absent!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_a_run_that_may_train_for_long_says_its_cost_before_it_starts(tmp_path, capsys, monkeypatch):
    """max_epochs = 10⁷ trained for minutes without a word: a run past `LONG` network-epochs first says how many
    it may train and how long that takes at the rate of a short probe; a short run says nothing of the kind."""
    from experiments.pipeline import population_runs
    from experiments.running import cost

    monkeypatch.setattr(population_runs, "run", lambda *args, **kwargs: (_ for _ in ()).throw(KeyboardInterrupt))
    spec = tmp_path / "long.toml"
    spec.write_text('name = "long"\ntasks = ["parity-3"]\noptimizers = ["irprop-"]\n[targets]\ncriterion = "bit"\n'
                    '[initial_points]\nkind = "uniform"\ncount = 40\n[budget]\nmax_epochs = 5000000\n')  # fmt: skip
    assert main(["run", str(spec), "--out", str(tmp_path / "out")]) == 130
    said = capsys.readouterr().out
    assert "up to 2e+08 network-epochs" in said  # 1 unit × 40 starts × 5·10⁶ epochs
    assert "network-epochs/s measured on the first 1000 epochs" in said
    spec.write_text(spec.read_text().replace("5000000", "500"))
    assert main(["run", str(spec), "--out", str(tmp_path / "out2")]) == 130
    assert "network-epochs" not in capsys.readouterr().out
    small = cost.ExperimentSpec.from_dict({"name": "x", "tasks": ["xor"], "optimizers": ["gd", "adam"]})
    assert cost.planned_network_epochs(small) == 2 * 500 * 2000 and cost.estimate(small) is None


def test_the_parsers_choices_are_the_commands_own():
    """The parser names --clock's and --format's choices without importing matplotlib or numba: they are the
    animation's and the derivation's."""
    from experiments import cli, explain
    from experiments.plots import animation

    assert cli.CLOCKS == animation.CLOCKS and cli.EXPLAIN_FORMATS == explain.FORMATS

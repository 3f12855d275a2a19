"""A published table beside ours: the reference file, the verdicts, the variants, and a reduced rerun end to end."""

import dataclasses
import json
import math

import pandas as pd
import pytest

import experiments
import optimizers
from experiments import Budget, InitialPoints, plots
from experiments.analysis import published_comparison
from experiments.analysis.metrics import ert
from experiments.analysis.published_comparison import verdict
from experiments.analysis.results import success_column
from experiments.definition.published_results import Published
from experiments.definition.spec_files import SPEC_DIRECTORY, load_spec
from experiments.definition.variants import Variant


@pytest.mark.parametrize(
    ("published_mean", "ci", "success", "expected"),
    [
        (20.0, (18.0, 22.0), 1.0, "inside our CI"),
        (18.0, (18.0, 22.0), 1.0, "inside our CI"),  # the interval is closed
        (30.0, (18.0, 22.0), 1.0, "above our CI: the paper needed 1.5× our epochs"),
        (10.0, (18.0, 22.0), 1.0, "below our CI: the paper needed 0.5× our epochs"),
        (20.0, (math.nan, math.nan), 0.01, "undecided: too few of our runs succeed for an interval"),
        (20.0, (math.inf, math.inf), 0.0, "differs: none of our runs succeeds"),
        (None, (math.inf, math.inf), 0.0, "agrees: no solution"),
        (None, (18.0, 22.0), 0.25, "differs: the paper found no solution; 25% of our runs succeed"),
    ],
)
def test_the_verdict_on_crafted_intervals(published_mean, ci, success, expected):
    assert verdict(published_mean, 20.0, *ci, success) == expected


def test_the_riedmiller_braun_file_holds_the_published_table():
    table = Published.load(SPEC_DIRECTORY / "published" / "riedmiller-braun-1993.toml")
    cells = {(r.task, r.algorithm): r for r in table.results}
    assert (cells["encoder-10-5-10", "Rprop"].mean, cells["encoder-10-5-10", "Rprop"].sigma) == (19.0, 3.0)
    assert cells["encoder-10-5-10", "Rprop"].wr == (0.05, 2.0) and cells["encoder-10-5-10", "BP"].parameters == {
        "learning_rate": 1.9, "momentum": 0.0}  # fmt: skip
    assert not cells["encoder-12-2-12", "BP"].solved and cells["encoder-12-2-12", "Quickprop"].sigma == 608.0
    assert cells["encoder-12-2-12", "Rprop, Δ0 = 0.1"].swept is None
    assert Published.from_dict(table.to_dict()) == table


GOOD = """
source = "A paper"
[[results]]
task = "xor"
algorithm = "BP"
optimizer = "gd"
parameters = { learning_rate = 0.5 }
swept = "learning_rate"
mean = 100.0
sigma = 10.0
wr = [0.2, 1.0]
"""


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('source = "A paper"', ""), "needs source"),
        (('source = "A paper"', 'source = "A paper"\nyear = 1993'), "unknown key 'year'; allowed: citation, note"),
        (("mean = 100.0", "mean = 100.0\nmedian = 90"), r"results\[0\] has an unknown key 'median'"),
        (("mean = 100.0", "mean = -1.0"), "mean must be a positive number of epochs, got -1.0"),
        (("mean = 100.0", "mean = 'fast'"), "mean must be a positive number of epochs, got 'fast'"),
        (("wr = [0.2, 1.0]", "wr = [1.0, 0.2]"), r"wr must be \[low, high\] of the swept parameter"),
        (('swept = "learning_rate"', 'swept = "momentum"'), "swept 'momentum' must be one of its parameters"),
        (('optimizer = "gd"', 'optimizer = "bp"'), "unknown optimizer 'bp'"),
        (("learning_rate = 0.5", "learning_rate = -0.5"), "gd: learning_rate must be > 0, got -0.5"),
        (("mean = 100.0", "mean = 100.0\nsolved = false"), "give mean epochs, or solved = false"),
        (('task = "xor"', ""), r"results\[0\] is missing the key 'task'"),
        (("sigma = 10.0", "sigma = 10.0\n[[results]"), "is not valid TOML"),
    ],
)
def test_a_bad_published_file_gets_one_line_naming_the_value(tmp_path, edit, message):
    assert edit[0] in GOOD
    (tmp_path / "paper.toml").write_text(GOOD.replace(*edit, 1))
    with pytest.raises(ValueError, match=message):
        Published.load(tmp_path / "paper.toml")


SPEC = """
name = "mini-paper"
tasks = ["xor"]
published = "paper.toml"
[[optimizers]]
name = "gd"
sweep = { learning_rate = [0.5, 2.0, 8.0] }
[initial_points]
count = 8
low = -1.0
high = 1.0
[budget]
max_epochs = 300
[targets]
high = 1.0
low = 0.01
criterion = "bit"
[[variants]]
name = "narrow start"
initial_points = { low = -0.5, high = 0.5 }
"""


@pytest.mark.parametrize(
    ("spec_edit", "paper_edit", "message"),
    [
        (("", ""), ('task = "xor"', 'task = "parity-3"'), "the spec has no task 'parity-3'; its tasks: xor"),
        (("", ""), ('optimizer = "gd"', 'optimizer = "momentum"'), "the spec has no sweep of momentum's learning_rate"),
        (
            ("", ""),
            ('0.5 }\nswept = "learning_rate"\nmean = 100.0\nsigma = 10.0\nwr = [0.2, 1.0]', "0.7 }\nmean = 100.0"),
            r"the spec has no setting gd\(learning_rate = 0.7\)",
        ),
        (('published = "paper.toml"', 'published = "missing.toml"'), ("", ""), "published file '.*missing.toml'"),
        (("initial_points = { low = -0.5", "initial_points = { low = 5.0"), ("", ""), "variant 'narrow start': .*low"),
        (('name = "narrow start"', 'name = "??"'), ("", ""), "a variant needs a name with letters or digits"),
    ],
)
def test_a_published_table_and_variants_must_fit_the_spec(tmp_path, spec_edit, paper_edit, message):
    (tmp_path / "paper.toml").write_text(GOOD.replace(*paper_edit, 1) if paper_edit[0] else GOOD)
    (tmp_path / "spec.toml").write_text(SPEC.replace(*spec_edit, 1) if spec_edit[0] else SPEC)
    with pytest.raises(ValueError, match=message):
        load_spec(tmp_path / "spec.toml")


def test_variants_rerun_the_best_setting_of_each_sweep_and_everything_is_checked(tmp_path):
    (tmp_path / "paper.toml").write_text(GOOD)
    (tmp_path / "spec.toml").write_text(SPEC)
    spec = load_spec(tmp_path / "spec.toml")
    results = experiments.run(spec, tmp_path / "out")
    ((variant, narrow),) = results.variants
    assert variant.slug == "narrow-start" and (tmp_path / "out" / "variants" / "narrow-start" / "runs.csv.gz").is_file()
    best = published_comparison.comparison(results)["our_label"].iloc[0]
    assert [s.label for s in narrow.spec.optimizers] == [best]
    assert narrow.spec.initial_points == InitialPoints("uniform", 8, -0.5, 0.5)
    assert experiments.check(tmp_path / "out") == []
    stored = pd.read_csv(tmp_path / "out" / "published_comparison.csv")
    assert stored.loc[0, "published_mean"] == 100.0 and stored.loc[0, "algorithm"] == "BP"
    reloaded = experiments.load(tmp_path / "out")
    assert [v.name for v, _ in reloaded.variants] == ["narrow start"]
    (tmp_path / "out" / "published_comparison.csv").write_text("task\nxor\n")
    assert experiments.check(tmp_path / "out") == ["published_comparison.csv does not match the stored units"]


@pytest.mark.slow
def test_the_riedmiller_braun_experiment_reduced_end_to_end(tmp_path):
    spec = load_spec("riedmiller-braun-1993")
    assert spec.budget.max_epochs == 15000 and spec.initial_points.count == 100 and spec.targets.criterion == "bit"
    assert {s.name for s in spec.optimizers} == {"momentum", "supersab", "quickprop", "rprop+", "rprop-", "irprop+",
                                                  "irprop-", "adam"}  # fmt: skip
    small = dataclasses.replace(
        spec,
        optimizers=tuple(s for s in spec.optimizers if s.name in ("rprop+", "quickprop") and s.swept_value >= 0.1),
        initial_points=InitialPoints("uniform", 6, -1.0, 1.0),
        budget=Budget(max_epochs=400),
        published=dataclasses.replace(
            spec.published, results=tuple(r for r in spec.published.results if r.optimizer in ("rprop+", "quickprop"))
        ),
    )
    results = experiments.run(small, tmp_path / "rb", jobs=2)
    table = published_comparison.comparison(results)
    assert len(table) == 6 and set(table["algorithm"]) == {"Quickprop", "Rprop", "Rprop, Δ0 = 0.1"}
    rprop = table[(table["task"] == "encoder-10-5-10") & (table["algorithm"] == "Rprop")].iloc[0]
    assert rprop["our_success_rate"] == 1.0 and 5 < rprop["our_mean"] < 100
    for row in table.itertuples():  # the ERT column holds the ERT of the runs behind the mean, never the mean's CI
        runs = results.runs().query("task == @row.task and optimizer == @row.our_label") if row.our_label else None
        if runs is not None and len(runs):
            hits = runs[success_column(results.spec.targets)].to_numpy(dtype=float)
            assert row.our_ert == pytest.approx(ert(hits, runs["stop_epoch"].to_numpy(dtype=float)), rel=1e-12)
            assert row.our_ert_low <= row.our_ert <= row.our_ert_high
            assert row.our_ert >= row.our_mean
    assert "| our ERT [95% CI] |" in published_comparison.to_markdown(table)
    assert rprop["verdict"].startswith(("inside", "above", "below"))
    assert experiments.check(tmp_path / "rb") == []
    assert [v.slug for v, _ in results.variants] == [
        "initial-weights-in-0-5",
        "exact-sigma-no-flat-spot-offset",
        "sigma-0-1-at-the-output-units-only",
        "no-weight-bound",
        "exact-sigma-and-no-weight-bound",
        "sigma-o-1-o-and-t-o-as-the-codes-of-1993-formed-them",
        "exact-sigma-o-1-o-and-t-o-as-in-1993",
        "exact-sigma-o-1-o-and-t-o-in-float32-as-snns-ran",
    ]
    effects = published_comparison.variant_effects(results, table)
    assert set(effects["variant"]) == {"main run", *(variant.name for variant, _ in results.variants)}
    assert all(sentence.count(":") >= 1 for sentence in published_comparison.explanations(results, table, effects))


def test_a_variant_names_its_folder_and_changes_only_what_it_says():
    variant = Variant("Initial weights in ±0.5!", initial_points={"low": -0.5, "high": 0.5})
    assert variant.slug == "initial-weights-in-0-5"
    with pytest.raises(ValueError, match="changes nothing"):
        Variant("nothing")


FAILING_SWEEP = SPEC.replace(
    "sweep = { learning_rate = [0.5, 2.0, 8.0] }", "sweep = { learning_rate = [1e-4, 2e-4] }\nflat_spot = 0.1"
)
FAILING_PAPER = GOOD.replace("learning_rate = 0.5", "learning_rate = 8.0").replace("[0.2, 1.0]", "[2.0, 10.0]")
FAILING_SWEEP += """
[[variants]]
name = "exact sigma', no bound"
flat_spot = 0.0
weight_bound = 1e300

[[variants]]
name = "offset at the outputs"
flat_spot_units = "output"
"""


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    """A paper's cell that none of our sweep's settings solves: its own setting (8.0) is not on our grid."""
    folder = tmp_path_factory.mktemp("failing")
    (folder / "paper.toml").write_text(FAILING_PAPER)
    (folder / "spec.toml").write_text(FAILING_SWEEP)
    return experiments.run(load_spec(folder / "spec.toml"), folder / "out", jobs=2), folder / "out"


@pytest.mark.slow  # its fixture trains in worker processes
def test_where_none_of_ours_succeeds_the_variants_rerun_the_papers_own_setting(failing):
    results, _ = failing
    table = published_comparison.comparison(results)
    cell = table.iloc[0]
    assert cell["our_success_rate"] == 0 and cell["our_label"] == ""
    assert cell["rerun_label"] == "gd(learning_rate=8.0) [σ′+0.1]"
    for variant, variant_results in results.variants:
        assert [s.label for s in variant_results.spec.optimizers] == [variant.setting(
            published_comparison.published_setting(results.spec, results.spec.published.results[0])).label]  # fmt: skip
    effects = published_comparison.variant_effects(results, table)
    assert effects["variant"].tolist() == [
        "main run",
        "narrow start",
        "exact sigma', no bound",
        "offset at the outputs",
    ]
    assert (effects.loc[1:, "success_rate"] > 0).all()  # the paper's own rate trains where our grid did not
    figure = plots.published_comparison(results, "xor")
    assert "none of our settings succeeds with BP" in figure.axes[0].texts[0].get_text()


@pytest.mark.slow  # its fixture trains in worker processes
def test_every_verdict_names_the_conditions_it_holds_under(failing):
    results, out = failing
    effects = published_comparison.variant_effects(results, published_comparison.comparison(results))
    assert effects["conditions"].tolist() == [
        "σ′ + 0.1 at every unit, initial weights uniform in [-1, 1], |w| ≤ 10⁶",
        "σ′ + 0.1 at every unit, initial weights uniform in [-0.5, 0.5], |w| ≤ 10⁶",
        "exact σ′, initial weights uniform in [-1, 1], no weight bound",
        "σ′ + 0.1 at the outputs, initial weights uniform in [-1, 1], |w| ≤ 10⁶",
    ]
    document = (out / "published_comparison.md").read_text()
    assert "differs: none of our runs succeeds (σ′ + 0.1 at every unit, initial weights uniform in [-1, 1]" in document
    assert "## The unknowns, measured" in document and "## Where we differ from the paper" in document
    stored = pd.read_csv(out / "published_comparison.csv")
    assert stored.loc[0, "conditions"] == effects.loc[0, "conditions"] and "matches_under" in stored.columns
    assert experiments.check(out) == []


@pytest.mark.slow  # its fixture trains in worker processes
def test_a_variant_records_its_weight_bound_and_flat_spot_placement(failing):
    results, out = failing
    stored = json.loads((out / "variants" / "exact-sigma-no-bound" / "spec.json").read_text())
    assert stored["budget"]["weight_bound"] == 1e300
    outputs_only = next(found for variant, found in results.variants if variant.name == "offset at the outputs")
    (setting,) = outputs_only.spec.optimizers
    assert setting.flat_spot_units == "output" and setting.flat_spots == (0.0, 0.1, 0)
    assert setting.label == "gd(learning_rate=8.0) [σ′+0.1 at outputs]"


def test_runs_that_pass_the_weight_bound_with_e_still_falling_are_counted_and_reported():
    spec = {"name": "bounded", "tasks": ["xor"], "optimizers": [{"name": "gd", "settings": [{"learning_rate": 5.0}]}],
            "initial_points": {"kind": "uniform", "count": 16, "low": -1.0, "high": 1.0},
            "budget": {"max_epochs": 400, "weight_bound": 3.0},
            "targets": {"high": 1.0, "low": 0.01, "criterion": "bit"}}  # fmt: skip
    results = experiments.run(spec)
    (population,) = [r.population for r in results.units]
    past, falling = published_comparison.bound_crossings([population], 3.0)
    diverged = int((population.status == "diverged").sum())
    assert 0 < falling <= past == diverged  # a bound of 3 stops runs long before E could overflow
    assert published_comparison.bound_crossings([population], 1e300) == (0, 0)


def test_quickprops_docstring_says_its_default_rate_is_not_fahlmans():
    doc = optimizers.get("quickprop").__doc__
    assert "The default ε = 0.55 is not Fahlman's" in doc and "ε = 1.0, divided by each unit's fan-in" in doc

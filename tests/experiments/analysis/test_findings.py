"""Every finding of the report holds for the place it names: each rule fires on crafted runs where it must, and
stays silent where it must not."""

import numpy as np
import pytest

from experiments import ExperimentSpec
from experiments.analysis import findings
from experiments.analysis.metrics import wilson_interval
from experiments.analysis.results import Results
from experiments.records import PopulationResult, UnitResult
from experiments.running.units import Unit

RUNS = 20
HISTORY_EPOCHS = np.array([0, 50, 100])


def crafted(places: dict[tuple[str, str], dict[str, dict]]) -> Results:
    """Results whose runs end as told: {(task, schedule): {optimizer: outcome}}, outcome as `population` takes."""
    tasks = list(dict.fromkeys(task for task, _ in places))
    schedules = list(dict.fromkeys(schedule for _, schedule in places))
    names = list(dict.fromkeys(name for outcomes in places.values() for name in outcomes))
    spec = ExperimentSpec.from_dict({
        "name": "crafted", "tasks": tasks, "schedules": schedules, "optimizers": names,
        "initial_points": {"count": RUNS}, "budget": {"max_epochs": 100},
    })  # fmt: skip
    units = []
    for task in spec.tasks:
        for schedule in spec.schedules:
            for setting in spec.optimizers:
                outcome = places.get((task.name, schedule.label), {}).get(setting.name, {})
                units.append(UnitResult(Unit(task, schedule, setting, 0), population(spec, **outcome), 0.0))
    return Results(spec, tuple(units))


def population(spec, status=(), final_error=1e-7, best_error=None, halfway_error=None) -> PopulationResult:
    """RUNS runs: the first ones with the statuses given, the rest converged at epoch 10."""
    status = np.array(list(status) + ["converged"] * (RUNS - len(status)))
    final = np.where(status == "converged", 1e-7, final_error)
    best = final if best_error is None else np.where(status == "converged", 1e-7, best_error)
    halfway = final if halfway_error is None else np.where(status == "converged", 1e-7, halfway_error)
    hits = np.full((RUNS, len(spec.targets.values)), np.nan)
    hits[status == "converged"] = 10.0
    stop = np.where(status == "converged", 10.0, 100.0)
    return PopulationResult(
        initial_weights=np.zeros((RUNS, 2)), final_weights=np.zeros((RUNS, 2)), final_error=final, best_error=best,
        final_grad_norm=np.zeros(RUNS), hit_epochs=hits, bit_hit_epoch=np.full(RUNS, np.nan), stop_epoch=stop,
        diverged_epoch=np.where(status == "diverged", 5.0, np.nan), grad_evaluations=stop * 4, status=status,
        history_epochs=HISTORY_EPOCHS, history=np.stack([np.full(RUNS, 0.5), halfway, final], axis=1),
    )  # fmt: skip


def failure_notes(places) -> list[str]:
    return [finding.text for finding in findings.failure_modes(crafted(places))]


TEACHER = ("teacher", "full-batch")


@pytest.mark.parametrize(
    ("outcome", "says"),
    [
        ({"status": ["flat-spot"] * 8, "final_error": 0.1}, "stalled on flat spots"),
        ({"status": ["minimum"] * 8, "final_error": 0.01}, "stopped at a stationary point above the target"),
        ({"status": ["diverged"] * 8, "final_error": np.nan}, "most diverged"),
        ({"status": ["budget"] * 8, "final_error": 1e-3, "best_error": 1e-5}, "without settling"),
        ({"status": ["budget"] * 8, "final_error": 1e-3, "halfway_error": 1e-2}, "still descending"),
        ({"status": ["budget"] * 8, "final_error": 1e-3, "halfway_error": 1.1e-3}, "crawling"),
    ],
)
def test_each_failure_mode_is_named_when_it_ended_most_failed_runs(outcome, says):
    (note,) = failure_notes({TEACHER: {"gd": outcome}})
    assert note.startswith("**teacher · full-batch**: gd failed 8 of 20 runs")
    assert says in note


def test_a_mode_that_ended_less_than_half_the_failures_is_not_named():
    (note,) = failure_notes({TEACHER: {"gd": {"status": ["flat-spot"] * 3 + ["budget"] * 2 + ["diverged"] * 2}}})
    assert note.endswith("(3 flat-spot, 2 budget, 2 diverged).")


def test_a_setting_that_rarely_fails_gets_no_failure_finding():
    assert failure_notes({TEACHER: {"gd": {"status": ["flat-spot"]}}}) == []


def test_monotone_runs_out_of_budget_are_never_said_to_be_unsettled():
    """The old blanket rule called gd "unable to settle" whenever it ended near the target."""
    outcome = {"status": ["budget"] * 8, "final_error": 2e-6, "best_error": 2e-6, "halfway_error": 1e-5}
    (note,) = failure_notes({TEACHER: {"gd": outcome}})
    assert "settl" not in note and "still descending" in note


def test_findings_name_the_place_they_hold_in_and_differ_between_places():
    notes = failure_notes({
        ("teacher", "full-batch"): {"gd": {"status": ["flat-spot"] * 8, "final_error": 0.1}},
        ("teacher", "per-sample"): {"gd": {"status": ["budget"] * 8, "final_error": 1e-3, "halfway_error": 1e-2}},
    })  # fmt: skip
    assert len(notes) == 2
    assert notes[0].startswith("**teacher · full-batch**") and "flat spots" in notes[0]
    assert notes[1].startswith("**teacher · per-sample**") and "still descending" in notes[1]


def test_a_one_sample_task_is_reported_once_for_all_schedules():
    results = crafted({
        ("single-sample", "full-batch"): {"gd": {"status": ["flat-spot"] * 8, "final_error": 0.1}},
        ("single-sample", "per-sample"): {"gd": {"status": ["flat-spot"] * 8, "final_error": 0.1}},
    })  # fmt: skip
    (note,) = findings.failure_modes(results)
    assert note.text.startswith("**single-sample** (one sample: every schedule is the same)")
    winners = findings.winners(results, results.table(), results.significance())
    assert len(winners) == 1


def test_the_winner_is_the_lowest_ert_against_the_runner_up_and_a_place_nobody_solved_says_so():
    results = crafted({TEACHER: {"gd": {"status": ["budget"] * 10}, "adam": {}}})
    (finding,) = findings.winners(results, results.table(), results.significance())
    table = results.table().set_index("optimizer")
    ratio = table.loc["gd", "ert_evaluations"] / table.loc["adam", "ert_evaluations"]
    assert finding.text.startswith("**teacher · full-batch**: adam reaches E − E* ≤ 1e-06 in the fewest")
    assert f"{ratio:.2g}× fewer than the runner-up, gd" in finding.text
    assert finding.effect == pytest.approx(np.log2(ratio)) and finding.figure == "convergence"
    nobody = crafted({TEACHER: {"gd": {"status": ["budget"] * RUNS}, "adam": {"status": ["flat-spot"] * RUNS}}})
    assert [f.text for f in findings.winners(nobody, nobody.table(), nobody.significance())] == [
        "**teacher · full-batch**: no optimizer reached E − E* ≤ 1e-06."
    ]


def test_settings_that_failed_the_same_way_in_a_place_are_one_finding():
    crawling = {"status": ["budget"] * 8, "final_error": 1e-3, "halfway_error": 1e-3}
    (finding,) = findings.failure_modes(
        crafted({TEACHER: {"gd": crawling, "momentum": crawling | {"status": ["budget"] * 4}}})
    )
    low, high = wilson_interval(8, 20)
    assert finding.text == (
        f"**teacher · full-batch**: gd, momentum failed 20%–40% of their runs (the most, gd: 8 of 20, 40% "
        f"[{low:.0%}, {high:.0%}]); most ran out of budget crawling, the gradient still alive."
    )
    assert finding.effect == pytest.approx(np.log2(1 / 0.6))


@pytest.mark.parametrize(
    ("names", "says"), [(["gd", "momentum"], "both 100%"), (["gd", "momentum", "sign"], "all 100%")]
)
def test_settings_that_all_failed_alike_are_not_given_a_range_of_one_value(names, says):
    """ "failed 100%–100%" read as a typo: equal shares are said once."""
    crawling = {"status": ["budget"] * RUNS, "final_error": 1e-3, "halfway_error": 1e-3}
    (finding,) = findings.failure_modes(crafted({TEACHER: dict.fromkeys(names, crawling)}))
    assert f"failed {says} of their runs" in finding.text and "%–" not in finding.text


def test_a_run_that_did_not_move_is_never_said_to_have_fallen_by_a_factor_of_one():
    (note,) = failure_notes({TEACHER: {"gd": {"status": ["budget"] * 8, "final_error": 1e-3, "halfway_error": 1e-3}}})
    assert "did not fall over the second half" in note and "factor" not in note


def test_the_headline_is_the_largest_effects_first_and_at_most_eight():
    made = [
        findings.Finding(f"finding {i}", effect, "convergence", (i,)) for i, effect in enumerate([1, 3, 0.5, 2] * 3)
    ]
    chosen = findings.headline(made)
    assert len(chosen) == findings.HEADLINES and [f.effect for f in chosen] == [3, 3, 3, 2, 2, 2, 1, 1]


@pytest.mark.parametrize(("per_sample_failures", "fires"), [(4, True), (3, False)])
def test_a_schedule_effect_is_a_finding_from_twenty_points_of_success_rate(per_sample_failures, fires):
    results = crafted({
        ("teacher", "full-batch"): {"rprop+": {}},
        ("teacher", "per-sample"): {"rprop+": {"status": ["budget"] * per_sample_failures}},
    })  # fmt: skip
    notes = findings.schedule_effects(results.table())
    low, high = wilson_interval(16, 20)
    assert bool(notes) == fires
    if fires:
        assert notes[0].text.startswith(
            "On **teacher**, per-sample updates cut the success rate of 1 optimizer against the full batch: "
            f"rprop+ 100% → 80% (per sample, rprop+: 80% [{low:.0%}, {high:.0%}] of 20 runs). Rprop adapts each "
        )
        assert notes[0].effect == pytest.approx(np.log2(1 / 0.8)) and notes[0].figure == "success"


def test_the_quick_runs_findings_do_not_call_gradient_descent_unsettled(quick):
    results = quick
    gd_notes = [f.text for f in findings.failure_modes(results) if "gd" in f.text.split(" failed")[0]]
    assert gd_notes and not any("settl" in note for note in gd_notes)


def test_no_finding_repeats_another_or_compares_a_value_to_itself(quick):
    results = quick
    made = findings.findings_of(results, results.table())
    assert len({f.subject for f in made}) == len(made) and len({f.text for f in made}) == len(made)
    for finding in made:
        assert "factor of only 1" not in finding.text and "1× fewer" not in finding.text
        if "fewer than the runner-up, " in finding.text:
            best = finding.text.split(": ", 1)[1].split(" reaches", 1)[0]
            runner_up = finding.text.split("fewer than the runner-up, ", 1)[1].split(" (", 1)[0]
            assert best != runner_up
    assert len(findings.headline(made)) <= findings.HEADLINES

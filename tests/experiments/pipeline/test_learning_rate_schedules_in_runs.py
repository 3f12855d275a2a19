"""A learning-rate schedule declared in a spec trains every run under it, in both kinds of experiment, over the
run's own number of steps, and says so in every label and record."""

import json

import numpy as np
import pytest

import experiments
import optimizers
from experiments.definition.held_out_spec import HeldOutSpec
from experiments.definition.spec import OptimizerSetting
from experiments.pipeline import read_spec
from experiments.running.held_out_training import Unit, train_unit
from experiments.running.runner import train_population
from optimizers.learning_rate_schedules import LearningRateSchedule, Scheduled

SCHEDULED = {"name": "adamw", "settings": [{"learning_rate": 0.05}],
             "learning_rate_schedule": {"kind": "warmup-cosine", "warmup": 0.1}}  # fmt: skip
SPEC = {"name": "scheduled", "tasks": ["xor"], "schedules": ["per-sample"], "budget": {"max_epochs": 40},
        "initial_points": {"kind": "uniform", "count": 6, "low": -1.0, "high": 1.0}, "targets": {"criterion": "bit"},
        "optimizers": [SCHEDULED, {"name": "adamw", "settings": [{"learning_rate": 0.05}]}]}  # fmt: skip


def test_a_scheduled_setting_trains_over_the_budgets_steps_as_the_schedule_says():
    results = experiments.run(SPEC)
    spec = results.spec
    scheduled, constant = spec.optimizers
    assert scheduled.label == "adamw(learning_rate=0.05) [warmup-cosine(warmup=0.1)]"
    assert constant.label == "adamw(learning_rate=0.05)"
    task, schedule = spec.tasks[0], spec.schedules[0]
    by_hand = Scheduled(optimizers.get("adamw", learning_rate=0.05), LearningRateSchedule("warmup-cosine", warmup=0.1),
                        total_steps=40 * 4)  # 40 epochs of 4 samples, one step each  # fmt: skip
    starts = spec.initial_points.points(spec.seeds[0], task.network.size)
    expected = train_population(by_hand, task, starts, spec.setup_for(scheduled, schedule), accelerate=False)
    (population,) = results.populations(task, schedule, scheduled)
    np.testing.assert_array_equal(population.final_weights, expected.final_weights)
    (unscheduled,) = results.populations(task, schedule, constant)
    assert not np.array_equal(population.final_weights, unscheduled.final_weights)
    assert set(results.table()["optimizer"]) == {scheduled.label, constant.label}


def test_the_schedule_is_recorded_and_read_back_and_a_constant_one_leaves_the_spec_as_it_was():
    spec = read_spec(SPEC)
    again = read_spec(json.loads(json.dumps(spec.to_dict())))
    assert again.optimizers == spec.optimizers and again.digest() == spec.digest()
    assert spec.to_dict()["optimizers"][0]["learning_rate_schedule"]["kind"] == "warmup-cosine"
    constant = OptimizerSetting("adamw", {"learning_rate": 0.05}, learning_rate_schedule="constant")
    assert (
        constant == OptimizerSetting("adamw", {"learning_rate": 0.05})
        and "learning_rate_schedule" not in constant.to_dict()
    )


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("cosine", "learning_rate_schedule must be one of constant, warmup-cosine, linear-decay, warmup-stable-decay"),
        ({"kind": "warmup-cosine", "warmup": 2}, r"warmup must be in \[0, 1\), got 2"),
        ({"kind": "warmup-cosine", "length": 2}, "learning_rate_schedule has an unknown key 'length'"),
    ],
)
def test_a_bad_schedule_in_a_spec_gets_one_line(schedule, message):
    with pytest.raises(ValueError, match=message):
        read_spec(SPEC | {"optimizers": [SCHEDULED | {"learning_rate_schedule": schedule}]})


@pytest.mark.parametrize("name", ["irprop-", "scipy-bfgs"])
def test_a_schedule_on_an_optimizer_without_a_learning_rate_is_refused(name):
    entry = {"name": name, "learning_rate_schedule": "linear-decay"}
    with pytest.raises(ValueError, match=f"^{name}: no learning-rate schedule applies"):
        read_spec(SPEC | {"optimizers": [entry]})


def held_out(schedule=None) -> HeldOutSpec:
    space = {"name": "momentum", "space": {"learning_rate": {"low": 1e-3, "high": 0.1}}}
    iris = {"name": "iris", "dataset": "iris", "network": {"sizes": [4, 5, 3], "activation": "tanh"}}
    space |= {"learning_rate_schedule": schedule} if schedule else {}
    return HeldOutSpec.from_dict({
        "name": "tiny", "kind": "held-out", "seeds": [0, 1], "schedules": ["mini-batch(16)"],
        "budget": {"max_epochs": 4}, "tuning": {"budget": 3}, "tasks": [iris], "optimizers": [space],
    })  # fmt: skip


def test_a_held_out_trial_trains_under_the_schedule_of_its_own_learning_rate(trial_by_hand):
    """Study 1, trial 2 by hand, one network alone, under the schedule over 4 epochs of its batches."""
    spec = held_out("warmup-cosine")
    assert spec.optimizers[0].label == "momentum [warmup-cosine(warmup=0.05)]"
    task, schedule = spec.tasks[0], spec.schedules[0]
    records = train_unit(spec, Unit(0, 0, 0))
    study, trial = 1, 2
    rate = spec.settings(spec.optimizers[0])[study][trial]["learning_rate"]
    steps = spec.max_epochs * schedule.updates_per_epoch(len(task.parts_of(spec.seeds[study])[0].labels))
    alone = Scheduled(optimizers.get("momentum", learning_rate=rate), LearningRateSchedule("warmup-cosine"), steps)
    weights, state, errors = trial_by_hand(spec, study, trial, alone)
    np.testing.assert_allclose(records["history"][study, trial, -1], errors(weights), rtol=1e-9, atol=1e-12)
    assert state.count == steps
    unscheduled = train_unit(held_out(), Unit(0, 0, 0))
    assert not np.array_equal(unscheduled["history"][study, trial, -1], records["history"][study, trial, -1])


def test_the_built_in_modern_comparison_warms_up_and_decays_every_optimizer_with_a_learning_rate():
    spec = read_spec("modern")
    assert isinstance(spec, HeldOutSpec)
    schedulable = [name for name in optimizers.available() if getattr(optimizers.get(name), "schedulable", False)]
    left_out = {"rmsprop-centered", "amsgrad", "quickprop"}
    assert {space.name for space in spec.optimizers} >= set(schedulable) - left_out
    free = {space.name: space.learning_rate_schedule for space in spec.optimizers if not space.learning_rate_schedule}
    assert free == {"schedule-free-adamw": None, "schedule-free-sgd": None}  # they run without one
    assert {space.learning_rate_schedule.kind for space in spec.optimizers if space.name not in free} == {
        "warmup-cosine"
    }
    assert [task.name for task in spec.tasks] == [task.name for task in read_spec("real").tasks]


DRAWN_WARMUP = {"learning_rate": {"low": 1e-3, "high": 0.1}, "warmup": {"low": 0.01, "high": 0.5}}


def test_a_tuning_space_may_draw_the_warm_up_and_each_trial_trains_under_its_own():
    space = {"name": "adam", "space": DRAWN_WARMUP, "learning_rate_schedule": "warmup-cosine"}
    iris = {"name": "iris", "dataset": "iris", "network": {"sizes": [4, 5, 3], "activation": "tanh"}}
    spec = HeldOutSpec.from_dict({"name": "tiny", "kind": "held-out", "seeds": [0], "schedules": ["mini-batch(16)"],
                                  "budget": {"max_epochs": 3}, "tuning": {"budget": 3}, "tasks": [iris],
                                  "optimizers": [space]})  # fmt: skip
    (settings,) = spec.settings(spec.optimizers[0])
    assert len({setting["warmup"] for setting in settings}) == 3
    steps = 3 * spec.schedules[0].updates_per_epoch(len(spec.tasks[0].parts_of(0)[0].labels))
    stepper = spec.optimizers[0].stepper(settings, steps)
    state, weights = stepper.init(np.zeros((3, 2))), np.zeros((3, 2))
    for _ in range(4):
        weights, state = stepper.step(weights, np.ones((3, 2)), state)
    for n, setting in enumerate(settings):
        schedule = LearningRateSchedule("warmup-cosine", warmup=setting["warmup"])
        assert state.learning_rate[n] == schedule.rates(setting["learning_rate"], steps)[3]
    recorded = {json.loads(row["hyperparameters"])["warmup"] for row in recorded_trials(spec)}
    assert recorded == {setting["warmup"] for setting in settings}


def recorded_trials(spec):
    """The rows of the trials table of the one unit of ``spec``, as it trained."""
    from experiments.analysis.held_out_tables import trials_table

    records = train_unit(spec, Unit(0, 0, 0))
    history, diverged = records["history"][None, None, None], records["diverged_epoch"][None, None, None]
    return trials_table(spec, history, diverged).to_dict("records")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"learning_rate_schedule": None}, "'warmup' shapes a learning-rate schedule; give learning_rate_schedule"),
        (
            {"space": {"learning_rate": {"low": 1e-3, "high": 0.1}, "warmup": {"low": 0.5, "high": 2.0}}},
            r"warmup must be in \[0, 1\), got 2.0",
        ),
    ],
)
def test_a_bad_schedule_in_a_tuning_space_gets_one_line(changes, message):
    space = {"name": "adam", "space": DRAWN_WARMUP, "learning_rate_schedule": "warmup-cosine"} | changes
    space = {k: v for k, v in space.items() if v is not None}
    iris = {"name": "iris", "dataset": "iris", "network": {"sizes": [4, 5, 3], "activation": "tanh"}}
    with pytest.raises(ValueError, match=message):
        HeldOutSpec.from_dict({"name": "tiny", "kind": "held-out", "tasks": [iris], "optimizers": [space]})


def test_an_optimizer_that_steps_per_weight_matrix_trains_under_a_schedule_in_a_spec():
    """The schedule hands the network's layout to the optimizer under it (Muon's matrices)."""
    muon = {"name": "muon", "settings": [{"learning_rate": 0.05}], "learning_rate_schedule": "warmup-cosine"}
    results = experiments.run(SPEC | {"optimizers": [muon, {"name": "muon", "settings": [{"learning_rate": 0.05}]}]})
    scheduled, constant = (results.populations(results.spec.tasks[0], results.spec.schedules[0], s)[0]
                           for s in results.spec.optimizers)  # fmt: skip
    assert np.isfinite(scheduled.final_error).all()
    assert not np.array_equal(scheduled.final_weights, constant.final_weights)

"""scipy's methods as baselines: honest evaluation counts, the same hit semantics, full batch only."""

import dataclasses

import numpy as np
import pytest
from scipy import optimize

import experiments
import network
from experiments import Budget, ExperimentSpec, InitialPoints, OptimizerSetting, Schedule, Targets
from experiments.running.scipy_baselines import METHODS, run_scipy_population
from experiments.running.units import plan

TEACHER = network.get_task("teacher")
TARGETS = Targets((1e-2, 1e-4, 1e-7), headline=1e-4)


def counted_minimize(method, start, stop_below):
    """scipy.optimize.minimize from ``start``, with every E it evaluates, stopped once E ≤ stop_below."""
    errors = []

    class Done(Exception):
        pass

    def objective(weights):
        error, grad = network.loss_and_grad(weights, TEACHER.inputs, TEACHER.targets)
        errors.append(float(error))
        if error <= stop_below:
            raise Done
        return (float(error), grad) if method != "Nelder-Mead" else float(error)

    options = {"gtol": 1e-8} if method in ("BFGS", "CG") else {}
    try:
        optimize.minimize(objective, start, jac=method != "Nelder-Mead", method=method, options=options)
    except Done:
        pass
    return np.array(errors)


@pytest.mark.parametrize("name", ["scipy-bfgs", "scipy-cg", "scipy-nelder-mead"])
def test_hit_epochs_count_every_evaluation(name):
    start = np.array([1.0, 1.0])
    result = run_scipy_population(name, TEACHER, start[None], Budget(max_epochs=3000), TARGETS)
    errors = counted_minimize(METHODS[name][0], start, TARGETS.values[-1])
    best = np.minimum.accumulate(errors)
    for index, target in enumerate(TARGETS.values):
        assert result.hit_epochs[0, index] == np.argmax(best <= target)  # epoch k = after k + 1 evaluations
    assert result.stop_epoch[0] == len(errors) - 1
    assert result.grad_evaluations[0] == (len(errors) - 1) * TEACHER.inputs.size
    assert result.status[0] == "converged" and result.final_error[0] == best[-1]


@pytest.mark.parametrize("name", sorted(METHODS))
def test_the_compiled_network_gives_scipy_the_same_bits(name):
    starts = np.random.default_rng(2).uniform(-10, 10, size=(12, 2))
    fast, plain = (
        run_scipy_population(name, TEACHER, starts, Budget(max_epochs=300), TARGETS, accelerate=accelerate)
        for accelerate in (True, False)
    )
    for field in fast.FIELDS:
        np.testing.assert_array_equal(getattr(fast, field), getattr(plain, field), err_msg=field)


def test_the_evaluation_budget_is_a_hard_cap():
    result = run_scipy_population("scipy-nelder-mead", TEACHER, np.array([[9.0, -9.0]]), Budget(max_epochs=40), TARGETS)
    assert result.stop_epoch[0] == 40 and result.status[0] == "budget"
    assert np.isnan(result.history[0, result.history_epochs > 40]).all()


def test_a_method_that_stops_on_its_own_on_saturated_units_is_on_a_flat_spot():
    result = run_scipy_population("scipy-bfgs", TEACHER, np.array([[40.0, -40.0]]), Budget(max_epochs=500), TARGETS)
    assert result.status[0] == "flat-spot" and result.stop_epoch[0] < 500


def test_scipy_methods_run_full_batch_only_and_appear_in_the_tables():
    spec = ExperimentSpec(
        "baselines",
        (TEACHER,),
        (OptimizerSetting("irprop-"), OptimizerSetting("scipy-lbfgsb")),
        InitialPoints(count=6, low=-3.0, high=3.0),
        schedules=(Schedule("full-batch"), Schedule("per-sample")),
        budget=Budget(max_epochs=200),
        targets=TARGETS,
    )
    assert [(u.schedule.label, u.setting.name) for u in plan(spec)] == [
        ("full-batch", "irprop-"),
        ("full-batch", "scipy-lbfgsb"),
        ("per-sample", "irprop-"),
    ]
    table = experiments.run(spec).table()
    assert table[["schedule", "optimizer"]].values.tolist() == [
        ["full-batch", "irprop-"],
        ["full-batch", "scipy-lbfgsb"],
        ["per-sample", "irprop-"],
    ]


def test_all_includes_the_scipy_baselines():
    assert {s.name for s in experiments.load_spec("default").optimizers} >= set(METHODS)


def test_scipy_settings_take_no_hyperparameters_and_no_flat_spot():
    with pytest.raises(ValueError, match=r"scipy-bfgs takes no hyperparameters, got \['gtol'\]"):
        OptimizerSetting("scipy-bfgs", {"gtol": 1e-3})
    with pytest.raises(ValueError, match="flat_spot applies to the step-wise optimizers only"):
        OptimizerSetting("scipy-cg", flat_spot=0.1)


def test_flat_spot_is_a_separately_labelled_configuration_that_escapes_saturation():
    plain, offset = OptimizerSetting("gd"), OptimizerSetting("gd", flat_spot=0.1)
    assert offset.label == "gd [σ′+0.1]" and plain.label == "gd"
    spec = ExperimentSpec(
        "flat",
        (TEACHER,),
        (plain, offset),
        InitialPoints("list", listed=((20.0, -20.0),)),
        budget=Budget(max_epochs=3000),
        targets=TARGETS,
    )
    results = experiments.run(spec)
    runs = results.runs()
    assert runs["status"].tolist() == ["flat-spot", "converged"]
    assert (
        dataclasses.replace(spec, optimizers=(offset,)).digest()
        != dataclasses.replace(spec, optimizers=(plain,)).digest()
    )

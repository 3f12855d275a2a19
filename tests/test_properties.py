"""Properties that hold for any input, checked on many generated cases (hypothesis)."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import experiments
import network
import optimizers
from experiments.cli import main
from optimizers.layout import with_layout

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
finite = st.floats(-8, 8, allow_nan=False)


@st.composite
def valid_specs(draw) -> dict:
    samples = draw(st.integers(1, 4))
    task = {
        "name": "generated",
        "inputs": draw(st.lists(finite, min_size=samples, max_size=samples)),
        "targets": draw(st.lists(st.floats(0, 1), min_size=samples, max_size=samples)),
    }
    kind = draw(st.sampled_from(["uniform", "grid", "list"]))
    points = (
        {"kind": "list", "points": draw(st.lists(st.tuples(finite, finite).map(list), min_size=1, max_size=4))}
        if kind == "list"
        else {"kind": kind, "count": draw(st.integers(1, 3)), "low": -3.0, "high": 3.0}
    )
    names = draw(st.lists(st.sampled_from(optimizers.available()), min_size=1, max_size=3, unique=True))
    schedules = draw(
        st.lists(
            st.sampled_from(["full-batch", "per-sample", {"kind": "mini-batch", "batch_size": 2}]),
            min_size=1,
            max_size=2,
            unique_by=str,
        )
    )
    return {
        "name": "generated",
        "seeds": draw(st.lists(st.integers(0, 99), min_size=1, max_size=2, unique=True)),
        "tasks": [task, "teacher"] if draw(st.booleans()) else [task],
        "schedules": schedules,
        "initial_points": points,
        "optimizers": [{"name": name} for name in names],
        "budget": {"max_epochs": draw(st.integers(1, 30))},
        "targets": {"high": 0.1, "low": 1e-4, "per_decade": draw(st.integers(1, 3))},
    }


@pytest.mark.slow
@SETTINGS
@given(spec=valid_specs())
def test_any_valid_spec_runs_and_its_results_pass_the_check(spec, tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    path = out / "spec.json"
    path.write_text(json.dumps(spec))
    experiments.run(path, out / "results")
    assert experiments.check(out / "results") == []


NO_TASK = {"name": "x", "inputs": [], "targets": []}
BREAKERS = [
    ("budget", "max_epochs", st.sampled_from([0, -1, 2.5, "10", None, True])),
    ("initial_points", "count", st.sampled_from([0, -3, 1.5, "3"])),
    ("targets", "per_decade", st.sampled_from([0, -1, "5"])),
    (None, "seeds", st.sampled_from([[-1], [0, 0], "0", [1.5]])),
    (None, "tasks", st.sampled_from([[], "teacher", [{"name": "x", "inputs": [1.0]}], [NO_TASK]])),
    (None, "optimizers", st.sampled_from([[], [{"name": "nope"}], "some", [{"name": "gd", "settings": [{"lr": 1}]}]])),
    (
        None,
        "schedules",
        st.sampled_from([[], ["sgd"], [{"kind": "mini-batch"}], [{"kind": "per-sample", "batch_size": 2}]]),
    ),
    (None, "colour", st.just("red")),
]


@pytest.mark.slow
@SETTINGS
@given(spec=valid_specs(), breaker=st.sampled_from(BREAKERS), data=st.data())
def test_any_invalid_spec_fails_with_one_line_and_no_traceback(spec, breaker, data, tmp_path_factory, capsys):
    table, key, values = breaker
    (spec if table is None else spec[table])[key] = data.draw(values)
    if table == "initial_points" and spec["initial_points"]["kind"] == "list":
        spec["initial_points"] = {"kind": "grid", "count": spec["initial_points"].get("count", 0)}
    path = tmp_path_factory.mktemp("bad") / "spec.json"
    path.write_text(json.dumps(spec))
    assert main(["run", str(path), "--out", str(path.parent / "out"), "--quiet", "--no-report", "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("optarena: error: ") and err.count("\n") == 1 and "Traceback" not in err


@SETTINGS
@given(
    gradients=st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=1, max_size=40),
    name=st.sampled_from(["rprop+", "rprop-", "irprop+", "irprop-"]),
    delta0=st.floats(1e-8, 1e3),
    delta_min=st.floats(0, 1e-2),
    delta_max=st.floats(0.1, 100),
    eta_plus=st.floats(1.01, 3),
    eta_minus=st.floats(0.01, 0.99),
)
def test_rprop_step_sizes_stay_within_their_bounds(gradients, name, delta0, delta_min, delta_max, eta_plus, eta_minus):
    rprop = optimizers.get(name, delta0=delta0, delta_min=delta_min, delta_max=delta_max, eta_plus=eta_plus,
                           eta_minus=eta_minus)  # fmt: skip
    weights, state = np.zeros(2), rprop.init(np.zeros(2))
    for index, gradient in enumerate(gradients):
        weights, state = rprop.step(weights, np.array(gradient), state, loss=float(len(gradients) - index))
        assert ((delta_min <= state.step_size) & (state.step_size <= delta_max)).all()


@SETTINGS
@given(
    name=st.sampled_from(optimizers.available()),
    population=st.lists(st.tuples(finite, finite), min_size=1, max_size=6),
    steps=st.integers(1, 8),
)
def test_every_optimizer_is_pure_and_population_equivalent(name, population, steps):
    task = network.get_task("teacher")
    optimizer = with_layout(optimizers.get(name), task.network)  # Muon's and Adafactor's 1×1 matrices

    def trajectory(weights):
        state, path = optimizer.init(weights), []
        for _ in range(steps):
            error, grad = network.loss_and_grad(weights, task.inputs, task.targets)
            grad_before = grad.copy()
            weights, state = optimizer.step(weights, grad, state, loss=error)
            np.testing.assert_array_equal(grad, grad_before)  # the step did not mutate its input
            path.append(weights)
        return np.stack(path)

    weights = np.array(population, dtype=float)
    frozen = weights.copy()
    together = trajectory(weights)
    np.testing.assert_array_equal(weights, frozen)  # the caller's array was not mutated
    for index, start in enumerate(weights):
        np.testing.assert_array_equal(trajectory(start.copy()), together[:, index])


@SETTINGS
@given(start=st.tuples(st.floats(-6, 6), st.floats(-6, 6)), task=st.sampled_from(["teacher", "single-sample"]))
def test_irprop_plus_backtracking_returns_to_the_lower_error(start, task):
    """When both weights flip sign after the error rose, iRprop+ returns to the previous weights and lower error."""
    data = network.get_task(task)
    rprop = optimizers.get("irprop+", delta0=0.5)
    weights, state = np.array(start), rprop.init(np.array(start))
    errors = []
    for _ in range(60):
        error, grad = network.loss_and_grad(weights, data.inputs, data.targets)
        errors.append(float(error))
        flipped_both = (state.prev_grad * grad < 0).all()
        rose = len(errors) > 1 and errors[-1] > errors[-2]
        previous = weights - state.prev_update
        weights, state = rprop.step(weights, grad, state, loss=error)
        if flipped_both and rose:
            np.testing.assert_array_equal(weights, previous)
            restored = float(network.error(weights, data.inputs, data.targets))  # w − Δw + Δw, up to rounding
            assert restored < errors[-1] and np.isclose(restored, errors[-2], rtol=1e-9, atol=1e-20)

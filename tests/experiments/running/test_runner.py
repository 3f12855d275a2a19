"""The population runner: statuses, hit epochs, schedules, counts, and exactness of the shrinking active set."""

import numpy as np
import pytest

import network
import optimizers
from experiments import Budget, Schedule, Targets, train_population
from experiments.definition.budget import HISTORY
from experiments.definition.training_setup import TrainingSetup
from experiments.running.runner import record_hits, vanished_status

TEACHER = network.get_task("teacher")
TARGETS = Targets((1e-2, 1e-4, 1e-6), headline=1e-4)


class CountingOptimizer:
    """Wraps an optimizer and counts its steps and the batch sizes it was given."""

    def __init__(self, inner):
        self.inner, self.steps = inner, 0

    def init(self, weights):
        return self.inner.init(weights)

    def step(self, weights, grad, state, loss=None):
        self.steps += 1
        return self.inner.step(weights, grad, state, loss)


def hand_written_training(optimizer, task, start, schedule, seed, epochs):
    """The article's loop, written out: per epoch, the batches in the schedule's order."""
    weights, state = np.array(start, dtype=float), optimizer.init(np.array(start, dtype=float))
    orders = schedule.epochs(task.inputs.size, seed)
    errors = [network.error(weights, task.inputs, task.targets)]
    for _ in range(epochs):
        for batch in next(orders):
            error, grad = network.loss_and_grad(weights, task.inputs[batch], task.targets[batch])
            weights, state = optimizer.step(weights, grad, state, loss=error)
        errors.append(network.error(weights, task.inputs, task.targets))
    return weights, np.array(errors)


def test_hit_epochs_on_a_hand_made_loss_curve():
    curve = [0.5, 0.1, 0.02, 0.3, 0.01, 1e-3, 1e-3, 2e-5]  # rises and falls back; E = τ counts as a hit
    hits, next_target = np.full((2, 3), np.nan), np.zeros(2, dtype=int)
    for epoch, error in enumerate(curve):  # run 1 follows the curve; run 0 stays at E = 1
        record_hits(hits, next_target, np.array([0, 1]), np.array([1.0, error]), epoch, np.array([0.1, 0.01, 1e-4]))
    assert np.isnan(hits[0]).all() and hits[1].tolist() == [1.0, 4.0, 7.0]
    assert next_target.tolist() == [0, 3]


def test_one_epoch_can_hit_several_targets_and_an_unhealthy_run_hits_none():
    hits, next_target = np.full((2, 3), np.nan), np.zeros(2, dtype=int)
    record_hits(hits, next_target, np.array([0, 1]), np.array([5e-3, np.inf]), 7, np.array([0.1, 0.01, 1e-4]))
    assert hits[0].tolist()[:2] == [7.0, 7.0] and np.isnan(hits[0, 2]) and np.isnan(hits[1]).all()


def test_each_status_comes_from_a_crafted_start():
    budget = Budget(max_epochs=100)
    near_teacher = train_population(optimizers.get("irprop-"), TEACHER, [[2.1, 2.9]], budget=budget, targets=TARGETS)
    assert near_teacher.status.tolist() == ["converged"]
    saturated = train_population(optimizers.get("gd"), TEACHER, [[30.0, -30.0]], budget=budget, targets=TARGETS)
    assert saturated.status.tolist() == ["flat-spot"]
    huge_step = train_population(
        optimizers.get("gd", learning_rate=1e9), TEACHER, [[1.0, 1.0]], budget=budget, targets=TARGETS
    )
    assert huge_step.status.tolist() == ["diverged"] and huge_step.diverged_epoch.tolist() == [1.0]
    tiny_budget = train_population(optimizers.get("gd"), TEACHER, [[1.0, 1.0]], budget=Budget(max_epochs=2))
    assert tiny_budget.status.tolist() == ["budget"] and tiny_budget.grad_evaluations.tolist() == [2 * 4]


def smallest_curvature_and_largest_weight_column(task, weights):
    """Per run: min |λ| of the symmetrized central-difference Hessian, and the length of its column along the
    largest |w_p| (steps 10⁻³·max(1, |w_p|)), written out one parameter at a time."""
    smallest, column = [], []
    for w in weights:
        steps = 1e-3 * np.maximum(1.0, np.abs(w))
        rows = []
        for p, h in enumerate(steps):
            e = np.zeros_like(w)
            e[p] = h
            plus, minus = task.loss_and_grad((w + e)[None])[1][0], task.loss_and_grad((w - e)[None])[1][0]
            rows.append((plus - minus) / (2 * h))
        hessian = np.array(rows)
        smallest.append(np.abs(np.linalg.eigvalsh((hessian + hessian.T) / 2)).min())
        column.append(np.linalg.norm(hessian[np.abs(w).argmax()]))
    return np.array(smallest), np.array(column)


def test_a_flat_spot_is_where_the_hessian_has_a_near_zero_eigenvalue_whichever_way_it_is_found():
    xor = network.get_task("xor")
    rng = np.random.default_rng(3)
    weights = np.concatenate([rng.normal(scale=scale, size=(60, xor.network.size)) for scale in (1.0, 10.0, 300.0)])
    error, threshold, plateau = xor.error(weights), 1e-3, 1e-3
    smallest, column = smallest_curvature_and_largest_weight_column(xor, weights)
    expected = np.where((smallest <= plateau) & (error > threshold), "flat-spot", "minimum")
    assert vanished_status(xor, weights, error, threshold, plateau).tolist() == expected.tolist()
    flat = expected == "flat-spot"
    assert (flat & (column <= plateau)).any() and (flat & (column > plateau)).any()  # both ways are exercised
    assert (~flat & (error > threshold)).any()  # and curved places stay minima


def test_a_nan_weight_is_diverged_at_the_epoch_it_appears():
    result = train_population(optimizers.get("gd"), TEACHER, [[np.nan, 1.0], [1.0, 1.0]], budget=Budget(max_epochs=5))
    assert result.status.tolist() == ["diverged", "budget"] and result.diverged_epoch[0] == 0


@pytest.mark.parametrize(
    ("schedule", "updates"),
    [
        (Schedule("full-batch"), 1),
        (Schedule("per-sample"), 4),
        (Schedule("mini-batch", 3), 2),
        (Schedule("mini-batch", 4), 1),
    ],
)
def test_updates_per_epoch_follow_the_schedule(schedule, updates):
    counting = CountingOptimizer(optimizers.get("gd"))
    train_population(counting, TEACHER, [[1.0, 1.0]], TrainingSetup(schedule, Budget(10), TARGETS))
    assert counting.steps == 10 * updates == 10 * schedule.updates_per_epoch(4)


@pytest.mark.parametrize("schedule", [Schedule("per-sample"), Schedule("mini-batch", 3), Schedule("full-batch")])
@pytest.mark.parametrize("name", ["gd", "irprop+"])
def test_schedules_match_a_hand_written_loop(schedule, name):
    start = [1.5, -0.5]
    result = train_population(
        optimizers.get(name), TEACHER, [start], TrainingSetup(schedule, Budget(40), Targets((1e-300,)), seed=7)
    )
    weights, errors = hand_written_training(optimizers.get(name), TEACHER, start, schedule, seed=7, epochs=40)
    np.testing.assert_array_equal(result.final_weights[0], weights)
    assert result.final_error[0] == errors[-1]
    np.testing.assert_array_equal(result.history[0], errors[result.history_epochs].astype(HISTORY))


def test_hit_epoch_is_the_first_epoch_at_or_below_each_target():
    start = [1.0, 1.0]
    result = train_population(
        optimizers.get("irprop-"), TEACHER, [start], budget=Budget(max_epochs=500), targets=TARGETS
    )
    _, errors = hand_written_training(optimizers.get("irprop-"), TEACHER, start, Schedule(), 0, 500)
    for index, target in enumerate(TARGETS.values):
        assert result.hit_epochs[0, index] == np.argmax(errors <= target)
    finest = int(result.hit_epochs[0, -1])
    assert result.stop_epoch[0] == finest and result.grad_evaluations[0] == finest * 4
    assert result.final_error[0] == errors[finest] and result.best_error[0] == errors[: finest + 1].min()


def test_finished_runs_leave_the_others_bit_identical():
    starts = np.random.default_rng(5).uniform(-10, 10, size=(200, 2))
    budget = Budget(max_epochs=300)
    for schedule in (Schedule("full-batch"), Schedule("per-sample")):
        together = train_population(
            optimizers.get("irprop+"), TEACHER, starts, TrainingSetup(schedule, budget, TARGETS)
        )
        assert 0 < (together.status == "converged").sum() < 200
        for index in range(0, 200, 20):
            alone = train_population(
                optimizers.get("irprop+"), TEACHER, starts[index : index + 1], TrainingSetup(schedule, budget, TARGETS)
            )
            for field in ("final_weights", "hit_epochs", "status", "history", "final_grad_norm"):
                np.testing.assert_array_equal(getattr(alone, field)[0], getattr(together, field)[index])


def test_initial_weights_must_be_a_list_of_points():
    with pytest.raises(ValueError, match=r"initial_weights must have shape \(N, 2\), got \(2,\)"):
        train_population(optimizers.get("gd"), TEACHER, [1.0, 1.0])


def test_a_drawn_path_keeps_a_bounded_number_of_epochs_whatever_the_budget():
    """A budget of 10⁷ epochs made the figures run for more than ten minutes: a path keeps every epoch up to
    2000, then 200 per decade, and ends where its run ended."""
    from experiments.running.runner import PATH_EVERY_EPOCH, path_epochs, traces

    task, optimizer = network.get_task("teacher"), optimizers.get("gd", learning_rate=1e-3)
    starts = np.array([[0.5, -0.5], [2.0, 3.0]])  # the second starts at the teacher's minimum: it stops at once
    long = traces(optimizer, task, starts, budget=Budget(max_epochs=200_000), states=False)
    crawling = long[0]
    assert crawling.epochs[-1] == 200_000 and len(crawling.epochs) == path_epochs(200_000).size < 2_700
    assert np.array_equal(crawling.epochs[: PATH_EVERY_EPOCH + 1], np.arange(PATH_EVERY_EPOCH + 1))
    later = int(crawling.epochs[crawling.epochs > 5_000][0])  # a kept epoch past the dense part
    short = traces(optimizer, task, starts, budget=Budget(max_epochs=later), states=False)
    assert np.array_equal(crawling.weights[crawling.epochs == later][0], short[0].weights[-1])  # the same run
    assert long[1].epochs[-1] == short[1].epochs[-1] < later  # a run that stops early ends its path there

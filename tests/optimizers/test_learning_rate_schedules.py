"""Learning-rate schedules: torch.optim.lr_scheduler's rates to the bit, and an optimizer under a schedule
retraces torch's optimizer under torch's scheduler."""

import math
import warnings

import numpy as np
import pytest

import optimizers
from optimizers.layout import Layout, Matrix
from optimizers.learning_rate_schedules import LearningRateSchedule, Scheduled
from optimizers.per_network import PerNetwork

KINDS = ["linear-decay", "warmup-cosine", "warmup-stable-decay"]


def test_a_warm_up_climbs_linearly_and_the_cosine_halves_the_rate_half_way():
    rates = LearningRateSchedule("warmup-cosine", warmup=0.2, start_factor=0.5).rates(2.0, total_steps=10)
    assert rates[:3] == pytest.approx([1.0, 1.5, 2.0])  # W = 2 steps from s·η to η, then the cosine from η
    assert rates[2 + 4] == pytest.approx(1.0)  # 4 of its 8 steps: (1 + cos(π/2))/2·η
    assert rates[-1] == pytest.approx(2.0 * (1 + math.cos(7 * math.pi / 8)) / 2)


def test_warmup_stable_decay_holds_the_rate_between_its_ramps():
    rates = LearningRateSchedule("warmup-stable-decay", warmup=0.1, decay=0.2, start_factor=0.5).rates(1.0, 20)
    assert rates[:2] == pytest.approx([0.5, 0.75]) and rates[2:16] == [1.0] * 14
    assert rates[16:] == pytest.approx([1.0, 0.75, 0.5, 0.25])


def test_linear_decay_reaches_zero_one_step_after_the_run():
    assert LearningRateSchedule("linear-decay").rates(1.0, 4) == pytest.approx([1.0, 0.75, 0.5, 0.25])


def test_a_constant_schedule_is_the_optimizer_itself_to_the_bit():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(3, 5))
    adam = optimizers.get("adam")
    scheduled = Scheduled(adam, LearningRateSchedule(), total_steps=50)
    plain_state, state, plain = adam.init(weights), scheduled.init(weights), weights
    for _ in range(50):
        grad = rng.normal(size=weights.shape)
        weights, state = scheduled.step(weights, grad, state)
        plain, plain_state = adam.step(plain, grad, plain_state)
    np.testing.assert_array_equal(weights, plain)


@pytest.mark.parametrize("kind", KINDS)
def test_each_network_of_a_population_follows_the_schedule_of_its_own_learning_rate(kind):
    rng = np.random.default_rng(1)
    rates, schedule = [0.01, 0.1, 0.3], LearningRateSchedule(kind, warmup=0.1)
    weights, grads = rng.normal(size=(3, 4)), rng.normal(size=(30, 3, 4))
    together = Scheduled(PerNetwork([optimizers.get("adamw", learning_rate=r) for r in rates]), schedule, 30)
    state, population = together.init(weights), weights
    for grad in grads:
        population, state = together.step(population, grad, state)
    for n, rate in enumerate(rates):
        alone = Scheduled(optimizers.get("adamw", learning_rate=rate), schedule, 30)
        one, one_state = weights[n], alone.init(weights[n])
        for grad in grads:
            one, one_state = alone.step(one, grad[n], one_state)
        np.testing.assert_array_equal(population[n], one)


@pytest.mark.parametrize("name", ["irprop-", "sign", "delta-bar-delta", "supersab"])
def test_an_optimizer_without_a_global_learning_rate_takes_no_schedule(name):
    with pytest.raises(ValueError, match=f"^{name}: .*no learning rate that scales its steps"):
        Scheduled(optimizers.get(name), LearningRateSchedule("linear-decay"), total_steps=10)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "cosine"}, "learning_rate_schedule must be one of constant, warmup-cosine, linear-decay"),
        ({"kind": "warmup-cosine", "warmup": 1.0}, r"warmup must be in \[0, 1\), got 1.0"),
        ({"kind": "warmup-stable-decay", "warmup": 0.5, "decay": 0.5}, "warmup [+] decay must be < 1, got 1"),
        ({"start_factor": 0.0}, "start_factor must be > 0, got 0.0"),
    ],
)
def test_bad_schedules_are_named_with_what_is_allowed(fields, message):
    with pytest.raises(ValueError, match=message):
        LearningRateSchedule(**fields)


def torch_scheduler(torch, optimizer, schedule: LearningRateSchedule, total: int):
    """torch's own scheduler for ``schedule`` (module docstring of `optimizers.learning_rate_schedules`), its
    stages of no steps left out (torch's LinearLR cannot take 0 steps)."""
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

    warmup, decay, s = round(schedule.warmup * total), round(schedule.decay * total), schedule.start_factor
    if schedule.kind == "linear-decay":
        return LinearLR(optimizer, 1.0, 0.0, total)
    if schedule.kind == "warmup-cosine":
        stages = [(warmup, lambda: LinearLR(optimizer, s, 1.0, warmup)),
                  (total - warmup, lambda: CosineAnnealingLR(optimizer, total - warmup))]  # fmt: skip
    else:
        stages = [(warmup, lambda: LinearLR(optimizer, s, 1.0, warmup)),
                  (total - warmup - decay, lambda: LinearLR(optimizer, 1.0, 1.0, 1)),
                  (decay, lambda: LinearLR(optimizer, 1.0, 0.0, decay))]  # fmt: skip
    lengths = [length for length, _ in stages if length > 0]
    made = [make() for length, make in stages if length > 0]
    if len(made) == 1:
        return made[0]
    return SequentialLR(optimizer, made, milestones=list(np.cumsum(lengths[:-1])))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("total", [3, 20, 101, 1000])
@pytest.mark.parametrize(("warmup", "decay", "start_factor"), [(0.05, 0.2, 0.01), (0.3, 0.1, 0.5), (0.1, 0.05, 1.0)])
def test_the_rates_equal_torchs_lr_schedulers_step_by_step(kind, total, warmup, decay, start_factor):
    torch = pytest.importorskip("torch")
    schedule = LearningRateSchedule(kind, warmup=warmup, decay=decay, start_factor=start_factor)
    for base in (1.0, 0.003):
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
        scheduler, theirs = torch_scheduler(torch, optimizer, schedule, total), []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns that optimizer.step() was not called first
            for _ in range(total):
                theirs.append(optimizer.param_groups[0]["lr"])
                scheduler.step()
        assert [float(rate) for rate in schedule.rates(base, total)] == theirs


@pytest.mark.parametrize("kind", KINDS)
def test_adamw_under_a_schedule_retraces_torchs_adamw_under_torchs_scheduler(kind, correctly_rounded_sqrt):
    torch = pytest.importorskip("torch")
    schedule, total = LearningRateSchedule(kind, warmup=0.1), 60
    rng = np.random.default_rng(2)
    weights = rng.normal(size=(4, 10))
    ours = Scheduled(optimizers.get("adamw", learning_rate=0.05, weight_decay=0.1), schedule, total)
    theirs = torch.tensor(weights.copy())
    reference = torch.optim.AdamW([theirs], lr=0.05, weight_decay=0.1, foreach=False)
    scheduler, state = torch_scheduler(torch, reference, schedule, total), ours.init(weights)
    for _ in range(total):
        grad = rng.normal(size=weights.shape)
        weights, state = ours.step(weights, grad, state)
        theirs.grad = torch.tensor(grad)
        reference.step()
        scheduler.step()
        np.testing.assert_array_equal(weights, theirs.numpy())


@pytest.mark.parametrize("kind", ["warmup-cosine", "linear-decay"])
def test_adafactor_under_a_schedule_retraces_torchs_adafactor_under_torchs_scheduler(kind):
    """An optimizer without a rule's hyperparameter vector takes the schedule's η at every step, as torch's schedulers
    rewrite a group's lr; to rounding, since Adafactor's norms sum in numpy's order, not torch's."""
    torch = pytest.importorskip("torch")
    schedule, total = LearningRateSchedule(kind, warmup=0.1), 60
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(4, 10))
    layout = Layout(40, (Matrix(0, 4, 10),))
    ours = Scheduled(optimizers.get("adafactor", learning_rate=0.05).laid_out(layout), schedule, total)
    weights = matrix.ravel().copy()
    theirs = torch.tensor(matrix.copy())
    reference = torch.optim.Adafactor([theirs], lr=0.05, foreach=False)
    scheduler, state = torch_scheduler(torch, reference, schedule, total), ours.init(weights)
    for _ in range(total):
        grad = rng.normal(size=matrix.shape)
        weights, state = ours.step(weights, grad.ravel(), state)
        theirs.grad = torch.tensor(grad)
        reference.step()
        scheduler.step()
        np.testing.assert_allclose(weights, theirs.numpy().ravel(), rtol=1e-12, atol=1e-14)


def test_muon_under_a_schedule_steps_with_each_rate_and_keeps_its_layout():
    schedule, total = LearningRateSchedule("warmup-cosine", warmup=0.2), 10
    layout = Layout(6, (Matrix(0, 2, 3),))
    muon = optimizers.get("muon", learning_rate=0.1).laid_out(layout)
    scheduled, rng = Scheduled(muon, schedule, total), np.random.default_rng(4)
    weights = rng.normal(size=(3, 6))
    state, by_hand, hand_state = scheduled.init(weights), weights, muon.init(weights)
    for rate in schedule.rates(0.1, total):
        grad = rng.normal(size=weights.shape)
        weights, state = scheduled.step(weights, grad, state)
        stepping = optimizers.get("muon", learning_rate=max(rate, 1e-300)).laid_out(layout)  # a setting refuses 0
        by_hand, hand_state = stepping.step(by_hand, grad, hand_state)
        np.testing.assert_array_equal(weights, by_hand)

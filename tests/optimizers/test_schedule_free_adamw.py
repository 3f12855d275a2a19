"""Schedule-Free AdamW: AdamW's normalised step on z, the model x their average, the gradient at y; pinned by
hand and by schedulefree's reference class on a population of layered networks (the arena measures it at x:
tests/experiments/pipeline/test_evaluation_points.py)."""

import math

import numpy as np
import pytest

import optimizers
from optimizers.base import evaluation_point
from optimizers.learning_rate_schedules import LearningRateSchedule, Scheduled

LAYERED_REFERENCE = ("schedule-free-adamw",)


def test_the_first_step_puts_x_and_y_on_z_and_later_steps_average():
    sf = optimizers.get("schedule-free-adamw", learning_rate=0.1)
    start = np.array([1.0])
    y, state = sf.step(start, np.array([2.0]), sf.init(start))
    assert evaluation_point(sf, start, sf.init(start)) is start  # before any step the model is the start
    z1 = 1.0 - 0.1 * 2.0 / (math.sqrt(0.001 * 4.0 / 0.001) + 1e-8)
    assert state.z.tolist() == pytest.approx([z1], rel=1e-15)
    assert state.x.tolist() == state.z.tolist() and y.tolist() == state.z.tolist()
    y, state = sf.step(y, np.array([2.0]), state)
    v = 0.999 * 0.004 + 0.001 * 4.0
    z2 = z1 - 0.1 * 2.0 / (math.sqrt(v / (1 - 0.999**2)) + 1e-8)
    x2 = z1 * 0.5 + 0.5 * z2  # equal weights ω = η²: c = 1/2
    assert state.z.tolist() == pytest.approx([z2], rel=1e-15) and state.x.tolist() == pytest.approx([x2], rel=1e-15)
    assert y.tolist() == pytest.approx([0.9 * x2 + 0.1 * z2], rel=1e-15)
    assert evaluation_point(sf, y, state) is state.x


def test_during_the_warm_up_early_steps_weigh_less_in_the_average():
    sf = optimizers.get("schedule-free-adamw", learning_rate=0.1, warmup_steps=2)
    weights = np.zeros(1)
    state = sf.init(weights)
    for _ in range(2):
        weights, state = sf.step(weights, np.ones(1), state)
    # ω1 = (η/2)², ω2 = η²: x2 = x1·(1 − 4/5) + (4/5)·z2
    assert state.weight_sum.tolist() == pytest.approx([0.05**2 + 0.1**2], rel=1e-15)
    assert state.x.tolist() == pytest.approx([state.z[0] * 0.8 + 0.2 * (-0.05)], rel=1e-6)


def test_the_defaults_are_the_references():
    assert optimizers.hyperparameters_of("schedule-free-adamw") == {
        "learning_rate": 0.0025, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
        "warmup_steps": 0, "r": 0.0, "weight_lr_power": 2.0,
    }  # fmt: skip


def test_schedule_free_adamw_retraces_schedulefree_on_layered_networks(layered_case):
    layered_case.assert_retraced()


def test_a_learning_rate_schedule_is_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"^schedule-free-adamw: no learning-rate schedule applies: Schedule-Free "):
        Scheduled(optimizers.get("schedule-free-adamw"), LearningRateSchedule("warmup-cosine"), 100)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"warmup_steps": -1}, r"^schedule-free-adamw: warmup_steps must be a whole number >= 0, got -1$"),
        ({"warmup_steps": 2.5}, r"^schedule-free-adamw: warmup_steps must be a whole number >= 0, got 2.5$"),
        ({"weight_lr_power": -1.0}, r"^schedule-free-adamw: weight_lr_power must be >= 0, got -1.0$"),
        ({"beta1": 1.0}, r"^schedule-free-adamw: beta1 must be in \[0, 1\), got 1.0$"),
    ],
)
def test_bad_settings_are_refused_in_one_line(setting, message):
    with pytest.raises(ValueError, match=message):
        optimizers.get("schedule-free-adamw", **setting)

"""The three schedules: how an epoch splits into updates, and seeded shuffling."""

import numpy as np
import pytest

from experiments import Schedule


def test_full_batch_uses_every_sample_once_per_epoch_in_order():
    epochs = Schedule("full-batch").epochs(5, seed=0)
    for _ in range(3):
        assert [batch.tolist() for batch in next(epochs)] == [[0, 1, 2, 3, 4]]


@pytest.mark.parametrize(
    ("schedule", "sizes"), [(Schedule("per-sample"), [1] * 5), (Schedule("mini-batch", 2), [2, 2, 1])]
)
def test_each_epoch_is_a_permutation_split_into_batches(schedule, sizes):
    epochs = schedule.epochs(5, seed=3)
    orders = []
    for _ in range(20):
        batches = next(epochs)
        assert [len(batch) for batch in batches] == sizes
        order = np.concatenate(batches)
        assert sorted(order.tolist()) == [0, 1, 2, 3, 4]
        orders.append(order.tolist())
    assert len({tuple(o) for o in orders}) > 1  # reshuffled


def test_shuffling_is_a_function_of_the_seed_alone():
    first = [np.concatenate(next(Schedule("per-sample").epochs(6, seed=11))).tolist() for _ in range(1)]
    again = [np.concatenate(next(Schedule("per-sample").epochs(6, seed=11))).tolist() for _ in range(1)]
    other = [np.concatenate(next(Schedule("per-sample").epochs(6, seed=12))).tolist() for _ in range(1)]
    assert first == again and first != other


@pytest.mark.parametrize(
    ("kind", "batch_size", "message"),
    [
        ("stochastic", None, "schedule kind must be one of full-batch, mini-batch, per-sample, got 'stochastic'"),
        ("mini-batch", None, "a mini-batch schedule needs batch_size, an integer >= 1, got None"),
        ("mini-batch", 0, "a mini-batch schedule needs batch_size, an integer >= 1, got 0"),
        ("per-sample", 2, "batch_size applies only to the mini-batch schedule, not to per-sample"),
    ],
)
def test_bad_schedules_are_refused(kind, batch_size, message):
    with pytest.raises(ValueError, match=message):
        Schedule(kind, batch_size)


def test_a_cyclic_order_runs_through_the_samples_as_stored_every_epoch():
    schedule = Schedule.from_entry({"kind": "mini-batch", "batch_size": 2, "order": "cyclic"})
    epochs = schedule.epochs(5, seed=3)
    first, second = next(epochs), next(epochs)
    assert [b.tolist() for b in first] == [[0, 1], [2, 3], [4]] == [b.tolist() for b in second]
    assert schedule.label == "mini-batch(2), cyclic"
    assert Schedule.from_entry(schedule.to_dict()) == schedule
    assert "order" not in Schedule("mini-batch", 2).to_dict()  # the shuffled default keeps old specs' digests


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"kind": "mini-batch", "batch_size": 2, "order": "sorted"},
            r"order must be one of shuffled, cyclic, got 'sorted'",
        ),
        ({"kind": "full-batch", "order": "cyclic"}, r"a full-batch schedule has no order"),
    ],
)
def test_a_bad_order_is_refused_in_one_line(entry, message):
    with pytest.raises(ValueError, match=message):
        Schedule.from_entry(entry)

"""MNIST-1D as optarena builds it: the authors' package's data, value for value, and its published split."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from network import mnist1d
from network.datasets import load
from network.splits import published_split

reference = pytest.importorskip(
    "mnist1d.data", reason="the authors' package is in the test extra: pip install '.[test]'"
)


def the_packages(args: mnist1d.Arguments) -> dict:
    """The authors' ``make_dataset`` on the same arguments (their download path never taken)."""
    from mnist1d.utils import ObjectView

    arguments = reference.get_dataset_args(as_dict=True) | dataclasses.asdict(args)
    arguments["padding"] = list(args.padding)
    return reference.make_dataset(ObjectView(arguments))


@pytest.mark.parametrize(
    "args",
    [
        mnist1d.Arguments(),
        mnist1d.Arguments(seed=7, num_samples=600, train_split=0.5),
        mnist1d.Arguments(seed=3, num_samples=300, padding=(20, 30), max_translation=10, final_seq_length=25,
                          shear_scale=0.1, corr_noise_scale=0.5),
    ],
    ids=["published", "small", "other-transformations"],
)  # fmt: skip
def test_the_data_equal_the_authors_package_value_for_value(args):
    ours, theirs = mnist1d.build(args), the_packages(args)
    train = np.setdiff1d(np.arange(len(ours.labels)), ours.test_rows)
    np.testing.assert_array_equal(ours.inputs[train], theirs["x"])
    np.testing.assert_array_equal(ours.inputs[ours.test_rows], theirs["x_test"])
    np.testing.assert_array_equal(ours.labels[train], theirs["y"])
    np.testing.assert_array_equal(ours.labels[ours.test_rows], theirs["y_test"])


def test_building_leaves_numpys_global_random_state_alone():  # the legacy global state is what is tested
    np.random.seed(123)  # noqa: NPY002
    expected = np.random.rand()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    mnist1d.build(mnist1d.Arguments(num_samples=50))
    assert np.random.rand() == expected  # noqa: NPY002


def test_the_published_dataset_has_4000_training_and_1000_test_samples_of_ten_classes():
    data = load("mnist1d")
    assert data.inputs.shape == (5000, 40) and data.classes == 10
    assert data.test_rows.tolist() == list(range(4000, 5000))
    assert np.bincount(data.labels).tolist() == [500] * 10
    assert abs(data.inputs.mean()) < 1e-12 and data.inputs.std() == pytest.approx(1.0, rel=1e-12)


def test_the_published_split_keeps_the_test_part_and_carves_a_stratified_validation_part():
    data = load("mnist1d")
    train, validation, test = published_split(data, 0.2, seed=4)
    assert (len(train.labels), len(validation.labels), len(test.labels)) == (3200, 800, 1000)
    assert test.rows.tolist() == list(range(4000, 5000))
    assert len(np.intersect1d(train.rows, validation.rows)) == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train.rows, validation.rows])), np.arange(4000))
    per_class = np.bincount(data.labels[:4000])
    np.testing.assert_array_less(np.abs(np.bincount(validation.labels) - 0.2 * per_class), 1)  # stratified
    np.testing.assert_array_equal(train.inputs, data.inputs[train.rows])  # as published, not re-standardised
    other = published_split(data, 0.2, seed=5)[1]
    assert not np.array_equal(other.rows, validation.rows)  # each seed its own validation part
    everything, empty, _ = published_split(data, 0.0, seed=4)
    assert len(everything.labels) == 4000 and len(empty.labels) == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: published_split(load("iris"), 0.2), r"dataset 'iris' has no published test part"),
        (lambda: published_split(load("mnist1d"), 1.0), r"split.validation must be a fraction in \[0, 1\).*got 1.0"),
    ],
)
def test_a_split_that_cannot_be_gets_one_line(call, message):
    with pytest.raises(ValueError, match=message):
        call()

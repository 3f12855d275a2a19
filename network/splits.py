"""Train, validation and test parts of a dataset: seeded, stratified, standardised on the training part only.

PROBEN1's protocol (Prechelt 1994): 50 % of the samples train, 25 % choose
(the epoch to stop at, the hyperparameters), 25 % test, and only the test
part's error is reported.  Stratified: each class is shuffled on its own
(seeded) and cut at the same fractions, so every part has each class in the
dataset's proportions (up to one sample).  Each input feature is then
standardised, z = (x − mean) / std, with the mean and std of the training
part alone, so nothing of the validation or test samples leaks into training
(a feature constant on the training part keeps std 1).

>>> from network.datasets import Dataset
>>> data = Dataset("toy", np.arange(16.0).reshape(8, 2), [0, 0, 0, 0, 1, 1, 1, 1])
>>> parts = stratified_split(data, seed=0)
>>> [len(part.labels) for part in parts], [sorted(part.labels.tolist()) for part in parts]
([4, 2, 2], [[0, 0, 1, 1], [0, 1], [0, 1]])
>>> parts[0].inputs.mean(axis=0).round(12).tolist()
[0.0, 0.0]
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np

PARTS = ("train", "validation", "test")
PROBEN1 = (0.5, 0.25, 0.25)
SPLIT_STREAM = 3  # the seed stream of splits (schedules draw from 2, initial points from others)


class Part(NamedTuple):
    """One part of a split: standardised inputs (samples, features), labels (samples,) and the rows it took."""

    inputs: np.ndarray
    labels: np.ndarray
    rows: np.ndarray  # indices into the dataset


def checked_fractions(fractions, where: str = "split") -> tuple[float, float, float]:
    """Three fractions (train, validation, test), each in (0, 1), summing to 1, or a one-line ValueError."""
    values = tuple(fractions) if isinstance(fractions, (list, tuple)) else ()
    numbers = all(not isinstance(v, bool) and isinstance(v, (int, float)) for v in values)
    if len(values) != 3 or not numbers or not all(0 < v < 1 for v in values) or not math.isclose(sum(values), 1):
        raise ValueError(
            f"{where} needs three fractions in (0, 1), train, validation and test, that sum to 1, got {fractions!r}"
        )
    return tuple(float(v) for v in values)


def stratified_split(dataset, fractions=PROBEN1, seed: int = 0) -> tuple[Part, Part, Part]:
    """(train, validation, test) of ``dataset`` (a `network.datasets.Dataset`), each class cut at ``fractions``."""
    fractions = checked_fractions(fractions)
    rng = np.random.default_rng([seed, SPLIT_STREAM])
    bounds = np.cumsum((0.0, *fractions))
    chosen: list[list[np.ndarray]] = [[], [], []]
    for label in range(dataset.classes):
        rows = rng.permutation(np.flatnonzero(dataset.labels == label))
        cuts = np.rint(bounds * len(rows)).astype(int)
        for part, (begin, end) in enumerate(itertools.pairwise(cuts)):
            if end == begin:
                raise ValueError(
                    f"dataset {dataset.name!r}: class {label} has {len(rows)} sample{'s' * (len(rows) != 1)}, "
                    f"too few for a split of {'/'.join(f'{f:.0%}' for f in fractions)}: the {PARTS[part]} part "
                    "gets none of it; merge rare classes or choose other fractions"
                )
            chosen[part].append(rows[begin:end])
    return standardised(dataset, *(np.sort(np.concatenate(rows)) for rows in chosen))


def published_split(dataset, validation: float, seed: int = 0) -> tuple[Part, Part, Part]:
    """(train, validation, test) of a dataset with a published test part (``dataset.test_rows``): that test part,
    and a ``validation`` fraction of the rest carved from it, stratified and seeded as `stratified_split` cuts;
    ``validation`` = 0 trains on the whole published training part (the validation part is then empty).

    The inputs are left as published (MNIST-1D is centred and scaled as a whole by its builder, and its
    published models train on it so), not standardised per feature.
    """
    if dataset.test_rows is None:
        raise ValueError(f"dataset {dataset.name!r} has no published test part; give split fractions instead")
    if isinstance(validation, bool) or not isinstance(validation, (int, float)) or not 0 <= validation < 1:
        raise ValueError(f"split.validation must be a fraction in [0, 1) of the published training part, "
                         f"got {validation!r}")  # fmt: skip
    rng = np.random.default_rng([seed, SPLIT_STREAM])
    training = np.setdiff1d(np.arange(len(dataset.labels)), dataset.test_rows)
    train, held = [], []
    for label in range(dataset.classes):
        rows = rng.permutation(training[dataset.labels[training] == label])
        cut = int(np.rint(validation * len(rows)))
        if validation and not 0 < cut < len(rows):
            raise ValueError(f"dataset {dataset.name!r}: class {label} has {len(rows)} training samples, too few "
                             f"to hold out {validation:.0%} of them for validation")  # fmt: skip
        held.append(rows[:cut])
        train.append(rows[cut:])
    rows = (np.sort(np.concatenate(train)), np.sort(np.concatenate(held)), np.sort(dataset.test_rows))
    return tuple(Part(dataset.inputs[r], dataset.labels[r], r) for r in rows)


def assigned_split(dataset, parts) -> tuple[Part, Part, Part]:
    """The split a column of the data gives: ``parts[s]`` is 0 (train), 1 (validation) or 2 (test) for row s."""
    parts = np.asarray(parts)
    if parts.shape != dataset.labels.shape:
        raise ValueError(f"dataset {dataset.name!r}: a split column needs one entry per row, got shape {parts.shape}")
    bad = parts[~np.isin(parts, (0, 1, 2))]
    if len(bad):
        raise ValueError(
            f"dataset {dataset.name!r}: a split column holds 0 (train), 1 (validation) or 2 (test), "
            f"got {bad[0].item()!r}"
        )
    for part, name in enumerate(PARTS):
        missing = np.setdiff1d(np.arange(dataset.classes), dataset.labels[parts == part])
        if len(missing):
            raise ValueError(
                f"dataset {dataset.name!r}: the {name} part of the split column has no sample of class {missing[0]}"
            )
    return standardised(dataset, *(np.flatnonzero(parts == part) for part in range(3)))


def standardised(dataset, *rows: np.ndarray) -> tuple[Part, ...]:
    """The parts of ``dataset`` at ``rows`` (the first is the training part), standardised with its statistics."""
    train = dataset.inputs[rows[0]]
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return tuple(Part((dataset.inputs[r] - mean) / std, dataset.labels[r], r) for r in rows)

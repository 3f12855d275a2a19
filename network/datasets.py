"""Classification data: scikit-learn's shipped datasets (no download), or your own inputs and integer labels.

    digits          1797 × 64, 10 classes: 8×8 images of handwritten digits, pixel values 0–16
    breast_cancer   569 × 30, 2 classes: features of cell nuclei, malignant or benign
    wine            178 × 13, 3 classes: chemical analysis of three cultivars
    iris            150 × 4, 3 classes: Fisher's iris flowers
    mnist1d         5000 × 40, 10 classes: MNIST-1D's one-dimensional digits, 1000 of them its published test part

The first four are read from the files inside scikit-learn's wheel
(``sklearn.datasets.load_*``), MNIST-1D is built procedurally
(`network.mnist1d`); none is fetched from the network.  A `Dataset` checks its data once: every
input finite, every label an integer class 0 … C − 1 (a one-line error names
the first bad value).

>>> iris = load("iris")
>>> iris.inputs.shape, iris.classes
((150, 4), 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from network.validation import as_sample_matrix, did_you_mean

SHIPPED = {  # name: (scikit-learn's loader, description)
    "digits": ("load_digits", "8×8 images of handwritten digits (1797 × 64, 10 classes)"),
    "breast_cancer": ("load_breast_cancer", "Wisconsin breast cancer diagnosis (569 × 30, 2 classes)"),
    "wine": ("load_wine", "chemical analysis of three wine cultivars (178 × 13, 3 classes)"),
    "iris": ("load_iris", "Fisher's iris flowers (150 × 4, 3 classes)"),
    "mnist1d": (None, "MNIST-1D, one-dimensional digits (5000 × 40, 10 classes; 1000 the published test part)"),
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs (samples, features) and class labels (samples,), integers 0 … C − 1.

    >>> Dataset("tiny", [[0.0], [1.0]], [1, 0]).classes
    2
    >>> Dataset("tiny", [[0.0], [np.nan]], [1, 0])
    Traceback (most recent call last):
    ValueError: dataset 'tiny': inputs must be finite, got nan at [1, 0]
    """

    name: str
    inputs: np.ndarray
    labels: np.ndarray
    description: str = ""
    class_names: tuple[str, ...] | None = None  # class c's name, where the labels were read as text
    test_rows: np.ndarray | None = None  # the rows of a published test part, where the dataset has one

    def __post_init__(self):
        try:
            inputs = as_sample_matrix(self.inputs, "inputs")
        except (TypeError, ValueError) as problem:
            raise type(problem)(f"dataset {self.name!r}: {problem}") from None
        labels = np.asarray(self.labels)
        if labels.shape != (len(inputs),):
            raise ValueError(
                f"dataset {self.name!r}: needs one label per input row, got labels of shape {labels.shape} "
                f"for {len(inputs)} rows"
            )
        if labels.dtype.kind not in "iuf":
            raise ValueError(
                f"dataset {self.name!r}: labels must be integer classes 0, 1, …, got dtype {labels.dtype} (a data "
                "file's label column may hold class names instead)"
            )
        whole = (labels >= 0) & (labels == np.round(labels)) if labels.dtype.kind == "f" else labels >= 0
        if not whole.all():
            row = int(np.flatnonzero(~whole)[0])
            raise ValueError(
                f"dataset {self.name!r}: label {labels[row].item()!r} in row {row} is not a class; labels must be "
                "integers 0, 1, … (cross-entropy and accuracy need classes)"
            )
        labels = labels.astype(np.int64)
        present = np.unique(labels)
        if len(present) < 2:
            raise ValueError(f"dataset {self.name!r}: needs at least two classes, got only {present.tolist()}")
        missing = np.setdiff1d(np.arange(present[-1] + 1), present)
        if len(missing):
            raise ValueError(
                f"dataset {self.name!r}: labels must number the classes 0 … C − 1 with every class present; class "
                f"{missing[0]} has no sample (the labels run {present[0]} … {present[-1]})"
            )
        if self.class_names is not None:
            names = tuple(str(name) for name in self.class_names)
            if len(names) != present[-1] + 1:
                raise ValueError(f"dataset {self.name!r}: {len(names)} class names for {present[-1] + 1} classes")
            object.__setattr__(self, "class_names", names)
        if self.test_rows is not None:
            rows = np.asarray(self.test_rows)
            if (
                rows.ndim != 1
                or rows.dtype.kind not in "iu"
                or len(np.unique(rows)) != len(rows)
                or not (len(rows) and 0 <= rows.min() and rows.max() < len(labels))
            ):
                raise ValueError(f"dataset {self.name!r}: test_rows must be distinct row indices of the data")
            object.__setattr__(self, "test_rows", rows.astype(np.int64))
            self.test_rows.setflags(write=False)
        for array in (inputs, labels):
            array.setflags(write=False)
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "labels", labels)

    @property
    def classes(self) -> int:
        """C, the number of classes: the largest label + 1."""
        return int(self.labels.max()) + 1

    @property
    def features(self) -> int:
        return self.inputs.shape[1]


def load(name: str) -> Dataset:
    """One of scikit-learn's shipped datasets or MNIST-1D (`SHIPPED`), or a ValueError listing them."""
    if name not in SHIPPED:
        raise ValueError(f"unknown dataset {name!r}{did_you_mean(name, SHIPPED)}; available: {', '.join(SHIPPED)}")
    if name == "mnist1d":
        from network import mnist1d

        built = mnist1d.build()
        return Dataset(name, built.inputs, built.labels, mnist1d.DESCRIPTION, test_rows=built.test_rows)
    try:
        from sklearn import datasets
    except ModuleNotFoundError:
        raise ValueError(
            f"dataset {name!r} comes with scikit-learn, which is not installed: pip install scikit-learn"
        ) from None
    loader, description = SHIPPED[name]
    bunch = getattr(datasets, loader)()
    return Dataset(name, bunch.data, bunch.target, description)

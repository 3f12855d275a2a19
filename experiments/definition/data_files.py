"""Training data from a file: named input and target columns of a CSV, NPY or NPZ file.

    .csv   a header row of column names, then one row per sample: numbers, and class names in a
           held-out task's label column
    .npy   a structured array (numpy dtype with field names), one record per sample
    .npz   one named 1-D array per column, all of the same length

A spec names the file and the columns (``file``, ``input_columns``,
``target_columns``); no other column is read.  The data is read once, when the spec is loaded, and
stored inline in the results' ``spec.json``, so the results never depend on
the file again.  Every problem is one line that names the file, the line or
the column.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import numpy as np

FORMATS = (".csv", ".npy", ".npz")


def read_columns(
    path: Path, input_columns: list[str], target_columns: list[str], classes: bool = False
) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    """(inputs, targets, class names) of shapes (samples, inputs) and (samples, targets) from the named columns of
    ``path``; no other column is read.  With ``classes`` the one target column holds class labels: integers, or
    text (a CSV's names, sorted, become the classes 0 … C − 1, and the names come back; otherwise None)."""
    path = Path(path)
    if path.suffix not in FORMATS:
        raise ValueError(f"data file {str(path)!r} must be one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise ValueError(f"data file {str(path)!r} does not exist")
    for name, columns in (("input_columns", input_columns), ("target_columns", target_columns)):
        if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
            raise ValueError(f"{name} must be a non-empty list of column names, got {columns!r}")
    wanted = list(dict.fromkeys([*input_columns, *target_columns]))
    labels = target_columns[0] if classes else None
    table = {".csv": _csv_columns, ".npy": _npy_columns, ".npz": _npz_columns}[path.suffix](path, wanted, labels)
    names = None
    if labels is not None and table[labels].dtype.kind == "U":
        names, indices = np.unique(table[labels], return_inverse=True)
        table[labels], names = indices.astype(np.float64), names.tolist()
    return (
        np.stack([table[c] for c in input_columns], axis=-1),
        np.stack([table[c] for c in target_columns], axis=-1),
        names,
    )


def _missing(path: Path, wanted: list[str], present) -> None:
    for column in wanted:
        if column not in present:
            raise ValueError(f"data file {str(path)!r} has no column {column!r}; its columns: {', '.join(present)}")


def _csv_columns(path: Path, wanted: list[str], labels: str | None) -> dict[str, np.ndarray]:
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    rows = [row for row in rows if row]  # blank lines, e.g. a trailing one
    if len(rows) < 2:
        raise ValueError(f"data file {str(path)!r} needs a header row and at least one row of numbers")
    header = [name.strip() for name in rows[0]]
    _missing(path, wanted, header)
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ValueError(f"{path.name} line {line} has {len(row)} fields where the header has {len(header)}")
    columns = {}
    for column in wanted:
        texts = [row[header.index(column)].strip() for row in rows[1:]]
        if column == labels and not all(map(_is_number, texts)):
            columns[column] = np.array(texts)  # class names
        else:
            columns[column] = np.array([_number(text, path, line, column) for line, text in enumerate(texts, 2)])
    return columns


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{path.name} line {line}, column {column!r}: {text!r} is not a number") from None
    if not np.isfinite(value):
        raise ValueError(f"{path.name} line {line}, column {column!r}: {text!r} is not a finite number")
    return value


def _npy_columns(path: Path, wanted: list[str], labels: str | None) -> dict[str, np.ndarray]:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as problem:
        raise ValueError(f"data file {str(path)!r} cannot be read: {problem}") from None
    if array.dtype.names is None or array.ndim != 1:
        raise ValueError(
            f"data file {str(path)!r} must hold a 1-D structured array with named fields (columns), "
            f"got dtype {array.dtype} and shape {array.shape}"
        )
    _missing(path, wanted, array.dtype.names)
    return {name: _real_column(array[name], path, name) for name in wanted}


def _npz_columns(path: Path, wanted: list[str], labels: str | None) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as stored:
            columns = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile) as problem:
        raise ValueError(f"data file {str(path)!r} cannot be read: {problem}") from None
    _missing(path, wanted, columns)
    lengths = {name: columns[name].shape for name in wanted}
    if any(len(shape) != 1 for shape in lengths.values()) or len(set(lengths.values())) > 1:
        raise ValueError(f"data file {str(path)!r} must hold 1-D arrays of one length, got shapes {lengths}")
    return {name: _real_column(columns[name], path, name) for name in wanted}


def _real_column(values: np.ndarray, path: Path, name: str) -> np.ndarray:
    if values.dtype.kind not in "iuf":
        raise ValueError(f"data file {str(path)!r}: column {name!r} must hold numbers, got dtype {values.dtype}")
    values = values.astype(np.float64)
    if not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(f"data file {str(path)!r}: column {name!r} holds {values[row]} in record {row + 1}")
    return values

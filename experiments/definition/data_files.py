"""Training data from a file: named input and target columns of a CSV, NPY or NPZ file.

    .csv   a header row of column names, then one row of numbers per sample
    .npy   a structured array (numpy dtype with field names), one record per sample
    .npz   one named 1-D array per column, all of the same length

A spec names the file and the columns (``file``, ``input_columns``,
``target_columns``); the data is read once, when the spec is loaded, and
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


def read_columns(path: Path, input_columns: list[str], target_columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets) of shapes (samples, inputs) and (samples, targets) from the named columns of ``path``."""
    path = Path(path)
    if path.suffix not in FORMATS:
        raise ValueError(f"data file {str(path)!r} must be one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise ValueError(f"data file {str(path)!r} does not exist")
    for name, columns in (("input_columns", input_columns), ("target_columns", target_columns)):
        if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
            raise ValueError(f"{name} must be a non-empty list of column names, got {columns!r}")
    table = {".csv": _csv_columns, ".npy": _npy_columns, ".npz": _npz_columns}[path.suffix](path)
    for column in [*input_columns, *target_columns]:
        if column not in table:
            raise ValueError(f"data file {str(path)!r} has no column {column!r}; its columns: {', '.join(table)}")
    return (
        np.stack([table[c] for c in input_columns], axis=-1),
        np.stack([table[c] for c in target_columns], axis=-1),
    )


def _csv_columns(path: Path) -> dict[str, np.ndarray]:
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    rows = [row for row in rows if row]  # blank lines, e.g. a trailing one
    if len(rows) < 2:
        raise ValueError(f"data file {str(path)!r} needs a header row and at least one row of numbers")
    header = [name.strip() for name in rows[0]]
    values = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ValueError(f"{path.name} line {line} has {len(row)} fields where the header has {len(header)}")
        values.append([_number(text, path, line, column) for text, column in zip(row, header, strict=True)])
    array = np.array(values, dtype=np.float64)
    return {name: array[:, index] for index, name in enumerate(header)}


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{path.name} line {line}, column {column!r}: {text.strip()!r} is not a number") from None


def _npy_columns(path: Path) -> dict[str, np.ndarray]:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as problem:
        raise ValueError(f"data file {str(path)!r} cannot be read: {problem}") from None
    if array.dtype.names is None or array.ndim != 1:
        raise ValueError(
            f"data file {str(path)!r} must hold a 1-D structured array with named fields (columns), "
            f"got dtype {array.dtype} and shape {array.shape}"
        )
    return {name: _real_column(array[name], path, name) for name in array.dtype.names}


def _npz_columns(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as stored:
            columns = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile) as problem:
        raise ValueError(f"data file {str(path)!r} cannot be read: {problem}") from None
    lengths = {name: column.shape for name, column in columns.items()}
    if any(len(shape) != 1 for shape in lengths.values()) or len(set(lengths.values())) > 1:
        raise ValueError(f"data file {str(path)!r} must hold 1-D arrays of one length, got shapes {lengths}")
    return {name: _real_column(column, path, name) for name, column in columns.items()}


def _real_column(values: np.ndarray, path: Path, name: str) -> np.ndarray:
    if values.dtype.kind not in "iuf":
        raise ValueError(f"data file {str(path)!r}: column {name!r} must hold numbers, got dtype {values.dtype}")
    return values.astype(np.float64)

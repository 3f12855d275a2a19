"""A compiled scalar function applied to every element of an array, as a ufunc would, loaded fast from the cache.

numba's ``vectorize`` builds a ufunc whose loop is compiled again in every
process (about half a second, its disk cache notwithstanding); a plain
compiled loop over the flattened array loads from the cache in milliseconds
and calls the same scalar function, so the bits are the same.
"""

from __future__ import annotations

import numpy as np


def apply(loop, x) -> np.ndarray:
    """``loop(flat_x, flat_out)`` over float64 ``x`` of any shape: an array of that shape, or a numpy float for a
    number (as a ufunc gives)."""
    x = np.asarray(x, dtype=np.float64)
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    loop(flat, out)
    return out.reshape(x.shape)[()]

"""Σ along one axis in index order, ((v₁ + v₂) + v₃) + …, whatever the length of the axis.

numpy's ``sum`` regroups its terms (pairwise, and differently for short and
long or for contiguous and strided axes), so its last bit depends on memory
layout.  A fixed order makes E and ∂E/∂w a function of the numbers alone, the
same for a network trained alone or in any population, and lets a compiled
kernel reproduce them to the last bit.
"""

from __future__ import annotations

import numpy as np


def ordered_sum(values: np.ndarray, axis: int) -> np.ndarray:
    """Σ of ``values`` along ``axis``, added in index order.

    >>> ordered_sum(np.array([[1.0, 2.0, 3.0]]), axis=-1).tolist()
    [6.0]
    """
    if values.shape[axis] == 1:
        return values.take(0, axis=axis)
    return np.add.accumulate(values, axis=axis).take(-1, axis=axis)

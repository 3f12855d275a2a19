"""tanh from the shared exponential, accurate over the whole float64 range and the same bits in every path.

    m       = e^(−2|x|) − 1                     (expm1: a series where e^y − 1 would cancel)
    tanh(x) = sign(x) · (−m / (2 + m))

For −0.7 ≤ y = −2|x| ≤ 0 the series m = Σ_{n=1..17} yⁿ/n! (Horner) keeps full
relative precision near 0, where e^y − 1 would lose it to cancellation; its
tail |y|¹⁷/17! is below 10⁻¹⁷·|y|.  Below −0.7, e^y ≤ 0.5 and e^y − 1 is exact
to rounding, with e^y from `network.exponential`.  The result is within
about 2 ulp of the true tanh (the tests hold it to mpmath); ±∞ give ±1, NaN
gives NaN, and −0.0 stays −0.0.

The derivative and the distances to the asymptotes come from the sigmoid,
tanh(x) = 2σ(2x) − 1, each at full relative precision (`network.activations`):

    tanh′(x)     = 1 − tanh²(x) = 4·σ(2x)·σ(−2x)
    1 − tanh(x)  = 2·σ(−2x)           1 + tanh(x) = 2·σ(2x)

Why not numpy's tanh: its SIMD loops and the C library's tanh differ in the
last bit, and a compiled kernel must compute what the numpy path computes.
Like `network.exponential`, one numba function serves both, every step one
IEEE operation in a fixed order.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from network.exponential import exp_nonpositive

SERIES_LIMIT = -0.7  # from here up to 0, e^y − 1 is summed as a series
EXPM1_FROM_HIGHEST = tuple(1.0 / math.factorial(n) for n in range(17, 0, -1))  # 1/17!, …, 1/1!


@numba.njit(cache=True, error_model="numpy")
def tanh_scalar(x: float) -> float:
    """tanh(x) for one x.

    >>> tanh_scalar(0.0), tanh_scalar(math.inf), tanh_scalar(-math.inf)
    (0.0, 1.0, -1.0)
    """
    y = -2.0 * abs(x)
    if y >= SERIES_LIMIT:  # NaN takes the other branch and stays NaN
        series = 0.0
        for coefficient in EXPM1_FROM_HIGHEST:  # Horner: (…(c₁₇·y + c₁₆)·y + …)·y + c₁
            series = series * y + coefficient
        m = series * y
    else:
        m = exp_nonpositive(y) - 1.0
    return math.copysign(-m / (2.0 + m), x)


_compiled_ufunc = numba.vectorize(["float64(float64)"], cache=True)(tanh_scalar.py_func)
_tanh = getattr(_compiled_ufunc, "ufunc", _compiled_ufunc)  # recent numba wraps it in a DUFunc


def tanh(x) -> np.ndarray:
    """tanh(x), elementwise, without floating-point warnings.

    >>> tanh(np.array([-1.0, 0.5])).round(6).tolist()
    [-0.761594, 0.462117]
    """
    with np.errstate(invalid="ignore"):
        return _tanh(x)

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

from network.compiled_map import apply
from network.exponential import exp_nonpositive

SERIES_LIMIT = -0.7  # from here up to 0, e^y − 1 is summed as a series
EXPM1_FROM_HIGHEST = tuple(1.0 / math.factorial(n) for n in range(17, 0, -1))  # 1/17!, …, 1/1!
# The Horner loop runs over two halves: a loop of 17 is past what the compiler unrolls, and a loop left
# rolled inside a loop over a population keeps that loop from vectorizing (ten times slower).
EXPM1_HIGHER, EXPM1_LOWER = EXPM1_FROM_HIGHEST[:9], EXPM1_FROM_HIGHEST[9:]


@numba.njit(cache=True, error_model="numpy", inline="always")  # inlined where called, a population loop vectorizes
def tanh_scalar(x: float) -> float:
    """tanh(x) for one x.

    >>> tanh_scalar(0.0), tanh_scalar(math.inf), tanh_scalar(-math.inf)
    (0.0, 1.0, -1.0)
    """
    return tanh_from_exponential(x, exp_nonpositive(-2.0 * abs(x)))


@numba.njit(cache=True, error_model="numpy", inline="always")
def tanh_from_exponential(x: float, u: float) -> float:
    """tanh(x) given u = e^(−2|x|), the exponential that σ(±2x) (tanh′'s factors) take too."""
    y = -2.0 * abs(x)
    near = y >= SERIES_LIMIT  # NaN is not: it takes the exponential and stays NaN
    z = y if near else SERIES_LIMIT  # the series only ever sees [−0.7, 0]: no overflow where it is not kept
    series = 0.0
    for coefficient in EXPM1_HIGHER:  # Horner: (…(c₁₇·z + c₁₆)·z + …)·z + c₁
        series = series * z + coefficient
    for coefficient in EXPM1_LOWER:
        series = series * z + coefficient
    far = u - 1.0  # computed whichever is kept, so that a loop over many x vectorizes
    m = series * z if near else far
    return math.copysign(-m / (2.0 + m), x)


@numba.njit(cache=True, error_model="numpy")
def _tanh_each(x: np.ndarray, out: np.ndarray) -> None:
    """out[i] = tanh_scalar(x[i]) over flat arrays (`network.compiled_map.apply`)."""
    for i in range(x.size):
        out[i] = tanh_scalar(x[i])


def tanh(x) -> np.ndarray:
    """tanh(x), elementwise, without floating-point warnings.

    >>> tanh(np.array([-1.0, 0.5])).round(6).tolist()
    [-0.761594, 0.462117]
    """
    with np.errstate(invalid="ignore"):
        return apply(_tanh_each, x)

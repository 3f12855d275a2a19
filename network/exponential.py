"""e^y for y ≤ 0, in plain float64 arithmetic that a compiler can vectorize, the same in every path.

    k    = round(y / ln 2)                     y = k·ln 2 + r,  |r| ≤ ln 2 / 2
    r    = (y − k·ln2_hi) − k·ln2_lo          Cody–Waite: k·ln2_hi is exact, so r keeps full precision
    e^r  = Σ_{n=0..13} rⁿ/n!                   Horner; the tail r¹⁴/14! < 5·10⁻¹⁸ is below half an ulp
    e^y  = e^r · 2^k                           2^k from a table, subnormal powers included

Source: W. J. Cody and W. Waite, *Software Manual for the Elementary
Functions* (1980), ch. 6; the split of ln 2 into ln2_hi (its leading 32 bits,
so k·ln2_hi is exact for |k| < 2²¹) and ln2_lo is fdlibm's (``e_exp.c``).
The result is within about one ulp of the true e^y (the tests hold it to
mpmath), y < −745 gives 0 as the C library does, −∞ gives 0 and NaN gives NaN.

Why not the C library's exp: it is a call the compiler cannot vectorize, and
the compiled training kernel (`experiments.running.kernels.fused`) must compute exactly what
the numpy path computes.  This one numba function serves both: inlined in the
kernel's loops, and inside the ufunc of `network.sigmoid` on numpy arrays.
Every step is one IEEE operation, in a fixed order, with no fused
multiply-add, so every caller gets the same bits (the tests check this
against a transcription in numpy operations).
"""

from __future__ import annotations

import math

import numba
import numpy as np

LOG2_E = 1.4426950408889634  # 1 / ln 2
LN2_HI = 6.93147180369123816490e-01  # 0x3FE62E42FEE00000: ln 2 to 32 bits
LN2_LO = 1.90821492927058770002e-10  # ln 2 − LN2_HI
ROUNDING_SHIFT = 6755399441055744.0  # 1.5·2⁵²: (x + shift) − shift rounds x to an integer, ties to even
LOWEST = -750.0  # below ln(2⁻¹⁰⁷⁴) ≈ −744.4 every result is 0; clamping keeps the table index in range
TAYLOR_FROM_HIGHEST = tuple(1.0 / math.factorial(n) for n in range(13, -1, -1))  # 1/13!, 1/12!, …, 1/0!
TWO_TO_MINUS = np.array([math.ldexp(1.0, -k) for k in range(1100)])  # 2^−k, down to 0 below 2⁻¹⁰⁷⁴


@numba.njit(cache=True)
def exp_nonpositive(y: float) -> float:
    """e^y for one y ≤ 0 (positive y are not supported: the table holds no 2^k with k > 0).

    >>> exp_nonpositive(0.0), exp_nonpositive(-math.inf)
    (1.0, 0.0)
    """
    clamped = LOWEST if y < LOWEST else y  # NaN stays NaN: NaN < LOWEST is false
    k = (clamped * LOG2_E + ROUNDING_SHIFT) - ROUNDING_SHIFT
    r = (clamped - k * LN2_HI) - k * LN2_LO
    series = 0.0
    for coefficient in TAYLOR_FROM_HIGHEST:  # Horner: (…(c₁₃·r + c₁₂)·r + …)·r + c₀
        series = series * r + coefficient
    index = int(-k) if k == k else 0  # a NaN k indexes 2⁰; the NaN series carries the NaN
    return series * TWO_TO_MINUS[index]

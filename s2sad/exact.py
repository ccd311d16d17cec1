"""Which floating-point rewrites are exact: the predicates `algebra` folds and flattens by.

Guarantees: each predicate is true only where the rewrite it guards rounds
exactly as Python's own operations do, on finite normal values: scaling by a
power of two (`pow2`), a constant that stays a finite normal float
(`normal`), two constant factors combined into one (`exact_product`, one of
them a power of two).

Before: `3 * (0.5 * x)`.  After: `1.5 * x` (0.5 * x is exact).  `3 * (0.1 * x)` stays two steps.
"""

from __future__ import annotations

import math
import sys


def pow2(c: float) -> bool:
    """c is plus or minus a power of two: scaling by it is exact (on normal values). An integer must be one
    exactly, not only after its conversion to a float (2**53 + 1 converts to 2**53)."""
    try:
        return c != 0 and math.isfinite(c) and abs(math.frexp(c)[0]) == 0.5 and float(c) == c
    except OverflowError:
        return False


def normal(c: float) -> bool:
    """c is zero or a finite normal float: a scale that keeps products exact."""
    try:
        return c == 0 or (math.isfinite(c) and abs(c) >= sys.float_info.min)
    except OverflowError:
        return False


def normal_product(c: float, d: float) -> bool:
    """c * d is a finite normal float, or zero because c or d is: not a product that underflowed."""
    try:
        p = c * d
    except OverflowError:
        return False
    return normal(p) and (p != 0 or c == 0 or d == 0)


def exact_product(c: float, d: float) -> float | None:
    """c * d when c * (d * x) rounds as (c * d) * x does (one of them a power of two), else None."""
    if (pow2(c) or pow2(d)) and normal_product(c, d) and math.isfinite(d):
        return c * d
    return None

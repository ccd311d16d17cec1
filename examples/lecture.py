"""The example of the lecture on reverse-mode AD (after Griewank and Walther)."""

import math
from math import exp, pi, sin


def f(w1, w2):
    """The lecture's evaluation trace, one elementary operation per line."""
    z1 = w1 / w2
    z2 = math.sin(2 * math.pi * z1)
    z3 = math.exp(2 * w2)
    z4 = 3 * z1 - z3
    z5 = z2 + z4
    z6 = z4 * z5
    return z6


def f_formula(w1, w2):
    """The same function as the lecture's single formula."""
    return (sin(2 * pi * w1 / w2) + 3 * w1 / w2 - exp(2 * w2)) * (3 * w1 / w2 - exp(2 * w2))

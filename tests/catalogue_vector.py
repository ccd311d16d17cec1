"""Vector functions: tuples of scalars, returned lists, loops and branches. `CASES`: name -> points."""

import math


def polar(x, y):
    r = math.hypot(x, y)
    return r, math.atan2(y, x)


def two_branches(x, y):
    if x > y:
        return x * y, x - y
    return math.sin(x), y * y


def trajectory(v0, k, n):
    ys = [0.0] * n
    y = v0
    for i in range(n):
        y = y - k * y * 0.1
        ys[i] = y
    return ys


def stepper(x, y, steps):
    for i in range(steps):
        x, y = x + 0.1 * y, y - 0.1 * math.sin(x)
    return x, y


def grown(xs):
    out = []
    for v in xs:
        out.append(v * v)
    return out


def mixed(x, y):
    ys = [x, y]
    return x * y, ys


CASES = {
    "polar": [(1.5, 0.5), (-0.7, 2.0)],
    "two_branches": [(1.5, 0.5), (0.2, 0.9)],
    "trajectory": [(1.3, 0.7, 5), (-0.4, 2.0, 3)],
    "stepper": [(0.3, 1.0, 6), (1.2, -0.5, 3)],
    "grown": [([0.5, -1.5, 2.0],), ([3.0],)],
    "mixed": [(1.5, 2.0), (-0.3, 0.7)],
}

# A: the reverse loop restores the carried `s` from the tape; d/da (a * s) must read s after the loop
# args: (0.5, 0.7, [0.3], 3)
import math


def f(a, b, xs, n):
    s = b
    for i in range(n):
        s = math.sin(s)
    return a * s + 0.25 * xs[0]

# C: a single-use temporary read before a store into its list must not be inlined after the store
# args: (0.3, 0.5, [0.3], 2)
import math


def f(a, b, xs, n):
    ys = [0.0] * n
    s, t = 2.0 * a, a + math.erfc(ys[-1])
    ys[-1] = 1.5
    u = a * math.exp(ys[0]) * b
    ys[0] = 1.0
    return s + t + u + 0.25 * xs[0]

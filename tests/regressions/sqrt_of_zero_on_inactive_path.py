# H: sqrt's partial must not run where its argument is the constant 0.0 (a branch, or a list item)
# args: (0.4, 1.0, [0.3], 2)
import math


def f(a, b, xs, n):
    if b > 0:
        v = 0.0
    else:
        v = a
    ys = [0.0, a]
    ys.append(b)
    return math.sqrt(v) + math.sqrt(ys[0]) + a + 0.25 * xs[0]

# H: an item nothing stores into keeps its constant value though other items change
# args: (-1.3267675323661097, -1.2910104192777585, [-0.6812408413699098], 3)
import math


def f(a, b, xs, n):
    ys = [0.0, a, a]
    ys[1] *= 0.5
    ys.append(b)
    s = math.sqrt(ys[0]) + ys[1] * ys[-1]
    return s + 0.25 * xs[0]

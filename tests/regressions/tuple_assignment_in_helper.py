# a helper with a tuple assignment is straight-line code, inlined
# args: (0.3, 0.7, [0.3], 2)
def h(p, q):
    r, w = p * q, p + q
    r, w = w, r
    return r * w


def f(a, b, xs, n):
    return h(a, b) + a + 0.25 * xs[0]

# reversed(range(len(xs))) is in the subset
# args: (0.4, 1.0, [0.3, 0.5, 2.0], 2)
def f(a, b, xs, n):
    s = a
    for i in reversed(range(len(xs))):
        s = s * 0.5 + xs[i] * b
    return s

# a value recomputed in the reverse of a `while test:` loop reads the counter as it was in that iteration
# args: (0.7308035386431007, -0.7585844559698519, [1.4504451831597638, -1.2447571793719379, 0.19432126862809118], 2)
def f(a, b, xs, n):
    u = a
    u = s = u
    w0 = 0
    while w0 < n:
        w0 += 1
        u = 3.0 if s >= 2 else xs[w0 % len(xs)] * b
    return u

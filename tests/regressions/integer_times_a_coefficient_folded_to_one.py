# b's gradient is v1 * 0.5 * 2, the coefficient folded to 1.0 and not written, so the int v1 was returned as it is
# args: (0.08391000572266667, 0.527027773400962, [0.8637341156550261, 0.21886201837351993, -1.0047836425089578], 4)
def f(a, b, xs, n):
    ys = [0.0] * n
    v1 = 0
    if a:
        v1 += 1
    s = v1 * b
    s = s * 0.5
    return s + s + xs[0]

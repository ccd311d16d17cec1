# second order: a value set under `if a:` and read under a later `if a:` (reading generated code back) had its adjoint dropped by reverse mode: d2f/da2 was 0.0, not 2.0
# args: (1.050806093161344, 0.010226644083346184, [0.7385356275893208, 0.17059975106655334], 1)
def f(a, b, xs, n):
    t = abs(a)
    if a:
        return (t or a) ** 2
    return xs[0]

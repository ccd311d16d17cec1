# second order: a value set where `t or max(ys)` took max under `if a:`, and read back under `if a:` and `if t:` of the merged t; the reader did not see that `t` there is the t of the branch, so it rejected the generated gradient
# args: (0.8317831918169656, 1.159777945937016, [-0.6410334461146477], 0)
def f(a, b, xs, n):
    t = 1.0
    u = a
    ys = [0.0, a]
    if a:
        t = a * a
        u = t or max(ys)
    return t * u

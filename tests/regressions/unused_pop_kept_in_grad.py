# B: f_grad must keep `ys.pop()` whose value nothing reads: the list's adjoint has the length after it
# args: (2.0, 0.5, [0.3], 1)
def f(a, b, xs, n):
    ys = [3.0, a, a]
    v = ys.pop()
    s = 0.0
    for e in ys:
        s = s + e * b
    return v + s + 0.25 * xs[0]

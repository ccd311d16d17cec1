# D: a fused loop adding sum(ys) each iteration needs ys's adjoint before the loop
# args: (0.4, 0.2, [0.3, 0.1], 3)
def f(a, b, xs, n):
    ys = [a, xs[0]]
    v = b
    for i in range(n):
        v += sum(ys)
    return v

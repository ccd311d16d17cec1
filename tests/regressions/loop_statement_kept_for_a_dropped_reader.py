# f_grad pruned to what the gradient reads: `t = 4.0 * t` in a while loop was kept for an `if t:` whose arms nothing reads, dropped later in the same backward pass, while its start `t = 0.5` went (UnboundLocalError)
# args: (0.3340636794036413, 1.0844376817810033, [-1.2298853128203573], 3)
def f(a, b, xs, n):
    t = 0.5
    u = b
    w0 = 0
    while w0 < 3:
        w0 += 1
        if t:
            v1 = 0.0
        else:
            v1 = 0.5
        u = v1
        t /= 0.25
    return u + xs[0]

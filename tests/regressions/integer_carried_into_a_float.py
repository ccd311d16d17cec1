# a float variable that a loop sets to an integer counter: the gradient it gives is still a float
# args: (-1.1944239253536204, -0.3599852204198343, [0.7345024759218083], 1)
def f(a, b, xs, n):
    t = 0.5
    u = b
    w0 = 0
    while w0 < 3:
        w0 += 1
        t = w0
    return t * u + a * xs[0]

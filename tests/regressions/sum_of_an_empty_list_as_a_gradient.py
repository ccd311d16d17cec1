# b's gradient is sum(zs), which is the int 0 when zs is empty: still a float gradient
# args: (-1.3619745536375119, 1.3190884870259227, [-1.0514488272755471, -0.07171291631097997, 0.26917070855787417], 1)
def f(a, b, xs, n):
    s = 0.25
    t = 3.0
    u = t
    ys = [s, u, len(xs), t]
    zs = []
    if ys[n]:
        return b * sum(zs)
    return 0.5

# a's gradient is u, an item of a list that holds the int 2: still a float gradient
# args: (-1.1011855637320478, 0.21381989628389075, [-0.4201248905754532, 1.0095109682607057, -0.051844641372294484], 2)
def f(a, b, xs, n):
    t = a
    ys = []
    ys.append(2)
    u = ys[n % len(ys)]
    return t * u + xs[0]

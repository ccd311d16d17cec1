# second order: a condition of the generated gradient read a value set in one arm of an earlier branch; it was hoisted above that branch (UnboundLocalError)
# args: (-0.8379414604896992, 0.3048602562663768, [-1.471539806509109], 2)
def f(a, b, xs, n):
    u = a
    if u:
        return u
    if n - a:
        return n
    return a

# value: (a / 2.0**600) / 2.0**600 was folded to one scale by 2.0**-1200, which underflows to 0.0: at a = 1e300 every intermediate is normal and f's value is 5.8e-62, s2sad's was 0.0
# args: (1e+300, 0.75, [0.5], 1)
def f(a, b, xs, n):
    return (a / 2.0**600) / 2.0**600 + 2.0**-600 * (2.0**-600 * (a * b))

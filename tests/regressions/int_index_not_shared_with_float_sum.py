# len(xs) - 1 (an int, an index) is not the float s = -1.0 + len(xs) computed before it, though equal
# args: (-0.40721289733235727, -0.9622256393392362, [1.0004113345274595, 1.4065314565255067, 0.07579033625887889], 4)
import math


def f(a, b, xs, n):
    s = math.cos(math.pi)
    u = s
    s += len(xs)
    if xs[len(xs) - 1] > 0:
        u = u * a
    return u * b + s * a + 0.25 * xs[0]

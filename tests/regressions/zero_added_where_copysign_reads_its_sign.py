# value: `x - x + copysign(i, u)` was folded to copysign(i, u), but 0.0 + -0.0 is 0.0: at u = -0.0 the next copysign(1, u) read -1, not 1 (f's value 1.0, s2sad's -1.0)
# args: (-0.8225653022324949, -0.0001376909973363899, [-1.205177802966948, 1.249734327707442], 0)
import math
TWO_PI = 2

def f(a, b, xs, n):
    s = b
    t = TWO_PI
    u = a
    for i in range(len(xs)):
        u = math.copysign(s, t) - math.copysign(s, t) + math.copysign(i, u)
    t = u
    return t

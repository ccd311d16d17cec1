# value_and_grad's value is f's bit for bit, also where rounding differences grow (t = s**3 / cos, sin of it)
# args: (-0.20403967738909096, -0.6860072874329087, [1.4933418177454547, -0.6107227525749299], 2)
import math


def f(a, b, xs, n):
    s = 1.25
    t = 3.0 - 2
    for i in range(n):
        if a > 2:
            v1 = 0.0
        else:
            v1 = 1 + (t * t) ** 2
        s = s + math.sqrt(v1)
        t = s ** 3 / math.cos(0.5)
    t /= math.sin(t)
    return t + 0.25 * xs[0]

# checkpointing: a loop carrying no state restored its empty snapshot into `_`, the user's variable of that name
# args: (0.7, 0.3, [0.5, -0.2], 5)
import math

def f(a, b, xs, n):
    _ = a * b
    v = _ * _
    u = a
    for i in range(n):
        z = math.sin(a * i)
        u = z * z * xs[0]
    return u * v + xs[0] * xs[1]

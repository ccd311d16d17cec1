# checkpointing: a value the loop assigns and the tape does not restore, returned: the recomputed loop ended at its first iteration, so value_and_grad returned that iteration's value
# args: (0.7, 0.3, [0.5, -0.2], 5)
import math

def f(a, b, xs, n):
    s = a
    u = b
    for i in range(n):
        u = math.cos(s) * xs[0]
        s = math.sin(s) * b + xs[1]
    return u

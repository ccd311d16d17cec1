# checkpointing: a loop indexing ys by i % len(ys), with ys appended to after the loop, was recomputed in the reverse sweep with the longer list: another item, then an IndexError
# args: (-1.0011852956268719, -1.3304554460861788, [-0.5700321818220639, 0.5728917433492964, -0.29505398908452174], 3)
import math

def f(a, b, xs, n):
    s = 1.5
    ys = []
    ys.append(1)
    for i in range(n):
        s = math.sin(ys[i % len(ys)])
    ys.append(a)
    return s + xs[0]

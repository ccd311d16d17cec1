# store_then_overwritten_in_loop: an array stored into (v[1] += a), then overwritten in a loop (v = x * 2.0): TypeError 'float' object is not subscriptable
# args: (array([0.41, -0.27, 0.66]), array([[0.31, -0.52, 0.77], [0.12, 0.45, -0.36], [-0.83, 0.24, 0.58]]), 0.3)
import numpy as np


def f(x, W, a):
    v = W[0] * 1.0
    v[1] += a
    for t in range(3):
        v = x * 2.0
    return np.mean(v)

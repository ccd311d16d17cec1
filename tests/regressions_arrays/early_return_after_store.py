# early_return_after_store: a local array stored into (A[0] += v), then an early return: value_and_grad raises IndexError
# args: (array([[0.31, -0.52, 0.77], [0.12, 0.45, -0.36], [-0.83, 0.24, 0.58]]), 0.37)
import numpy as np


def f(W, a):
    A = W * 2.0
    A[0] += 0.5
    if a > 0:
        return 0.5
    return np.sum(A)

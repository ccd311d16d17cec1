# early_return_after_column_store: a local array stored into by column (A[:, 2] = x), then an early return: TypeError 'float' object is not subscriptable
# args: (array([0.41, -0.27, 0.66]), 0.38)
import numpy as np


def f(x, a):
    A = np.zeros((3, 3))
    A[:, 2] = x
    if a > 0.2:
        return 0.5
    return np.sum(A) + a

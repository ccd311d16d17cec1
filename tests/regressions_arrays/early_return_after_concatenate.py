# early_return_after_concatenate: np.concatenate of a slice and a constant, then an early return: ZeroDivisionError (integer modulo by zero) in the adjoint
# args: (array([[0.31, -0.52, 0.77], [0.12, 0.45, -0.36], [-0.83, 0.24, 0.58]]),)
import numpy as np


def f(W):
    v = np.concatenate([W[:-2:-1, -1:], np.ones((2, 1))], axis=0)
    if np.mean(W) > 0.05:
        return 0.75
    return np.sum(v)

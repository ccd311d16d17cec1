# early_return_after_reshape_prod: a product over axis 2 of a reshaped array, then an early return: IndexError tuple index out of range in the adjoint
# args: (1.12,)
import numpy as np


def f(a):
    v = (a * np.ones(6)).reshape((1, 3, 2)).prod(axis=2)
    if a >= 0.1:
        return a
    return np.max(v)

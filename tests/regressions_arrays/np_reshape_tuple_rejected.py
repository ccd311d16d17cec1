# np_reshape_tuple_rejected: np.reshape(a, (p, q)) with the shape as a tuple is rejected (tuples are not supported here)
# args: (array([0.41, -0.27, 0.66]),)
import numpy as np


def f(x):
    return np.sum(np.reshape(x, (3, 1)) * np.reshape(x, (1, 3)))

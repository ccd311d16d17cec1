# asarray_list_parameter_compared: np.asarray(xs) of a list parameter compared elementwise in np.where: TypeError '>' between list and float
# args: (array([[0.31, -0.52], [0.12, 0.45]]), [-0.85, 0.71])
import numpy as np


def f(W, xs):
    z = np.asarray(xs)
    W = W - np.where(z > 0.1, 0.5, 1.0)
    return np.sum(W * W)

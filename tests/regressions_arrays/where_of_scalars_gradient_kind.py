# where_of_scalars_gradient_kind: np.where of a scalar condition and a float parameter: the float's gradient is a 0-d ndarray, not a float
# args: (0.03, array([[0.13, -0.48, 0.29]]))
import numpy as np


def f(a, r):
    v = np.where(2.0 > 0.1, a, 0.25)
    return np.sum(v * r)

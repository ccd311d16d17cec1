# list_parameter_as_array: np.array(xs) of a list parameter: the adjoint of arctan2 computes with the list (TypeError can't multiply sequence)
# args: (array([0.41, -0.27, 0.66]), [0.29, 1.18, -1.12])
import numpy as np

DATA = np.array([0.5, 0.5, 0.5])


def f(x, xs):
    z = np.array(xs)
    return x @ np.arctan2(DATA, z)

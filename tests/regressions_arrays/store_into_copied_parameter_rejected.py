# store_into_copied_parameter_rejected: x = x.copy(); x[0] = ... is rejected as changing the parameter, though the hint says to copy it first
# args: (array([0.41, -0.27, 0.66]),)
import numpy as np


def f(x):
    x = x.copy()
    x[0] = 2.0
    return np.sum(x * x)

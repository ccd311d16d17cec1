# parameter_changed_through_alias: A = x; A[0] += v changes the parameter x in place through another name: not rejected (and s2sad crashes)
# args: (array([0.41, -0.27, 0.66]), 0.4)
import numpy as np


def f(x, a):
    A = x
    A[0] += 0.5
    if a > 0:
        return 0.5
    return np.sum(A)

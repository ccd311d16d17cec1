# zero_d_array_alias_changed_in_place: np.squeeze of a (1,) array is a 0-d array: v = a; v -= 0.5 changes a too in NumPy, not in s2sad (wrong value)
# args: (array([0.41, -0.27, 0.66]),)
# xfail: api value_and_grad: value differs from f's
import numpy as np


def f(x):
    a = np.squeeze(x[:1] * 1.0)
    v = a
    v -= 0.5
    return a * x[1]

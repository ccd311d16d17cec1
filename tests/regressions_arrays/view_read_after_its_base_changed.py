# view_read_after_its_base_changed: B = A[1:] is a view: after A[1] = x[0], B reads the new value in NumPy, the old one in s2sad (wrong value)
# args: (array([0.41, -0.27, 0.66]),)
# xfail: api value_and_grad: value differs from f's
import numpy as np


def f(x):
    A = np.zeros(3)
    B = A[1:]
    A[1] = x[0]
    return np.sum(B * x[1:])

# integer_parameter_in_a_slice_bound: k used only as a slice bound (x[k:]) was typed as an array parameter, not an integer: f_grad raised TypeError in _as_gradient
# args: (array([1.0, 2.0, 3.0]), 1)
# second order: yes
import numpy as np


def f(x, k):
    return np.sum(x[k:] ** 3) + k

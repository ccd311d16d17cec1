# zero_times_infinite_partial_is_nan_array: np.arctan2(b, b) of an array that is exactly 0 whatever a is (a * np.zeros(2)): the gradient is nan (0 * inf), the derivative of f is 0
# args: (array([0.41, -0.27, 0.66]), 0.3)
# xfail: api value_and_grad: wrong gradient
import numpy as np


def f(x, a):
    b = a * np.zeros(2)
    return np.sum(np.arctan2(b, b)) + np.sum(x)

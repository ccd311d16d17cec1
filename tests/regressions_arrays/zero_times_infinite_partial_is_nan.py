# zero_times_infinite_partial_is_nan: sqrt of a value that is an exact 0 whatever a is (a * 0.0): the array code's gradient is nan (0 * inf); the scalar code's is 0, as is the derivative of f
# args: (array([0.41, -0.27, 0.66]), 0.3)
# xfail: api value_and_grad raises ZeroDivisionError: float division by zero
import numpy as np


def f(x, a):
    b = a * 0.0
    return np.sqrt(b) + np.arctan2(b, b) + np.sum(x)

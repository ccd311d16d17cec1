# float_parameter_times_numpy_scalar_gradient_kind: a *= np.tanh(3) (a NumPy scalar) in an array program: the float parameter's gradient is a 0-d ndarray, not a float
# args: (array([0.41, -0.27, 0.66]), 0.3)
import numpy as np


def f(x, a):
    a *= np.tanh(3)
    return a + np.max(x)

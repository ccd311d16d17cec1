# unary_plus_taken_for_an_alias: v = +x is a new array in NumPy (np.positive copies); s2sad takes it for x itself and rejects v[1] -= 1.5 as changing x through an alias
# args: (array([0.41, -0.27, 0.66]),)
import numpy as np


def f(x):
    v = +x
    v[1] -= 1.5
    return np.sum(v * x)

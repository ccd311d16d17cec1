# parameter_overwritten_in_loop: an array name bound to a parameter, overwritten in a loop (v = W * c): ValueError cannot reshape in the adjoint
# args: (array([[0.31, -0.52, 0.77, 0.2], [0.12, 0.45, -0.36, -0.6]]),)
import numpy as np


def f(W):
    v = W
    for t in range(2):
        v = W * np.linspace(1.0, 1.5, 1)
    return np.sum(v)

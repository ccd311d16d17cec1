# stack_overwritten_in_loop: np.stack(..., axis=1) overwritten in a loop by a parameter: AxisError in the adjoint of stack
# args: (0.6, array([[0.13, -0.48, 0.29]]))
import numpy as np


def f(a, r):
    v = np.stack([np.ones(1), np.ones(1), a * np.ones(1)], axis=1)
    for t in range(2):
        v = r
    return np.mean(v)

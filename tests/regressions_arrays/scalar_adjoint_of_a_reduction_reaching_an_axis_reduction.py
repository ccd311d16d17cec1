# scalar_adjoint_of_a_reduction_reaching_an_axis_reduction: the adjoint of a full sum of a product over an axis is a scalar; taken as already shaped, np.expand_dims failed (AxisError)
# args: (array([-0.24, -0.76, 0.97]), array([[0.27, -1.14, -0.39], [0.64, -0.96, 0.72], [0.31, 0.92, 0.13]]), 0.98)
import numpy as np

def f(x, W, a):
    v3 = np.prod(W, axis=-2).sum()
    v4 = v3 * np.ones((1, 3))
    return np.sum(v4) + v3

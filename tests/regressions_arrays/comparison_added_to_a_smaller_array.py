# comparison_added_to_a_smaller_array: x + (W == 0) with W larger than x: the comparison was taken as a scalar, so x's adjoint was not summed back to x's shape (ValueError in f_grad)
# args: (array([1.0, 2.0, 3.0]), array([[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]))
import numpy as np


def f(x, W):
    z = x + (W == 0)
    return np.sum(np.log(z))

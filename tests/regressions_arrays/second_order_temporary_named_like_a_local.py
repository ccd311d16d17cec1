# second_order_temporary_named_like_a_local: the read-back's temporaries for _setitem (_set1, ...) overwrote a variable of f named _set1: a wrong, asymmetric Hessian
# args: (array([0.3, -0.7, 0.9]),)
# second order: yes
import numpy as np


def f(x):
    _set1 = x * 2.0
    y = x * 1.0
    y[0] = _set1[1] ** 3
    return np.sum(y * _set1 * x)

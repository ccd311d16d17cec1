# second_order_tangent_zero_at_the_point: f_jvp guards a tangent that is exactly zero (s_dot = 2 x v at x = 0); read back, the guard dropped the tangent's derivative: the Hessian at 0 was 0, not 2 I
# args: (array([0.0, 0.0, 0.0]),)
# second order: yes
import math

import numpy as np


def f(x):
    s = 1.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i]
    return math.log(s)

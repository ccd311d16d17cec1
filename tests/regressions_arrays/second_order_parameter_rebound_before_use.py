# second_order_parameter_rebound_before_use: f_jvp used no array op, so f_along was read back as scalar code and the Hessian block of an array parameter was a float
# args: (array([0.5111961349844847, -0.2372123891588742, -1.0910812275927093]), array([[-0.0075, -0.78], [-0.12, -0.13]]), 0.39600857126652395)
# second order: yes
import numpy as np


def f(x, W, a):
    x = np.ones((2, 2))[0:2, 0:-1]
    return a * a

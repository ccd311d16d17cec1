# second_order_power_of_a_broadcast_exponent: the Hessian reads back f_jvp, whose power rule adds a comparison of the larger result to the base: ValueError
# args: (array([0.9862658086848402, 1.190109601472609, -1.0118622106900896]), 0.5132870471729056)
# second order: yes
import numpy as np


def f(x, a):
    v4 = np.sum((2 + x) ** (a * np.ones((2, 3, 3))), axis=1)
    return np.mean(v4)

# second_order_no_numpy_call_left: f_jvp kept no NumPy call (only x.shape[0]), so its text imports no NumPy and the read-back rejected x.shape
# args: (array([0.4035129056750972, 0.6677933238584991]), -0.25797547488761324)
# second order: yes
import numpy as np


def f(x, a):
    s = a
    for t in range(x.shape[0]):
        s = s * a
    return s

# a_merge_of_a_parameter_changed_in_place_may_be_a_float: a /= 2.0 in a branch makes a a name changed in place, so a = (... if c else a) copies the merge, once written a_1.copy(): AttributeError where a is a float; now +a_1
# args: (array([0.5, 0.25]), 0.75)
import numpy as np


def f(x, a):
    if np.sum(x) > 0.1:
        a /= 2.0
    a = (np.sum(x) * a if np.sum(x) > 5.0 else a)
    return np.sum(a * x)

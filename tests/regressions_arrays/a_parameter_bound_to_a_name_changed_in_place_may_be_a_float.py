# a_parameter_bound_to_a_name_changed_in_place_may_be_a_float: W -= ... makes W a name changed in place, so W = a (a parameter, a float here) gets a copy of its own, written a.copy(): AttributeError for a float; now +a
# args: (array([-0.010240390506075992, 1.1016053499269114]), array([[-0.7020632422876749, -0.10899041605618529], [-0.44370268827174697, -1.0407068222683158]]), -0.7088978057173647, 3)
import numpy as np

def f(x, W, a, k):
    W -= np.reshape(np.ones((2, 1)), (1, 2))
    W = a if 0.5 <= 0.5 else a
    return np.ones(1) @ (W * np.ones(1))

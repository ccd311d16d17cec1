# tangent_of_a_copy_of_a_float: a /= a changes a in place, so a = np.square(a) is copied first; with a float a, the primal np.square(a) is a NumPy scalar with .copy(), but its tangent 2.0 * a * a_dot is a Python float, and forward mode wrote (2.0 * a * a_dot).copy() (AttributeError); the tangent of a copy is now +t, a new array or the float itself
# args: (array([0.26142262287329426, 0.4487294269670551, -0.6036479218849136]), array([[-0.8984665103945055, 0.375986791990354, -1.0331658707913542], [-1.0254348080542477, -0.008833233067554902, 1.0075980166236254]]), 0.26826319357374356, [1.1727005387754914, -0.6066283305980046, 1.0634232399658399], 2)
import numpy as np

def f(x, W, a, xs, k):
    z = x
    x = x if np.sum(np.arctan2(z, np.square(a))) >= 0.1 else z
    a = np.square(a)
    a /= a
    return a

# equal_fresh_array_as_an_arm_changed_in_place: a = -x; y = -x if c > 0 else 2.0 * x; y[0] = 5.0: lowering shares the two equal -x as one value, so the arm is a's array; the merge must get a copy of its own before the store (NumPy makes two arrays), else the in-place check refuses y as an alias of a
# args: (array([1.0, 2.0, 3.0]), 0.75)
import numpy as np

def f(x, c):
    a = -x
    y = -x if c > 0 else 2.0 * x
    y[0] = 5.0
    return np.sum(a * a) + np.sum(y * y)

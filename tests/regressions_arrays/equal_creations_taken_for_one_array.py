# equal_creations_taken_for_one_array: A1 = np.full((3,), 0.25); A2 = np.full((3,), 0.25) are two arrays; s2sad takes them for one and rejects A2[0] = ... as changing A1
# args: (array([0.41, -0.27, 0.66]),)
import numpy as np


def f(x):
    A1 = np.full((3,), 0.25)
    A2 = np.full((3,), 0.25)
    A2[0] = x[0]
    return np.sum(A1 * x) + np.sum(A2 * x)

# alias_changed_in_place_in_a_loop: v = A, then A[0, 0] *= 0.5 inside a loop: NumPy changes v too; the alias check (a located error outside loops) misses it and the value and gradient are wrong
# args: (array([[0.4, 0.6]]),)
# aliasing: yes
# xfail: api value_and_grad: value differs from f's
import numpy as np


def f(r):
    A = r * 1.0
    v = A
    for t in range(2):
        A[0, 0] *= 0.5
    return np.mean(v)

# second_order_clip_with_bounds_per_entry: np.clip with a tuple of bounds: the Hessian reads its partial back with the tuple compared to an array (rejected)
# args: (array([[0.23679532256557784, -1.0577201792196098], [1.0150231381314083, -0.5751467179822775]]), 0.3)
# second order: yes
import numpy as np


def f(W, a):
    v4 = np.clip(W * a, (0.1, -0.2), 0.6)
    return np.sum(v4 * W)

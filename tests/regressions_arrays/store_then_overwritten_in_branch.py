# store_then_overwritten_in_branch: a copy stored into (A[::2] *= c), then rebound in a branch (A = x): IndexError in the adjoint
# args: (array([0.4761677954194902, -1.0900101336246462]), array([[-0.21710946695603578, 0.9977306652033541], [0.06655441931700498, 0.3544241537500286]]), 0.9913591530817498, 2)
import numpy as np

def f(x, W, a, k):
    A1 = np.array(x)
    A1[-2:2:2] *= np.expand_dims(0.5, -1)
    if a >= 0.1:
        A1 = x
    return np.max(A1)

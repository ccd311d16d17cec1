# equal_fresh_arrays_shared_as_one_then_changed_in_place: a = (-W).transpose(); W = -W; W[...] += c: lowering shared the two equal -W as one value, so the in-place check took a's view and the new W for one array and refused the update (NumPy makes two arrays); the name changed in place now gets a copy of its own
# args: (array([0.8636270762094245, -0.9235809836939642]), array([[-0.2895360398065073, 1.190634052567417], [0.5894654017647137, -0.021338894022852453]]), 0.6791717912501858, 3)
import numpy as np

def f(x, W, a, k):
    a = (-W).transpose()
    W = -W
    for t in range(len(a)):
        W[:, -1:-2:-2] += 0.5
    return np.sum(a * x[0]) + np.sum(W)

# store_in_loop_beside_carried_parameter: v[0] *= norm(W) in a loop that also rebinds W: ValueError cannot reshape in the adjoint
# args: (array([-0.1930977360896849, -0.46740934376425813]), array([[0.993433120502001, 1.0425156096758894], [0.7614929991366158, -0.0032896773880761315]]), 0.7097287303785886, array([[-0.014608934689567078], [1.1011461046839262]]))
import numpy as np

def f(x, W, a, c):
    v1 = np.ones((2, 2))[-1]
    for t in range(3):
        v1[0] *= np.linalg.norm(W)
        W = W / np.sum(np.concatenate([np.linspace(1.0, 1.5, 1).reshape((1, 1, 1)), np.ones((1, 1, 2))], axis=-1), axis=-1)
    return np.max(v1)

# solve_overwritten_in_loop: v1 = np.linalg.solve(M @ M.T, b) overwritten in a loop: ValueError (solve of a 0-d operand) in the adjoint
# args: (array([0.5643308082595919, 0.9371055827492986, 1.128193863014733]), array([[1.1654732783251227, 1.1556959042698571, -1.1530339298650838], [-1.060690689284974, 1.121905640336272, 1.166888294094448]]), 1.2007879818143834, array([[0.6192963278882695, 0.43389773937126674, -1.0105541439345145]]))
import numpy as np

def f(x, W, a, r):
    M2 = W
    v1 = np.linalg.solve(M2 @ M2.T, np.ones(2))
    for t in range(2):
        v1 = np.squeeze(np.ones((1, 2)), axis=0)
    return np.sum(v1)

# matmul_chain_overwritten_in_loop: v1 = M @ M.T @ x overwritten in a loop: ValueError (matmul core dimension mismatch) in the adjoint
# args: (array([-0.08101039835186712, 1.1244453691351082]), array([[0.8479284653201511, 0.5161258700883468], [-1.151174538109855, -0.6462599642883836], [0.5567527279790336, -0.1751461142555582]]), 0.7788070466983452, array([[-0.18020223840953414, 0.35765573460226185]]), 3)
import numpy as np

def f(x, W, a, r, k):
    M2 = np.full((2, 3), 0.5)
    v1 = M2 @ M2.T @ x
    for t in range(3):
        v1 = x
    return np.mean(v1)

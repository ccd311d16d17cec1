# store_in_untaken_branch: v1[-3] = ... in a branch not taken this time, after x and W were rebound: ValueError cannot reshape in the adjoint
# args: (array([0.6608975544383, -0.8410870834124459, 1.210388045256348, -1.0912627613959647]), array([[0.12983053093885116, 1.159056628698061, 1.1534306369502558, -0.24248289779352733], [0.2631872901249199, -0.03294841518001618, 1.046648804835013, -0.1851196101474815], [0.5872530025092073, 0.31183361781610053, -0.8838954224113498, -0.3426052657945171]]), -0.7865125091452074, array([[-0.7610091314152807], [-1.095896482067386], [-0.052702809501710274]]))
import numpy as np

def f(x, W, a, c):
    W = W - (a * np.ones((3, 2))).sum(axis=1, keepdims=True)
    v1 = (0.25 * np.arange(4).reshape((1, 4))).squeeze()
    x = x * np.where(np.ones(1) > 0.1, 0.25, a)
    if np.min(W) < 0.2:
        if a > 0.5:
            pass
        else:
            v1[-3] = np.einsum('i,i->', np.sqrt(0.5 + x * x), np.zeros_like(x) if np.mean(W[0:3, :]) <= 0.5 else v1)
    return np.sum(v1)

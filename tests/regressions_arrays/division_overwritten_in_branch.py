# division_overwritten_in_branch: v1 = W / x, rebound to W in a branch: ValueError cannot reshape array of size 2 into shape (3, 2) in the adjoint
# args: (array([-0.00013545972097888173, 0.8568392830573762]), array([[0.9793633914954929, 1.1330487296114142], [-0.3174544736000817, -0.6284436198943927], [-0.16555135413979372, 0.8803246948099204]]), 0.3009372168221737, array([[-0.4939190614529169, -0.4953387082717797]]))
import numpy as np

def f(x, W, a, r):
    v1 = W / x
    if a >= 0.1:
        v1 = W
    return np.sum(v1)

# conditional_expression_of_arrays: W * (np.ones((1, 4)) if a <= 0.5 else r) after r = r + a: IndexError tuple index out of range
# args: (array([0.5478156125567701, 1.2089878171128998, 0.7723471141369124, 0.6223847872800587]), array([[0.5900643583793512, -0.2786726337545886, -0.42160845783330303, -0.012821439050268071], [-1.0414326428112592, 0.5197943094700235, 0.6445428268145609, -0.841466197404839]]), -0.26729787648025677, array([[-0.22560797032989383, 0.10514109816211939, 1.179351817903615, 1.0840166952703418]]), 2)
# xfail: api value_and_grad raises IndexError: tuple index out of range
import numpy as np

def f(x, W, a, r, k):
    r = r + a
    W = W * (np.ones((1, 4)) if a <= 0.5 else r)
    v5 = W
    return np.sum(v5)

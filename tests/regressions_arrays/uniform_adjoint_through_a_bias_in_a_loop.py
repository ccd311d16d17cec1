# uniform_adjoint_through_a_bias_in_a_loop: a full sum's scalar adjoint through elementwise ops, and a bias added at every step of a loop whose adjoint is summed once after it
# args: (array([[0.5, -0.2], [0.1, 0.3]]), array([0.2, -0.4]), array([[0.3, 0.1], [-0.5, 0.2], [0.4, 0.6]]), 3)
import numpy as np

def f(W, b, xs, n):
    h = np.zeros(2)
    for t in range(n):
        h = np.tanh(W @ h + xs[t] + b)
    return np.sum(h * h + 1.0) + np.mean(b - h)

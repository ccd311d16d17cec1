"""Array programs for the NumPy benchmarks, written as people write NumPy code.

Each is a scalar loss of NumPy arrays; sizes come from the arguments. The
benchmark (scripts/bench_arrays.py) differentiates them with s2sad and times
them against the expert adjoints of scripts/handwritten_arrays.py.
"""

import numpy as np


def logistic_loss(w, X, y, lam):
    """Mean logistic loss log(1 + exp(-y * X @ w)) for labels y in {-1, 1}, plus an L2 term."""
    z = y * (X @ w)
    # log(1 + exp(-z)) without overflow: max(-z, 0) + log(1 + exp(-|z|))
    losses = np.maximum(-z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    return np.mean(losses) + 0.5 * lam * np.sum(w**2)


def mlp_loss(W1, b1, W2, b2, X, Y):
    """Softmax cross-entropy of a one-hidden-layer tanh network; Y holds one-hot rows."""
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    z = logits - np.max(logits, axis=1, keepdims=True)
    log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_p, axis=1))


def rosenbrock(x):
    """The extended Rosenbrock function, vectorised."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rnn_loss(W, U, b, xs):
    """Sum of squares of the last state of a tanh RNN run over the rows of xs, from h = 0."""
    h = np.zeros(W.shape[0])
    T = len(xs)
    for t in range(T):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return np.sum(h**2)

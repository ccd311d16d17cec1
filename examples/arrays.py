"""Array programs as people write them with NumPy: s2sad differentiates them as written."""

import numpy as np

# (t, y) samples of a decay: a data table, copied into the generated module
SAMPLES = np.array([[0.0, 2.1], [0.5, 1.5], [1.0, 1.1], [1.5, 0.8], [2.0, 0.6]])


def rosenbrock(x):
    """SciPy's vectorised Rosenbrock function, as its text reads."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def logistic_loss(w, X, y, lam):
    """Mean logistic loss with labels in {-1, 1}, in a form that cannot overflow, plus an L2 term."""
    z = y * (X @ w)
    return np.mean(np.maximum(-z, 0.0) + np.log1p(np.exp(-np.abs(z)))) + 0.5 * lam * np.sum(w**2)


def rnn(W, U, b, xs):
    """The squared last state of a tanh recurrent network run over the rows of xs."""
    h = np.zeros(W.shape[0])
    for t in range(len(xs)):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return np.sum(h**2)


def heat(u0, r, steps):
    """Explicit time steps of the heat equation, the interior updated in place."""
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + r * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u**2)


def decay_fit(a, k, c):
    """Least-squares misfit of y = a exp(-k t) + c to the table SAMPLES."""
    t = SAMPLES[:, 0]
    residual = a * np.exp(-k * t) + c - SAMPLES[:, 1]
    return np.sum(residual**2)


def gaussian_nll(mu, L, X):
    """Negative log-likelihood of the rows of X under N(mu, L L^T)."""
    S = L @ L.T
    sign, logdet = np.linalg.slogdet(S)
    d = X - mu
    return 0.5 * np.sum(d * np.linalg.solve(S, d.T).T) + 0.5 * len(X) * logdet

"""Hand-written NumPy adjoints of scripts/array_programs.py, as an expert writes them.

Each `*_value_and_grad` takes the same arguments as its program and returns
(value, gradient) with the gradient shaped as s2sad returns it: one array for
one differentiated parameter, a tuple in parameter order for several. They
share nothing with s2sad. Written for speed: closed forms where they exist,
buffers reused in place, BLAS products for every reduction over a matrix, and
in the RNN the weight gradients formed by one product after the loop from the
kept per-step vectors (not an outer product per step).

Checked against finite differences of the programs in tests/test_handwritten_arrays.py.
"""

import numpy as np

# Parameters differentiated, per program (the rest are data).
WRT = {
    "logistic_loss": ("w",),
    "mlp_loss": ("W1", "b1", "W2", "b2"),
    "rosenbrock": ("x",),
    "rnn_loss": ("W", "U", "b"),
}


def logistic_loss_value_and_grad(w, X, y, lam):
    """d/dz log(1 + exp(-z)) = -sigmoid(-z), with sigmoid(-z) formed from exp(-|z|) (no overflow)."""
    n = X.shape[0]
    z = X @ w
    z *= y
    e = np.exp(-np.abs(z))
    value = (np.maximum(-z, 0.0).sum() + np.log1p(e).sum()) / n + 0.5 * lam * (w @ w)
    return value, _logistic_loss_backward(w, X, y, lam, z, e)


def _logistic_loss_backward(w, X, y, lam, z, e):
    """The gradient from the margins z and e = exp(-|z|) (e is spent)."""
    # sigmoid(-z) = e / (1 + e) for z >= 0, 1 / (1 + e) for z < 0
    s = np.where(z >= 0.0, e, 1.0)
    e += 1.0
    s /= e
    s *= y
    s *= -1.0 / X.shape[0]
    g = X.T @ s
    g += lam * w
    return g


def mlp_loss_value_and_grad(W1, b1, W2, b2, X, Y):
    """Backpropagation with the closed form softmax(z) - Y (rows of Y sum to 1)."""
    n = X.shape[0]
    a = X @ W1
    a += b1
    h = np.tanh(a, out=a)
    z = h @ W2
    z += b2
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    # -mean(sum(Y * (z - log s))) = (sum(log s) - <Y, z>) / n when each row of Y sums to 1
    value = (np.log(s).sum() - np.vdot(Y, z)) / n
    return value, _mlp_loss_backward(W2, X, Y, h, e, s)


def _mlp_loss_backward(W2, X, Y, h, e, s):
    """The gradients from the hidden layer h, e = exp(logits - max) and its row sums s (h, e spent)."""
    n = X.shape[0]
    e /= s
    e -= Y
    e /= n  # e is now d value / d logits
    gW2 = h.T @ e
    gb2 = e.sum(axis=0)
    dh = e @ W2.T
    h *= h
    np.subtract(1.0, h, out=h)  # h is now 1 - tanh^2, the last use of h
    dh *= h
    gW1 = X.T @ dh
    gb1 = dh.sum(axis=0)
    return gW1, gb1, gW2, gb2


def rosenbrock_value_and_grad(x):
    """Both sums of squares as dot products; the gradient in one buffer, written in place."""
    a = x[:-1]
    d = a * a
    np.subtract(x[1:], d, out=d)  # d = x[1:] - x[:-1]**2
    e = 1.0 - a
    value = 100.0 * (d @ d) + e @ e
    g = np.empty_like(x)
    g[0] = 0.0
    np.multiply(d, 200.0, out=g[1:])  # from the terms in which x[i] is x[1:]
    np.multiply(a, g[1:], out=d)  # d is spent: reuse it for a * 200 d
    d += e
    d *= 2.0
    g[:-1] -= d  # -400 a d - 2 (1 - a), from the terms in which x[i] is x[:-1]
    return value, g


def rnn_loss_value_and_grad(W, U, b, xs):
    """Backpropagation through time; the weight gradients are one product each after the loop."""
    T = len(xs)
    hs = np.empty((T + 1, W.shape[0]))
    hs[0] = 0.0
    pre = xs @ U.T  # every step's input term in one product
    pre += b
    for t in range(T):
        a = W @ hs[t]
        a += pre[t]
        np.tanh(a, out=hs[t + 1])
    h = hs[T]
    value = h @ h
    da = np.square(hs[1:], out=pre)  # pre is spent: da[t] = dvalue / d(pre-activation of step t)
    np.subtract(1.0, da, out=da)
    dh = 2.0 * h
    for t in range(T - 1, -1, -1):
        da[t] *= dh
        dh = da[t] @ W  # W.T @ da[t]
    gW = da.T @ hs[:-1]
    gU = da.T @ xs
    gb = da.sum(axis=0)
    return value, (gW, gU, gb)


# Expert adjoints under s2sad's value guarantee: the value is f's bit for bit, because the forward
# sweep makes f's NumPy calls in f's order (keeping what the reverse sweep reads); the reverse sweep
# is the expert's, in place, and as shape-specific as the adjoints above. No generated code can be
# faster than these without giving up that guarantee, so bench_arrays.py times them too: their
# ratio to the adjoints above is what the guarantee alone costs.


def logistic_loss_value_and_grad_exact(w, X, y, lam):
    z = y * (X @ w)
    e = np.exp(-np.abs(z))
    losses = np.maximum(-z, 0.0) + np.log1p(e)
    value = np.mean(losses) + 0.5 * lam * np.sum(w**2)
    return value, _logistic_loss_backward(w, X, y, lam, z, e)


def mlp_loss_value_and_grad_exact(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    z = logits - np.max(logits, axis=1, keepdims=True)
    e = np.exp(z)
    s = np.sum(e, axis=1, keepdims=True)
    log_p = z - np.log(s)
    value = -np.mean(np.sum(Y * log_p, axis=1))
    return value, _mlp_loss_backward(W2, X, Y, h, e, s)


def rosenbrock_value_and_grad_exact(x):
    a = x[:-1]
    d = x[1:] - a**2
    e = 1 - a
    value = np.sum(100.0 * d**2 + e**2)
    g = np.empty_like(x, dtype=float)
    g[0] = 0.0
    np.multiply(d, 200.0, out=g[1:])
    np.multiply(a, g[1:], out=d)
    d += e
    d *= 2.0
    g[:-1] -= d
    return value, g


def rnn_loss_value_and_grad_exact(W, U, b, xs):
    h = np.zeros(W.shape[0])
    T = len(xs)
    hs = [h]
    for t in range(T):
        h = np.tanh(W @ h + U @ xs[t] + b)
        hs.append(h)
    value = np.sum(h**2)
    hs = np.array(hs)
    da = np.square(hs[1:])
    np.subtract(1.0, da, out=da)
    dh = 2.0 * h
    for t in range(T - 1, -1, -1):
        da[t] *= dh
        dh = da[t] @ W
    return value, (da.T @ hs[:-1], da.T @ xs, da.sum(axis=0))

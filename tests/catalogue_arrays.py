"""Array programs as people write them with NumPy, each with arguments to check its gradient at.

Every function is a plain module-level `def` returning a scalar. Module-level
data tables are literal (`np.array([...])` of literals, nested lists), since
s2sad reads the source and never imports it. `CASES` maps a function name to
its argument tuples: floats and float64 arrays of several shapes (a float
where the function broadcasts a scalar, (n,), (1, n), (m, n) where it accepts
them), drawn from one seeded generator and kept away from kinks and branch
switches. Integers are sizes and step counts, not differentiated. Tests
compare s2sad with the finite-difference oracle of tests/array_oracle.py.
"""

import numpy as np
import numpy as numpy_alias
from numpy import cos, exp, pi, sqrt

# ---------------------------------------------------------------- data tables

# (t, y) samples of y = 2 exp(-0.7 t) + 0.1 with noise: an exponential-decay fit.
DECAY = np.array(
    [
        [0.0, 2.12],
        [0.5, 1.51],
        [1.0, 1.09],
        [1.5, 0.80],
        [2.0, 0.58],
        [2.5, 0.45],
        [3.0, 0.33],
        [3.5, 0.27],
    ]
)
# A straight-line fit: columns x and y.
LINE = np.array([[0.0, 1.1], [1.0, 2.9], [2.0, 5.2], [3.0, 7.1], [4.0, 8.8], [5.0, 11.2]])
# Plain nested lists, as a table is often pasted in.
TIMES = [0.25, 0.5, 1.0, 2.0, 4.0]
COUNTS = [[9.8, 8.1], [9.1, 6.4], [7.9, 4.2], [6.1, 1.9], [3.8, 0.4]]
WEIGHTS = np.array([1.0, 0.5, 0.25, 0.125])
KERNEL = np.array([[0.0, 1.0], [-1.0, 0.0]])
DT = 0.05


# ---------------------------------------------------------------- NumPy as a scalar math library


def np_scalar_trig(x, y):
    return np.sin(x) * np.cos(y) + np.exp(0.5 * x) + np.sqrt(1.0 + y * y)


def np_scalar_special(x):
    return np.log1p(x * x) + np.arctan2(x, 2.0) + np.power(x, 3) + np.square(x) + np.abs(x)


def np_scalar_hyperbolic(x, y):
    return np.tanh(x) + np.sinh(0.5 * y) * np.cosh(x) + np.arcsinh(x * y) + np.expm1(y) + np.log(np.hypot(x, y))


def from_numpy_import(x, y):
    return cos(2 * pi * x) * exp(-y) + sqrt(x * x + 1.0)


def numpy_alias_scalar(x, y):
    return numpy_alias.tanh(x) * numpy_alias.hypot(x, y) + numpy_alias.log10(y * y + 1.0)


def np_array_of_scalars(a, b, c):
    v = np.array([a, b * c, np.sin(a)])
    return v @ v + np.sum(v) * c


# ---------------------------------------------------------------- test functions, as their literal text


def sphere(x):
    return np.sum(x**2)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


def rastrigin(x):
    return 10 * len(x) + np.sum(x**2 - 10 * np.cos(2 * np.pi * x))


def ackley(x):
    a = -20 * np.exp(-0.2 * np.sqrt(np.mean(x**2)))
    b = -np.exp(np.mean(np.cos(2 * np.pi * x)))
    return a + b + 20 + np.e


def griewank(x):
    i = np.arange(1, len(x) + 1)
    return 1 + np.sum(x**2) / 4000 - np.prod(np.cos(x / np.sqrt(i)))


def styblinski_tang(x):
    return 0.5 * np.sum(x**4 - 16 * x**2 + 5 * x)


def sum_of_different_powers(x):
    return np.sum(np.abs(x) ** (np.arange(len(x)) + 2))


def zakharov(x):
    i = np.arange(1, len(x) + 1)
    s2 = np.sum(0.5 * i * x)
    return np.sum(x**2) + s2**2 + s2**4


def levy(x):
    w = 1 + (x - 1) / 4
    term1 = np.sin(np.pi * w[0]) ** 2
    wi = w[:-1]
    middle = np.sum((wi - 1) ** 2 * (1 + 10 * np.sin(np.pi * wi + 1) ** 2))
    term3 = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
    return term1 + middle + term3


def dixon_price(x):
    i = np.arange(2, len(x) + 1)
    return (x[0] - 1) ** 2 + np.sum(i * (2 * x[1:] ** 2 - x[:-1]) ** 2)


def trid(x):
    return np.sum((x - 1) ** 2) - np.sum(x[1:] * x[:-1])


def powell(x):
    x = np.asarray(x)
    a = x[0::4]
    b = x[1::4]
    c = x[2::4]
    d = x[3::4]
    return np.sum((a + 10 * b) ** 2 + 5 * (c - d) ** 2 + (b - 2 * c) ** 4 + 10 * (a - d) ** 4)


def booth(x):
    return (x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2


def himmelblau_rebound(x):
    y = x[1]
    x = x[0]
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def schwefel(x):
    return 418.9829 * x.size - np.sum(x * np.sin(np.sqrt(np.abs(x))))


def michalewicz(x):
    m = 10
    i = np.arange(1, x.shape[-1] + 1)
    return -np.sum(np.sin(x) * np.sin(i * x**2 / np.pi) ** (2 * m))


def sum_squares(x):
    return np.sum(np.arange(1, x.size + 1) * x.ravel() ** 2)


def alpine(x):
    return np.sum(np.abs(x * np.sin(x) + 0.1 * x))


def weighted_sphere(x):
    return np.sum(WEIGHTS * x**2)


def rotated_quadratic(x):
    y = KERNEL @ x + x
    return np.sum(y * y)


# ---------------------------------------------------------------- ML losses


def least_squares(w, X, y):
    r = X @ w - y
    return 0.5 * np.dot(r, r)


def ridge(w, X, y, lam):
    return np.sum((X @ w - y) ** 2) / len(y) + lam * np.sum(w**2)


def logistic_regression(w, X, y):
    return np.sum(np.log1p(np.exp(-y * (X @ w))))


def logistic_stable(w, b, X, y):
    z = X @ w + b
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def softmax_cross_entropy(W, X, Y):
    logits = X @ W
    logits = logits - np.max(logits, axis=1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.sum(Y * logp) / X.shape[0]


def hinge(w, X, y, lam):
    margins = np.maximum(0, 1 - y * (X @ w))
    return np.mean(margins) + 0.5 * lam * np.dot(w, w)


def huber(w, X, y, delta=1.0):
    r = X @ w - y
    a = np.abs(r)
    return np.sum(np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta)))


def mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return np.mean((out - y) ** 2)


def rnn(W, U, b, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return np.sum(h**2)


def attention(Q, K, V):
    s = Q @ K.T / np.sqrt(Q.shape[1])
    s = s - s.max(axis=1, keepdims=True)
    a = np.exp(s)
    a = a / a.sum(axis=1, keepdims=True)
    return np.sum(a @ V)


def poisson_regression(w, X, y):
    eta = X @ w
    return np.sum(np.exp(eta) - y * eta)


def elastic_net(w, X, y, alpha):
    r = y - X @ w
    return 0.5 * np.mean(r**2) + alpha * (0.5 * np.sum(np.abs(w)) + 0.25 * np.sum(w**2))


def log_sum_exp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def kl_divergence(p_logits, q_logits):
    p = np.exp(p_logits) / np.sum(np.exp(p_logits))
    q = np.exp(q_logits) / np.sum(np.exp(q_logits))
    return np.sum(p * (np.log(p) - np.log(q)))


def batch_norm_loss(X, gamma, beta):
    mu = np.mean(X, axis=0)
    var = np.mean((X - mu) ** 2, axis=0)
    out = gamma * (X - mu) / np.sqrt(var + 1e-5) + beta
    return np.sum(out**3)


def cosine_similarity(a, b):
    return np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))


def l2_normalized_sum(X):
    norms = np.sqrt(np.sum(X**2, axis=-1, keepdims=True))
    return np.sum(np.sin(X / norms))


# ---------------------------------------------------------------- data-table fits


def fit_line(params):
    a = params[0]
    b = params[1]
    pred = a * LINE[:, 0] + b
    return np.sum((pred - LINE[:, 1]) ** 2)


def fit_decay(p):
    t = DECAY[:, 0]
    model = p[0] * np.exp(-p[1] * t) + p[2]
    return np.sum((model - DECAY[:, 1]) ** 2)


def fit_two_species(k, c0):
    t = np.array(TIMES)
    data = np.array(COUNTS)
    model = c0 * np.exp(-np.outer(t, k))
    return np.sum((model - data) ** 2)


def fit_polynomial(c):
    t = DECAY[:, 0]
    powers = t[:, None] ** np.arange(len(c))
    return np.sum((powers @ c - DECAY[:, 1]) ** 2)


# ---------------------------------------------------------------- physics with array state


def heat_equation(u0, r):
    u = u0
    for _ in range(10):
        lap = np.zeros_like(u)
        lap[1:-1] = u[2:] - 2 * u[1:-1] + u[:-2]
        u = u + r * lap
    return np.sum(u**2)


def heat_equation_in_place(u0, r):
    u = u0.copy()
    for _ in range(10):
        u[1:-1] = u[1:-1] + r * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u**2)


def leapfrog(x0, v0, k):
    x = x0
    v = v0
    for _ in range(20):
        v = v - 0.5 * DT * (k * x + x**3)
        x = x + DT * v
        v = v - 0.5 * DT * (k * x + x**3)
    return np.sum(x**2) + 0.5 * np.sum(v**2)


def euler_lotka_volterra(y0, alpha, beta):
    y = y0
    for _ in range(25):
        dy = np.array([alpha * y[0] - beta * y[0] * y[1], beta * y[0] * y[1] - 0.4 * y[1]])
        y = y + DT * dy
    return y[0] + 2 * y[1]


def spring_chain(x, k, rest):
    stretch = np.diff(x) - rest
    return 0.5 * k * np.sum(stretch**2) + 0.5 * k * (x[0] ** 2 + (x[-1] - len(x) * rest) ** 2)


def pair_potential(pos):
    diff = pos[:, None, :] - pos[None, :, :]
    r = np.sqrt(np.sum(diff**2, axis=-1) + 1e-2)
    mask = 1.0 - np.eye(len(pos))
    return -0.5 * np.sum(mask / r)


def newton_cube_root(a):
    x = a
    for _ in range(30):
        step = (x**3 - a) / (3 * x**2)
        x = x - step
        if np.max(np.abs(step)) < 1e-6:
            break
    return np.sum(np.sin(3 * x) * x)


def wave_2d(u0):
    u = u0
    prev = u0
    for _ in range(5):
        lap = np.zeros_like(u)
        lap[1:-1, 1:-1] = u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4 * u[1:-1, 1:-1]
        nxt = 2 * u - prev + 0.1 * lap
        prev = u
        u = nxt
    return np.sum(u**2)


# ---------------------------------------------------------------- reductions, structure, products


def column_means(X):
    mu = np.mean(X, axis=0)
    return np.sum(mu**2) + np.sum(np.mean(X, axis=1) ** 3)


def row_normalize(X):
    s = X.sum(axis=1, keepdims=True)
    return np.sum((X / s) ** 2)


def covariance_trace(X):
    Xc = X - X.mean(axis=0, keepdims=True)
    C = Xc.T @ Xc / (X.shape[0] - 1)
    return np.trace(C) + np.sum(C**2)


def reductions_tuple_axis(T):
    return np.sum(np.sum(T, axis=(0, 2)) ** 2) + T.mean(axis=(1, 2)).prod() + np.max(T, axis=(0, 1)).sum()


def reshape_ravel(x):
    M = x.reshape(2, -1)
    return np.sum(M[0] * M[1]) + np.sum(x.ravel() ** 3)


def concatenate_stack(a, b):
    c = np.concatenate([a, b])
    s = np.stack([a, b])
    return np.sum(c**2) + np.sum(s[0] * s[1]) + np.sum(np.hstack([a, 2 * b]) * np.vstack([a, b]).ravel())


def outer_weighted(u, v, A):
    return np.sum(np.outer(u, v) * A) + np.inner(u, u) * np.vdot(v, v)


def einsum_forms(A, x, u):
    y = np.einsum("ij,j->i", A, x)
    return np.sum(np.sin(y)) + np.einsum("i,ij,j->", u, A, x) + np.einsum("ij,ij->", A, A)


def matmul_forms(A, B, x):
    return np.sum(np.matmul(A, B.T)) + np.sum(np.dot(A, x) ** 2) + np.trace(A @ B.T @ B @ A.T)


def trace_cubed(A):
    return np.trace(A @ A @ A)


def cumsum_diff(x):
    c = np.cumsum(x)
    d = np.diff(x)
    return np.sum(c**2) + np.sum(d**3) + np.sum(np.cumsum(x[::-1]) * x)


def norms(x, X):
    return np.linalg.norm(x) + np.linalg.norm(X) ** 2 + np.linalg.norm(x - 1.0)


def spread(x):
    return np.max(x) - np.min(x) + np.sum(x.max(axis=0)) - np.sum(np.min(x, axis=-1))


def row_products(X):
    return np.sum(np.prod(X, axis=1)) + X.prod()


def expand_squeeze(x):
    col = np.expand_dims(x, 1)
    M = col * x[None, :]
    return np.sum(M) + np.sum(np.squeeze(col) ** 2)


def fancy_indexing(x):
    picked = x[np.array([0, 2, 1, 2])]
    return np.sum(picked**2) + np.sum(x[1:, ::2] * 3) + np.sum(x[-1] * x[0])


def shape_attributes(x):
    n = x.shape[0]
    return np.sum(x) / x.size + x.ndim * np.sum(x[n - 1] ** 2) + len(x) * np.mean(x)


def builtin_sum(x):
    return sum(x**2) + sum(np.sin(x))


def transposes(T):
    return np.sum(np.transpose(T) ** 2 * np.arange(T.shape[0])) + np.sum(T.T[0] * 2.0)


def clip_sign_round(x):
    return np.sum(np.clip(x, -1.0, 1.0) ** 2) + np.sum(np.sign(x) * x) + np.sum(np.floor(x) * x + np.round(x))


def minimum_maximum(a, b):
    return np.sum(np.maximum(a, b) ** 2 + np.minimum(a, 0.5) * b)


def reciprocal_square(x):
    return np.sum(np.reciprocal(1.0 + np.square(x))) + np.sum(np.power(np.abs(x) + 1.0, 1.5))


def creation_constants(x):
    ones = np.ones(x.shape)
    full = np.full(x.shape, 2.5)
    grid = np.linspace(0.0, 1.0, x.shape[-1])
    return np.sum(ones * x + full * x**2 + grid * x) + np.sum(np.ones_like(x) * np.exp(x))


# ---------------------------------------------------------------- linear algebra


def solve_sum(A, b):
    return np.sum(np.linalg.solve(A, b) ** 2)


def inverse_trace(A):
    return np.trace(np.linalg.inv(A)) + np.sum(np.linalg.inv(A) @ A.T)


def determinant(A):
    return np.linalg.det(A) + np.linalg.det(A @ A.T) ** 0.5


def log_determinant(A):
    sign, logdet = np.linalg.slogdet(A @ A.T + np.eye(A.shape[0]))
    return logdet * sign


def gaussian_nll(mu, A, x):
    n = len(mu)
    S = A @ A.T + n * np.eye(n)
    L = np.linalg.cholesky(S)
    z = np.linalg.solve(L, x - mu)
    logdet = 0.0
    for i in range(n):
        logdet += 2 * np.log(L[i, i])
    return 0.5 * (z @ z) + 0.5 * logdet + 0.5 * n * np.log(2 * np.pi)


def ridge_closed_form(X, y, lam):
    n = X.shape[1]
    w = np.linalg.solve(X.T @ X + lam * np.eye(n), X.T @ y)
    return np.sum((X @ w - y) ** 2) + lam * w @ w


# ---------------------------------------------------------------- local arrays, rebinding, control flow


def in_place_local(x):
    a = np.zeros(3)
    a[0] = x[0] * x[1]
    a[1] = np.sin(x[2])
    a[2] = a[0] + a[1]
    a[0] = a[0] ** 2
    return np.sum(a**2)


def column_updates(X, v):
    A = np.zeros((X.shape[0], 3))
    for j in range(3):
        A[:, j] += X[:, j] * v[j]
    A[:, 0] += A[:, 2]
    return np.sum(A**2)


def augmented_arrays(a, b):
    c = np.zeros_like(a)
    c += a
    c *= b
    c -= 0.5
    c /= 1.0 + b**2
    c += a * c
    return np.sum(c**2)


def gradient_descent_steps(x):
    x = np.asarray(x)
    for _ in range(4):
        x = x - 0.1 * (x - np.sin(x))
    return np.sum(x**2)


def early_exit(x):
    total = 0.0
    for i in range(len(x)):
        if x[i] > 2.0:
            break
        total += np.exp(x[i]) * (i + 1)
    return total


def branch_on_sum(x):
    if np.sum(x) > 0:
        return np.sum(x**2)
    return np.sum(np.exp(x))


def branch_on_norm(x, y):
    if np.linalg.norm(x) > 1.0:
        z = x / np.linalg.norm(x)
    else:
        z = x * 1.0
    return np.sum(z * y)


def loop_accumulate_rows(X, w):
    total = 0.0
    for row in X:
        total += np.tanh(row @ w) ** 2
    return total


def running_max_loop(x):
    best = x[0]
    s = 0.0
    for i in range(1, len(x)):
        if x[i] > best:
            best = x[i]
        s += best * x[i]
    return s


# ---------------------------------------------------------------- cases

_RNG = np.random.default_rng(20261203)


def _u(*shape, lo=-1.0, hi=1.0):
    """Uniform floats in [lo, hi) of the given shape (a float for no shape)."""
    if not shape:
        return float(_RNG.uniform(lo, hi))
    return _RNG.uniform(lo, hi, size=shape)


def _away(*shape, lo=0.3, hi=1.5):
    """Values with magnitude in [lo, hi) and random signs: away from the kinks of abs and sign at 0."""
    mag = _u(*shape, lo=lo, hi=hi)
    sign = np.where(_RNG.uniform(size=shape or ()) < 0.5, -1.0, 1.0)
    out = sign * mag
    return float(out) if not shape else out


def _pm1(*shape):
    return np.where(_RNG.uniform(size=shape) < 0.5, -1.0, 1.0)


def _onehot(m, k):
    Y = np.zeros((m, k))
    Y[np.arange(m), _RNG.integers(0, k, size=m)] = 1.0
    return Y


def _distinct(*shape, lo=-1.0, hi=1.0):
    """Values at least (hi - lo) / (2 size) apart: no near-ties for max, min and comparisons."""
    size = int(np.prod(shape))
    grid = np.linspace(lo, hi, size + 1)[:-1] + (hi - lo) / (4 * size)
    return _RNG.permutation(grid).reshape(shape)


def _wellconditioned(n):
    return n * np.eye(n) + _u(n, n)


def _not_near_integers(*shape):
    """Values in (-2.5, 2.5) whose distance to every integer and half-integer is at least 0.1
    (floor and round step there)."""
    x = _u(*shape, lo=-2.5, hi=2.5)
    frac = x * 2 - np.floor(x * 2)
    return np.where(np.abs(frac - 0.5) < 0.3, x, np.floor(x * 2) / 2 + 0.25)


def _cases():
    c = {}
    # NumPy as a scalar library: floats only.
    c["np_scalar_trig"] = [(0.3, -0.7), (1.2, 2.0), (-0.4, 0.1)]
    c["np_scalar_special"] = [(0.7,), (-1.3,), (2.1,)]
    c["np_scalar_hyperbolic"] = [(0.3, 0.8), (-0.9, 1.7), (1.1, -0.6)]
    c["from_numpy_import"] = [(0.3, -0.7), (1.2, 2.0), (-0.4, 0.1)]
    c["numpy_alias_scalar"] = [(0.3, -0.7), (1.2, 2.0), (-0.4, 0.1)]
    c["np_array_of_scalars"] = [(0.3, -0.7, 1.1), (1.2, 2.0, -0.5), (-0.4, 0.1, 0.9)]
    # Shape-free elementwise-and-reduce functions: a float, (n,), (1, n), (m, n).
    for name in ["sphere", "styblinski_tang", "alpine", "log_sum_exp"]:
        c[name] = [(_u(lo=0.2, hi=1.5),), (_u(5, lo=0.2),), (_u(1, 4, lo=0.2),), (_u(3, 4, lo=0.2),)]
    c["alpine"] = [(_away(),), (_away(5),), (_away(1, 4),), (_away(3, 4),)]
    c["ackley"] = [(_away(),), (_away(5),), (_away(1, 4),), (_away(3, 4),)]
    c["schwefel"] = [(_away(2, lo=1.0, hi=5.0),), (_away(5, lo=1.0, hi=5.0),), (_away(3, 2, lo=1.0, hi=5.0),)]
    c["rastrigin"] = [(_u(5),), (_u(1, 4),), (_u(3, 4),)]
    c["sum_squares"] = [(_u(5),), (_u(1, 4),), (_u(3, 4),)]
    c["creation_constants"] = [(_u(5),), (_u(1, 4),), (_u(3, 4),)]
    c["michalewicz"] = [(_u(5, lo=0.5, hi=2.5),), (_u(1, 4, lo=0.5, hi=2.5),), (_u(3, 4, lo=0.5, hi=2.5),)]
    # Functions of a vector whose length is free (some read along axis 0 and accept (n, k) too).
    c["rosenbrock"] = [(_u(2),), (_u(6),), (_u(4, 3),)]
    c["griewank"] = [(_u(2, lo=-5, hi=5),), (_u(5, lo=-5, hi=5),), (_u(9, lo=-5, hi=5),)]
    c["sum_of_different_powers"] = [(_away(2),), (_away(5),), (_away(8),)]
    c["zakharov"] = [(_u(2),), (_u(5),), (_u(8),)]
    c["levy"] = [(_u(2, lo=-3, hi=3),), (_u(5, lo=-3, hi=3),), (_u(8, lo=-3, hi=3),)]
    c["dixon_price"] = [(_u(2),), (_u(5),), (_u(8),)]
    c["trid"] = [(_u(2),), (_u(6),), (_u(4, 3),)]
    c["powell"] = [(_u(4),), (_u(8),), (_u(12),), (_u(8, 2),), ([3.0, -1.0, 0.0, 1.0],)]
    c["booth"] = [(_u(2),), (_u(3),), ([0.5, -1.5],)]
    c["himmelblau_rebound"] = [(_u(2, lo=-4, hi=4),), (_u(3, lo=-4, hi=4),), ([3.5, -1.5],)]
    c["weighted_sphere"] = [(_u(4),), (_u(1, 4),), (_u(3, 4),), (_u(2, 3, 4),)]
    c["rotated_quadratic"] = [(_u(2),), (_u(2, 1),), (_u(2, 3),)]
    # ML losses: (m, n) data, w (n,), labels (m,); some with a scalar target broadcast.
    c["least_squares"] = [(_u(3), _u(5, 3), _u(5)), (_u(4), _u(2, 4), 0.5), (_u(1), _u(6, 1), _u(6))]
    c["ridge"] = [(_u(3), _u(5, 3), _u(5), 0.1), (_u(4), _u(2, 4), _u(2), 1.5), (_u(1), _u(6, 1), _u(6), 0.01)]
    c["logistic_regression"] = [(_u(3), _u(5, 3), _pm1(5)), (_u(2), _u(8, 2), _pm1(8)), (_u(4), _u(1, 4), _pm1(1))]
    c["logistic_stable"] = [(_u(3), 0.2, _u(5, 3), (_pm1(5) + 1) / 2), (_u(2), -0.4, _u(8, 2), (_pm1(8) + 1) / 2),
                            (_u(4), _u(1), _u(3, 4), (_pm1(3) + 1) / 2)]
    c["softmax_cross_entropy"] = [(_u(3, 4), _u(5, 3), _onehot(5, 4)), (_u(2, 2), _u(3, 2), _onehot(3, 2)),
                                  (_u(4, 3), _u(1, 4), _onehot(1, 3))]
    c["hinge"] = []
    for m, n in [(5, 3), (8, 2), (1, 4)]:
        while True:  # margins 1 - y X w at least 0.05 away from the kink at 0
            w, X, y = _u(n), _u(m, n), _pm1(m)
            if np.all(np.abs(1 - y * (X @ w)) > 0.05):
                break
        c["hinge"].append((w, X, y, 0.3))
    c["huber"] = []
    for m, n in [(6, 3), (8, 2), (3, 4)]:
        while True:  # residuals at least 0.05 away from +-delta, some on each side
            w, X, y = _u(n, lo=-2, hi=2), _u(m, n, lo=-2, hi=2), _u(m)
            a = np.abs(X @ w - y)
            if np.all(np.abs(a - 1.0) > 0.05) and np.any(a < 1.0) and np.any(a > 1.0):
                break
        c["huber"].append((w, X, y, 1.0))
    c["mlp"] = [(_u(3, 4), _u(4), _u(4, 2), _u(2), _u(5, 3), _u(5, 2)),
                (_u(2, 3), _u(3), _u(3), 0.1, _u(4, 2), _u(4)),
                (_u(1, 2), _u(2), _u(2, 1), _u(1), _u(1, 1), _u(1, 1))]
    c["rnn"] = [(_u(4, 4) * 0.5, _u(4, 3), _u(4), _u(4), _u(5, 3)),
                (_u(2, 2) * 0.5, _u(2, 1), _u(2), _u(2), _u(3, 1)),
                (_u(3, 3) * 0.5, _u(3, 2), 0.1, _u(3), _u(1, 2))]
    c["attention"] = [(_u(3, 2), _u(4, 2), _u(4, 3)), (_u(1, 4), _u(2, 4), _u(2, 1)), (_u(2, 2), _u(2, 2), _u(2, 5))]
    c["poisson_regression"] = [(_u(3), _u(5, 3), _u(5, lo=0, hi=3)), (_u(2), _u(4, 2), 1.0),
                               (_u(1), _u(6, 1), _u(6, lo=0, hi=3))]
    c["elastic_net"] = [(_away(3), _u(5, 3), _u(5), 0.1), (_away(4), _u(2, 4), _u(2), 1.0),
                        (_away(1), _u(6, 1), _u(6), 0.5)]
    c["log_sum_exp"] = [(_u(),), (_u(5),), (_u(1, 4),), (_u(3, 4),)]
    c["kl_divergence"] = [(_u(4), _u(4)), (_u(1, 3), _u(1, 3)), (_u(2, 3), _u(2, 3)), (_u(3), 0.5)]
    c["batch_norm_loss"] = [(_u(5, 3), _u(3), _u(3)), (_u(4, 2), 1.5, -0.2), (_u(3, 1), _u(1), _u(1))]
    c["cosine_similarity"] = [(_u(3), _u(3)), (_u(5), _u(5)), (_u(1), _u(1))]
    c["l2_normalized_sum"] = [(_away(4),), (_away(1, 3),), (_away(3, 2),), (_away(2, 2, 3),)]
    # Data-table fits.
    c["fit_line"] = [(np.array([2.0, 1.0]),), (_u(2),), (np.array([0.0, 0.0]),)]
    c["fit_decay"] = [(np.array([2.0, 0.7, 0.1]),), (_u(3, lo=0.2, hi=2.0),), (np.array([1.0, 1.0, 0.0]),)]
    c["fit_two_species"] = [(_u(2, lo=0.1, hi=1.0), _u(2, lo=5, hi=10)), (_u(2, lo=0.1, hi=1.0), 9.0),
                            (_u(1, 2, lo=0.1, hi=1.0), _u(1, 2, lo=5, hi=10))]
    c["fit_polynomial"] = [(_u(2),), (_u(3),), (_u(5),)]
    # Physics.
    c["heat_equation"] = [(_u(6), 0.2), (_u(3), 0.4), (_u(10), 0.1)]
    c["heat_equation_in_place"] = [(_u(6), 0.2), (_u(3), 0.4), (_u(10), 0.1)]
    c["leapfrog"] = [(_u(), _u(), 1.5), (_u(4), _u(4), 0.7), (_u(3, 2), _u(3, 2), 2.0), (_u(1, 3), 0.1, 1.0)]
    c["euler_lotka_volterra"] = [(np.array([1.0, 0.5]), 0.6, 0.8), (_u(2, lo=0.2, hi=1.5), 1.1, 0.3),
                                 (_u(2, lo=0.2, hi=1.5), 0.2, 1.2)]
    c["spring_chain"] = [(np.cumsum(_u(4, lo=0.8, hi=1.2)), 2.0, 1.0), (np.cumsum(_u(7, lo=0.5, hi=1.5)), 0.5, 1.1),
                         (_u(2), 1.0, 0.5)]
    c["pair_potential"] = [(_u(3, 3),), (_u(4, 2),), (_u(2, 1),)]
    c["newton_cube_root"] = [(1.7,), (_u(3, lo=0.5, hi=2.0),), (_u(2, 2, lo=0.5, hi=2.0),)]
    c["wave_2d"] = [(_u(4, 4),), (_u(3, 5),), (_u(5, 3),)]
    # Reductions and structure.
    c["column_means"] = [(_u(3, 4),), (_u(1, 4),), (_u(4, 1),)]
    c["row_normalize"] = [(_u(3, 4, lo=0.5, hi=2),), (_u(1, 4, lo=0.5, hi=2),), (_u(4, 1, lo=0.5, hi=2),)]
    c["covariance_trace"] = [(_u(3, 4),), (_u(2, 1),), (_u(5, 2),)]
    c["reductions_tuple_axis"] = [(_distinct(2, 3, 4, lo=0.2),), (_distinct(1, 2, 2, lo=0.2),),
                                  (_distinct(3, 1, 2, lo=0.2),)]
    c["reshape_ravel"] = [(_u(4),), (_u(2, 3),), (_u(2, 2, 2),)]
    c["concatenate_stack"] = [(_u(3), _u(3)), (_u(1), _u(1)), (_u(5), _u(5))]
    c["outer_weighted"] = [(_u(3), _u(2), _u(3, 2)), (_u(1), _u(4), _u(1, 4)), (_u(3), _u(3), 0.5)]
    c["einsum_forms"] = [(_u(3, 2), _u(2), _u(3)), (_u(1, 4), _u(4), _u(1)), (_u(4, 4), _u(4), _u(4))]
    c["matmul_forms"] = [(_u(3, 3), _u(3, 3), _u(3)), (_u(2, 4), _u(2, 4), _u(4)), (_u(1, 2), _u(1, 2), _u(2))]
    c["trace_cubed"] = [(_u(3, 3),), (_u(1, 1),), (_u(5, 5),)]
    c["cumsum_diff"] = [(_u(5),), (_u(2),), (_u(8),)]
    c["norms"] = [(_u(3), _u(2, 3)), (_u(5), _u(1, 4)), (_u(1), _u(3, 3))]
    c["spread"] = [(_distinct(5),), (_distinct(3, 4),), (_distinct(1, 4),)]
    c["row_products"] = [(_u(3, 4),), (_u(1, 4),), (_u(4, 1),)]
    c["expand_squeeze"] = [(_u(3),), (_u(1),), (_u(5),)]
    c["fancy_indexing"] = [(_u(3, 4),), (_u(4, 2),), (_u(3, 1),)]
    c["shape_attributes"] = [(_u(4),), (_u(3, 2),), (_u(1, 5),)]
    c["builtin_sum"] = [(_u(4),), (_u(1),), (_u(7),)]
    c["transposes"] = [(_u(3, 2),), (_u(2, 3, 2),), (_u(4),)]
    c["clip_sign_round"] = [(_not_near_integers(5),), (_not_near_integers(1, 4),), (_not_near_integers(3, 4),),
                            (1.75,)]
    c["minimum_maximum"] = []
    for shape_a, shape_b in [((5,), (5,)), ((3, 4), (4,)), ((1, 4), (3, 1)), ((), (3,))]:
        while True:  # a and b at least 0.05 apart and a at least 0.05 from 0.5 (the ties of max and min)
            a, b = _u(*shape_a), _u(*shape_b)
            if np.all(np.abs(np.asarray(a) - b) > 0.05) and np.all(np.abs(np.asarray(a) - 0.5) > 0.05):
                break
        c["minimum_maximum"].append((a, b))
    c["reciprocal_square"] = [(_away(),), (_away(5),), (_away(1, 4),), (_away(3, 4),)]
    # Linear algebra.
    c["solve_sum"] = [(_wellconditioned(3), _u(3)), (_wellconditioned(2), _u(2, 3)), (_wellconditioned(1), _u(1))]
    c["inverse_trace"] = [(_wellconditioned(3),), (_wellconditioned(2),), (_wellconditioned(4),)]
    c["determinant"] = [(_wellconditioned(3),), (_wellconditioned(2),), (_wellconditioned(1),)]
    c["log_determinant"] = [(_u(3, 3),), (_u(2, 4),), (_u(4, 2),)]
    c["gaussian_nll"] = [(_u(3), _u(3, 3), _u(3)), (_u(2), _u(2, 4), _u(2)), (_u(1), _u(1, 1), _u(1))]
    c["ridge_closed_form"] = [(_u(5, 3), _u(5), 0.1), (_u(3, 2), _u(3), 1.0), (_u(4, 1), _u(4), 0.5)]
    # Local arrays, rebinding, control flow.
    c["in_place_local"] = [(_u(3),), (_u(4),), (_u(5),)]
    c["column_updates"] = [(_u(4, 3), _u(3)), (_u(2, 5), _u(3)), (_u(1, 3), _u(4))]
    c["augmented_arrays"] = [(_u(4), _u(4)), (_u(2, 3), _u(3)), (_u(3, 1), _u(1)), (_u(3), 0.7)]
    c["gradient_descent_steps"] = [(_u(),), (_u(4),), (_u(1, 3),), (_u(3, 2),), ([0.5, -0.25, 1.0],)]
    c["early_exit"] = [(np.array([0.5, -0.3, 1.0]),), (np.array([0.1, 2.5, 0.7, 3.0]),), (np.array([3.0, 1.0]),)]
    c["branch_on_sum"] = [(_u(4, lo=0.1),), (_u(4, hi=-0.1),), (_u(2, 3, lo=0.1),), (-0.5,)]
    c["branch_on_norm"] = [(_u(3, lo=0.7, hi=1.5), _u(3)), (_u(3, lo=0.1, hi=0.4), _u(3)),
                           (_u(2, 2, lo=0.1, hi=0.3), _u(2, 2)), (_u(2, 3, lo=0.5, hi=1.0), 2.0)]
    c["loop_accumulate_rows"] = [(_u(4, 3), _u(3)), (_u(1, 2), _u(2)), (_u(3, 1), _u(1))]
    c["running_max_loop"] = [(np.array([0.1, 0.5, 0.3, 0.9, -0.2]),), (np.array([1.0, 0.2]),),
                             (np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5]),)]
    return c


CASES = _cases()

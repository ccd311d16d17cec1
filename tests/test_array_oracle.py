"""The array oracle checked on its own: against gradients derived by hand, and against its 50-digit path.

Nothing here calls s2sad. The catalogue's points are checked to be where finite
differences can be trusted (a small error estimate: clear of kinks and branch
switches), and the oracle is shown to reject a gradient that is slightly wrong.
"""

import inspect

import array_oracle as oracle
import catalogue_arrays as cat
import numpy as np
import pytest

FUNCTIONS = sorted(n for n, f in vars(cat).items()
                   if inspect.isfunction(f) and f.__module__ == cat.__name__ and not n.startswith("_"))
CASES = [(name, k) for name in sorted(cat.CASES) for k in range(len(cat.CASES[name]))]
# What the 50-digit stand-in does not have: these are checked by finite differences and by hand only.
NO_50_DIGITS = {"solve_sum", "inverse_trace", "determinant", "log_determinant", "gaussian_nll", "ridge_closed_form"}


# ---------------------------------------------------------------- gradients derived by hand


def sphere(x):
    return [2 * x]


def rosenbrock(x):
    g = np.zeros_like(x)
    inner = x[1:] - x[:-1] ** 2
    g[:-1] += -400 * x[:-1] * inner - 2 * (1 - x[:-1])
    g[1:] += 200 * inner
    return [g]


def rastrigin(x):
    return [2 * x + 20 * np.pi * np.sin(2 * np.pi * x)]


def styblinski_tang(x):
    return [2 * x**3 - 16 * x + 2.5]


def zakharov(x):
    i = np.arange(1, len(x) + 1)
    s = np.sum(0.5 * i * x)
    return [2 * x + (2 * s + 4 * s**3) * 0.5 * i]


def trid(x):
    g = 2 * (x - 1)
    g[1:] -= x[:-1]
    g[:-1] -= x[1:]
    return [g]


def dixon_price(x):
    g = np.zeros_like(x)
    g[0] = 2 * (x[0] - 1)
    i = np.arange(2, len(x) + 1)
    t = 2 * i * (2 * x[1:] ** 2 - x[:-1])
    g[1:] += t * 4 * x[1:]
    g[:-1] -= t
    return [g]


def least_squares(w, X, y):
    r = X @ w - y
    gy = -r if np.ndim(y) else -float(np.sum(r))
    return [X.T @ r, np.outer(r, w), gy]


def logistic_regression(w, X, y):
    z = y * (X @ w)
    s = -1 / (1 + np.exp(z))  # d log1p(exp(-z)) / dz
    return [X.T @ (s * y), np.outer(s * y, w), s * (X @ w)]


def softmax_cross_entropy(W, X, Y):
    m = X.shape[0]
    logits = X @ W
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    G = (p * Y.sum(axis=1, keepdims=True) - Y) / m
    return [X.T @ G, G @ W.T, -np.log(p) / m]


def log_sum_exp(x):
    p = np.exp(x - np.max(x))
    return [p / np.sum(p) if np.ndim(x) else 1.0]


def cosine_similarity(a, b):
    na, nb, d = np.linalg.norm(a), np.linalg.norm(b), a @ b
    return [b / (na * nb) - d * a / (na**3 * nb), a / (na * nb) - d * b / (nb**3 * na)]


def determinant(A):
    d = np.linalg.det(A)
    return [(d + abs(d)) * np.linalg.inv(A).T]  # d det = det A^-T; det(A A^T)^0.5 = |det A|


def trace_cubed(A):
    return [3 * (A @ A).T]


def ridge(w, X, y, lam):
    m = len(y)
    r = X @ w - y
    return [2 * X.T @ r / m + 2 * lam * w, 2 * np.outer(r, w) / m, -2 * r / m, float(np.sum(w**2))]


def heat_equation(u0, r):
    n = len(u0)
    L = np.zeros((n, n))
    for i in range(1, n - 1):
        L[i, i - 1 : i + 2] = [1.0, -2.0, 1.0]
    M = np.eye(n) + r * L
    steps = [np.linalg.matrix_power(M, k) for k in range(11)]
    u = steps[10] @ u0
    du_dr = sum(steps[k] @ L @ steps[9 - k] @ u0 for k in range(10))
    return [2 * steps[10].T @ u, float(2 * u @ du_dr)]


HAND = {f.__name__: f for f in [sphere, rosenbrock, rastrigin, styblinski_tang, zakharov, trid, dixon_price,
                                 least_squares, logistic_regression, softmax_cross_entropy, log_sum_exp,
                                 cosine_similarity, determinant, trace_cubed, ridge, heat_equation]}
HAND_CASES = [(name, k) for name in sorted(HAND) for k in range(len(cat.CASES[name]))]


def hand(name, args):
    return [float(g) if isinstance(a, float) else np.asarray(g, dtype=np.float64)
            for g, a in zip(HAND[name](*args), args) if oracle.is_differentiable(a)]


# ---------------------------------------------------------------- the catalogue itself


def test_catalogue_is_large_and_every_function_has_cases():
    assert len(FUNCTIONS) >= 60
    assert set(FUNCTIONS) == set(cat.CASES)
    assert all(len(cases) >= 3 for cases in cat.CASES.values())


def test_shape_free_functions_are_checked_at_a_float_a_vector_a_row_and_a_matrix():
    for name in ["sphere", "styblinski_tang", "alpine", "ackley", "log_sum_exp", "reciprocal_square"]:
        shapes = [np.shape(args[0]) for args in cat.CASES[name]]
        assert () in shapes and any(len(s) == 1 for s in shapes), name
        assert any(len(s) == 2 and s[0] == 1 for s in shapes) and any(len(s) == 2 and s[0] > 1 for s in shapes), name


@pytest.mark.parametrize("name,k", CASES)
def test_each_case_gives_a_scalar_from_floats_and_float64_arrays(name, k):
    args = cat.CASES[name][k]
    for a in args:
        assert isinstance(a, (float, int, list)) or (isinstance(a, np.ndarray) and a.dtype == np.float64), (name, a)
    before = [np.array(a, copy=True) for a in args]
    assert np.ndim(getattr(cat, name)(*args)) == 0
    assert all(np.array_equal(a, b) for a, b in zip(args, before)), "the function changed its arguments"


def test_cases_are_deterministic():
    """The module's cases come from a seeded generator: running its text again gives the same arrays."""
    again: dict = {"__name__": "catalogue_arrays_again"}
    exec(compile(open(cat.__file__).read(), cat.__file__, "exec"), again)
    for name, cases in cat.CASES.items():
        for a, b in zip(cases, again["CASES"][name], strict=True):
            assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True)), name


@pytest.mark.parametrize("name,k", CASES)
def test_points_are_clear_of_kinks_and_switches(name, k):
    """Finite differences are trustworthy at every catalogue point: the extrapolation agrees with itself."""
    args = cat.CASES[name][k]
    grads, errs = oracle.gradient_with_error(getattr(cat, name), args)
    scale = oracle.scale_of(grads)
    assert max(float(np.max(e)) for e in errs) <= 1e-10 * scale, name


# ---------------------------------------------------------------- finite differences against the hand


@pytest.mark.parametrize("name,k", HAND_CASES)
def test_finite_differences_match_hand_derived_gradients(name, k):
    args = cat.CASES[name][k]
    want = hand(name, args)
    got = oracle.gradient(getattr(cat, name), args)
    # The oracle's tolerance is 1e-8 of the scale; it does much better than that here.
    oracle.assert_gradients_close(got, want, args, oracle.positions(args), rtol=1e-9, what=name)


@pytest.mark.parametrize("name,k", HAND_CASES)
def test_directional_derivative_matches_the_hand(name, k):
    args = cat.CASES[name][k]
    rng = np.random.default_rng(k)
    where = oracle.positions(args)
    v = {i: rng.standard_normal(np.shape(args[i])) for i in where}
    want = sum(float(np.sum(g * v[i])) for g, i in zip(hand(name, args), where))
    got, err = oracle.directional(getattr(cat, name), args, v)
    scale = max(1.0, sum(float(np.sum(np.abs(g * v[i]))) for g, i in zip(hand(name, args), where)))
    assert abs(got - want) <= 1e-9 * scale and err <= 1e-9 * scale, (got, want, err)


def test_a_slightly_wrong_gradient_is_rejected():
    args = cat.CASES["rosenbrock"][1]
    want = oracle.gradient(cat.rosenbrock, args)
    wrong = [want[0].copy()]
    wrong[0][2] += 1e-6 * oracle.scale_of(want)
    with pytest.raises(AssertionError, match="off by"):
        oracle.assert_gradients_close(wrong, want, args, [0])
    with pytest.raises(AssertionError, match="shape"):
        oracle.assert_gradients_close([want[0][:-1]], want, args, [0])
    with pytest.raises(AssertionError, match="not a float"):
        oracle.assert_gradients_close([np.array(1.0)], [1.0], (1.0,), [0])
    with pytest.raises(AssertionError, match="dtype"):
        oracle.assert_gradients_close([want[0].astype(np.float32)], want, args, [0], rtol=1e-3)


def test_a_kink_inside_the_step_shows_in_the_error_estimate():
    """Where a step crosses a kink the estimate says so, which is what the clear-of-kinks test relies on."""
    _, errs = oracle.gradient_with_error(cat.alpine, (np.array([0.004, 0.7]),))
    assert errs[0][0] > 1e-6 and errs[0][1] < 1e-10


def test_wrt_and_integers_and_lists():
    assert oracle.positions((np.ones(2), 10, 1.5, [1.0, 2.0], True)) == [0, 2, 3]  # ints and flags are not
    args = cat.CASES["powell"][4]  # a list argument gets an array of its length
    (g,) = oracle.gradient(cat.powell, args)
    assert isinstance(g, np.ndarray) and g.shape == (4,)
    w, X, y = cat.CASES["least_squares"][0]
    (gy,) = oracle.gradient(cat.least_squares, (w, X, y), wrt=[2])
    np.testing.assert_allclose(gy, hand("least_squares", (w, X, y))[2], rtol=1e-9)


# ---------------------------------------------------------------- the 50-digit path


@pytest.mark.parametrize("name", sorted(set(cat.CASES) - NO_50_DIGITS))
def test_fifty_digit_path_runs_the_same_function(name):
    f, g = getattr(cat, name), oracle.mp_function(getattr(cat, name))
    for args in cat.CASES[name]:
        value = g(*[oracle.to_mp(a) if oracle.is_differentiable(a) else a for a in args])
        assert abs(float(value) - f(*args)) <= 1e-12 * max(1.0, abs(f(*args))), name


@pytest.mark.parametrize("name", sorted(NO_50_DIGITS))
def test_fifty_digit_path_refuses_what_it_lacks(name):
    g = oracle.mp_function(getattr(cat, name))
    args = cat.CASES[name][0]
    with pytest.raises(AttributeError):
        g(*[oracle.to_mp(a) if oracle.is_differentiable(a) else a for a in args])


@pytest.mark.parametrize("name,k", [(n, k) for n, k in HAND_CASES if n not in NO_50_DIGITS])
def test_fifty_digit_path_matches_the_hand(name, k):
    args = cat.CASES[name][k]
    got = oracle.mp_gradient(oracle.mp_function(getattr(cat, name)), args)
    oracle.assert_gradients_close(got, hand(name, args), args, oracle.positions(args), rtol=1e-12, what=name)


@pytest.mark.parametrize("name,k", [(n, k) for n, k in CASES if n not in NO_50_DIGITS])
def test_finite_differences_match_fifty_digits(name, k):
    """The finite-difference oracle checked on everything the 50-digit path runs."""
    args = cat.CASES[name][k]
    want = oracle.mp_gradient(oracle.mp_function(getattr(cat, name)), args)
    got = oracle.gradient(getattr(cat, name), args)
    oracle.assert_gradients_close(got, want, args, oracle.positions(args), rtol=1e-10, what=name)

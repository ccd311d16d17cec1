"""The hand-written array adjoints of the benchmarks against central differences of the programs.

The benchmark's reference (scripts/handwritten_arrays.py) must itself be right:
each gradient is checked by directional derivatives <g, v> along random
directions v (per differentiated parameter and all at once), against a
Richardson-extrapolated central difference of the program as written in
scripts/array_programs.py. Nothing of s2sad is involved.

Tolerance: with step h the extrapolated difference has truncation error
O(h^4) (times a fifth derivative along v, of order 1 here) and rounding error
about 3 eps |f| / h. With h = 1e-3 on O(1) data both are below 1e-11 of
max(|<g, v>|, |f|, 1) (measured: at most 4e-11); the test allows 1e-7, three
orders of margin, while a wrong gradient term is an error of order one.
`test_the_check_sees_small_errors` shows the check fails on a gradient with
one entry wrong by 1e-5 of the gradient's norm.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))

import array_programs as programs  # noqa: E402
import handwritten_arrays as hand  # noqa: E402

H = 1e-3
RTOL = 1e-7
VARIANTS = pytest.mark.parametrize("variant", ["", "_exact"])  # the expert's adjoint; the one keeping f's value


def _as_tuple(grad) -> tuple:
    return grad if isinstance(grad, tuple) else (grad,)


def _directional_difference(f, args: list, positions: list[int], v: list[np.ndarray]) -> float:
    """d/dt f(args + t v) at t = 0: central differences at h and h/2, Richardson-extrapolated."""

    def at(t: float) -> float:
        moved = list(args)
        for i, d in zip(positions, v):
            moved[i] = args[i] + t * d
        return float(f(*moved))

    def central(h: float) -> float:
        return (at(h) - at(-h)) / (2 * h)

    return (4 * central(H / 2) - central(H)) / 3


def check(name: str, args: list, seed: int = 0, grad_fix=None, variant: str = "") -> None:
    """Value against the program (bit for bit for the `_exact` variant); <g, v> against the
    difference, per parameter and jointly."""
    f = getattr(programs, name)
    vg = getattr(hand, f"{name}_value_and_grad{variant}")
    wrt = hand.WRT[name]
    positions = [f.__code__.co_varnames.index(p) for p in wrt]
    before = [np.copy(a) for a in args]
    value, grad = vg(*args)
    grad = _as_tuple(grad)
    if grad_fix is not None:
        grad = grad_fix(grad)
    assert all(np.array_equal(a, b) for a, b in zip(args, before)), "the adjoint changed an argument"
    expected = f(*args)
    assert abs(value - expected) <= 1e-12 * max(1.0, abs(expected)), (value, expected)
    assert variant != "_exact" or value == expected, (value, expected)
    assert len(grad) == len(wrt)
    for g, i in zip(grad, positions):
        assert np.shape(g) == np.shape(args[i]) and np.asarray(g).dtype == np.float64
    rng = np.random.default_rng(seed)
    blocks = [[k] for k in range(len(wrt))] + ([list(range(len(wrt)))] if len(wrt) > 1 else [])
    for block in blocks:
        for _ in range(3):
            v = [rng.standard_normal(np.shape(args[positions[k]])) for k in block]
            exact = sum(float(np.vdot(grad[k], d)) for k, d in zip(block, v))
            approx = _directional_difference(f, args, [positions[k] for k in block], v)
            scale = max(abs(exact), abs(expected), 1.0)
            assert abs(exact - approx) <= RTOL * scale, (name, [wrt[k] for k in block], exact, approx)


@pytest.mark.parametrize("n, d, w_scale, lam", [(30, 5, 0.3, 0.1), (40, 4, 5.0, 0.0), (1, 1, 1.0, 2.0)])
@VARIANTS
def test_logistic_loss(n, d, w_scale, lam, variant):
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, d))
    y = rng.choice([-1.0, 1.0], size=n)
    w = w_scale * rng.standard_normal(d)  # w_scale 5: margins up to about 30, both branches of the stable form
    check("logistic_loss", [w, X, y, lam], variant=variant)


@pytest.mark.parametrize("n, n_in, n_hidden, n_out", [(4, 6, 5, 3), (1, 2, 3, 2), (7, 3, 8, 4)])
@VARIANTS
def test_mlp_loss(n, n_in, n_hidden, n_out, variant):
    rng = np.random.default_rng(n_in)
    W1 = rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)
    b1 = 0.1 * rng.standard_normal(n_hidden)
    W2 = rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)
    b2 = 0.1 * rng.standard_normal(n_out)
    X = rng.random((n, n_in))
    Y = np.eye(n_out)[rng.integers(0, n_out, size=n)]
    check("mlp_loss", [W1, b1, W2, b2, X, Y], variant=variant)


@pytest.mark.parametrize("n", [1, 2, 3, 10])
@VARIANTS
def test_rosenbrock(n, variant):
    x = np.random.default_rng(n).uniform(-1.5, 1.5, size=n)
    check("rosenbrock", [x], variant=variant)


@pytest.mark.parametrize("T, n_hidden, n_in", [(0, 3, 2), (1, 4, 3), (2, 4, 3), (6, 5, 2)])
@VARIANTS
def test_rnn_loss(T, n_hidden, n_in, variant):
    rng = np.random.default_rng(T)
    W = 0.8 * rng.standard_normal((n_hidden, n_hidden)) / np.sqrt(n_hidden)
    U = rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)
    b = 0.1 * rng.standard_normal(n_hidden)
    xs = rng.standard_normal((T, n_in))
    check("rnn_loss", [W, U, b, xs], variant=variant)


def _off_by(size: float, k: int):
    """A gradient fixer that adds size x (the k-th gradient's norm, at least 1) to its first entry."""

    def fix(grad: tuple) -> tuple:
        grad = [np.array(g, dtype=float) for g in grad]
        grad[k].flat[0] += size * max(1.0, float(np.linalg.norm(grad[k])))
        return tuple(grad)

    return fix


@pytest.mark.parametrize("name, k", [("logistic_loss", 0), ("rosenbrock", 0), ("mlp_loss", 1), ("rnn_loss", 0)])
@VARIANTS
def test_the_check_sees_small_errors(name, k, variant):
    """The check is sharp: one entry wrong by 1e-5 of the gradient's norm fails it."""
    rng = np.random.default_rng(5)
    args = {
        "logistic_loss": lambda: [rng.standard_normal(3), rng.standard_normal((8, 3)),
                                  rng.choice([-1.0, 1.0], size=8), 0.1],
        "rosenbrock": lambda: [rng.uniform(-1.5, 1.5, size=6)],
        "mlp_loss": lambda: [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 2)),
                             rng.standard_normal(2), rng.random((5, 3)), np.eye(2)[[0, 1, 1, 0, 1]]],
        "rnn_loss": lambda: [0.5 * rng.standard_normal((3, 3)), rng.standard_normal((3, 2)),
                             rng.standard_normal(3), rng.standard_normal((4, 2))],
    }[name]()
    check(name, args, variant=variant)  # right as written
    with pytest.raises(AssertionError, match=name):
        check(name, args, grad_fix=_off_by(1e-5, k), variant=variant)

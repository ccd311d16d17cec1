"""Programs built from the array sheet's rows, differentiated by a small tape over them.

The tape runs each row's forward, then walks back through the calls applying the rows' VJPs and
adding up the adjoints of operands used more than once; nothing else. The oracle is independent of
the VJPs: central differences (one Richardson step, h = 1e-4 relative to each entry's scale) of the
same program run forward only. Programs are the shapes of real losses: logistic regression, an MLP
with softmax cross-entropy, vectorised Rosenbrock, an RNN, a Gaussian likelihood through Cholesky,
time stepping with array state, a least-squares fit of stacked features. Tolerance rtol 1e-6 of the
gradient's scale: the programs' derivatives are O(1) to O(100) at these inputs, where truncation
(O(h^4)) and roundoff (eps |f| / h, about 1e-12) are far below it.
"""

from __future__ import annotations

import numpy as np
import pytest

from array_sheet import forward, vjps


class Var:
    """A value the tape tracks (its adjoint is keyed by the object)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _raw(x):
    if isinstance(x, tuple):
        return tuple(_raw(p) for p in x)
    return x.value if isinstance(x, Var) else x


class Tape:
    def __init__(self):
        self.ops = []

    def __call__(self, key, *operands, **options):
        raw = tuple(_raw(o) for o in operands)
        out = Var(forward(key, raw, options))
        self.ops.append((key, operands, raw, options, out))
        return out

    def gradient(self, result: Var, params: list[Var]) -> list:
        adjoints = {id(result): 1.0}

        def add(operand, part):
            if isinstance(operand, Var):
                old = adjoints.get(id(operand))
                adjoints[id(operand)] = part if old is None else old + part  # parts may be read-only views

        for key, operands, raw, options, out in reversed(self.ops):
            g = adjoints.get(id(out))
            if g is None:
                continue
            for operand, part in zip(operands, vjps(key, raw, options, g, out.value)):
                if part is None:
                    continue
                if isinstance(operand, tuple):  # a variadic operand: one adjoint per array
                    for o, p in zip(operand, part):
                        add(o, p)
                else:
                    add(operand, part)
        return [adjoints.get(id(p), np.zeros(np.shape(p.value))) for p in params]


def plain(key, *operands, **options):
    return forward(key, operands, options)


# ---- the programs: `t` is the tape or `plain`
def logistic(t, w, b, X, y):
    margin = t("multiply", y, t("add", t("matmul", X, w), b))
    return t("mean", t("log1p", t("exp", t("negative", margin))))


def mlp(t, W1, b1, W2, b2, X, labels):
    h = t("tanh", t("add", t("matmul", X, W1), b1))
    logits = t("add", t("matmul", h, W2), b2)
    s = t("subtract", logits, t("max", logits, axis=1, keepdims=True))
    lse = t("log", t("sum", t("exp", s), axis=1))
    picked = t("getitem", s, index=(np.arange(len(labels)), labels))
    return t("mean", t("subtract", lse, picked))


def rosenbrock(t, x):
    head, tail = t("getitem", x, index=(slice(None, -1),)), t("getitem", x, index=(slice(1, None),))
    r = t("subtract", tail, t("square", head))
    terms = t("add", t("multiply", 100.0, t("square", r)), t("square", t("subtract", 1.0, head)))
    return t("sum", terms)


def rnn(t, W, U, b, xs):
    h = np.zeros(W.value.shape[0] if isinstance(W, Var) else W.shape[0])
    for step in range(xs.shape[0]):
        pre = t("add", t("add", t("matmul", W, h), t("matmul", U, t("getitem", xs, index=step))), b)
        h = t("tanh", pre)
    return t("sum", t("square", h))


def gaussian(t, A, y):
    n = y.shape[0]
    cov = t("add", t("matmul", A, t("transpose", A)), 3.0 * np.eye(n))
    L = t("linalg.cholesky", cov)
    alpha = t("linalg.solve", L, y)
    logdet = t("sum", t("log", t("einsum/1", L, subscripts="ii->i")))
    return t("add", t("multiply", 0.5, t("sum", t("square", alpha))), logdet)


def oscillators(t, x, v, k):
    dt = 0.1
    for _ in range(5):
        v = t("add", v, t("multiply", dt, t("negative", t("multiply", k, x))))
        x = t("add", x, t("multiply", dt, v))
    return t("add", t("sum", t("square", x)), t("linalg.norm", v))


def fit(t, c, x, data):
    features = t("stack", (x, t("square", x), t("sin", x)), axis=1)
    residual = t("subtract", t("matmul", features, c), data)
    return t("vdot", residual, residual)


rng = np.random.default_rng(7)
PROGRAMS = [  # program(t, *parameters, *data), data, parameters (differentiated)
    (logistic, [rng.normal(size=(8, 3)), np.sign(rng.normal(size=8))], [rng.normal(size=3), 0.3]),
    (mlp, [rng.normal(size=(6, 5)), np.array([0, 2, 1, 1, 2, 0])],
     [rng.normal(size=(5, 4)), rng.normal(size=4), rng.normal(size=(4, 3)), rng.normal(size=3)]),
    (rosenbrock, [], [rng.normal(size=6)]),
    (rnn, [rng.normal(size=(4, 2))], [0.5 * rng.normal(size=(3, 3)), rng.normal(size=(3, 2)), rng.normal(size=3)]),
    (gaussian, [rng.normal(size=3)], [rng.normal(size=(3, 3))]),
    (oscillators, [], [rng.normal(size=4), rng.normal(size=4), 1.5 + rng.uniform(size=4)]),
    (oscillators, [], [rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), 2.0]),  # k a number: broadcast
    (fit, [np.linspace(-1, 1, 7), rng.normal(size=7)], [rng.normal(size=3)]),
]


def _call(program, data, params, t):
    return program(t, *params, *data)


@pytest.mark.parametrize("program, data, params", PROGRAMS, ids=[f"{p[0].__name__}{i}" for i, p in enumerate(PROGRAMS)])
def test_program_gradient_against_finite_differences(program, data, params):
    tape = Tape()
    variables = [Var(p) for p in params]
    result = _call(program, data, variables, tape)
    grads = tape.gradient(result, variables)
    assert float(result.value) == pytest.approx(float(_call(program, data, params, plain)), rel=1e-15)
    for i, p in enumerate(params):
        assert np.shape(grads[i]) == np.shape(p)
        flat = np.array(p, dtype=float).ravel()
        want = np.zeros(flat.size)
        for j in range(flat.size):
            h = 1e-4 * max(1.0, abs(flat[j]))

            def f(step):
                moved = flat.copy()
                moved[j] += step
                args = list(params)
                args[i] = moved.reshape(np.shape(p)) if np.ndim(p) else float(moved[0])
                return float(_call(program, data, args, plain))

            d1 = (f(h) - f(-h)) / (2 * h)
            d2 = (f(h / 2) - f(-h / 2)) / h
            want[j] = (4 * d2 - d1) / 3
        got = np.ravel(grads[i])
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * (1 + np.max(np.abs(want))))

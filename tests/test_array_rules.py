"""The array calculus sheet: every row's VJP against finite differences of its own forward, in float64.

The oracle is independent of the sheet's VJP templates: central differences of the NumPy call (the
forward template, plain NumPy), Richardson-extrapolated once. Two checks per case:

- the dot-product test, <vjp(g), v> = d/dt <g, f(x + t v)> at t = 0, for random g and v;
- for small operands, the full Jacobian-transpose product: every entry of vjp(g) against the
  difference quotient of <g, f> along that entry alone.

Tolerance: with step h = 1e-3 and one Richardson step, the truncation error is O(h^4) times a fifth
derivative (inputs are O(1) and matrices well conditioned, so about 1e-12 of the scale), and roundoff
is about eps * |<g, f>| / h ~ 1e-13 of it; rtol 1e-7 of the scale (|<vjp, v>| + |<g, f'>| + 1) is four
orders above both, while a wrong VJP (a wrong entry, sign, transpose or missing broadcast sum) is off by
O(1) of the scale. Inputs keep a distance of at least 0.05 from every kink (ties, bounds, zeros,
integers), far beyond h; the tie and boundary rules have their own tests.

Helpers are run from their source text (HELPERS), exactly as a generated module includes them, and
option values are substituted as literals (option_literal + instantiate), as the lead's emitter does.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s2sad.array_helper_text import HELPERS, SHAPE_ONLY, helpers_used
from s2sad.array_rules import (
    ARRAY_RULES, ATTRIBUTES, IDENTITIES, METHODS, NUMPY_NAMES, OPERATORS, REQUIRED, TUPLE_RESULTS, ArrayRule, add_rule, find_rule, instantiate,
    option_literal, reads, table_markdown, validate_options,
)
from s2sad.array_templates import check_template

from array_sheet import NS, differentiable, evaluate, forward, vjps

H = 1e-3
RTOL = 1e-7


# ---- operands: a spec is a shape (random normal), "float" (a Python float) or an array given as is
def make(spec, rng: np.random.Generator):
    if isinstance(spec, str) and spec == "float":
        return float(rng.normal())
    if isinstance(spec, np.ndarray):
        return spec
    return rng.normal(size=spec)


def away_from(x, points, gap=0.05):
    """x moved so no entry is within `gap` of any of `points` (kinks)."""
    x = np.array(x, dtype=float)
    for p in points:
        near = np.abs(x - p) < gap
        x = np.where(near, p + np.where(x >= p, gap, -gap) * 2, x)
    return x if np.ndim(x) else float(x)


def spd(shape, rng):
    m = rng.normal(size=shape)
    n = shape[-1]
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def well_conditioned(shape, rng):
    return rng.normal(size=shape) + 3 * np.eye(shape[-1])


R_SHAPES = [
    ((), {}), ((5,), {}), ((5,), {"axis": 0}), ((5,), {"axis": -1, "keepdims": True}),
    ((1, 4), {"axis": 0}), ((3, 4), {}), ((3, 4), {"axis": 0}), ((3, 4), {"axis": 1}),
    ((3, 4), {"axis": -1}), ((3, 4), {"axis": (0, 1)}), ((3, 4), {"axis": (1, 0), "keepdims": True}),
    ((3, 4), {"keepdims": True}), ((2, 3, 4), {"axis": (0, 2)}), ((2, 3, 4), {"axis": -2, "keepdims": True}),
    ((2, 3, 4), {"axis": (-1, 0)}), ((2, 3, 4), {"axis": ()}), ((2, 3, 4), {}),
]

CASES: list[tuple[str, tuple, dict]] = []
for _key in ("sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std"):
    CASES += [(_key, (shape,), opts) for shape, opts in R_SHAPES if _key not in ("var", "std") or shape]
CASES += [("var", ((3, 4),), {"axis": 0, "ddof": 1}), ("std", ((2, 3, 4),), {"axis": (0, 2), "ddof": 1})]
CASES += [(_key, ("float",), {}) for _key in ("sum", "mean", "prod", "max", "min")]
CASES += [
    ("prod", (np.array([1.5, 0.0, -2.0, 0.7]),), {}),  # a zero: the others' product, not z / x
    ("prod", (np.array([[0.0, 2.0, 0.0], [1.5, -1.0, 0.5]]),), {"axis": 1}),  # two zeros in a row
    ("prod", (np.array([[0.0, 2.0], [0.0, 3.0]]),), {"axis": 0, "keepdims": True}),
    ("cumsum", ((5,),), {}), ("cumsum", ((3, 4),), {}), ("cumsum", ((3, 4),), {"axis": 0}),
    ("cumsum", ((3, 4),), {"axis": -1}), ("cumsum", ((2, 3, 4),), {"axis": 1}), ("cumsum", ((),), {}),
    ("diff", ((6,),), {}), ("diff", ((6,),), {"n": 2}), ("diff", ((3, 5),), {"axis": 0}),
    ("diff", ((3, 5),), {}), ("diff", ((2, 3, 4),), {"axis": 1, "n": 2}), ("diff", ((2,),), {"n": 3}),
    ("diff", ((4,),), {"n": 0}),
    ("trace", ((3, 3),), {}), ("trace", ((3, 5),), {"offset": 1}), ("trace", ((4, 2),), {"offset": -1}),
    ("trace", ((2, 2, 3),), {}), ("trace", ((3, 4, 2, 2),), {"offset": 1}),
    ("dot", ((), ()), {}), ("dot", ((), (3,)), {}), ("dot", ((3, 2), ()), {}), ("dot", ("float", (3,)), {}),
    ("dot", ((4,), (4,)), {}), ("dot", ((3, 4), (4,)), {}), ("dot", ((4,), (4, 5)), {}),
    ("dot", ((3, 4), (4, 5)), {}), ("dot", ((2, 3, 4), (4, 5)), {}), ("dot", ((3, 4), (2, 4, 5)), {}),
    ("dot", ((2, 3, 4), (2, 4, 3)), {}), ("dot", ((4,), (2, 4, 3)), {}),
    ("matmul", ((4,), (4,)), {}), ("matmul", ((3, 4), (4,)), {}), ("matmul", ((4,), (4, 5)), {}),
    ("matmul", ((3, 4), (4, 5)), {}), ("matmul", ((2, 3, 4), (4, 5)), {}), ("matmul", ((3, 4), (2, 4, 5)), {}),
    ("matmul", ((2, 1, 3, 4), (5, 4, 2)), {}), ("matmul", ((4,), (2, 4, 5)), {}),
    ("matmul", ((2, 3, 4), (4,)), {}), ("matmul", ((1, 3, 4), (2, 4, 5)), {}), ("matmul", ((1, 4), (4, 1)), {}),
    ("inner", ((), (3,)), {}), ("inner", ((4,), (4,)), {}), ("inner", ((3, 4), (4,)), {}),
    ("inner", ((4,), (2, 4)), {}), ("inner", ((3, 4), (2, 4)), {}), ("inner", ((2, 3, 4), (5, 4)), {}),
    ("outer", ((3,), (4,)), {}), ("outer", ((), (3,)), {}), ("outer", ((2, 3), (4,)), {}),
    ("outer", ("float", "float"), {}),
    ("vdot", ((4,), (4,)), {}), ("vdot", ((2, 3), (3, 2)), {}), ("vdot", ((6,), (2, 3)), {}),
    ("einsum", ((3, 4), (4, 5)), {"subscripts": "ij,jk->ik"}), ("einsum", ((4,), (4,)), {"subscripts": "i,i->"}),
    ("einsum", ((2, 3), (2, 3)), {"subscripts": "ij,ij->ij"}), ("einsum", ((3, 4), (4,)), {"subscripts": "ij,j->i"}),
    ("einsum", ((2, 3), (2, 2)), {"subscripts": "ij,kl->ijkl"}), ("einsum", ((3, 3), (3,)), {"subscripts": "ii,i->i"}),
    ("einsum", ((3, 4), (4, 2)), {"subscripts": "ij,jk->"}), ("einsum", ((2, 3, 4), (2, 4, 3)), {"subscripts": "bij,bjk->bik"}),
    ("einsum", ((3, 4), (4,)), {"subscripts": "ij,j->j"}), ("einsum", ((3, 4), (4,)), {"subscripts": "ij, j -> ji"}),
    ("einsum/1", ((3, 3),), {"subscripts": "ii->"}), ("einsum/1", ((3, 4),), {"subscripts": "ij->j"}),
    ("einsum/1", ((3, 4),), {"subscripts": "ij->ji"}), ("einsum/1", ((3, 3),), {"subscripts": "ii->i"}),
    ("einsum/1", ((2, 3, 4),), {"subscripts": "ijk->kj"}), ("einsum/1", ((4,),), {"subscripts": "i->"}),
    ("einsum/1", ((3, 2, 3),), {"subscripts": "iji->j"}), ("einsum/1", ((2, 3),), {"subscripts": "ij->ij"}),
    ("transpose", ((3, 4),), {}), ("transpose", ((2, 3, 4),), {}), ("transpose", ((2, 3, 4),), {"axes": (1, 0, 2)}),
    ("transpose", ((2, 3, 4),), {"axes": (-1, 0, 1)}), ("transpose", ((),), {}), ("transpose", ((5,),), {}),
    ("swapaxes", ((3, 4),), {"axis1": 0, "axis2": 1}), ("swapaxes", ((2, 3, 4),), {"axis1": -1, "axis2": 0}),
    ("moveaxis", ((2, 3, 4),), {"source": 0, "destination": -1}),
    ("moveaxis", ((2, 3, 4),), {"source": (0, 1), "destination": (2, 0)}),
    ("flip", ((5,),), {}), ("flip", ((3, 4),), {"axis": 1}), ("flip", ((2, 3, 4),), {"axis": (0, -1)}),
    ("tril", ((3, 3),), {}), ("tril", ((3, 4),), {"k": 1}), ("tril", ((2, 3, 3),), {"k": -1}),
    ("triu", ((3, 3),), {}), ("triu", ((4, 3),), {"k": -1}),
    ("reshape", ((3, 4),), {"shape": (4, 3)}), ("reshape", ((12,),), {"shape": (2, -1, 3)}),
    ("reshape", ((2, 3, 4),), {"shape": (-1,)}), ("reshape", ((),), {"shape": (1, 1)}),
    ("ravel", ((),), {}), ("ravel", ((5,),), {}), ("ravel", ((3, 4),), {}), ("ravel", ((2, 3, 4),), {}),
    ("squeeze", ((1, 4),), {}), ("squeeze", ((3, 1, 1),), {"axis": 1}), ("squeeze", ((1, 3, 1),), {"axis": (0, -1)}),
    ("squeeze", ((1,),), {}),
    ("expand_dims", ((3,),), {"axis": 0}), ("expand_dims", ((3,),), {"axis": -1}),
    ("expand_dims", ((2, 3),), {"axis": (0, 2)}), ("expand_dims", ((),), {"axis": 0}),
    ("broadcast_to", ((),), {"shape": (3,)}), ("broadcast_to", ((3,),), {"shape": (2, 3)}),
    ("broadcast_to", ((1, 3),), {"shape": (4, 3)}), ("broadcast_to", ((2, 1),), {"shape": (3, 2, 4)}),
    ("broadcast_to", ((3,),), {"shape": (3,)}), ("broadcast_to", ("float",), {"shape": (2, 2)}),
    ("concatenate", (((2, 3), (4, 3)),), {}), ("concatenate", (((2, 3), (2, 1), (2, 2)),), {"axis": 1}),
    ("concatenate", (((2, 3), (2, 3)),), {"axis": -1}), ("concatenate", (((3,), (2, 2)),), {"axis": None}),
    ("concatenate", (((2,), (3,)),), {}),
    ("stack", (((3,), (3,)),), {}), ("stack", (((2, 3), (2, 3), (2, 3)),), {"axis": -1}),
    ("stack", (((), ()),), {}), ("stack", (((2, 3), (2, 3)),), {"axis": 1}), ("stack", (("float", "float"),), {}),
    ("hstack", (((2,), (3,)),), {}), ("hstack", (((2, 3), (2, 1)),), {}), ("hstack", (((), (3,)),), {}),
    ("hstack", (((2, 3, 1), (2, 1, 1)),), {}), ("hstack", (("float", (2,)),), {}),
    ("vstack", (((3,), (3,)),), {}), ("vstack", (((2, 3), (1, 3), (3,)),), {}), ("vstack", (((), ()),), {}),
    ("getitem", ((5,),), {"index": 2}), ("getitem", ((5,),), {"index": (slice(1, None, 2),)}),
    ("getitem", ((5,),), {"index": (slice(None, None, -1),)}), ("getitem", ((5,),), {"index": (slice(-4, -1),)}),
    ("getitem", ((3, 4),), {"index": (slice(None), 0)}), ("getitem", ((3, 4),), {"index": (slice(1, None), slice(None, None, 2))}),
    ("getitem", ((3, 4),), {"index": (None, 1)}), ("getitem", ((5,),), {"index": (np.array([0, 0, 3]),)}),
    ("getitem", ((3, 4),), {"index": (np.array([0, 2, 0]), slice(None))}),
    ("getitem", ((3, 4),), {"index": (np.array([0, 1, 1]), np.array([1, 1, 1]))}), ("getitem", ((3, 4),), {"index": (-1,)}),
    ("getitem", ((3, 4),), {"index": (np.array([True, False, True]),)}), ("getitem", ((2, 3, 4),), {"index": (Ellipsis, 1)}),
    ("getitem", ((4,),), {"index": [0, 0, 1]}), ("getitem", ((2, 3),), {"index": (slice(None), slice(None), None)}),
    ("setitem", ((5,), ()), {"index": (1,)}), ("setitem", ((5,), (2,)), {"index": (slice(1, 3),)}),
    ("setitem", ((3, 4), (4,)), {"index": (0,)}), ("setitem", ((3, 4), (3,)), {"index": (slice(None), 2)}),
    ("setitem", ((3, 4), ()), {"index": (np.array([0, 2]), slice(None))}), ("setitem", ((3, 4), (1,)), {"index": (1,)}),
    ("setitem", ((3, 4), "float"), {"index": (slice(None, None, -2), -1)}),
]
for _key in ("square", "reciprocal", "abs", "absolute", "negative"):
    CASES += [(_key, (s,), {}) for s in ((), "float", (5,), (3, 4), (2, 1, 3))]
for _key in ("add", "subtract", "multiply", "divide", "maximum", "minimum"):
    CASES += [(_key, s, {}) for s in (((5,), (5,)), ((3, 4), (4,)), ("float", (3,)), ((3, 1), (1, 4)),
                                     ((), ()), ((2, 3, 4), ()), ((3,), "float"))]
CASES += [
    ("clip", ((6,),), {"a_min": -0.5}), ("clip", ((6,),), {"a_max": 0.5}), ("clip", ((3, 4),), {"a_min": -0.3, "a_max": 0.6}),
    ("clip", ("float",), {"a_min": -2.0, "a_max": 2.0}), ("clip", ((2, 3),), {"a_min": np.array([-0.5, 0.0, 0.5])}),
    ("clip", ((3,),), {"a_min": np.array([[-0.5], [0.2]])}),  # the bound broadcasts x to (2, 3)
    ("where", (np.array([True, False, True, True, False]), (5,), (5,)), {}),
    ("where", (np.array([[True, False, True, False]] * 3), (4,), "float"), {}),
    ("where", (np.array([[True], [False], [True]]), (1, 4), (3, 4)), {}),
    ("where", (np.array(True), (), ()), {}), ("where", (np.array([True, False]), (3, 1), (2,)), {}),
]
for _key in ("sign", "floor", "ceil", "trunc", "rint", "round"):
    CASES += [(_key, (s,), {}) for s in ((5,), (3, 4), "float")]
CASES += [
    ("round", ((5,),), {"decimals": 1}),
    ("linalg.solve", ((3, 3), (3,)), {}), ("linalg.solve", ((3, 3), (3, 2)), {}), ("linalg.solve", ((1, 1), (1,)), {}),
    ("linalg.solve", ((2, 3, 3), (2, 3, 2)), {}), ("linalg.solve", ((2, 3, 3), (1, 3, 2)), {}),
    ("linalg.solve", ((3, 3), (2, 3, 2)), {}),
    ("linalg.inv", ((3, 3),), {}), ("linalg.inv", ((2, 3, 3),), {}), ("linalg.inv", ((1, 1),), {}),
    ("linalg.det", ((3, 3),), {}), ("linalg.det", ((2, 2, 2),), {}), ("linalg.det", ((1, 1),), {}),
    ("linalg.det", (np.array([[1.0, 2.0, 3.0], [2.0, 4.5, 1.0], [3.0, 6.5, 4.0]]),), {}),  # singular, rank 2
    ("linalg.det", (np.array([[0.0, 1.0], [0.0, 2.0]]),), {}),  # singular
    ("linalg.slogdet", ((3, 3),), {}), ("linalg.slogdet", ((2, 3, 3),), {}),
    ("linalg.slogdet", (np.array([[0.0, 2.0], [1.5, 0.3]]),), {}),  # negative determinant
    ("linalg.cholesky", ((3, 3),), {}), ("linalg.cholesky", ((2, 3, 3),), {}), ("linalg.cholesky", ((1, 1),), {}),
    ("linalg.norm", ((5,),), {}), ("linalg.norm", ((5,),), {"ord": 2}), ("linalg.norm", ((5,),), {"ord": 1}),
    ("linalg.norm", ((5,),), {"ord": math.inf}), ("linalg.norm", ((5,),), {"ord": -math.inf}),
    ("linalg.norm", ((5,),), {"ord": 3}), ("linalg.norm", ((5,),), {"ord": 1.5}), ("linalg.norm", ((5,),), {"ord": 0}),
    ("linalg.norm", ((3, 4),), {}), ("linalg.norm", ((3, 4),), {"ord": "fro"}), ("linalg.norm", ((3, 4),), {"axis": 1}),
    ("linalg.norm", ((3, 4),), {"axis": 0, "ord": 1}), ("linalg.norm", ((3, 4),), {"axis": (0, 1), "ord": "fro"}),
    ("linalg.norm", ((2, 3, 4),), {"axis": -1, "keepdims": True}), ("linalg.norm", ((2, 3, 4),), {}),
    ("linalg.norm", ((2, 3, 4),), {"axis": (1, 2), "keepdims": True}), ("linalg.norm", ((),), {}),
    ("linalg.norm", ((3, 4),), {"axis": -1, "ord": math.inf}),
]

# the scalar table's rows as ufuncs: unary at these shapes, binary with broadcasting
UFUNCS = [k for k, r in ARRAY_RULES.items() if IDENTITIES[k].endswith("(the scalar table)")]
for _key in UFUNCS + ["degrees", "radians"]:
    if len(ARRAY_RULES[_key].params) == 1:
        CASES += [(_key, (s,), {}) for s in ((), "float", (5,), (3, 4))]
    else:
        CASES += [(_key, s, {}) for s in (((5,), (5,)), ((3, 4), (4,)), ("float", (3,)), ((3, 1), (1, 4)), ((), ()))]
INTO_DOMAIN = {  # each operand moved into the function's domain, away from its edges
    **dict.fromkeys(["arcsin", "arccos", "arctanh", "asin", "acos", "atanh"], lambda x: 0.8 * np.tanh(x)),
    "arccosh": lambda x: 1.2 + np.abs(x), "acosh": lambda x: 1.2 + np.abs(x),
    "log": lambda x: 0.3 + np.abs(x), "log2": lambda x: 0.3 + np.abs(x), "log10": lambda x: 0.3 + np.abs(x),
    "sqrt": lambda x: 0.3 + np.abs(x), "log1p": lambda x: -0.6 + np.abs(x), "power": lambda x: 0.4 + np.abs(x),
    "pow": lambda x: 0.4 + np.abs(x),
}
KINKS = {k: [0.0] for k in ("abs", "absolute", "reciprocal", "fabs", "linalg.norm")}  # entries kept from these
STEPS = {"sign", "floor", "ceil", "trunc", "rint", "round"}  # inputs 0.1 to 0.4 past a grid point


def build(key: str, specs: tuple, options: dict, seed: int):
    rng = np.random.default_rng(seed)
    if key.startswith("linalg.") and key != "linalg.norm":
        ops = []
        for s in specs:
            if isinstance(s, np.ndarray):
                ops.append(s)
            elif not ops and key == "linalg.cholesky":
                ops.append(spd(s, rng))
            elif not ops:
                ops.append(well_conditioned(s, rng))
            else:
                ops.append(rng.normal(size=s))
        return tuple(ops)
    ops = []
    for s in specs:
        if isinstance(s, tuple) and s and (isinstance(s[0], tuple) or s[0] == "float" or s[0] == ()):
            ops.append(tuple(make(p, rng) for p in s))  # a tuple operand (xs)
        else:
            ops.append(make(s, rng))
    if key in KINKS:
        ops = [away_from(ops[0], KINKS[key])] + ops[1:]
    if key in INTO_DOMAIN:
        ops = [INTO_DOMAIN[key](ops[0])] + ops[1:]
        ops[0] = ops[0] if np.ndim(ops[0]) else float(ops[0])
    if key == "divide":  # the divisor away from 0
        ops = [ops[0], away_from(ops[1], [0.0], gap=0.3)]
    if key == "copysign":  # both away from 0
        ops = [away_from(x, [0.0]) for x in ops]
    if key in STEPS:
        step = 10.0 ** -options.get("decimals", 0)
        x = (rng.integers(-3, 3, size=np.shape(ops[0])) + rng.uniform(0.1, 0.4, size=np.shape(ops[0]))) * step
        ops = [x if np.ndim(ops[0]) else float(x)]
    if key in ("maximum", "minimum"):  # a and b apart everywhere they meet: draw again until they are
        while np.any(np.abs(np.subtract(*ops)) < 0.05):
            ops = [make(s, rng) for s in specs]
    if key == "clip":  # x apart from both bounds: draw again until it is
        bounds = [v for v in (options.get("a_min"), options.get("a_max")) if v is not None]
        while any(np.any(np.abs(np.subtract(ops[0], bd)) < 0.05) for bd in bounds):
            ops = [make(specs[0], rng)]
    if key == "linalg.norm" and options.get("ord") in (math.inf, -math.inf):
        ops = [np.arange(1, np.size(ops[0]) + 1).reshape(np.shape(ops[0])) * 0.37 * np.sign(ops[0])]
    return tuple(ops)


def _flat(v):
    if isinstance(v, tuple):
        return np.concatenate([np.ravel(p) for p in v]) if v else np.zeros(0)
    return np.ravel(np.asarray(v, dtype=float))


def _inner(a, b) -> float:
    return float(np.dot(_flat(a), _flat(b)))


def _axpy(x, t, v):
    if isinstance(x, tuple):
        return tuple(_axpy(p, t, q) for p, q in zip(x, v))
    r = np.asarray(x, dtype=float) + t * np.asarray(v, dtype=float)
    return float(r) if isinstance(x, float) else r


def _random_like(x, rng):
    if isinstance(x, tuple):
        return tuple(_random_like(p, rng) for p in x)
    return float(rng.normal()) if isinstance(x, float) else rng.normal(size=np.shape(x))


def directional(key, ops, options, g, active, vs) -> float:
    """d/dt <g, f(x + t v)> at 0: central differences with one Richardson step."""

    def F(t):
        moved = tuple(_axpy(x, t, v) if i in active else x for i, (x, v) in enumerate(zip(ops, vs)))
        return _inner(g, differentiable(key, forward(key, moved, options)))

    d = lambda h: (F(h) - F(-h)) / (2 * h)  # noqa: E731
    return (4 * d(H / 2) - d(H)) / 3


def _ids(case):
    key, specs, options = case
    return f"{key}-{specs!r}-{options!r}".replace(" ", "")[:90]


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_vjp_against_finite_differences(case):
    key, specs, options = case
    assert validate_options(key, options) is None
    check_vjp(key, build(key, specs, options, seed=len(key) * 7 + len(CASES)), options, seed=1)


def check_vjp(key: str, ops: tuple, options: dict, seed: int, full_up_to: int = 30) -> None:
    """Each VJP of row `key` at `ops`: its shape and dtype, the dot-product test, and for operands
    of at most `full_up_to` entries, every entry against its own difference quotient."""
    rule = ARRAY_RULES[key]
    rng = np.random.default_rng(seed)
    z = forward(key, ops, options)
    zd = differentiable(key, z)
    g = rng.normal(size=np.shape(zd))
    got = vjps(key, ops, options, g, z)
    active = [i for i, t in enumerate(rule.vjps) if t is not None]
    for i in active:  # each adjoint has its operand's shape (a tuple of them for xs), float64
        if rule.variadic:
            assert isinstance(got[i], tuple) and len(got[i]) == len(ops[i])
            assert [np.shape(p) for p in got[i]] == [np.shape(x) for x in ops[i]]
        else:
            assert np.shape(got[i]) == np.shape(ops[i]), (np.shape(got[i]), np.shape(ops[i]))
            assert np.asarray(got[i]).dtype == np.float64
    vs = [_random_like(x, rng) for x in ops]
    lhs = sum(_inner(got[i], vs[i]) for i in active)
    rhs = directional(key, ops, options, g, active, vs)
    scale = 1 + abs(rhs) + sum(np.sum(np.abs(_flat(got[i]) * _flat(vs[i]))) for i in active)
    assert abs(lhs - rhs) <= RTOL * scale, (lhs, rhs)
    # zero rows: the forward is locally constant (the oracle sees no change either)
    if not active:
        assert abs(directional(key, ops, options, g, [0], vs)) <= RTOL
    # the full Jacobian-transpose product, entry by entry, for small operands
    for i in active:
        x = ops[i]
        n = _flat(x).size
        if n > full_up_to:
            continue
        for j in range(n):
            e = np.zeros(n)
            e[j] = 1.0
            if isinstance(x, tuple):
                cut = np.cumsum([0] + [np.size(p) for p in x])
                ej = tuple(np.reshape(e[cut[k]:cut[k + 1]], np.shape(p)) for k, p in enumerate(x))
                ej = tuple(float(q) if isinstance(p, float) else q for q, p in zip(ej, x))
            else:
                ej = float(e[0]) if isinstance(x, float) else np.reshape(e, np.shape(x))
            basis = [ej if k == i else v for k, v in enumerate(vs)]
            fd = directional(key, ops, options, g, [i], basis)
            assert abs(_flat(got[i])[j] - fd) <= RTOL * (1 + abs(fd) + np.sum(np.abs(g))), (j, _flat(got[i])[j], fd)


def test_every_row_has_cases():
    assert {c[0] for c in CASES} == set(ARRAY_RULES)


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_vjp_reads_only_what_it_declares(case):
    """Operands (and z) outside reads() may be NaN of the same shape (linear rows: all of them) and
    the VJP is unchanged: what `reads` leaves out need not be kept for the reverse sweep."""
    key, specs, options = case
    rule = ARRAY_RULES[key]
    ops = build(key, specs, options, seed=3)
    z = forward(key, ops, options)
    g = np.random.default_rng(2).normal(size=np.shape(differentiable(key, z)))
    want = vjps(key, ops, options, g, z)

    def nan_like(x):
        if isinstance(x, tuple):
            return tuple(nan_like(p) for p in x)
        return math.nan if isinstance(x, float) else np.full(np.shape(x), np.nan)

    for i, t in enumerate(rule.vjps):
        if t is None:
            continue
        keep = reads(rule, i)
        if rule.linear:
            assert keep == frozenset()
        blanked = tuple(x if p in keep else nan_like(x) for p, x in zip(rule.params, ops))
        zz = z if "z" in keep else nan_like(z) if not isinstance(z, tuple) else tuple(nan_like(p) for p in z)
        values = {**dict(zip(rule.params, blanked)), "g": g, "z": zz}
        got = evaluate(t, values, options, key)
        np.testing.assert_array_equal(_flat(got), _flat(want[i]))


# ---- open-ended classes: every shape, axis, broadcast and subscript pattern (hypothesis)
shapes = st.lists(st.integers(1, 3), max_size=3).map(tuple)


@st.composite
def reduction_case(draw):
    shape = draw(shapes)
    ndim = len(shape)
    axis = draw(st.one_of(
        st.none(),
        st.integers(-ndim, ndim - 1) if ndim else st.none(),
        st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(
            lambda axes: tuple(a - ndim if a % 2 else a for a in axes)  # some counted from the end
        ) if ndim else st.just(()),
    ))
    return shape, {"axis": axis, "keepdims": draw(st.booleans())}


@given(st.sampled_from(["sum", "mean", "prod", "max", "min", "var", "std"]), reduction_case(), st.integers(0, 2**16))
@settings(max_examples=120, deadline=None)
def test_reductions_for_every_shape_and_axis(key, case, seed):
    shape, options = case
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    x = (rng.permutation(n) * 0.2 + rng.uniform(-0.02, 0.02, n)).reshape(shape) - 0.1 * n  # no near ties
    check_vjp(key, (x,), options, seed, full_up_to=0)


@st.composite
def matmul_case(draw):
    m, k, p = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(shapes.filter(lambda s: len(s) <= 2))
    a_batch = tuple(draw(st.sampled_from([1, n])) for n in batch)[draw(st.integers(0, len(batch))):]
    b_batch = tuple(draw(st.sampled_from([1, n])) for n in batch)[draw(st.integers(0, len(batch))):]
    a = (k,) if draw(st.booleans()) else a_batch + (m, k)
    b = (k,) if draw(st.booleans()) else b_batch + (k, p)
    return a, b


@given(matmul_case(), st.integers(0, 2**16))
@settings(max_examples=80, deadline=None)
def test_matmul_for_every_pair_of_shapes(shapes_ab, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.normal(size=s) for s in shapes_ab)
    check_vjp("matmul", (a, b), {}, seed, full_up_to=0)


@st.composite
def einsum_case(draw):
    sizes = {c: draw(st.integers(1, 3)) for c in "ijkl"}
    nops = draw(st.integers(1, 2))
    specs = ["".join(draw(st.lists(st.sampled_from("ijkl"), max_size=3))) for _ in range(nops)]
    used = sorted(set("".join(specs)))
    out = "".join(draw(st.lists(st.sampled_from(used), unique=True))) if used else ""
    return ",".join(specs) + "->" + out, [tuple(sizes[c] for c in s) for s in specs]


@given(einsum_case(), st.integers(0, 2**16))
@settings(max_examples=120, deadline=None)
def test_einsum_for_every_subscript_pattern(case, seed):
    subscripts, operand_shapes = case
    rng = np.random.default_rng(seed)
    ops = tuple(rng.normal(size=s) for s in operand_shapes)
    key = "einsum" if len(ops) == 2 else "einsum/1"
    assert validate_options(key, {"subscripts": subscripts}) is None
    check_vjp(key, ops, {"subscripts": subscripts}, seed, full_up_to=0)


# ---- the documented tie and boundary rules
def test_max_min_ties_share_the_adjoint_equally():
    x = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, -1.0]])
    (xb,) = vjps("max", (x,), {"axis": 1}, np.array([1.0, 6.0]))
    np.testing.assert_array_equal(xb, [[0, 0.5, 0.5, 0], [2.0, 2.0, 2.0, 0]])
    (xb,) = vjps("min", (-x,), {"axis": 1, "keepdims": True}, np.array([[1.0], [6.0]]))
    np.testing.assert_array_equal(xb, [[0, 0.5, 0.5, 0], [2.0, 2.0, 2.0, 0]])
    (xb,) = vjps("max", (x,), {}, 1.0)
    np.testing.assert_array_equal(xb, [[0, 0, 0, 0], [1 / 3, 1 / 3, 1 / 3, 0]])
    (xb,) = vjps("amax", (np.array(2.0),), {}, 1.5)
    assert float(xb) == 1.5


def test_maximum_minimum_ties_go_to_the_first_operand():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 3.0])
    ab, bb = vjps("maximum", (a, b), {}, np.ones(3))
    np.testing.assert_array_equal(ab, [1, 0, 1])
    np.testing.assert_array_equal(bb, [0, 1, 0])
    ab, bb = vjps("minimum", (a, b), {}, np.ones(3))
    np.testing.assert_array_equal(ab, [1, 1, 1])
    np.testing.assert_array_equal(bb, [0, 0, 0])
    ab, bb = vjps("maximum", (2.0, np.array([2.0, 1.0])), {}, np.ones(2))  # broadcast: a's share summed
    assert ab == 2.0 and list(bb) == [0, 0]


def test_clip_passes_the_adjoint_on_the_closed_interval():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    (xb,) = vjps("clip", (x,), {"a_min": -1.0, "a_max": 1.0}, np.full(5, 2.0))
    np.testing.assert_array_equal(xb, [0, 2, 2, 2, 0])
    (xb,) = vjps("clip", (x,), {"a_max": 0.0}, np.ones(5))
    np.testing.assert_array_equal(xb, [1, 1, 1, 0, 0])


def test_abs_at_zero_follows_the_scalar_table():
    (xb,) = vjps("abs", (np.array([0.0, -0.0, 2.0, -3.0]),), {}, np.ones(4))
    np.testing.assert_array_equal(xb, [1, -1, 1, -1])  # copysign(1, x), as rules.py's abs row


def test_norm_at_zero_has_subgradient_zero():
    for opts in ({}, {"ord": 2}, {"ord": 1}, {"ord": 3}, {"ord": math.inf}, {"axis": 1}, {"ord": "fro"}):
        x = np.zeros((2, 3)) if opts.get("ord") in (None, "fro") else np.zeros(3)
        z = forward("linalg.norm", (x,), opts)
        (xb,) = vjps("linalg.norm", (x,), opts, np.ones(np.shape(z)), z)
        assert np.all(xb == 0) and np.shape(xb) == np.shape(x), opts
    x = np.array([[0.0, 0.0], [3.0, 4.0]])  # one zero row among others
    (xb,) = vjps("linalg.norm", (x,), {"axis": 1}, np.ones(2))
    np.testing.assert_allclose(xb, [[0, 0], [0.6, 0.8]])


def test_std_of_equal_entries_has_adjoint_zero():
    (xb,) = vjps("std", (np.full((2, 3), 1.5),), {"axis": 1}, np.ones(2))
    assert np.all(xb == 0)


def test_norm_inf_ties_share_equally():
    x = np.array([3.0, -3.0, 1.0])
    (xb,) = vjps("linalg.norm", (x,), {"ord": math.inf}, 1.0)
    np.testing.assert_array_equal(xb, [0.5, -0.5, 0])


def test_matrix_norms_other_than_frobenius_are_refused():
    assert "not supported" in validate_options("linalg.norm", {"ord": "nuc"})
    assert "not supported" in validate_options("linalg.norm", {"ord": 2, "axis": (0, 1)})
    with pytest.raises(ValueError, match="not supported"):
        vjps("linalg.norm", (np.eye(2),), {"ord": 2}, 1.0)


def test_prod_at_zeros_is_exact():
    x = np.array([2.0, 0.0, 3.0, 0.0])
    (xb,) = vjps("prod", (x,), {}, 1.0)
    np.testing.assert_array_equal(xb, [0, 0, 0, 0])
    x = np.array([2.0, 0.0, 3.0, 4.0])
    (xb,) = vjps("prod", (x,), {}, 1.0)
    np.testing.assert_array_equal(xb, [0, 24, 0, 0])


def test_getitem_with_repeated_indices_adds():
    (xb,) = vjps("getitem", (np.zeros(4),), {"index": (np.array([1, 1, 3, 1]),)}, np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(xb, [0, 7, 0, 3])
    acc = np.ones(3)  # the in-place form for an adjoint that already exists
    assert NS["_scatter_add"](acc, [0, 0], np.array([1.0, 2.0])) is acc
    np.testing.assert_array_equal(acc, [4, 1, 1])


def test_det_at_a_singular_matrix_is_the_cofactor_matrix():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])  # rank 1: cofactors [[4, -2], [-2, 1]]
    (ab,) = vjps("linalg.det", (a,), {}, 1.0)
    np.testing.assert_allclose(ab, [[4, -2], [-2, 1]], atol=1e-12)


def test_cholesky_adjoint_leaves_the_unread_upper_triangle_zero():
    a = spd((4, 4), np.random.default_rng(0))
    (ab,) = vjps("linalg.cholesky", (a,), {}, np.ones((4, 4)))
    assert np.all(np.triu(ab, 1) == 0) and np.any(np.tril(ab, -1) != 0)


def test_slogdet_is_a_tuple_result():
    assert TUPLE_RESULTS == {"linalg.slogdet": 1}
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    z = forward("linalg.slogdet", (a,), {})
    assert len(z) == 2 and z[1] == pytest.approx(math.log(5.0))
    (ab,) = vjps("linalg.slogdet", (a,), {}, 1.0, z)
    np.testing.assert_allclose(ab, np.linalg.inv(a).T)


# ---- _unbroadcast: the adjoint of broadcasting, for every pair of shapes
@st.composite
def broadcast_pair(draw):
    target = tuple(draw(st.lists(st.integers(0, 3), max_size=4)))
    lead = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    stretched = tuple(draw(st.integers(0, 3)) if n == 1 else n for n in target)
    return target, lead + stretched


@given(broadcast_pair(), st.integers(0, 2**32 - 1))
@settings(max_examples=300, deadline=None)
def test_unbroadcast_is_the_adjoint_of_broadcasting(pair, seed):
    target, big = pair
    rng = np.random.default_rng(seed)
    g = rng.normal(size=big)
    x = np.zeros(target)
    got = NS["_unbroadcast"](g, x)
    assert np.shape(got) == target
    # the oracle: entry j of the adjoint is <g, broadcast_to(e_j)>, the definition of the transpose
    want = np.zeros(target)
    for j in np.ndindex(*target):
        e = np.zeros(target)
        e[j] = 1.0
        want[j] = np.sum(g * np.broadcast_to(e, big))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    if big == target:
        assert got is g  # the fast path: no work


def test_unbroadcast_to_a_number_is_a_float():
    got = NS["_unbroadcast"](np.arange(6.0).reshape(2, 3), 1.5)
    assert type(got) is float and got == 15.0
    assert type(NS["_unbroadcast"](np.ones(3), np.array(2.0))) is float


# ---- the sheet's machinery
def test_a_typo_in_a_template_fails_when_the_row_is_added():
    good = ARRAY_RULES["sum"]
    bad = [
        ("np.sum(y)", None, "unknown name 'y'"),
        ("np.sum(x)", "_unbroadcat(g, x)", "not a helper"),
        ("np.sum(x)", "np.sums(g)", "not in NUMPY_NAMES"),
        ("np.sum(x", None, "not an expression"),
        ("np.sum(x)", "x.T", "only np"),
        ("np.sum(x)", "[g for g in x]", "ListComp"),
        ("np.sum(x)", "print(g)", "only np.<name> or helpers"),
    ]
    for forward_text, vjp, message in bad:
        rule = ArrayRule("sum", ("x",), {}, forward_text, (vjp,), "shape")
        with pytest.raises(ValueError, match=message):
            add_rule("sum", rule)
        assert ARRAY_RULES["sum"] is good  # nothing changed
    with pytest.raises(ValueError, match="one VJP per param"):
        add_rule("sum2", ArrayRule("sum", ("x",), {}, "np.sum(x)", (None, None), ""))
    with pytest.raises(ValueError, match="cannot be a placeholder"):
        add_rule("sum2", ArrayRule("sum", ("g",), {}, "np.sum(g)", (None,), ""))
    assert "sum2" not in ARRAY_RULES
    assert check_template("np.linalg.solve(a, g)", {"a", "g"}, NUMPY_NAMES, "t") is not None


def test_numpy_names_exist_and_templates_use_only_them():
    for name in NUMPY_NAMES:
        obj = np
        for part in name.split("."):
            obj = getattr(obj, part)
        assert callable(obj) or name in ("pi", "e", "inf"), name


def test_options_are_in_numpys_order():
    import inspect

    checked = 0
    for key, rule in ARRAY_RULES.items():
        obj = np
        for part in rule.name.split("."):
            obj = getattr(obj, part, None)
        try:
            names = list(inspect.signature(obj).parameters)
        except (TypeError, ValueError):  # a ufunc, or not a NumPy function
            continue
        if rule.options and set(rule.options) <= set(names):
            assert [names.index(o) for o in rule.options] == sorted(names.index(o) for o in rule.options), key
            checked += 1
    assert checked >= 25


def test_helpers_used_is_transitive_and_ordered():
    assert helpers_used("_det_back(g, a)") == ["_axes", "_inverse_axes", "_prod_others", "_det_back"]
    assert helpers_used("np.sum(x)") == []
    assert helpers_used("_unbroadcast(g, a) + _unbroadcast(g, b)") == ["_unbroadcast"]
    order = list(HELPERS)
    for key, rule in ARRAY_RULES.items():
        for t in (rule.forward, *rule.vjps):
            if t is not None:
                used = helpers_used(t)
                assert used == sorted(used, key=order.index)
                ns = {"np": np}
                for name in used:  # exactly these suffice: a generated module defines no more
                    exec(HELPERS[name], ns)
                for name in used:
                    assert name in ns


def test_shape_only_helper_arguments():
    assert set(SHAPE_ONLY) <= set(HELPERS)


def test_helpers_are_text_black_leaves_as_it_is():
    """Generated modules carry the helpers verbatim and are black-formatted at 100 columns."""
    import black

    from s2sad.emit import LINE_LENGTH

    for name, src in HELPERS.items():
        assert black.format_str(src, mode=black.Mode(line_length=LINE_LENGTH)) == src + "\n", name
        assert max(len(line) for line in src.splitlines()) <= LINE_LENGTH, name


def test_python_spellings_are_rows_computing_the_same():
    import ast
    import operator

    x, y = np.arange(1.0, 7.0).reshape(2, 3), np.linspace(0.5, 2.0, 3)
    for op, key in OPERATORS.items():
        assert hasattr(ast, op) and key in ARRAY_RULES
        if op == "USub":
            np.testing.assert_array_equal(-x, forward(key, (x,), {}))
        elif op == "MatMult":
            np.testing.assert_array_equal(x @ y, forward(key, (x, y), {}))
        else:
            fn = {"Add": operator.add, "Sub": operator.sub, "Mult": operator.mul, "Div": operator.truediv,
                  "Pow": operator.pow}[op]
            np.testing.assert_array_equal(fn(x, y), forward(key, (x, y), {}))
    for method, key in METHODS.items():
        rule = ARRAY_RULES[key]
        assert hasattr(np.ndarray, method) and len(rule.params) <= 2
        args = {"dot": (x.T,), "clip": (2.0, 5.0), "reshape": ((3, 2),), "swapaxes": (0, 1)}.get(method, ())
        options = dict(zip(list(rule.options), args)) if len(rule.params) == 1 else {}
        operands = (x,) + args if len(rule.params) == 2 else (x,)
        np.testing.assert_array_equal(getattr(x, method)(*args), forward(key, operands, options))
    np.testing.assert_array_equal(x.T, forward(ATTRIBUTES["T"], (x,), {}))


def test_find_rule_by_name_and_arity():
    assert find_rule("einsum", 2) is ARRAY_RULES["einsum"]
    assert find_rule("einsum", 1) is ARRAY_RULES["einsum/1"]
    assert find_rule("concatenate", 3) is ARRAY_RULES["concatenate"]
    assert find_rule("linalg.solve", 2).params == ("a", "b")
    assert find_rule("fft.fft", 1) is None


def test_validate_options():
    assert validate_options("sum", {"axis": 1}) is None
    assert "no option" in validate_options("sum", {"axes": 1})
    assert "needs shape" in validate_options("reshape", {})
    assert "explicit" in validate_options("einsum", {"subscripts": "ij,jk"})
    assert "explicit" in validate_options("einsum", {"subscripts": "...ij,jk->...ik"})
    assert "operand" in validate_options("einsum", {"subscripts": "ij->i"})
    assert "a_min or a_max" in validate_options("clip", {})
    assert "int >= 0" in validate_options("diff", {"n": -1})
    assert "ord >= 1" in validate_options("linalg.norm", {"ord": 0.5})


def test_option_literals_round_trip():
    for v in (None, True, 3, -2.5, (0, -1), (1,), (), "ij->j", slice(1, None, -2), (Ellipsis, None, 0)):
        assert eval(option_literal(v)) == v
    assert option_literal(math.inf) == "np.inf" and option_literal(-math.inf) == "-np.inf"
    assert option_literal(np.int64(2)) == "2" and option_literal((np.int32(1), np.float64(0.5))) == "(1, 0.5)"
    assert eval(option_literal(np.array([0, 2])), {"np": np}).tolist() == [0, 2]
    with pytest.raises(ValueError):
        option_literal(object())


def test_instantiate_substitutes_placeholders_only():
    text = instantiate(ARRAY_RULES["sum"].vjps[0], {"g": "z3_bar", "x": "w", "axis": "(0, -1)", "keepdims": "False"})
    assert text == "np.broadcast_to(_expand_reduced(z3_bar, w, (0, -1), False), np.shape(w))"
    assert instantiate("x[index]", {"index": option_literal((slice(1, None), 0))}) == "x[1:, 0]"
    assert instantiate("x[index]", {"index": option_literal(slice(None, None, -1))}) == "x[::-1]"
    assert instantiate("x[index]", {"index": "(slice(i, i + 2), None, ...)"}) == "x[i:i + 2, None, ...]"
    call = instantiate("_getitem_back(g, x, index)", {"index": option_literal((slice(1, None), 0))})
    assert call == "_getitem_back(g, x, (slice(1, None, None), 0))"  # a call keeps the slice object


def test_table_markdown_has_every_row():
    lines = table_markdown().splitlines()
    assert len(lines) == len(ARRAY_RULES) + 2
    for line, (key, rule) in zip(lines[2:], ARRAY_RULES.items()):
        assert line.replace("\\|", "").count("|") == 4  # three cells: a | inside one is escaped
        assert f"`np.{rule.name}`" in line or key in ("getitem", "setitem")
    assert REQUIRED.__repr__() == "REQUIRED"

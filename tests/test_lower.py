"""Lowering to the lecture's evaluation trace: op kinds, SSA, folding, CSE, flattening, lines."""

import math

import pytest

from s2sad.naming import primal_names
from s2sad.trace import Affine, Call, Product


def ops_of(derive_text, body, params="x, y"):
    d = derive_text(f"import math\nfrom math import sin, exp, pi\n\nK = 3\n\n\ndef f({params}):\n{body}\n")
    return d.trace


def test_lecture_formula_has_the_lecture_structure(derive_text):
    t = ops_of(derive_text, "    return (sin(2*pi*w1/w2) + 3*w1/w2 - exp(2*w2)) * (3*w1/w2 - exp(2*w2))", "w1, w2")
    kinds = [type(op.expr).__name__ for op in t.ops]  # in Python's order of evaluation: (2*pi*w1)/w2 first
    assert kinds == ["Product", "Call", "Product", "Call", "Affine", "Affine", "Product"]
    assert t.ops[0].expr.coef == 2 * math.pi
    assert t.ops[1].expr.fn == "sin" and t.ops[1].expr.scale == 1
    assert t.ops[3].expr.fn == "exp" and t.ops[3].expr.scale == 2
    assert t.result == t.ops[-1].out


def test_common_subexpressions_are_computed_once(derive_text):
    t = ops_of(derive_text, "    a = sin(x * y)\n    b = math.sin(y * x)\n    return a + b + sin(x*y)")
    assert sum(isinstance(op.expr, Call) for op in t.ops) == 1
    assert sum(isinstance(op.expr, Product) for op in t.ops) == 1


def _listing(t):
    return [line.split("#")[0].strip() for line in str(t).splitlines()[1:]]


def test_constants_fold_into_one_coefficient_where_exact(derive_text):
    """(2*pi*x)/4 is (pi/2)*x exactly (a power of two); (2*pi*x)*3 rounds twice, so it stays two steps."""
    t = ops_of(derive_text, "    return sin(2 * pi * x / 4) + (K - 1) * 0.5 * y + 2 * pi * x * K")
    assert t.ops[0].expr == Call("sin", (t.params[0],), 2 * math.pi / 4)
    assert _listing(t) == ["z1 = sin(pi/2*x)", "z2 = 2*pi*x", "z3 = z1 + y + 3*z2", "return: z3"]


def test_sums_flatten_in_pythons_order(derive_text):
    t = ops_of(derive_text, "    return a + b - 2*c + 3*d - e * 4 + 1", "a, b, c, d, e")
    a, b, c, d, e = t.params
    assert [op.expr for op in t.ops] == [Affine(1, ((1, a), (1, b), (-2, c), (3, d), (-4, e)))]
    t = ops_of(derive_text, "    return -(a - 1) + 2 * (b + c) + (d - d) + (e + e)", "a, b, c, d, e")
    assert _listing(t) == ["z1 = 2*b + 2*c", "z2 = -a + 1", "z3 = z2 + z1 + 2*e", "return: z3"]


def test_sums_that_round_differently_are_not_flattened(derive_text):
    """(a + b) + (b + c), 3*(b + c), a + 1 + b and 3*a + 2*a each round otherwise than one flat sum."""
    for body in ("(a + b) + (b + c)", "3 * (b + c)", "a + 1 + b", "3 * a + 2 * a"):
        t = ops_of(derive_text, f"    return {body}", "a, b, c")
        assert len(t.ops) == 2, body


def test_products_stay_binary(derive_text):
    t = ops_of(derive_text, "    return 2 * x * y * w * v / u", "x, y, w, v, u")
    assert len(t.ops) == 4
    assert all(isinstance(op.expr, Product) and len(op.expr.factors) <= 2 for op in t.ops)


def test_wide_sums_are_chained(derive_text):
    params = ", ".join(f"p{i}" for i in range(150))
    d = derive_text(f"def f({params}):\n    return " + " + ".join(f"{i % 5 + 1} * p{i}" for i in range(150)) + "\n")
    assert all(len(op.expr.terms) <= 64 for op in d.trace.ops)
    assert d.grad(*range(150)) == tuple(float(i % 5 + 1) for i in range(150))


def test_reassignment_is_ssa_and_keeps_user_names(derive_text):
    t = ops_of(derive_text, "    t = x * y\n    t = t + x\n    t = exp(t)\n    return t")
    names = primal_names(t)
    assert [names[op.out] for op in t.ops] == ["t", "t_1", "t_2"]
    assert [op.line for op in t.ops] == [8, 9, 10]


def test_dead_code_is_dropped(derive_text):
    t = ops_of(derive_text, "    unused = exp(x) * y\n    return x * 2")
    assert len(t.ops) == 1


def test_algebraic_cancellation(derive_text):
    d = derive_text("def f(x, y):\n    return x / x + (y - y) * x + x * y / y\n")
    assert d.grad(3.0, 4.0) == (1.0, 0.0)


def test_helpers_are_inlined_with_their_own_lines(derive_text):
    d = derive_text("import math\n\ndef sq(u):\n    v = u * u\n    return v\n\ndef f(x):\n    return math.exp(sq(x))\n")
    assert [op.line for op in d.trace.ops] == [4, 8]
    assert primal_names(d.trace)[d.trace.ops[0].out] == "v"


def test_printed_trace_uses_lecture_notation(derive_text):
    t = ops_of(derive_text, "    return 2 * x ** 3 / y - math.atan2(x, y) + x ** y + 2 ** y - pi / 2 * x")
    text = str(t)
    assert text.splitlines()[0] == "input: x, y"
    assert "x**3" in text and "2*z1/y" in text and "atan2(x, y)" in text and "x**y" in text and "2**y" in text
    assert "pi/2*x" in text or "-pi/2*x" in text or "- pi/2*x" in text


@pytest.mark.parametrize("spelling", ["x ** 0.5", "math.sqrt(x)", "math.pow(x, 0.5)", "pow(x, 0.5)"])
def test_square_roots_differentiate_alike(spelling, derive_text):
    d = derive_text(f"import math\n\ndef f(x):\n    return {spelling}\n")
    assert d.grad(4.0) == pytest.approx(0.25, rel=1e-15)

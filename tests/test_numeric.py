"""Numeric semantics: what the generated code computes is what `f` computes, and the gradient is the oracle's.

Each class of the issue it pins is open-ended, so hypothesis composes its
members: `and`/`or` as values in every context, float parameters under
`int(...)`, the value of `value_and_grad` bit for bit, powers at zero, huge
and infinite constants, and the spelling of functions whose domains differ
(`math.pow` against `**`).
"""

import math
import os
import re
import tempfile

import mpmath
import pytest
from conftest import import_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import assert_gradient, gradient_of, mp_namespace

import s2sad
from s2sad.api import derive_source
from s2sad.errors import S2sadError
from s2sad.loading import load_spec

_folder = tempfile.mkdtemp(prefix="s2sad_numeric_")
_serial = [0]


def _module(text: str, func: str = "f"):
    """(Derivative, generated module, the function itself) of module text."""
    _serial[0] += 1
    path = os.path.join(_folder, f"m{_serial[0]}.py")
    with open(path, "w") as fh:
        fh.write(text)
    d = derive_source(load_spec(f"{path}:{func}"))
    gen = os.path.join(_folder, f"m{_serial[0]}_grad.py")
    with open(gen, "w") as fh:
        fh.write(d.text)
    return d, getattr(import_file(gen), f"{func}_value_and_grad"), getattr(import_file(path), func)


def same(a, b) -> bool:
    """Equal values (a list item by item), or both nan."""
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def floats(grad) -> bool:
    """Every entry of a gradient is a float (never True, 1 or another int)."""
    parts = grad if isinstance(grad, tuple) else (grad,)
    return all(type(x) is float for p in parts for x in (p if isinstance(p, list) else [p]))


def check(text: str, points, func: str = "f", oracle: bool = True) -> None:
    """value_and_grad (API and generated module) gives f's value exactly, float entries, the oracle's gradient."""
    d, generated, f = _module(text, func)
    mp_f = mp_namespace(text)[func] if oracle else None
    for point in points:
        want_value = f(*point)
        for name, vg in (("api", d.value_and_grad), ("generated", generated)):
            value, grad = vg(*point)
            assert same(value, want_value), f"{name}: value {value!r}, f gives {want_value!r}\n{text}at {point}"
            assert floats(grad), f"{name}: gradient {grad!r} has a non-float entry\n{text}"
            if oracle and _same_branches(mp_f, point, want_value):
                assert_gradient(grad, gradient_of(mp_f, point), f"{name} at {point}\n{text}")


def _same_branches(mp_f, point, value: float) -> bool:
    """Does f's float evaluation take the branches the exact one takes? Where rounding makes a tested
    value exactly 0 (2.0 + (-0.3 - 1.7)) the two differ, and the oracle differentiates another piece."""
    exact = float(mp_f(*(mpmath.mpf(v) if isinstance(v, float) else v for v in point)))
    return abs(exact - value) <= 1e-9 * (1 + abs(value))


# --- and / or as values: the operand Python returns is differentiated ------------------------------------

def test_or_and_as_values_differentiate_the_operand_returned():
    check("import math\n\ndef f(x, y):\n    return x or y\n", [(0.0, 2.0), (3.0, 2.0)], oracle=False)
    check("def f(x):\n    return x * (x or 1.0)\n", [(3.0,), (-2.5,)])
    check("def f(x, y):\n    return (int(x) and y) + 1\n", [(0.5, 2.0), (1.5, 2.0)])
    check("def f(x, y):\n    return (x > 1 or y) * x\n", [(0.5, 2.0), (1.5, 2.0)])
    check("def h(a, b):\n    return a or b\n\n\ndef f(x, y):\n    return h(int(x), y * y)\n",
          [(0.5, 2.0), (1.5, 2.0)])
    check("def f(x, y, n):\n    s = 0.0\n    for i in range(n):\n        s = s + (i and x) * y\n    return s\n",
          [(0.5, 2.0, 3)])
    d, _, _ = _module("def f(x, y):\n    return x or y\n")
    assert d.value_and_grad(0.0, 2.0) == (2.0, (0.0, 1.0))
    assert d.value_and_grad(3.0, 2.0) == (3.0, (1.0, 0.0))


def test_or_keeps_short_circuit():
    """The right operand is computed only where Python computes it: log(0) is never reached."""
    check("import math\n\ndef f(x):\n    return (x > 0 and math.log(x)) or x\n", [(2.0,), (-1.5,), (0.5,)])


# Operands zero on whole intervals (int(x), comparisons, constants) make both paths reachable at
# points where the oracle's numerical derivative is defined.
OPERANDS = ["x", "y", "x * y", "math.sin(x)", "int(x)", "(x > 0.5)", "0.0", "2.0", "float(int(y))", "abs(x)",
            "(y < x)", "-y"]
FORMS = ["({} or {})", "({} and {})", "({} if {} else 1.5)", "max({}, {})", "min({}, {})", "({} + {})",
         "({} * {})", "(not {})", "abs({})", "float({})", "({} - {})"]
POINTS = [(-1.7, 0.3), (0.25, -1.3), (0.8, 2.6), (1.3, 0.6), (2.6, -0.3), (-0.3, 1.7)]


def _expressions(depth):
    if depth == 0:
        return st.sampled_from(OPERANDS)
    sub = _expressions(depth - 1)
    return st.one_of(st.sampled_from(OPERANDS), st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(FORMS),
                                                          sub, sub))


CONTEXTS = [
    "def f(x, y):\n    return {}\n",
    "def f(x, y):\n    return x * ({}) + y\n",
    "def f(x, y):\n    s = 0.0\n    for i in range(3):\n        s = s + ({}) * x\n    return s\n",
    "def f(x, y):\n    v = {}\n    if v:\n        v = v + x\n    return v * y\n",
    "def h(x, y):\n    t = {}\n    return t * t\n\n\ndef f(x, y):\n    return h(y, x) + h(x, y)\n",
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CONTEXTS), _expressions(2))
def test_truth_valued_operators_as_values_match_the_oracle(context, expr):
    """and, or, not, comparisons, int, float, abs, min, max, conditional expressions in any context."""
    text = "import math\n\n" + context.format(expr)
    try:
        check(text, POINTS)
    except S2sadError:
        pass  # a user error (a construct outside the subset) is fine; a wrong gradient is not


# --- typing: a float under int(...) stays a float ----------------------------------------------------------

@pytest.mark.parametrize("text,point", [
    ("def f(xs, t):\n    return xs[int(t)] * t\n", ([1.0, 2.0, 3.0], 1.5)),
    ("def f(x):\n    s = 0.0\n    for i in range(int(x)):\n        s = s + x * i\n    return s\n", (3.5,)),
    ("def f(x, n):\n    k = int(x)\n    m = k + n\n    return x * m\n", (2.5, 3.0)),
    ("def f(xs, t):\n    k = int(t) + 1\n    j = k\n    return xs[j] * t * t\n", ([1.0, 2.0, 3.0], 0.5)),
    ("def f(x):\n    ys = [0.0] * int(x)\n    ys[0] = x\n    return ys[0] * x\n", (2.5,)),
    ("def f(xs, t):\n    return xs[max(int(t), 0)] * t\n", ([1.0, 2.0, 3.0], 1.5)),
    ("def f(xs, t):\n    return xs[1 if t > 0 else 0] * t\n", ([1.0, 2.0, 3.0], 1.5)),
    ("def f(xs, t):\n    k = 2 if t < 1 else 1\n    return xs[k] * t\n", ([1.0, 2.0, 3.0], 1.5)),
    ("def f(xs, t, n):\n    s = 0.0\n    for i in range(n):\n        s += xs[i % len(xs)] * t\n    return s\n",
     ([1.0, 2.0], 0.5, 3)),
])
def test_float_parameter_under_int_is_differentiated(text, point):
    d, _, _ = _module(text)
    for p, a in zip(d.trace.params, point):
        if isinstance(a, float):
            assert getattr(p, "kind", "float") == "float", f"{p.hint} is typed {p.kind}"
    check(text, [point])  # the oracle differentiates every float argument: so must wrt=None


def test_parameter_used_as_an_integer_itself_is_an_integer():
    d, _, _ = _module("def f(xs, n):\n    m = n - 1\n    return xs[m] * 2.0\n")
    assert d.value_and_grad([1.0, 2.0], 2) == (4.0, [0.0, 2.0])


# --- functions whose domains differ: generated code keeps the spelling's semantics ---------------------------

SPELLINGS = ["math.pow(x, 1 / 3)", "x ** (1 / 3)", "math.pow(x, 2)", "x ** 2", "pow(x, 0.5)", "math.sqrt(x)",
             "x ** 0.5", "math.log(x)", "math.log(x, 2)", "math.log2(x)", "math.log10(x)", "math.log1p(x)",
             "math.acos(x)", "math.asin(x)", "math.acosh(x)", "math.atanh(x)", "x ** -1", "1 / x", "math.pow(x, -1)",
             "math.pow(x, y)", "x ** y", "pow(x, y)", "math.fabs(x)", "abs(x)", "math.degrees(x)", "x / 3",
             "math.pow(-x, 1.5)", "(-x) ** 1.5", "math.exp(x) ** 0.5"]
DOMAIN_POINTS = [-8.0, -1.0, -0.5, 0.0, 0.5, 1.0, 8.0]


def _outcome(fn, *args):
    try:
        return "value", fn(*args)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        return "raises", type(exc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SPELLINGS), st.sampled_from(["{}", "2 * {} + x", "y * {}"]),
       st.sampled_from(DOMAIN_POINTS), st.sampled_from([2.0, 0.5, -3.0]))
def test_generated_code_raises_or_returns_as_f_does(spelling, context, x, y):
    """math.pow raises where ** is complex, sqrt and log raise on negatives: the value is f's, or the same error."""
    text = "import math\n\n\ndef f(x, y):\n    return " + context.format(spelling) + "\n"
    d, generated, f = _module(text)
    kind, want = _outcome(f, x, y)
    for vg in (d.value_and_grad, generated):
        got_kind, got = _outcome(vg, x, y)
        if kind == "raises":
            assert (got_kind, got) == (kind, want), f"{text}at {x}: f raises {want.__name__}, s2sad gives {got!r}"
        elif got_kind == "value":  # the derivative may be infinite where the value exists
            assert got[0] == want, f"{text}at {x}: {got[0]!r}, f gives {want!r}"
            assert (got_kind, type(got[0])) == (kind, type(want))


def test_math_pow_of_constants_that_python_rejects_is_a_located_error(write_module):
    from s2sad.loading import load_spec as spec

    path = write_module("import math\n\n\ndef f(x):\n    return x * math.pow(-8.0, 1 / 3)\n")
    with pytest.raises(S2sadError) as err:
        derive_source(spec(f"{path}:f"))
    assert err.value.lineno == 5 and "pow" in str(err.value) and "math domain error" in str(err.value)


# --- powers at zero: finite derivatives are returned ------------------------------------------------------

@pytest.mark.parametrize("text,points", [
    ("def f(x, n):\n    s = 0.0\n    for i in range(n):\n        s += x ** i\n    return s\n",
     [(0.0, 1), (0.0, 4), (0.5, 4), (-0.0, 3)]),
    ("def f(x, n):\n    ys = [0.0] * n\n    return x ** len(ys)\n",
     [(0.0, 0), (0.0, 1), (0.0, 2), (0.0, 3), (-1.5, 0)]),
    ("import math\n\n\ndef f(x, n):\n    ys = [0.0] * n\n    return math.pow(x, len(ys)) * 2\n",
     [(0.0, 0), (0.0, 1), (0.0, 2)]),
    ("import math\n\n\ndef f(y):\n    return math.pow(0.0, y) + y\n", [(2.5,), (1.0,), (0.5,)]),
    ("def f(y):\n    return 0.0 ** y * 3 + y\n", [(2.5,), (1.0,)]),
    ("def f(x, y):\n    return x ** y\n", [(0.0, 2.0), (0.0, 3.0), (0.0, 1.0), (2.0, 0.0), (0.5, 0.0)]),
    ("def f(x, y):\n    t = x * x\n    return t ** y + x ** (y + 1)\n", [(0.0, 2.0), (0.0, 1.0)]),
])
def test_powers_at_zero_give_the_oracles_derivative(text, points):
    check(text, points)


def test_variable_power_at_the_origin():
    """x ** y at (0, 0): d/dx is 0 (x**0 is 1 for every x); d/dy has no value (0**y jumps from 1 to 0): it fails."""
    d, generated, _ = _module("def f(x, y):\n    return x ** y\n")
    with pytest.raises(ValueError):
        d.value_and_grad(0.0, 0.0)
    only_x = derive_source(load_spec(f"{d.trace.filename}:f"), "x")
    assert only_x.value_and_grad(0.0, 0.0) == (1.0, 0.0)
    assert only_x.value_and_grad(0.0, 1.0) == (0.0, 1.0)


# --- infinite and huge constants ----------------------------------------------------------------------------

HUGE = ["1e309", "-1e309", "1e308", "1e300", "10 ** 400", "10 ** 5000", "5e-324", "0.0", "(1e309 - 1e309)"]
HUGE_FORMS = ["x * {}", "x * {} * 0", "{0} - {0} + x", "x * ({0} - {0}) + x", "x + {} * 1.0", "x ** {}",
              "float({}) * x", "int({}) + x", "x / ({} + 1)", "max(x, {})", "x * {0} - x * {0}", "x * x * {}",
              "x * {} + (x + x) + x / x + (x - x) + (2 * x + 2 * x) + x * x / x", "math.degrees({}) * x",
              "math.sin({}) + x", "math.hypot(x, {})"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(HUGE), st.sampled_from(HUGE_FORMS), st.sampled_from([1.5, -0.5]))
def test_infinite_and_huge_constants_behave_as_in_python(constant, form, x):
    """Generated code spells inf and nan so Python reads them; folding fails only where Python fails, located."""
    text = "import math\n\n\ndef f(x):\n    return " + form.format(constant) + "\n"
    try:
        d, generated, f = _module(text)
    except S2sadError as exc:
        assert exc.lineno == 5, f"{text}: {exc}"  # a located error: Python fails on these constants too
        with pytest.raises((OverflowError, ValueError, ZeroDivisionError)):
            f_ns: dict = {}
            exec(text, f_ns)
            f_ns["f"](x)
        return
    kind, want = _outcome(f, x)
    for vg in (d.value_and_grad, generated):
        got_kind, got = _outcome(vg, x)
        if kind == "raises":
            assert (got_kind, got) == (kind, want), f"{text}: f raises {want.__name__}, s2sad {got!r}"
        else:
            assert got_kind == "value" and same(got[0], want), f"{text}at {x}: {got!r}, f gives {want!r}"
            assert floats(got[1]), f"{text}: {got[1]!r}"


def test_a_huge_power_is_not_folded(write_module):
    """9 ** 9 ** 9 has 370 million digits: left to run time, as Python's compiler leaves it (gen does not hang)."""
    d, _, _ = _module("def f(x):\n    return x * 9 ** 9 ** 9\n")
    assert "9**387420489" in d.text or "9 ** 387420489" in d.text


def test_zero_times_infinite_is_no_term():
    d, generated, _ = _module("def f(x):\n    return x * 1e309 * 0 + x\n")
    assert "nan" not in d.text
    value, grad = d.value_and_grad(1.5)
    assert value != value and grad == 1.0


# --- gradient entries are floats ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,point", [
    ("def f(x):\n    return 3 * x\n", (2.0,)),
    ("def f(x, y):\n    return x\n", (2.0, 1.0)),
    ("def f(x, y):\n    return 2.5\n", (2.0, 1.0)),
    ("def f(x):\n    return x - x\n", (2.0,)),
    ("def f(x):\n    return 0 * x + 1\n", (2.0,)),
    ("def f(x, n):\n    for i in range(n):\n        x = x * 2\n    return x\n", (2.0, 0)),
    ("def f(x, n):\n    s = 0\n    for i in range(n):\n        s = s + x\n    return s\n", (2.0, 0)),
    ("def f(x, n):\n    return x * n\n", (2.0, 3.0)),
    ("def f(x):\n    return (x > 0) * x + (x > 1)\n", (2.0,)),
    ("def f(xs, c):\n    return xs[0] * 3 + c\n", ([1.0, 2.0], 0.5)),
    ("def f(x):\n    if x > 0:\n        return x\n    return 1\n", (-2.0,)),
])
def test_gradient_entries_are_floats(text, point):
    """Constant, zero, integer-valued and truth-valued gradients alike: float, never 1, True or 0."""
    check(text, [point])


INDEX_LEAVES = ["int(t)", "n", "0", "1", "(1 if t > 0.3 else 0)", "abs(int(t))", "int(t * t)", "k"]
INDEX_FORMS = ["({} + {})", "({} - {})", "max({}, {})", "min({}, {})", "({} * {})", "({} if t < 2 else {})"]


def _indices(depth):
    if depth == 0:
        return st.sampled_from(INDEX_LEAVES)
    sub = _indices(depth - 1)
    return st.one_of(st.sampled_from(INDEX_LEAVES),
                     st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(INDEX_FORMS), sub, sub))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_indices(2), st.sampled_from(["xs[{} % len(xs)] * t", "xs[{} % len(xs)] + t * t"]),
       st.sampled_from([0.6, 1.7, 2.4]))
def test_typing_marks_only_what_is_used_as_an_integer(index, form, t):
    """A float parameter under int(), in a condition or behind an assignment is differentiated; n is an integer."""
    text = f"def f(xs, t, n):\n    k = int(t) + n\n    return {form.format(index)}\n"
    d, _, _ = _module(text)
    kinds = {p.hint: getattr(p, "kind", "list") for p in d.trace.params}
    assert kinds["t"] == "float", text
    n_is_index = bool(re.search(r"\b[nk]\b", index))  # n, or k = int(t) + n, used in the index
    assert kinds["n"] == ("int" if n_is_index else "float"), text
    check(text, [([1.5, -2.0, 0.5], t, 2 if n_is_index else 2.0)])

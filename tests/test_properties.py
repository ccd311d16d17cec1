"""Random straight-line programs from hypothesis, differentiated and checked against the oracle."""

import os
import tempfile

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mpmath import mp
from oracle import gradient, mp_namespace

from s2sad.api import derive_source
from s2sad.loading import load_spec

CONSTANTS = st.sampled_from(["0.5", "2", "-1.5", "3", "0.25", "math.pi", "SCALE"])
# Functions total on the reals, spelled as users spell them, so no point is outside a domain.
UNARY = [
    "math.sin({})", "math.cos({})", "math.tanh({})", "math.atan({})", "math.exp(math.tanh({}))",
    "math.sqrt(1 + ({0}) * ({0}))", "math.log(1 + ({0}) * ({0}))", "({}) ** 2", "({}) ** 3", "-({})",
    "math.erf({})", "math.asinh({})", "math.hypot({}, 0.5)", "math.atan2({}, 2.0)", "math.log1p(math.exp({}))",
    "({}) / 3", "2 ** math.tanh({})", "math.cosh(math.tanh({}))",
    # spellings that round differently from their algebraic equivalents
    "({}) * 0.1 * 3", "0.1 * ({}) / 7", "({0}) * ({0}) * ({0})", "({}) ** -1", "1 / (2 + ({}) ** 2)",
    "-(({}) - 0.3) * 5", "math.pow(1 + ({0}) * ({0}), 1.5)", "(({}) + 1e16) - 1e16",
]
BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (1 + ({}) ** 2)", "math.atan2({}, 1.5 + math.cos({}))",
          "math.hypot({}, 0.5 + ({}) ** 2)", "({}) + 0.1 + ({})", "3 * ({}) - ({}) * 3 * 0.7", "({0}) * 3 / ({1})"]


def expressions(names, depth):
    leaves = st.one_of(st.sampled_from(names), CONSTANTS)
    if depth == 0:
        return leaves
    sub = expressions(names, depth - 1)
    return st.one_of(
        leaves,
        st.builds(lambda f, a: f.format(a), st.sampled_from(UNARY), sub),
        st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(BINARY), sub, sub),
    )


@st.composite
def programs(draw):
    n = draw(st.integers(1, 3))
    params = [f"p{i}" for i in range(n)]
    names = list(params)
    lines = []
    for k in range(draw(st.integers(0, 5))):
        value = draw(expressions(names, 2))
        if draw(st.booleans()) and k:
            target = draw(st.sampled_from(names))
            op = draw(st.sampled_from(["=", "+=", "-=", "*="]))
        else:
            target, op = f"v{k}", "="
        lines.append(f"    {target} {op} {value}")
        if target not in names:
            names.append(target)
    lines.append(f"    return {draw(expressions(names, 2))}")
    text = "import math\n\nSCALE = 0.75\n\n\ndef f({}):\n{}\n".format(", ".join(params), "\n".join(lines))
    # no tiny values: products of them underflow, and then no method agrees with 50 digits
    point = [draw(st.floats(-2, 2, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-50)) for _ in params]
    return text, point


def _derive(text):
    """Differentiate f of a module text, through the static frontend."""
    from s2sad.errors import UnsupportedSyntaxError

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "prog.py")
        with open(path, "w") as fh:
            fh.write(text)
        try:
            return derive_source(load_spec(path + ":f"))
        except UnsupportedSyntaxError as exc:  # f divides by a constant zero (x / (y - y)): Python fails too
            assume("by the constant zero" not in str(exc))
            raise


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_programs_match_the_oracle(case):
    text, point = case
    assume("1e16" not in text)  # the cancellation form is for the exact-value test: it loses all digits
    oracle_f = mp_namespace(text)["f"]
    try:  # first: where f itself fails everywhere ((p0 - p0) ** -1), s2sad rightly reports it when folding
        value = oracle_f(*[mp.mpf(x) for x in point])
        want = gradient(oracle_f, point)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    d = _derive(text)
    assume(all(abs(w) < 1e12 for w in want) and abs(value) < 1e12)
    got_value, got = d.value_and_grad(*point)
    got = got if isinstance(got, tuple) else (got,)
    # Floating point has cancellation in random programs: compare at the scale of the terms.
    scale = 1 + max(abs(float(w)) for w in want) + abs(float(value))
    assert abs(got_value - float(value)) <= 1e-9 * scale, text
    for g, w in zip(got, want):
        assert abs(g - float(w)) <= 1e-7 * scale, f"{text}\nat {point}: s2sad {got}, oracle {want}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_generated_source_is_what_black_makes_of_it(case):
    import black

    from s2sad.emit import LINE_LENGTH, format_source

    module_text = _derive(case[0]).text
    assert format_source(module_text) == black.format_str(module_text, mode=black.Mode(line_length=LINE_LENGTH))


# Anything a user may write: valid pieces mixed with names, constructs and constants s2sad rejects.
ANY_LEAF = st.sampled_from(["x", "y", "t", "1", "0", "-0.0", "2.5", "math.pi", "K", "'s'", "True", "None",
                            "m", "math", "np.sin", "g", "h", "abs", "len(y)", "y[0]", "y[-1]", "i"])
ANY_FORM = st.sampled_from([
    "({} + {})", "({} / {})", "({} ** {})", "(-{})", "math.log({}, {})", "pow({}, {})", "abs({})", "g({})",
    "h({}, {})", "h(b={}, a={})", "({} % {})", "[{}][0]", "({} if {} else 1)", "math.hypot({})", "m.exp({})",
    "math.atan2({}, {})", "math.copysign({}, {})", "np.sin({})", "math.sqrt({})", "({} < {})", "foo({})",
    "({} if {} > 0 else 2.0)", "max({}, {})", "({} and {})", "(not {})", "({} // {})", "({} % 2)", "y[{}]",
])


def any_expression(depth):
    if depth == 0:
        return ANY_LEAF
    sub = any_expression(depth - 1)
    return st.one_of(ANY_LEAF, st.builds(lambda f, a, b: f.format(a, b, b), ANY_FORM, sub, sub))


@st.composite
def any_program(draw):
    lines = []
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(["t", "x", "u"]))
        form = draw(st.sampled_from(["{} = {}", "{} += {}", "{} **= {}", "{}: float = {}", "pass",
                                     "if x:\n        {} = {}", "return {1}", "{} = {} = x", "print({1})",
                                     "for i in range(3):\n        {0} = {1}", "while {1} < 2:\n        {0} = {1}",
                                     "for v in y:\n        {0} += v * {1}", "if {1} > 0:\n        break",
                                     "for i in range(2):\n        if {1}:\n            continue\n        {0} = i",
                                     "{0} = [{1}, 1.0]", "y[0] = {1}", "{0} = y[{1}]", "{0}, x = x, {1}",
                                     "{0}.append({1})", "{0} = max({1}, x) + min(x, 1.0)", "{0} = sum(y) * {1}"]))
        lines.append("    " + form.format(target, draw(any_expression(2)), target))
    lines.append(f"    return {draw(any_expression(3))}")
    return ("import math\nimport math as m\nimport numpy as np\n\nK = 3\n\n\ndef g(u):\n    return u * u\n\n\n"
            "def h(a, b=2.0):\n    return a / b\n\n\ndef f(x, y):\n" + "\n".join(lines) + "\n")


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_program())
def test_any_program_gives_a_gradient_or_a_user_error(text):
    """No input makes s2sad crash: it generates code, or raises S2sadError saying why not."""
    from s2sad import S2sadError

    try:
        d = _derive(text)
        d.grad, d.value_and_grad  # noqa: B018 - compiles both generated functions
    except S2sadError:
        pass


def _python_and_generated(text, d):
    ns: dict = {}
    exec(compile(text, "<f>", "exec"), ns)
    gen: dict = {}
    exec(compile(d.text, "<generated>", "exec"), gen)
    return ns["f"], gen["f_value_and_grad"]


def _same(a, b):
    return a == b or (a != a and b != b)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_value_is_fs_value_bit_for_bit(case):
    """value_and_grad (API and generated module) returns exactly what f returns; gradient entries are floats."""
    text, point = case
    ns: dict = {}
    exec(compile(text, "<f>", "exec"), ns)
    try:
        want = ns["f"](*point)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    d = _derive(text)  # (a constant Python cannot compute is an error, but then f raises above)
    f, generated = _python_and_generated(text, d)
    for vg in (d.value_and_grad, generated):
        try:
            value, grad = vg(*point)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue  # an infinite derivative at this point
        assert _same(value, want), f"{text}\nat {point}: {value!r}, f gives {want!r}"
        grad = grad if isinstance(grad, tuple) else (grad,)
        assert all(type(g) is float for g in grad), f"{text}\nat {point}: {grad!r}"

"""Every error case: message, line and column, all violations at once, and no source."""

import textwrap

import pytest

import s2sad
from s2sad import S2sadError, UnsupportedSyntaxError
from s2sad.api import derive_source
from s2sad.loading import load_spec


def violations(write_module, text, func="f"):
    path = write_module(text)
    with pytest.raises(UnsupportedSyntaxError) as info:
        derive_source(load_spec(f"{path}:{func}"))
    err = info.value
    assert err.filename == err.violations[0].filename and err.lineno == err.violations[0].line
    return [(v.line, v.col, v.message, v.hint) for v in err.violations]


# (body of f(x, y) after `import math` and `import numpy as np` lines, expected line, col, message part)
CASES = [
    ("    return x % y", 6, 12, "the % operator is not supported"),
    ("    return x // y", 6, 12, "the // operator is not supported"),
    ("    return 2.5 % x", 6, 12, "the % operator is not supported on floats"),
    ("    while x < 1:\n        x = x * 2\n    else:\n        x = 1\n    return x", 9, 9, "while-else is not supported"),
    ("    for i in range(3):\n        x = x * y\n    else:\n        x = 1\n    return x", 9, 9, "for-else"),
    ("    for i in range(3):\n        return x\n    return y", 7, 9, "return inside a loop"),
    ("    try:\n        x = 1 / x\n    except ZeroDivisionError:\n        x = 0\n    return x", 6, 5, "try/except"),
    ("    return x in y", 6, 12, "the comparison In is not supported"),
    ("    return len(x * y for y in x)", 6, 15, "generator expressions are supported as the argument of sum"),
    ("    for i in range(2):\n        y = sum([v * 2 for v in x])\n    return y", 7, 17,
     "list comprehensions are supported in a statement at the top level"),
    ("    x[0] = y\n    return x[0]", 6, 5, "changing the parameter list x"),
    ("    ys = x\n    return ys + x[0]", 6, 10, "the list x is not a number here"),
    ("    for i in range(1, 2, 3, 4):\n        y = y + 1\n    return y", 6, 14, "range takes one to three"),
    ("    for a, b in x:\n        y = y + a\n    return y", 6, 9, "only a plain name can be a loop variable"),
    ("    for i in range(3):\n        t = x * i\n    return t", 8, 12, "t is assigned only inside the loop"),
    ("    if x > 0:\n        t = x\n    return t", 8, 12, "t is not assigned on every path"),
    ("    ys = [0.0] * 3\n    for i in range(3):\n        ys = [1.0]\n    return ys[0]", 7, 5, "rebound inside the loop"),
    ("    for i in range(3):\n        ys = [0.0] * 2\n    return x", 7, 14, "lists can only be created at the top"),
    ("    return np.fft.fft(x)", 6, 12, "np.fft.fft is not supported"),
    ("    return x[y * 0.5]", 6, 14, "an index must be an integer"),
    ("    for v in 3:\n        y = y + v\n    return y", 6, 14, "iterating over 3 is not supported"),
    ("    return max(x * 2.0)", 6, 16, "max needs a list of numbers, or two numbers or more"),
    ("    z = x * 2.0\n    return z.index(y) * y", 7, 12, "z.index: index is a method of lists only"),
    ("    if x > 0:\n        break\n    return x", 7, 9, "break outside a loop"),
    ("    ys = [x, y] * 3\n    return ys[0]", 6, 10, "repeating a list of several computed values"),
    ("    return x + (x, y)[0]", 6, 16, "tuples are not supported"),
    ("    return x, (x, y)", 6, 15, "a returned tuple holds scalars and lists only"),
    ("    return foo(x)", 6, 12, "no derivative rule for foo"),
    ("    return x + w", 6, 16, "name w is not defined"),
    ("    t = u * 2\n    u = x\n    return t", 6, 9, "u is used before it is assigned"),
    ("    return np.random.rand() * x", 6, 12, "np.random.rand is not supported"),
    ("    return math.sin(x, y)", 6, 12, "math.sin takes 1 argument(s), got 2"),
    ("    return math.floor(x)", 6, 12, "s2sad does not support math.floor"),
    ("    return math.hypot(x, y, x)", 6, 12, "hypot with more than 2 arguments"),
    ("    return math.log(x, y, 2)", 6, 12, "math.log takes 1 or 2 argument(s), got 3"),
    ("    return pow(x, y, 3)", 6, 12, "pow takes 2 argument(s), got 3"),
    ("    return math.sin(x=x)", 6, 21, "keyword arguments are not supported for math.sin"),
    ("    return x * 'a'", 6, 16, "the constant 'a' is not a number"),
    ("    return x * 'a'", 6, 16, "the constant 'a' is not a number"),
    ("    t = x * y", 6, 5, "f must end with a return"),
    ("    if x > 0:\n        return x", 6, 5, "f must end with a return of a scalar expression on every path"),
    ("    a, b = x\n    return a", 6, 5, "unpacking assignment is not supported"),
    ("    x.real = 2\n    return x", 6, 5, "assignment to x.real is not supported"),
    ("    print(x)\n    return x", 6, 5, "an expression statement has no effect"),
    ("    return ~x", 6, 12, "the unary ~ operator is not supported"),
    ("    return lambda: x", 6, 12, "lambda is not supported"),
    ("    return sum(3)", 6, 16, "sum needs a list of floats"),
    ("    return x.conjugate()", 6, 12, "the array method .conjugate is not supported"),
    ("    import math\n    return x", 6, 5, "imports inside the function"),
    ("    return math.sin", 6, 12, "math.sin is not a supported value"),
    ("    return math * x", 6, 12, "the module math is not a value"),
    ("    return g(x)", 10, 12, "recursive call of f"),  # f -> g -> f: blamed where the cycle closes
    ("    return h(x, y, x)", 6, 12, "h takes 2 argument(s), got 3"),
    ("    return h(x)", 6, 12, "h is missing b"),
    ("    return h(x, c=y)", 6, 12, "h has no parameter c"),
    ("    return x / 0", 6, 12, "division by the constant zero"),
    ("    return x * math.log(-1.0)", 6, 16, "log of constant arguments fails"),
    ("    return x + LOOPED", 6, 16, "LOOPED is bound by the statement at line"),
    ("    return x + FROM_CALL", 6, 16, "the module-level value FROM_CALL is not a numeric constant"),
]
PRELUDE = """\
import math
import numpy as np


def f(x, y):
{body}


def g(x):
    return f(x, x)


def h(a, b):
    return a * b


for _i in range(2):
    LOOPED = _i

FROM_CALL = len("abc")
"""


@pytest.mark.parametrize("body,line,col,message", CASES, ids=[c[3][:40] for c in CASES])
def test_error_case(body, line, col, message, write_module):
    text = PRELUDE.format(body=body)
    found = violations(write_module, text)
    assert any(message in m for _, _, m, _ in found), found
    first = next(v for v in found if message in v[2])
    assert first[:2] == (line, col), found
    assert first[3], "every violation says what to write instead"


def test_all_violations_are_reported_together(write_module):
    found = violations(
        write_module,
        """\
        import math


        def f(x, y):
            a = x % y
            with a:
                a = 1
            b = foo(a) + {y}
            return a ** b
        """,
    )
    assert [(line, col) for line, col, _, _ in found] == [(5, 9), (6, 5), (8, 9), (8, 18)]


def test_helper_violations_point_into_the_helper(write_module):
    found = violations(
        write_module,
        """\
        def helper(u):
            return u % 2


        def f(x):
            return helper(x) + helper(x)
        """,
    )
    assert found == [(2, 12, "the % operator is not supported on floats", found[0][3])]


def test_direct_recursion(write_module):
    found = violations(write_module, "def f(x):\n    return f(x) * x\n")
    assert found[0][:3] == (2, 12, "recursive call of f is not supported")


def test_parameters_and_decorators(write_module):
    found = violations(
        write_module,
        """\
        import functools


        @functools.cache
        def f(x, *rest, k=1.0, **options):
            return x
        """,
    )
    messages = [m for _, _, m, _ in found]
    assert "*args parameters are not supported" in messages
    assert "**kwargs parameters are not supported" in messages
    assert "keyword-only parameters are not supported" in messages
    assert "decorated functions are not supported" in messages


def test_syntax_error_in_the_file(write_module):
    found = violations(write_module, "def f(x):\n    return x +\n")
    assert found[0][0] == 2


def test_caret_display_and_message():
    err = UnsupportedSyntaxError(
        [s2sad.Violation("m.py", 3, 12, 3, 17, "the % operator is not supported", "use + - * /", "    return x % y")]
    )
    assert err.format() == textwrap.dedent(
        """\
        m.py:3:12: error: the % operator is not supported
                return x % y
                       ^^^^^
          hint: use + - * /"""
    )
    assert isinstance(err, SyntaxError) and err.offset == 12 and err.lineno == 3


def test_missing_function_and_file(tmp_path, write_module):
    path = write_module("def g(x):\n    return x\n")
    with pytest.raises(S2sadError, match="no module-level function 'f' .*functions there: g"):
        load_spec(f"{path}:f")
    with pytest.raises(S2sadError, match="no such file"):
        load_spec(f"{tmp_path}/nope.py:f")
    with pytest.raises(S2sadError, match="cannot find module"):
        load_spec("surely_not_a_module_here.f")


def test_functions_without_source():
    with pytest.raises(S2sadError, match="lambda"):
        s2sad.grad(lambda x: x * x)
    ns = {}
    exec(compile("def f(x):\n    return x * x\n", "<stdin>", "exec"), ns)
    with pytest.raises(S2sadError, match="no source file"):
        s2sad.grad(ns["f"])

    def nested(x):
        return x

    with pytest.raises(S2sadError, match="nested"):
        s2sad.grad(nested)
    with pytest.raises(S2sadError, match="not a Python function"):
        s2sad.grad(abs)


def test_wrt_errors():
    import catalogue

    with pytest.raises(S2sadError, match="no parameter 'q'.*parameters: x, y"):
        s2sad.grad(catalogue.rosenbrock, wrt="q")
    with pytest.raises(S2sadError, match="out of range"):
        s2sad.grad(catalogue.rosenbrock, wrt=2)
    with pytest.raises(S2sadError, match="named twice"):
        s2sad.grad(catalogue.rosenbrock, wrt=["x", 0])
    with pytest.raises(S2sadError, match="no parameter"):
        s2sad.grad(catalogue.rosenbrock, wrt=[])


def test_early_exits_that_would_copy_a_long_tail_many_times_are_a_located_error(write_module):
    """Arms that all fall through each need the tail: past a bound that is an error, not exponential code."""
    lines = ["def f(x, y):"]
    for k in range(8):
        lines += [f"    if x > {k}:", "        y = y * 2", "    elif y > 1:", "        return y"]
    lines += [f"    y = y + {k}" for k in range(10)] + ["    return y"]
    found = violations(write_module, "\n".join(lines) + "\n")
    assert found[0][0] in [2 + 4 * k for k in range(8)] and found[0][1] == 5  # at one of the if statements
    assert "too many statements follow early exits" in found[0][2]


def test_guard_clauses_before_a_long_body_are_accepted(derive_text):
    lines = ["def f(x, y):"]
    for k in range(6):
        lines += [f"    if x > {k + 10}:", f"        return x * {k}"]
    lines += [f"    y = y * 0.5 + x * {k}" for k in range(40)] + ["    return y"]
    d = derive_text("\n".join(lines) + "\n")
    assert d.grad(0.5, 1.0)[1] == 0.5 ** 40

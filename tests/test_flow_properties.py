"""Random programs with loops and branches from hypothesis, checked against the mpmath oracle."""

import os
import tempfile

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mpmath import mp
from oracle import mp_namespace

from s2sad.api import derive_source
from s2sad.loading import load_spec

UNARY = ["math.sin({})", "math.tanh({})", "math.atan({})", "({}) ** 2", "-({})", "math.exp(math.tanh({}))",
         "math.sqrt(1 + ({0}) * ({0}))", "({}) / 3", "abs({})", "({}) * 0.1 * 3", "({0}) * ({0}) * ({0})",
         "(({}) + 1e16) - 1e16", "({}) or 0.5", "(({}) > 0 and 0.3)"]
BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (1 + ({}) ** 2)", "max({}, {})", "min({}, {})",
          "({} if {} > 0.1 else 0.5)"]
CONSTANTS = ["0.5", "2", "-1.5", "0.25"]


def expressions(leaves, depth):
    leaf = st.sampled_from(leaves + CONSTANTS)
    if depth == 0:
        return leaf
    sub = expressions(leaves, depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda f, a: f.format(a), st.sampled_from(UNARY), sub),
        st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(BINARY), sub, sub),
    )


VARIABLES = ["s", "t"]


@st.composite
def statements(draw, indent, loop_vars, depth, exits=False):
    """A few statements at this indentation; loops and branches nest up to `depth`."""
    pad = "    " * indent
    leaves = VARIABLES + ["a", "b"] + [f"xs[{v} % len(xs)]" for v in loop_vars] + ["xs[0]", "xs[-1]", "ys[-1]"]
    leaves += [f"ys[{v} % len(ys)]" for v in loop_vars]
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["assign", "assign", "store", "if", "for", "while", "exit"] if depth
                                    else ["assign", "store"]))
        if kind == "assign":
            target = draw(st.sampled_from(VARIABLES))
            op = draw(st.sampled_from(["=", "+=", "*="]))
            value = draw(expressions(leaves, 2))
            if op == "*=":  # keep products bounded over many iterations
                value = f"math.tanh({value})"
            out.append(f"{pad}{target} {op} {value}")
        elif kind == "store":  # overwrite an item of the local list
            index = draw(st.sampled_from([f"{v} % len(ys)" for v in loop_vars] + ["0", "-1"]))
            op = draw(st.sampled_from(["=", "+="]))
            out.append(f"{pad}ys[{index}] {op} math.tanh({draw(expressions(leaves, 1))})")
        elif kind == "if":
            cond = draw(expressions(leaves, 1))
            out.append(f"{pad}if {cond} > {draw(st.sampled_from(CONSTANTS))}:")
            out += draw(statements(indent + 1, loop_vars, depth - 1, exits))
            if draw(st.booleans()):
                out.append(f"{pad}else:")
                out += draw(statements(indent + 1, loop_vars, depth - 1, exits))
        elif kind == "for":
            var = "ijk"[len(loop_vars)]
            bounds = draw(st.sampled_from(["n", "len(xs)", "3", "1, n", "n, 0, -1", f"{loop_vars[-1]}, n"
                                           if loop_vars else "2, 5"]))
            out.append(f"{pad}for {var} in range({bounds}):")
            out += draw(statements(indent + 1, loop_vars + [var], depth - 1, True))
        elif kind == "while":
            var = "w" + str(indent)
            out.append(f"{pad}{var} = 0")
            out.append(f"{pad}while {var} < 3 and s < 4.0:")
            out.append(f"{pad}    {var} += 1")  # first: a continue must not skip it
            out += draw(statements(indent + 1, loop_vars, depth - 1, False))
        elif exits:  # an early exit of the innermost for loop, under a condition
            out.append(f"{pad}if {draw(expressions(leaves, 1))} > 0.3:")
            out.append(f"{pad}    {draw(st.sampled_from(['break', 'continue']))}")
    return out or [f"{pad}pass"]


@st.composite
def programs(draw):
    body = ["    s = a", "    t = b * 0.5", "    ys = [0.0] * 3", "    for q in range(n):",
            "        t = t + 0.1 * xs[q % len(xs)]", "        ys.append(t * a)"]
    body += draw(statements(1, [], 2))
    body.append(f"    return {draw(expressions(VARIABLES + ['a'], 1))} + 0.5 * sum(ys) + ys[-1] * ys[0]")
    text = "import math\n\n\ndef f(a, b, xs, n):\n" + "\n".join(body) + "\n"
    # offsets keep points off ties and kinks that simple draws (0.0, 1.0) would sit on
    point = [draw(st.floats(-1.5, 1.5, allow_nan=False)) + off for off in (0.0137, -0.0291)]
    xs = [draw(st.floats(-1.5, 1.5, allow_nan=False)) + 0.0071 * (j + 1) for j in range(draw(st.integers(1, 4)))]
    return text, point, xs, draw(st.integers(0, 4))


def _derive(text):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "prog.py")
        with open(path, "w") as fh:
            fh.write(text)
        return derive_source(load_spec(path + ":f"))


def _oracle(text, a, b, xs, n):
    f = mp_namespace(text)["f"]
    args = [mp.mpf(a), mp.mpf(b), [mp.mpf(x) for x in xs], n]
    value = f(*args)
    grads = [mp.diff(lambda t: f(t, args[1], args[2], n), args[0]),
             mp.diff(lambda t: f(args[0], t, args[2], n), args[1])]
    for j in range(len(xs)):
        def along(t, j=j):
            moved = list(args[2])
            moved[j] = t
            return f(args[0], args[1], moved, n)

        grads.append(mp.diff(along, args[2][j]))
    return value, grads


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(programs())
def test_random_programs_with_control_flow_match_the_oracle(case):
    text, (a, b), xs, n = case
    assume("1e16" not in text)  # the cancellation form is for the exact-value test: it loses all digits
    try:
        value, want = _oracle(text, a, b, xs, n)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    assume(all(abs(w) < 1e8 for w in want) and abs(value) < 1e8)
    d = _derive(text)
    got_value, (ga, gb, gxs) = d.value_and_grad(a, b, list(xs), n)
    got = [ga, gb, *gxs]
    scale = 1 + max(abs(float(w)) for w in want) + abs(float(value))
    assert abs(got_value - float(value)) <= 1e-9 * scale, text
    for g, w in zip(got, want):
        # a point within the oracle's step of a branch boundary has no derivative: skip such draws
        assume(abs(float(w)) < 1e6)
        assert abs(g - float(w)) <= 1e-7 * scale, f"{text}\nat {a}, {b}, {xs}, {n}: s2sad {got}, oracle {want}"
    assert d.grad(a, b, list(xs), n) == (ga, gb, gxs)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_generated_source_with_control_flow_is_what_black_makes_of_it(case):
    import black

    from s2sad.emit import LINE_LENGTH, format_source

    module_text = _derive(case[0]).text
    assert format_source(module_text) == black.format_str(module_text, mode=black.Mode(line_length=LINE_LENGTH))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_value_is_fs_value_bit_for_bit(case):
    """With loops and branches too: the value of value_and_grad (API, generated module) is f's exactly."""
    text, (a, b), xs, n = case
    d = _derive(text)
    ns: dict = {}
    exec(compile(text, "<f>", "exec"), ns)
    gen: dict = {}
    exec(compile(d.text, "<generated>", "exec"), gen)
    try:
        want = ns["f"](a, b, list(xs), n)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    for vg in (d.value_and_grad, gen["f_value_and_grad"]):
        try:
            value, (ga, gb, gxs) = vg(a, b, list(xs), n)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        assert value == want or (value != value and want != want), f"{text}\n{value!r}, f gives {want!r}"
        assert all(type(g) is float for g in (ga, gb, *gxs)), f"{text}\n{(ga, gb, gxs)!r}"

"""Long and deep functions: flat elif chains, long operator chains, linear time, parser limits.

Every gradient is checked against the oracle (tests/oracle.py).
"""

from __future__ import annotations

import ast
import math
import sys
import time

import pytest
from hypothesis import given, settings, strategies as st

import s2sad
from s2sad.cli import main
from s2sad.loading import load_spec
from s2sad.api import derive_source, trace_source

from conftest import import_file
from oracle import assert_close, gradient_of, mp_namespace


def elif_chain(n: int) -> str:
    lines = ["import math", "", "", "def f(x, c):", "    if c < 0:", "        y = x"]
    for i in range(1, n):
        lines += [f"    elif c < {i}:", f"        y = x * {i + 1} + math.sin(x)"]
    lines += ["    else:", "        y = x * x", "    return y * x"]
    return "\n".join(lines) + "\n"


def check_against_oracle(path: str, text: str, points) -> None:
    generated = import_file_text(path)
    oracle = mp_namespace(text)["f"]
    for point in points:
        value, grads = generated.f_value_and_grad(*point)
        want = gradient_of(oracle, point)
        assert_close(list(grads if isinstance(grads, tuple) else (grads,)), want, rel=1e-8, what=str(point))
        assert_close(value, [oracle(*point)], rel=1e-8)


def import_file_text(path: str):
    src = load_spec(f"{path}:f")
    text = derive_source(src).source
    out = path[:-3] + "_grad.py"
    with open(out, "w") as fh:
        fh.write(text)
    return import_file(out)


@pytest.mark.parametrize("n", [3, 30, 130])
def test_elif_chain_stays_flat_and_right(write_module, n):
    text = elif_chain(n)
    path = write_module(text)
    src = derive_source(load_spec(f"{path}:f")).source
    indents = [len(line) - len(line.lstrip()) for line in src.splitlines() if line.strip()]
    assert max(indents) <= 12, "the chain is nested"
    assert src.count("elif") >= 2 * (n - 1)  # forward and reverse sweeps, in both functions
    check_against_oracle(path, text, [(0.7, c) for c in (-1.0, 0.5, n // 2 + 0.5, n + 3.0)])


def test_elif_chain_with_conditions_that_may_raise_stays_right(write_module):
    # log(c) may not run before the branch that guards it: this chain keeps its nesting, and its values
    text = "import math\n\n\ndef f(x, c):\n    if c <= 0:\n        y = x\n"
    text += "".join(f"    elif math.log(c) < {i}:\n        y = x * {i}\n" for i in range(1, 8))
    text += "    else:\n        y = x * x\n    return y\n"
    path = write_module(text)
    check_against_oracle(path, text, [(0.7, c) for c in (-1.0, 0.5, 3.0, 2000.0)])


def _derive_time(write_module, text: str) -> float:
    path = write_module(text)
    start = time.perf_counter()
    d = derive_source(load_spec(f"{path}:f"))
    d.text
    str(d.trace)
    return time.perf_counter() - start


@pytest.mark.parametrize("shape", ["elif", "sum", "straight"])
def test_generation_time_is_roughly_linear(write_module, shape):
    def make(n: int) -> str:
        if shape == "elif":
            return elif_chain(n)
        if shape == "sum":
            return "def f(x, y):\n    return " + " + ".join(f"{i % 5 + 1}*x*y" for i in range(4 * n)) + "\n"
        body = "".join(f"    x{i + 1} = x{i} * y + {i}\n" for i in range(4 * n))
        return "def f(x0, y):\n" + body + f"    return x{4 * n}\n"

    _derive_time(write_module, make(10))  # warm up
    small = min(_derive_time(write_module, make(50)) for _ in range(3))  # the least of three: load noise
    large = min(_derive_time(write_module, make(200)) for _ in range(3))
    assert large / small < 9, f"{shape}: 4x the size took {large / small:.1f}x the time (quadratic: 16x)"


@pytest.mark.parametrize("terms", [800, 1500])
def test_long_sums_and_products(write_module, terms):
    text = "import math\n\n\ndef f(x, y):\n    return " + " + ".join(
        f"{i % 7 - 3}*x*y" if i % 3 else f"math.sin({i % 5}*x)" for i in range(terms)) + "\n"
    text += "\n\ndef g(x, y):\n    return " + " * ".join("(1 + x / 10000)" if i % 2 else "y" for i in range(terms // 50)) + "\n"
    path = write_module(text)
    check_against_oracle(path, text, [(0.3, 0.7), (-1.1, 0.2)])
    out = s2sad.grad(import_file(path).g)(0.3, 1.01)
    want = gradient_of(mp_namespace(text)["g"], (0.3, 1.01))
    assert_close(list(out), want, rel=1e-8)


@pytest.mark.parametrize("body", [" + ".join(["x"] * 5000), "-" * 10000 + "x", " * ".join(["x"] * 100000)])
def test_beyond_the_parser_is_a_located_error(write_module, capsys, body):
    """Where Python's own parser refuses the statement (its limits differ between versions), a located error."""
    text = "import math\n\n\ndef f(x):\n    return " + body + "\n"
    path = write_module(text)
    try:
        ast.parse(text)
        parses = True
    except (RecursionError, MemoryError, SyntaxError):
        parses = False
    code = main(["gen", f"{path}:f"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if parses:  # this Python reads it: so does s2sad, into a module that runs
        assert code == 0
        exec(compile(out, "<generated>", "exec"), {})
    else:
        assert code == 2
        assert ":5:5: error: this statement is too long or too deeply nested" in err


_OPS = st.sampled_from(["+", "-", "*", "/"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(_OPS, st.integers(1, 9), st.booleans()), min_size=1, max_size=1500),
       st.integers(0, 400), st.sampled_from(["flat", "unary", "power", "ifexp"]))
def test_random_long_and_deep_expressions(tmp_path_factory, chain, depth, shape):
    expr = "x"
    for op, k, use_y in chain:
        operand = "y" if use_y else f"{k}"
        expr += f" {op} {operand}" if op != "/" or use_y else f" {op} {k}"
    if shape == "unary":
        expr = "-" * depth + "(" + expr + ")"
    elif shape == "power":
        expr = "(" + expr + ") * " + "**".join(["1.0001"] * min(max(depth, 1), 300)) + "**x"
    elif shape == "ifexp":
        expr = " ".join(f"{i} * y if x < {-i} else" for i in range(depth)) + " (" + expr + ")"
    text = f"def f(x, y):\n    return {expr}\n"
    path = tmp_path_factory.mktemp("deep") / "deep.py"
    path.write_text(text)
    limit = sys.getrecursionlimit()
    try:
        got = derive_source(load_spec(f"{path}:f")).value_and_grad(0.5, 1.25)
    except s2sad.S2sadError as exc:  # a clean refusal is allowed; a crash is not
        assert "too" in str(exc), exc
        return
    assert sys.getrecursionlimit() == limit
    oracle = mp_namespace(text)["f"]
    assert_close(list(got[1]), gradient_of(oracle, (0.5, 1.25)), rel=1e-7, abs_=1e-9)


def test_trace_prints_infinite_constants(write_module, capsys):
    path = write_module("def f(x, y):\n    a = x * 1e309\n    b = y * -1e309 / x\n    return a + b + x ** 1e309\n")
    assert main(["trace", f"{path}:f"]) == 0
    out = capsys.readouterr().out
    assert "inf*x" in out and "-inf*y" in out and "x**inf" in out
    assert "inf" in str(trace_source(load_spec(f"{path}:f")))


def test_recursion_limit_is_restored_after_deep_functions(write_module):
    limit = sys.getrecursionlimit()
    path = write_module(elif_chain(400))
    derive_source(load_spec(f"{path}:f")).text
    assert sys.getrecursionlimit() == limit


def test_deep_functions_run_on_a_stack_of_their_own_and_leave_the_stack_size(write_module, monkeypatch):
    import threading

    from s2sad import util

    started = []
    real = util.on_big_stack
    monkeypatch.setattr(util, "on_big_stack", lambda levels, run: started.append(levels) or real(levels, run))
    import s2sad.api as api
    monkeypatch.setattr(api, "on_big_stack", util.on_big_stack)
    before = threading.stack_size()
    text = "def f(x):\n    return " + " + ".join(f"x * {k}" for k in range(1500)) + "\n"
    g = derive_source(load_spec(f"{write_module(text)}:f")).grad
    assert started and max(started) >= 1000  # the deep derivation ran in a thread with a matching stack
    assert g(0.5) == float(sum(range(1500)))
    assert threading.stack_size() == before and sys.getrecursionlimit() >= 1000


@pytest.mark.parametrize("result", ["y", "y * x"])
def test_chains_are_formatted_as_black_formats_the_whole_module(write_module, result):
    import black

    from s2sad.emit import LINE_LENGTH, format_source

    text = elif_chain(60).replace("    return y * x", f"    return {result}")
    d = derive_source(load_spec(f"{write_module(text)}:f"))
    assert format_source(d.text) == black.format_str(d.text, mode=black.Mode(line_length=LINE_LENGTH))
    generated = import_file(write_module(d.source, "gen"))
    oracle = mp_namespace(text)["f"]
    for c in (-1.0, 7.5, 100.0):
        assert_close(list(generated.f_grad(0.6, c)), gradient_of(oracle, (0.6, c)), rel=1e-8)


def test_a_formatter_failure_is_an_internal_error_not_a_traceback(write_module, monkeypatch, capsys):
    import black

    def broken(*args, **kwargs):
        raise black.parsing.InvalidInput("cannot parse: 3:0")

    monkeypatch.setattr(black, "format_str", broken)
    params = [f"parameter_number_{i}" for i in range(12)]  # a def line longer than black's limit
    path = write_module(f"def f({', '.join(params)}):\n    return " + " * ".join(params) + "\n")
    with pytest.raises(s2sad.S2sadError, match="internal error: black could not format"):
        derive_source(load_spec(f"{path}:f")).source
    assert main(["gen", f"{path}:f"]) == 2
    err = capsys.readouterr().err
    assert "internal error" in err and "bug in s2sad" in err and "Traceback" not in err

"""wrap.wrapped writes black's layout of long sums and products: held to black itself, line by line."""

from __future__ import annotations

import random

import pytest

from s2sad.api import derive_source
from s2sad.emit import LINE_LENGTH, format_source
from s2sad.loading import load_spec
from s2sad.wrap import wrapped

black = pytest.importorskip("black")

FORMS = ["{a} + {b}", "{a} * {b}", "{a} - 0.5 * {b}", "math.sin({a})", "math.tanh(0.5 * {a})", "{a} / {b}",
         "math.exp(-{a})", "math.atan2({a}, {b})"]


def straight_line(n_ops: int, seed: int) -> str:
    rng = random.Random(seed)
    lines = ["import math", "", "", "def f(x0, x1, x2, x3):"]
    names = ["x0", "x1", "x2", "x3"]
    for k in range(n_ops):
        a, b = names[-1], rng.choice(names[-50:-1])
        lines.append(f"    v{k} = " + rng.choice(FORMS).format(a=a, b=b))
        names.append(f"v{k}")
    lines.append(f"    return {names[-1]} * x0")
    return "\n".join(lines) + "\n"


def _black(statement: str, width: int) -> list[str]:
    return black.format_str(statement + "\n", mode=black.Mode(line_length=width)).splitlines()


def test_long_statements_of_a_gradient_at_many_widths(write_module):
    text = derive_source(load_spec(f"{write_module(straight_line(300, 3))}:f")).text
    statements = [line.lstrip() for line in text.splitlines()
                  if len(line) > 70 and not line.lstrip().startswith(("#", '"""'))]
    done = 0
    for statement in statements:
        for width in (len(statement) - 1, 96, 80, 64):
            lines = wrapped(statement, width)
            if lines is not None:
                assert lines == _black(statement, width), (statement, width)
                done += 1
    assert done > 100
    assert format_source(text) == black.format_str(text, mode=black.Mode(line_length=LINE_LENGTH))


def _expression(rng: random.Random, depth: int = 0) -> str:
    def atom() -> str:
        r = rng.random()
        if depth > 2 or r < 0.4:
            return rng.choice(["a", "bb", "v12_bar", "0.5", "2", "1e-3"])
        if r < 0.55:
            return f"{rng.choice(['cos', 'np.exp', 'atan2'])}({_expression(rng, depth + 1)})"
        if r < 0.7:
            return f"({_expression(rng, depth + 1)})"
        if r < 0.8:
            return f"-{atom()}"
        if r < 0.9:
            return f"{atom()}[{rng.choice(['i', '0', 'k + 1'])}]"
        return f"{atom()} ** {atom()}"

    parts = [atom()]
    for _ in range(rng.randint(0, 5)):
        parts += [rng.choice(["+", "-", "*", "/", "//", "%"]), atom()]
    return " ".join(parts)


def test_random_statements_in_blacks_spacing():
    rng = random.Random(5)
    done = 0
    for _ in range(250):
        statement = f"{rng.choice(['v', 'w_bar'])} {rng.choice(['=', '+=', '-='])} {_expression(rng)}"
        statement = black.format_str(statement + "\n", mode=black.Mode(line_length=10_000)).strip()
        if rng.random() < 0.5:
            statement += "  # from lines " + ", ".join(str(rng.randint(1, 999)) for _ in range(rng.randint(1, 5)))
        for cut in (1, 6, 15, 30):
            width = max(12, len(statement) - cut)
            lines = wrapped(statement, width)
            if lines is not None:
                assert lines == _black(statement, width), (statement, width)
                done += 1
    assert done > 100


@pytest.mark.parametrize("statement, width", [
    ("x = a + b + c", 100),  # fits: nothing to do
    ("x = a * (b + c)", 8),  # one operator: black may split at the bracket
    ("x = (a + b + c)", 8),  # the value's own parentheses
    ("x[i] = a + b + c", 8),  # not a name
    ("x = 'a' + b + c", 8),  # a string
    ("x = a + b + c; y = 1", 8),
    ("x = a < b + c + d", 8),
])
def test_what_it_leaves_to_black(statement, width):
    assert wrapped(statement, width) is None

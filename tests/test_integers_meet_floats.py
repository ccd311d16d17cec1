"""Integers meeting float constants: the value is Python's own, bit for bit, zero signs and types included.

`n - 0.0`, `-0.0 - n`, `1.0 * n`, `-1.0 * n`, `0.5 * (2 * n)` and `c * (n + m)` are floats in Python, and
an integer beyond 2**53 is rounded where Python converts it, not earlier or later. Random expressions over
two integers (0, small, and beyond 2**53), a truth value and a float, with such constants, are compared with
Python's own evaluation (the oracle here is Python: these are values, not derivatives): f returns the
expression itself, and value_and_grad's value must have its type and its repr (every bit, a zero's sign
included). The sign-reading module calls `copysign`, which turns on the sign-keeping mode.
"""

import math
import random

import pytest

import s2sad
from conftest import import_file

CONSTANTS = ["0", "0.0", "-0.0", "1", "1.0", "-1.0", "0.5", "2", "3.0", "2**53", "2**60"]
LENGTHS = [0, 1, 2]  # n = len(xs) * a + b and m = len(xs) * c + d: zero, small, beyond 2**53, negative
POINTS = [1.5, -2.0, -0.0, 0.0]


def _expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(["n", "m", "t", "x", *CONSTANTS])
    kind = rng.random()
    if kind < 0.15:
        return f"-({_expression(rng, depth - 1)})"
    if kind < 0.3:
        return rng.choice(["abs({})", "({}) ** 2", "({}) ** 2.0", "({}) / 2", "({}) / 3"]).format(
            _expression(rng, depth - 1))
    op = rng.choice(["+", "-", "*", "-", "+", "*"])
    return f"({_expression(rng, depth - 1)} {op} {_expression(rng, depth - 1)})"


def _module(signed: bool, seed: int, count: int) -> str:
    rng = random.Random(seed)
    lines = ["from math import copysign", "", "", "def sign(v):", "    return copysign(1.0, v)", ""] if signed else [""]
    for k in range(count):
        a, b = rng.choice([1, 3, 2**53, -(2**60)]), rng.choice([0, 1, -2])
        c, d = rng.choice([1, 2**59]), rng.choice([0, -1, 3])
        e = _expression(rng, 3)
        lines += ["", f"def f{k}(x, xs):", f"    n = len(xs) * {a} + {b}", f"    m = len(xs) * {c} + {d}",
                  "    t = x > 0.0", f"    e = {e}", "    return e", ""]
    return "\n".join(lines)


def _same(got: object, want: object, signs: bool = True) -> bool:
    """The same type and bits; a zero of either sign where no sign is read (the module calls no sign reader).
    True is the int 1 (bool is an int type: the same arithmetic, `-(-t)` may stay a truth value)."""
    if type(got) in (bool, int) and type(want) in (bool, int):
        return got == want
    return type(got) is type(want) and (repr(got) == repr(want) or not signs and got == want == 0)


@pytest.mark.parametrize("signed", [False, True], ids=["plain", "sign-reading"])
def test_values_are_pythons_bit_for_bit(signed, write_module):
    count = 120
    text = _module(signed, 20261204 + signed, count)
    module = import_file(write_module(text, "integers"))
    checked = 0
    for k in range(count):
        f = getattr(module, f"f{k}")
        vg = s2sad.value_and_grad(f, wrt=0)
        for length in LENGTHS:
            xs = [0.25] * length
            for x in POINTS:
                try:
                    want = f(x, list(xs))
                except (ZeroDivisionError, OverflowError):
                    continue
                if isinstance(want, float) and math.isnan(want):
                    continue
                got = vg(x, list(xs))[0]
                source = text.split(f"def f{k}(")[1].split("\n\n")[0]
                assert _same(got, want, signed), (f"f{k}", x, length, got, want, source)
                checked += 1
    assert checked > 0.7 * count * len(LENGTHS) * len(POINTS)  # most points evaluate


@pytest.mark.parametrize("source,point,want", [
    ("n = len(xs) * 2**53\n    y = (n - 0.0) + 1\n    return x * (y - n + 1.0)", (1.5, [0.5]), 1.5),
    ("n = len(xs) - 1\n    return x * copysign(1.0, -0.0 - n)", (1.5, [0.5]), -1.5),
    ("b = (x > 2.0) * 1.0\n    return x * copysign(1.0, -b)", (1.5, [0.5]), -1.5),
    ("n = len(xs) * 2**60 + 1\n    return x * (-1.0 * n + 2**60)", (1.5, [0.5]), 0.0),
    ("n = len(xs) * 2**60 + 1\n    return x * (0.5 * (2 * n) - 2**60)", (1.5, [0.5]), 0.0),
    ("m = len(xs) * 2**59 + 3\n    return x * ((2**53 + 1) * (0.5 + m) - 2 - 2**112)", (1.5, [0.5]),
     1.5 * ((2**53 + 1) * (0.5 + 2**59 + 3) - 2 - 2**112)),
    ("n = len(xs) * 2**53 + 1\n    return -1.0 * (3 * n + x)", (1.5, [0.5]), -1.0 * (3 * (2**53 + 1) + 1.5)),
    ("n = len(xs) * 2**53 + 1\n    m = len(xs) * 2\n    return (n + m + x) / 2", (1.5, [0.5]),
     (2**53 + 1 + 2 + 1.5) / 2),
    ("n = len(xs) * 2**53 + 1\n    return 2.0 * (3 * n * x)", (1.5, [0.5]), 2.0 * (3 * (2**53 + 1) * 1.5)),
    ("t = x > 0.0\n    return x * copysign(1.0, -0.0 - t)", (-1.0, [0.5]), 1.0),
    ("t = x > 0.0\n    return x + (t ** 2 - 0.0 + 2**60) - 2**60", (1.5, [0.5]), 1.5 + (1.0 + 2**60) - 2**60),
    ("n = len(xs)\n    return copysign(x, 1e999) + (n - n)", (1.5, [0.5]), 1.5),
])
def test_the_cases_that_were_folded_to_integers(source, point, want, write_module):
    """Each was an integer, a float rounded otherwise or a zero of the other sign in the generated code (the
    last one failed to derive): a wrong value."""
    text = f"from math import copysign\n\n\ndef f(x, xs):\n    {source}\n"
    module = import_file(write_module(text, "folded"))
    assert _same(module.f(*point), want)
    assert _same(s2sad.value_and_grad(module.f, wrt=0)(*point)[0], want)
    namespace: dict = {}
    exec(compile(s2sad.generate(module.f, wrt=0), "<generated>", "exec"), namespace)
    assert _same(namespace["f_value_and_grad"](*point)[0], want)

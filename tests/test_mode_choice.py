"""Mode selection by cost: a gradient in one scalar input by forward accumulation where that costs fewer
operations; values and gradients against the 50-digit oracle either way."""

import os

import pytest
from conftest import EXAMPLES, import_file
from oracle import assert_gradient, gradient_of, mp_namespace

import s2sad
from s2sad.cli import main

LOOPS = os.path.join(EXAMPLES, "loops.py")

CASES = [  # (function, wrt, point, mode chosen)
    ("newton_sqrt", "a", (2.0, 6), "forward"),  # a loop that reverse mode tapes
    ("halvings", "x", (10.0,), "forward"),  # a while loop
    ("oscillator", "k", (2.0, 0.3, 1.0, 0.0, 40), "forward"),
    ("oscillator", ["k", "c"], (2.0, 0.3, 1.0, 0.0, 40), "reverse"),  # two inputs: one sweep back gives both
    ("huber", "r", (0.3, 1.0), "reverse"),  # straight-line: no cheaper forward
]


@pytest.mark.parametrize("name,wrt,point,mode", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_the_mode_chosen_and_its_gradient(name, wrt, point, mode):
    f = getattr(import_file(LOOPS), name)
    d = s2sad.derive(f, wrt)
    assert d.mode[0] == mode, d.mode
    positions = [list(d.trace.params).index(p) for p in d.wrt]
    oracle_f = mp_namespace(open(LOOPS).read())[name]
    want = gradient_of(lambda *a: oracle_f(*[a[positions.index(i)] if i in positions else point[i]
                                             for i in range(len(point))]), [point[i] for i in positions])
    value, got = s2sad.value_and_grad(f, wrt)(*point)
    assert value == f(*point)  # forward accumulation computes f's value as f does
    assert_gradient(got if len(positions) > 1 else (got,), want, what=f"{name} by {mode}")
    grad = s2sad.grad(f, wrt)(*point)
    assert_gradient(grad if len(positions) > 1 else (grad,), want, what=f"{name} grad by {mode}")


def test_the_header_says_which_mode_and_why_and_reverse_can_be_forced(capsys):
    assert main(["gen", f"{LOOPS}:newton_sqrt", "--wrt", "a"]) == 0
    text = capsys.readouterr().out
    assert "by forward accumulation" in text and "Mode chosen by cost (one input: forward accumulation" in text
    assert "def newton_sqrt_value_and_grad(a, steps=6):" in text and "tape.append" not in text
    namespace: dict = {}
    exec(text, namespace)
    value, g = namespace["newton_sqrt_value_and_grad"](2.0)
    assert value == import_file(LOOPS).newton_sqrt(2.0) and g == pytest.approx(0.5 / 2.0 ** 0.5, rel=1e-12)
    assert main(["gen", f"{LOOPS}:newton_sqrt", "--wrt", "a", "--mode", "reverse"]) == 0
    forced = capsys.readouterr().out
    assert "Reverse-mode gradient" in forced and "tape.append" in forced


def test_second_order_reads_back_reverse_mode_whatever_the_first_order_chose():
    f = import_file(LOOPS).newton_sqrt
    h = s2sad.hessian(f, "a")(2.0, 6)
    assert h == pytest.approx(-0.25 * 2.0 ** -1.5, rel=1e-9)  # d2/da2 sqrt(a)

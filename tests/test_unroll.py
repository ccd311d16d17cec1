"""Loops of literal trip count unrolled into straight-line code: same values, gradients against the
50-digit oracle, comments naming the iterations, and what s2sad accepts unchanged by unrolling."""

import copy
import importlib.util

import pytest
from oracle import assert_gradient, gradient_of, mp_namespace

import s2sad
from s2sad.cli import main
from s2sad.unroll import Line, lines_text, without_iterations

SOURCE = '''\
import math


def network(w, b, v, x):
    out = 0.0
    for j in range(3):
        a = b[j]
        for i in range(2):
            a += w[2 * j + i] * x[i]
        out += v[j] * math.tanh(a)
    return out * out


def backwards(x, y):
    s = y
    for k in reversed(range(4)):
        s = s * x + k * math.sin(s)
    return s


def stepped(xs):
    s = 1.0
    for k in range(5, 0, -2):
        s = s * xs[k - 1] + xs[0] ** 3
    return s


def branchy(x, y):
    t = 0.0
    for k in range(3):
        if x > k:
            t = t + x * y
        else:
            t = t - math.exp(y * k)
    return t


def counter_after(x):
    k = 0
    for k in range(3):
        x = x * 2.0
    return x + k


def none_at_all(x):
    t = x
    for k in range(0):
        t = t * math.sin(t)
    return t * x


def mixed(xs, n):
    s = 0.0
    for i in range(n):
        for k in range(2):
            s += xs[i] * xs[k] ** 4
    return s
'''

POINTS = {
    "network": ([0.3, -0.2, 0.5, 0.1, -0.4, 0.25], [0.1, -0.3, 0.2], [0.7, -0.5, 1.1], [0.5, -1.25]),
    "backwards": (0.7, -0.4),
    "stepped": ([0.5, -1.5, 0.75, 2.0, -0.3],),
    "branchy": (1.5, 0.3),
    "none_at_all": (0.8,),
    "mixed": ([0.5, -1.5, 0.75], 3),
}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("unroll") / "literal_loops.py"
    path.write_text(SOURCE)
    spec = importlib.util.spec_from_file_location("literal_loops", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", sorted(POINTS))
@pytest.mark.parametrize("unroll", [None, 0])
def test_value_and_gradient_against_the_oracle(module, name, unroll):
    f, point = getattr(module, name), POINTS[name]
    wrt = [k for k, a in enumerate(point) if not isinstance(a, int)]
    value, got = s2sad.value_and_grad(f, wrt=wrt, unroll=unroll)(*copy.deepcopy(point))
    assert value == f(*point)  # the same operations in the same order
    oracle_f = mp_namespace(SOURCE)[name]
    want = gradient_of(lambda *a: oracle_f(*a, *point[len(wrt):]), point[: len(wrt)])
    assert_gradient(got if len(wrt) > 1 else (got,), want, what=f"{name} (unroll={unroll})")


def test_unrolled_code_is_straight_and_names_its_iterations(module):
    text = s2sad.generate(module.network)
    body = text.split("def network_value_and_grad", 1)[1].split("def network_grad", 1)[0]
    assert " for " not in body and "tape" not in body
    assert "# line 9 [j=2, i=1]" in body  # a += ... in the last outer, last inner iteration
    assert "# line 7 [j=0]" in body
    assert "for j in range(3)" in s2sad.generate(module.network, unroll=0)


def test_a_loop_over_a_computed_range_keeps_its_loop_and_unrolls_what_is_inside(module):
    text = s2sad.generate(module.mixed)
    assert "for i in range(n)" in text and "for k in" not in text
    assert "[k=1]" in text


def test_a_small_budget_keeps_the_loop(module):
    assert "for j in range(3)" in s2sad.generate(module.network, unroll=10)
    inner_only = s2sad.generate(module.network, unroll=20)  # the inner loop, 2 x 6 operations, fits
    assert "for j in range(3)" in inner_only and "for i in" not in inner_only


def test_what_is_accepted_does_not_depend_on_unrolling(write_module):
    """A name bound only inside a loop and read after it is an error of the loop as written, unrolled or not."""
    path = write_module("def f(x):\n    for i in range(3):\n        t = x * i\n    return t\n")
    for options in ([], ["--no-unroll"]):
        assert main(["gen", f"{path}:f", *options]) == 2


def test_the_loop_variable_read_after_the_loop_keeps_the_loop_and_its_error(module):
    for unroll in (None, 0):
        with pytest.raises(s2sad.S2sadError, match="loop variable k is used after its loop"):
            s2sad.grad(module.counter_after, unroll=unroll)


def test_cli_options(module, capsys):
    path = module.__file__
    assert main(["gen", f"{path}:backwards", "--no-unroll"]) == 0
    assert "for k in range(3, -1, -1)" in capsys.readouterr().out
    assert main(["gen", f"{path}:backwards", "--unroll", "1000"]) == 0
    assert "for k in" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["gen", f"{path}:backwards", "--unroll", "-3"])
    with pytest.raises(s2sad.S2sadError):
        s2sad.grad(module.backwards, unroll=-1)


def test_lines_name_their_iterations_as_runs():
    lines = (Line(9, (("j", 0), ("i", 1))), Line(9, (("j", 0), ("i", 0))), 7, Line(9, (("j", 1), ("i", 0))))
    assert lines_text(lines) == "9 [j=0, i=0..1; j=1, i=0], 7"
    assert Line(9, (("j", 0),)) != Line(9, (("j", 1),)) and hash(Line(9, (("j", 0),))) == hash(9)
    assert copy.deepcopy(Line(4, (("k", 2),))).iteration == (("k", 2),)
    assert without_iterations("x = 1  # from lines 9 [j=0, i=0..1; j=1, i=0], 7") == "x = 1  # from lines 9, 7"


def test_first_contributions_to_list_items_are_stores_and_gradients_stay_floats(module):
    text = s2sad.generate(module.network)
    assert "w_bar[5] = " in text and "w_bar[5] += " not in text
    grads = s2sad.grad(module.network)(*copy.deepcopy(POINTS["network"]))
    assert all(type(g) is float for lst in grads for g in lst)

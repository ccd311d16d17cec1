"""List comprehensions and generator expressions (in sum, max, min) at the top level of a function:
values equal to the function's, gradients against the mpmath oracle, for the API and the generated
module; a comprehension's variables stay its own; where lists cannot be created, a located refusal."""

import textwrap

import pytest
from conftest import import_file
from oracle import assert_gradient, gradient_of, mp_namespace

import s2sad
from s2sad import UnsupportedSyntaxError

SOURCE = textwrap.dedent('''\
    from math import exp, log, sin


    def softmax_ce(z, label):
        m = max(z)
        e = [exp(v - m) for v in z]
        return log(sum(e)) + m - z[label]


    def filtered(xs, a):
        return sum(x * a for x in xs if x > 0) + max(sin(x) * a for x in xs)


    def enumerated(xs, a):
        ws = [k * x + a for k, x in enumerate(xs)]
        return sum([w * w for w in ws]) + ws[-1]


    def ranges(xs, a):
        return sum(xs[i] * xs[i + 1] * a for i in range(len(xs) - 1))


    def pairs(xs, a):
        return sum(x * y * a for x in xs for y in xs if x < y)


    def shadowed(xs, x):
        v = sum(x * x for x in xs) + x
        return v * min(v * x for v in xs)


    def outer_iterable(xs, a):
        return sum(xs * a for xs in xs) + max([x * x for x in xs]) + a


    def mixed(xs, a):
        s = 0.0
        for x in xs:
            s += x * a
        ys = [s * x for x in xs]
        return sum(ys) * min(ys)
''')

POINTS = {
    "softmax_ce": [([1.0, 2.0, 0.5], 1), ([3.0, -1.0, 0.0, 2.5], 0)],
    "filtered": [([0.3, -1.2, 2.5], 0.7), ([-0.5, -0.25], 1.3)],
    "enumerated": [([0.3, -1.2, 2.5], 0.7), ([1.5], -0.4)],
    "ranges": [([0.3, -1.2, 2.5, 0.9], 0.7), ([1.5], -0.4)],
    "pairs": [([0.3, -1.2, 2.5], 0.7)],
    "shadowed": [([0.3, -1.2, 2.5], 0.7), ([1.1, 0.4], -1.5)],
    "mixed": [([0.3, -1.2, 2.5], 0.7)],
    "outer_iterable": [([0.3, -1.2, 2.5], 0.7)],
}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("comprehensions") / "comprehended.py"
    path.write_text(SOURCE)
    return import_file(str(path))


@pytest.fixture(scope="module")
def generated(module, tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    out = {}
    for name in POINTS:
        path = folder / f"{name}_grad.py"
        path.write_text(s2sad.generate(getattr(module, name)))
        out[name] = getattr(import_file(str(path)), f"{name}_value_and_grad")
    return out


@pytest.mark.parametrize("name", sorted(POINTS))
def test_values_and_gradients_against_the_oracle(module, generated, name):
    f = getattr(module, name)
    oracle = mp_namespace(SOURCE)[name]
    for point in POINTS[name]:
        want = gradient_of(oracle, point)
        for vg in (s2sad.value_and_grad(f), generated[name]):
            value, got = vg(*point)
            assert value == f(*point)  # the same operations in the same order
            assert_gradient(got, want, what=f"{name} at {point}")


def test_the_loop_builds_the_list_under_the_users_name(module):
    text = s2sad.generate(module.softmax_ce)
    assert "    e = []  # line 6" in text and "e.append(" in text and " for v in z:  # line 6" in text


def test_a_comprehension_variable_used_elsewhere_gets_a_name_of_its_own(module):
    text = s2sad.generate(module.shadowed)
    assert "for x_1 in xs:" in text and "for v_1 in xs:" in text  # x and v are the function's too


@pytest.mark.parametrize("body, line, col, words", [
    ("    s = 0.0\n    for i in range(3):\n        s += sum([x * v for v in xs])\n    return s", 8, 18,
     "list comprehensions are supported in a statement at the top level"),
    ("    if x > 0:\n        return sum(x * v for v in xs)\n    return x", 7, 19,
     "generator expressions are supported as the argument of sum, max or min"),
    ("    return len(x * v for v in xs) * x", 6, 15, "generator expressions are supported as the argument"),
    ("    return x if x > 0 else sum(math.log(v) for v in xs)", 6, 31, "not in an arm of `a if c else b`"),
    ("    if x > 1:\n        return x\n    return sum([x * v for v in xs])", 8, 16, "before any early return"),
    ("    return sum([sum([v * w for v in xs]) for w in xs]) * x", 6, 21, "list comprehensions are supported"),
])
def test_where_lists_cannot_be_created_a_located_refusal(write_module, body, line, col, words):
    path = write_module(f"import math\n\n\ndef f(x, xs):\n    x = x * 1.0\n{body}\n")
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sad.api.derive_source(s2sad.loading.load_spec(f"{path}:f"))
    v = info.value.violations[0]
    assert (v.line, v.col) == (line, col) and words in v.message, (v.line, v.col, v.message)

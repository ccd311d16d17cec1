"""Where a module reads the sign of a zero (copysign, atan2), the value is f's to the sign of its zeros.

The oracle is Python itself: f run on the same floats, compared bit for bit (`copysign(1, v)` tells
-0.0 from 0.0). The points are zeros of both signs and a few plain numbers.
"""

import itertools
import math

import pytest
from conftest import import_file

import s2sad

SOURCE = """\
import math


def sub_int_zero(x):
    return math.copysign(1.0, x - 0)


def sub_zero(x):
    return math.copysign(1.0, x - 0.0)


def sub_negative_zero(x):
    return math.copysign(1.0, x - -0.0)


def add_zero(x):
    return math.copysign(1.0, 0 + x) + 2.0 * math.copysign(1.0, x + 0.0)


def add_negative_zero(x):
    return math.copysign(1.0, -0.0 + x)


def subtracted_product(x, y):
    return math.atan2(x * y - 0, -1.0)


def zero_times(x, y):
    return math.copysign(1.0, 0.0 * x * y) + math.atan2(x * 0.0 * y, -1.0)


def zero_factor_of_a_product(x, y):
    return math.copysign(1.0, (3.0 * x) * (0.0 * y)) + math.copysign(1.0, (2.0 * y) * (x * 0.0))


def negated_difference(x, y):
    return math.atan2(-(x - y), -1.0)


def scaled_difference(x, y):
    return math.copysign(1.0, -2.0 * (x - y)) + math.copysign(1.0, 2.0 * (x - y))


def negated_sum_with_zero(x, y):
    return math.copysign(1.0, -(x + 0.0)) + math.copysign(1.0, -4.0 * (y + 0.0))


def zero_over(x, y):
    return math.copysign(1.0, (x - x) / (y + 3.0))


def negated_twice(x):
    a = 0.0 - x
    b = -x
    return math.copysign(1.0, b) + 2.0 * math.copysign(1.0, a) + 4.0 * math.copysign(1.0, (0.0 - x) - x)


def scaled_twice(x, y):
    a = x * 2.0
    b = 2.0 * x + 0.0
    return math.copysign(1.0, b) + 2.0 * math.copysign(1.0, a) + 4.0 * math.copysign(1.0, y - y - x - x)


def popped(x, y):
    xs = []
    xs.append(x * y)
    v = xs.pop()
    return math.copysign(1.0, -(v - v))


def cancelled_then_added(x, y):
    s = y - y + x * 0.0
    t = 0.0
    t += x
    return math.copysign(1.0, s) + math.atan2(t, -1.0) + math.copysign(1.0, 0.5 * t)
"""

POINTS = [-0.0, 0.0, 1.0, -1.0, 2.5]


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("signed_zeros") / "signs.py"
    path.write_text(SOURCE)
    return import_file(str(path))


def bits(v: float) -> tuple:
    return v, math.copysign(1.0, v)


NAMES = [line[4:line.index("(")] for line in SOURCE.splitlines() if line.startswith("def ")]


@pytest.mark.parametrize("name", NAMES)
def test_values_keep_the_sign_of_zeros(module, name):
    f = getattr(module, name)
    vg = s2sad.value_and_grad(f)
    for point in itertools.product(POINTS, repeat=f.__code__.co_argcount):
        assert bits(vg(*point)[0]) == bits(f(*point)), (name, point)


def test_a_word_in_a_comment_reads_no_sign(tmp_path):
    """Only code that calls a sign reader keeps x + 0.0 as written: a comment naming one changes nothing."""
    body = "def f(x, y):\n    s = 0.0\n    s += x * y\n    return s * 3.0\n"
    plain, commented = tmp_path / "plain.py", tmp_path / "commented.py"
    plain.write_text(body)
    commented.write_text(body + "\n\n# polar helpers: atan2 and copysign are not used here\n")
    strip = lambda text: text.split("\ndef ", 1)[1]  # noqa: E731 - the header names the file
    assert strip(s2sad.generate(import_file(str(plain)).f)) == strip(s2sad.generate(import_file(str(commented)).f))
    reading = tmp_path / "reading.py"
    reading.write_text("import math\n\n\n" + body.replace("return s * 3.0", "return math.copysign(1.0, s) * 3.0"))
    assert "+ 0.0" in s2sad.generate(import_file(str(reading)).f)

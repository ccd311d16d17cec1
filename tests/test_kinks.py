"""The kink report (`s2sad kinks`, `s2sad.piecewise`, the generated header) on a catalogue of
piecewise functions: every piecewise construct is listed with its line and switching condition, a
condition on values that do not move with the differentiated parameters is not, and neither is a
shape query. Each listed condition is checked to be real: the derivative, by central differences of
the function itself, differs on the two sides of the switch."""

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import import_file

import s2sad

SOURCE = textwrap.dedent('''\
    import math
    import numpy as np


    def absolute(x, y):
        return abs(x) * y


    def maximum(x, y):
        return max(x, y) ** 2 + min(x, 2.0)


    def copysigned(x, y):
        return math.copysign(x, y) + math.fabs(y)


    def branch(x, y, n):
        if x > y:
            x = x * 2
        if n > 3:
            x = x + 1
        return x * y


    def conditional(x, y):
        return x * y if x + y > 1 else y


    def whiles(x, n):
        k = 0
        while x < 10.0 and k < n:
            x = x * 1.5
            k += 1
        return x


    def inactive(x, c):
        if c > 0:
            return x * x
        return -x


    def smooth(x, y):
        return math.sin(x) * math.exp(y) + math.atan(x * y)


    def arrays(x, y):
        z = np.maximum(x, y) + np.clip(x, -1.0, 1.0) + np.where(x > 0, x, y) + np.abs(y)
        return np.sum(z) + np.max(x) + np.sum(np.floor(x) * y) + np.linalg.norm(y)


    def truncated(x, y):
        return x * int(x) + y


    def shapes(W, xs):
        h = np.zeros(W.shape[0])
        for t in range(len(xs)):
            h = np.tanh(W @ h + xs[t])
        return np.sum(h ** 2)


    def cone(x, y):
        return math.hypot(x, y) + np.abs(x) + np.copysign(x, 2.0)


    def truthy(x, y):
        if x:
            return x * y
        return y


    def norms(x, y):
        return np.linalg.norm(x, ord=1) + np.linalg.norm(y, ord=np.inf) + np.size(x) * np.sum(x)


    def chosen(x, y, s):
        return max(x, y, s)


    def clipped(x):
        return np.sum(np.clip(x, "\\nimport os\\n#", 1.0))


    def extremes(xs, y):
        k = xs.index(max(xs))
        return xs[k] * y + min(xs) + xs.index(xs[0])
''')

# (function, wrt) -> the report, as (line, kind, condition)
CATALOGUE = {
    ("absolute", None): [(6, "abs", "x == 0")],
    ("absolute", ("y",)): [],  # |x| is a constant factor in y
    ("maximum", None): [(10, "branch", "y == x"), (10, "branch", "x == 2")],
    ("copysigned", None): [(14, "copysign", "x == 0 or y == 0"), (14, "fabs", "y == 0")],
    ("copysigned", ("x",)): [(14, "copysign", "x == 0")],  # y does not move: its sign never flips
    ("branch", None): [(18, "branch", "x == y"), (20, "branch", "n == 3")],
    ("branch", ("x", "y")): [(18, "branch", "x == y")],  # n does not move: no kink
    ("conditional", None): [(26, "branch", "(x + y) == 1")],
    ("whiles", None): [(31, "while test", "x == 10"), (31, "while test", "k == n")],
    ("whiles", ("x",)): [(31, "while test", "x == 10")],
    ("inactive", ("x",)): [],
    ("inactive", None): [(38, "branch", "c == 0")],
    ("smooth", None): [],
    ("arrays", None): [
        (48, "np.maximum", "x == y"), (48, "np.clip", "x == -1 or x == 1"), (48, "np.where", "x == 0"),
        (48, "np.abs", "y == 0"), (49, "np.max", "two entries of x tie for the maximum"),
        (49, "np.floor", "x is a whole number"), (49, "np.linalg.norm", "y == 0 (every entry)"),
    ],
    ("truncated", None): [(53, "int", "x is a whole number")],
    ("truncated", ("y",)): [],
    ("shapes", None): [],  # shapes and lengths do not move with the values
    ("cone", None): [(64, "hypot", "x == 0 and y == 0"), (64, "np.abs", "x == 0"), (64, "np.copysign", "x == 0")],
    ("truthy", None): [(68, "branch", "x == 0")],
    ("truthy", ("y",)): [],
    ("norms", None): [(74, "np.linalg.norm", "an entry of x is 0"),
                      (74, "np.linalg.norm", "two entries of y tie for the largest |y|")],
    ("chosen", None): [(78, "branch", "y == x"), (78, "branch", "s == phi(y, x)")],
    ("clipped", None): [(82, "np.clip", "x == '\\nimport os\\n#' or x == 1")],
    ("extremes", None): [(86, "max", "two items of xs tie for the largest"),
                         (87, "min", "two items of xs tie for the smallest"),
                         (87, "index", "an earlier item of xs comes to equal xs[0]")],
    ("extremes", ("y",)): [],  # which item is largest does not move with y
}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("kinks") / "piecewise.py"
    path.write_text(SOURCE)
    return import_file(str(path))


@pytest.mark.parametrize("name, wrt", list(CATALOGUE), ids=lambda v: str(v))
def test_catalogue(module, name, wrt):
    found = s2sad.piecewise(getattr(module, name), wrt=wrt)
    assert [(k.line, k.kind, k.condition) for k in found] == CATALOGUE[name, wrt]


def test_the_header_lists_them(module):
    text = s2sad.generate(module.branch)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert "#   line 18: branch: switches where x == y" in header
    assert "#   line 20: branch: switches where n == 3" in header
    assert not any("Piecewise" in line for line in s2sad.generate(module.smooth).splitlines())


def test_the_command_line(module):
    path = module.__file__
    run = subprocess.run([sys.executable, "-m", "s2sad", "kinks", f"{path}:whiles", "--wrt", "x"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"{path}:31: while test: switches where x == 10\n    while x < 10.0 and k < n:\n"
    run = subprocess.run([sys.executable, "-m", "s2sad", "kinks", f"{path}:smooth"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("no kinks")


def _slope(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


# one-parameter cuts through the catalogue: (function of t, the switch point t0 the report names)
SWITCHES = {
    "abs at x == 0": (lambda m: lambda t: m.absolute(t, 1.5), 0.0),
    "max at y == x": (lambda m: lambda t: m.maximum(t, 0.7), 0.7),
    "min at x == 2": (lambda m: lambda t: m.maximum(t, -5.0), 2.0),
    "copysign at y == 0": (lambda m: lambda t: m.copysigned(0.8, t), 0.0),
    "branch at x == y": (lambda m: lambda t: m.branch(t, 0.4, 0.0), 0.4),
    "conditional at x + y == 1": (lambda m: lambda t: m.conditional(t, 0.25), 0.75),
    "while at x == 10": (lambda m: lambda t: m.whiles(t, 1), 10.0),
    "max of a list at a tie": (lambda m: lambda t: m.extremes([t, 0.5], 2.0), 0.5),
    "clip at x == 1": (lambda m: lambda t: m.arrays(np.array([t]), np.array([5.0])), 1.0),
}


@pytest.mark.parametrize("case", list(SWITCHES))
def test_each_reported_switch_is_real(module, case):
    """Central differences of the function itself on either side of the reported condition differ."""
    make, t0 = SWITCHES[case]
    f = make(module)
    left, right = _slope(f, t0 - 1e-3), _slope(f, t0 + 1e-3)
    assert not math.isclose(left, right, rel_tol=1e-3, abs_tol=1e-6), (left, right)
    # and away from it, the derivative is one formula: nearby slopes agree
    near = _slope(f, t0 + 2e-3)
    assert math.isclose(right, near, rel_tol=1e-2, abs_tol=1e-4), (right, near)


def test_no_text_of_the_source_becomes_code(module):
    """A string where a bound should be stays inside its comment (escaped), never a line of code."""
    text = s2sad.generate(module.clipped)
    code = [line for line in text.splitlines() if line and not line.startswith(("#", " ", '"', "import numpy"))]
    assert not any("import os" in line for line in code) and "import os" in text.split("\n\nimport numpy")[0]

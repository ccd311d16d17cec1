"""The gradient check (`s2sad check`, `gen --verify`, `s2sad.check_grads`): it agrees where the
gradient is right, and it catches a wrong one (a user's derivative rule written wrong), with either
reference (50-digit mpmath, or central differences when mpmath is missing)."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import import_file

import s2sad
from s2sad import gradcheck

MATH_ONLY = '''\
import math

__s2sad_rules__ = {"softplus": "1 / (1 + exp(-x))", "softplus_wrong": "1 / (1 + exp(x))"}


def softplus(t):
    return math.log1p(math.exp(t))


def softplus_wrong(t):
    return math.log1p(math.exp(t))


def right(x, y):
    return softplus(x * y) + math.sin(x) * y


def wrong(x, y):
    return softplus_wrong(x * y) + y


def total(xs, c):
    s = 0.0
    for v in xs:
        s = s + math.exp(c * v)
    return s


def domain(x):
    return math.sqrt(x) + math.log(x) + abs(x - 1.0)


def rosen(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2
'''

ARRAYS = '''\
import numpy as np


def net(x, W):
    return np.sum(np.tanh(W @ x) ** 2)
'''


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gradcheck")
    (folder / "mathonly.py").write_text(MATH_ONLY)
    (folder / "arrays.py").write_text(ARRAYS)
    return folder, import_file(str(folder / "mathonly.py")), import_file(str(folder / "arrays.py"))


def test_right_gradients_agree(modules):
    _, m, a = modules
    report = s2sad.check_grads(m.right, (0.3, 1.2))
    assert report.ok and report.reference == "50-digit"
    assert [r.parameter for r in report.rows] == ["x", "y"]
    assert all(r.error < 1e-12 for r in report.rows)
    report = s2sad.check_grads(m.total, ([0.1, 0.5, -0.3], 0.7))  # a list: along a random direction
    assert report.ok and report.rows[0].parameter == "xs (along a random direction)"
    report = s2sad.check_grads(a.net, (np.full(3, 0.2), np.arange(6.0).reshape(2, 3) / 10), wrt="W")
    assert report.ok and report.reference == "differences" and len(report.rows) == 1


def test_a_wrong_gradient_is_caught(modules):
    _, m, _ = modules
    with pytest.raises(AssertionError, match="DISAGREES"):
        s2sad.check_grads(m.wrong, (0.3, 1.2))


def test_without_mpmath_the_differences_still_catch_it(modules, monkeypatch):
    _, m, _ = modules
    monkeypatch.setitem(sys.modules, "mpmath", None)  # `import mpmath` raises ImportError
    assert s2sad.check_grads(m.right, (0.3, 1.2)).reference == "differences"
    with pytest.raises(AssertionError, match="DISAGREES"):
        s2sad.check_grads(m.wrong, (0.3, 1.2))


def test_random_points_avoid_domain_errors_and_kinks(modules):
    _, m, _ = modules
    points = gradcheck.random_points(m.domain, 20, seed=1, params=["x"])
    assert len(points) == 20 and all(p[0] > 0 for p in points)  # sqrt, log: only x > 0
    assert not gradcheck._smooth_at(m.domain, (1.0,), ["float"])  # abs(x - 1) switches at 1
    assert gradcheck._smooth_at(m.domain, (1.5,), ["float"])


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "s2sad", *args], cwd=cwd, capture_output=True, text=True)


def test_check_exit_codes(modules):
    folder = modules[0]
    run = cli("check", "mathonly.py:right", "--points", "4", "--seed", "2", cwd=folder)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].split() == ["point", "parameter", "s2sad", "reference", "rel.", "error"]
    assert len(run.stdout.splitlines()) == 1 + 4 * 2 + 1 and "agree" in run.stdout.splitlines()[-1]
    run = cli("check", "mathonly.py:wrong", "--at", "0.3,1.2", cwd=folder)
    assert run.returncode == 1 and "DISAGREES" in run.stdout and run.stdout.rstrip().endswith("DISAGREE")
    run = cli("check", "arrays.py:net", "--at", "[0.1, 0.2], [[1, 2], [3, 4]]", cwd=folder)
    assert run.returncode == 0 and "W (along a random direction)" in run.stdout
    for args, message in [(("arrays.py:net",), "give the arguments with --at"),
                          (("mathonly.py:right", "--at", "1,2,3"), "too many positional arguments"),
                          (("mathonly.py:right", "--points", "0"), "one point at least"),
                          (("mathonly.py:domain", "--at", "-1.0"), "math domain error")]:
        run = cli("check", *args, cwd=folder)
        assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_gen_verify_writes_only_a_right_gradient(modules):
    folder = modules[0]
    run = cli("gen", "mathonly.py:wrong", "-o", "wrong_grad.py", "--verify", cwd=folder)
    assert run.returncode == 1 and "nothing written" in run.stderr and "DISAGREES" in run.stderr
    assert not (folder / "wrong_grad.py").exists()
    run = cli("gen", "mathonly.py:right", "-o", "right_grad.py", "--verify", cwd=folder)
    assert run.returncode == 0 and run.stdout == "" and run.stderr == ""
    assert (folder / "right_grad.py").read_text() == cli("gen", "mathonly.py:right", cwd=folder).stdout


def test_help_says_check_runs_the_module():
    run = subprocess.run([sys.executable, "-m", "s2sad", "check", "--help"], capture_output=True, text=True)
    assert "IMPORTS AND RUNS" in " ".join(run.stdout.split())
    run = subprocess.run([sys.executable, "-m", "s2sad", "gen", "--help"], capture_output=True, text=True)
    assert "imports and runs the module" in " ".join(run.stdout.split())


HARD = '''\
import math
import numpy as np

__s2sad_rules__ = {"sp2": "2 / (1 + exp(-x))"}  # twice the derivative of softplus


def sp2(t):
    return np.log1p(np.exp(t))


def rosen_np(x, y):
    return float(np.sum((1 - x) ** 2 + 100 * (y - x**2) ** 2))


def big(x):
    return float(np.sin(x) + 1e9)


def fast(x):
    return math.sin(30 * x)


def masked(x, y):
    return float(1e5 * np.sin(x) + sp2(y))


def index(x):
    xs = [x, 2.0 * x]
    return xs[int(x + 1.5)] * x


def defaults(x, y=2.0):
    return x * y
'''


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard")
    (folder / "hard.py").write_text(HARD)
    return import_file(str(folder / "hard.py"))


def test_a_zero_derivative_is_no_disagreement(modules, hard):
    """At a stationary point the reference is 1e-106 (50 digits) or 1e-14 (differences), s2sad -0.0."""
    assert s2sad.check_grads(modules[1].rosen, (1.0, 1.0)).reference == "50-digit"
    assert s2sad.check_grads(hard.rosen_np, (1.0, 1.0)).reference == "differences"
    assert s2sad.check_grads(hard.big, (0.7,)).ok  # differences of 1e9 + sin: rounding is the floor


def test_a_large_derivative_does_not_hide_a_wrong_small_one(hard):
    with pytest.raises(AssertionError, match="DISAGREES"):
        s2sad.check_grads(hard.masked, (0.3, 0.5))


def test_random_points_for_fast_oscillations_and_failing_points(hard):
    assert len(gradcheck.random_points(hard.fast, 5, seed=0, params=["x"])) == 5  # smooth, however fast
    points = gradcheck.random_points(hard.index, 10, seed=0, params=["x"])  # IndexError where x >= 0.5
    assert all(-1.5 <= p[0] < 0.5 for p in points)


def test_defaults_fill_the_missing_arguments(hard):
    report = s2sad.check_grads(hard.defaults, (1.5,))
    assert [(r.point, r.s2sad) for r in report.rows] == [((1.5, 2.0), 2.0), ((1.5, 2.0), 1.5)]


def test_a_module_named_like_the_standard_library(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ast.py").write_text("def f(x, y):\n    return x * y\n")
    run = cli("check", "sub/ast.py:f", "--at", "1.0,2.0", cwd=tmp_path)
    assert run.returncode == 0, run.stderr

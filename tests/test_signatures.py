"""Every generated function takes its parameters as f does: positional-only ones (before `/`) stay so."""

import inspect
import subprocess
import sys

import pytest
from conftest import import_file
from oracle import assert_gradient, assert_close, gradient_of, mp_namespace

import s2sad
from s2sad.api import derive_source
from s2sad.loading import load_spec

SOURCE = """\
import math


def f(a, /, xs, b=2.0):
    s = a * b
    for x in xs:
        s = s + math.sin(x) * a
    return s


def g(a, b, /):
    return a * math.exp(b) + b * b


def h(a, /):
    return math.sin(a) * a + math.exp(-a)


def v(a, /, b):
    return a * b, a + math.sin(b)
"""

POINTS = {"f": (0.7, [0.3, -1.1, 2.0], 1.5), "g": (0.4, -0.6), "h": (0.9,), "v": (1.3, 0.2)}
POSITIONAL_ONLY = {"f": 1, "g": 2, "h": 1, "v": 1}
ORACLE = mp_namespace(SOURCE)


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    p = tmp_path_factory.mktemp("signatures") / "posonly.py"
    p.write_text(SOURCE)
    return str(p)


def kinds(fn) -> list[str]:
    return [p.kind.name for p in inspect.signature(fn).parameters.values()]


def assert_positional_only(fn, count: int, point: tuple, call: bool = True) -> None:
    """The first `count` parameters are positional-only, the rest positional-or-keyword: a call naming
    them all is a TypeError, as it is for f, and (`call`) one naming only the others is not."""
    got = kinds(fn)
    assert got[:count] == ["POSITIONAL_ONLY"] * count, (fn.__name__, got)
    assert set(got[count:]) <= {"POSITIONAL_OR_KEYWORD"}, (fn.__name__, got)
    names = list(inspect.signature(fn).parameters)
    with pytest.raises(TypeError, match="positional-only"):
        fn(**dict(zip(names, point)))
    if call:
        fn(*point[:count], **dict(zip(names[count:], point[count:])))


@pytest.mark.parametrize("name", ["f", "g", "h"])
def test_runtime_gradients(name, path):
    d = derive_source(load_spec(f"{path}:{name}"))
    point = POINTS[name]
    for fn in (d.grad, d.value_and_grad):
        assert_positional_only(fn, POSITIONAL_ONLY[name], point)
    value, grads = d.value_and_grad(*point)
    assert_close([value], [ORACLE[name](*point)])
    assert_gradient(grads, gradient_of(ORACLE[name], point), name)


@pytest.mark.parametrize("name", ["f", "g", "h", "v"])
def test_generated_modules(name, path, tmp_path):
    """`s2sad gen` in each mode; every function of the module keeps the `/`, and computes the derivative."""
    point = POINTS[name]
    count = POSITIONAL_ONLY[name]
    for options in ([], ["--mode", "forward"], ["--mode", "both"], ["--order", "2"], ["--checkpoint", "2"]):
        if name == "v" and "--order" in options:
            continue  # second order is of scalar functions
        run = subprocess.run([sys.executable, "-m", "s2sad", "gen", f"{path}:{name}", *options],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        out = tmp_path / f"{name}_{len(options)}_{options[-1] if options else 'plain'}.py"
        out.write_text(run.stdout)
        module = import_file(str(out))
        functions = [fn for n, fn in vars(module).items() if n.startswith(name + "_") and callable(fn)]
        assert functions, options
        for fn in functions:
            extra = len(kinds(fn)) - len(point)  # tangents and cotangents follow f's parameters
            assert_positional_only(fn, count, point + (1.0,) * extra, call=not extra)
        if name != "v" and hasattr(module, f"{name}_grad"):
            assert_gradient(getattr(module, f"{name}_grad")(*point), gradient_of(ORACLE[name], point), name)


def test_numba_module_text_keeps_the_slash(path):
    pytest.importorskip("numba")
    from s2sad.numba_code import numba_module_text

    text = numba_module_text(derive_source(load_spec(f"{path}:f")))
    assert "def f_value_and_grad(a, /, xs, b=2.0):" in text and "def f_grad(a, /, xs, b=2.0):" in text


def test_the_runtime_api(path):
    module = import_file(path)
    assert_positional_only(s2sad.grad(module.g), 2, POINTS["g"])
    hvp = s2sad.hvp(module.g)  # a wrapper of its own (*args): what it calls keeps the `/`
    assert hvp(*POINTS["g"], 1.0, 0.0) == pytest.approx(
        [float(x) for x in gradient_of(lambda a, b: gradient_of(ORACLE["g"], (a, b))[0], POINTS["g"])], rel=1e-7)


HELPER_BY_KEYWORD = """\
def h(a, /, b):
    return a * b


def f(x, y):
    return h(a=x, b=y)
"""


def test_a_helper_given_its_positional_only_parameter_by_keyword_is_rejected(write_module):
    """Python raises TypeError for the call; s2sad says so at the call instead of inlining it."""
    path = write_module(HELPER_BY_KEYWORD, "by_keyword")
    namespace: dict = {}
    exec(HELPER_BY_KEYWORD, namespace)
    with pytest.raises(TypeError, match="positional-only"):
        namespace["f"](1.0, 2.0)
    with pytest.raises(s2sad.S2sadError, match="h got positional-only parameter a by keyword") as info:
        derive_source(load_spec(f"{path}:f"))
    assert "line 6" in str(info.value)

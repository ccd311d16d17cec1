"""What s2sad reads is what runs: rebound module names, stale sources, wrappers, live globals,
and builtins shadowed by a user's names. Gradients are checked against the oracle."""

from __future__ import annotations

import functools
import importlib
import linecache
import math
import sys

import pytest

import s2sad
from s2sad.api import derive_source
from s2sad.loading import load_spec
from s2sad.naming import _BUILTINS

from conftest import import_file
from oracle import assert_close, gradient_of, mp_namespace

_USES = '''
import math
from math import sin

K = 2.0
C = 3 * K


def helper(x):
    return K * x + sin(x)


def f(x):
    return helper(x) * C + math.cos(x) * math.pi + abs(x) + max(x, 0.5)
'''

# each: a line appended to the module, and the name the error must blame
_REBINDINGS = [
    ("K = 3.0", "K"),
    ("K += 1", "K"),
    ("K: float = 3.0", "K"),
    ("del K", "K"),
    ("for K in range(3):\n    pass", "K"),
    ("with open(__file__) as K:\n    pass", "K"),
    ("import os as K", "K"),
    ("if (K := 4.0):\n    pass", "K"),
    ("def K():\n    return 1", "K"),
    ("def g():\n    global K\n    K = 5.0", "K"),
    ("def g():\n    global K\n    K *= 2", "K"),
    ("class A:\n    global K\n    K = 5", "K"),
    ("def g():\n    global C\n    for C in range(2):\n        pass", "C"),
    ("helper = abs", "helper"),
    ("def helper(x):\n    return x", "helper"),
    ("sin = math.cos", "sin"),
    ("from cmath import sin", "sin"),
    ("math.sin = math.cos", "math.sin"),
    ("math.pi = 3.0", "math.pi"),
    ("math.cos += 0", "math.cos"),
    ("setattr(math, 'cos', abs)", "math"),
    ("import numbers as math", "math"),
    ("def g():\n    global abs\n    abs = 3", "abs"),
    ("from os import *", "from os import *"),
]


@pytest.mark.parametrize("extra, name", _REBINDINGS)
def test_a_rebound_module_name_is_a_located_error(write_module, extra, name):
    path = write_module(_USES + "\n\n" + extra + "\n")
    with pytest.raises(s2sad.S2sadError) as info:
        derive_source(load_spec(f"{path}:f"))
    text = info.value.format() if hasattr(info.value, "format") else str(info.value)
    assert name in text and "line" in text and ":" in text.splitlines()[0], text


def test_names_bound_once_are_fine_and_unused_rebindings_do_not_matter(write_module):
    text = _USES + "\n\nUNUSED = 1.0\nUNUSED = 2.0\nimport math\n\n\ndef g():\n    x = 3\n    K = 4\n    return x + K\n"
    path = write_module(text)
    d = derive_source(load_spec(f"{path}:f"))
    oracle = mp_namespace(text)["f"]
    assert_close(d.grad(0.4), gradient_of(oracle, (0.4,)))


@pytest.mark.parametrize("second", ["def f(x):\n    return x", "f = abs", "from math import sin as f"])
def test_the_differentiated_name_rebound_is_an_error(write_module, second):
    path = write_module(_USES + "\n\n" + second + "\n")
    with pytest.raises(s2sad.S2sadError, match="f is"):
        load_spec(f"{path}:f")


def _module(tmp_path, name: str, text: str):
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_a_module_edited_after_import_is_refused_until_reloaded(tmp_path):
    mod = _module(tmp_path, "edited_mod", "def f(x):\n    return x * x\n")
    f_old = mod.f
    assert s2sad.grad(f_old)(3.0) == 6.0
    linecache.getlines(mod.__file__)  # linecache now holds the first version (as after a traceback)
    (tmp_path / "edited_mod.py").write_text("def f(x):\n    return x * x * x\n")  # same line, other body
    with pytest.raises(s2sad.S2sadError, match="has changed since f was defined"):
        s2sad.grad(f_old, wrt="x")
    (tmp_path / "edited_mod.py").write_text("\n\ndef f(x):\n    return x * x\n")  # moved
    with pytest.raises(s2sad.S2sadError, match="no def f at line 1"):
        s2sad.grad(f_old, wrt=0)
    (tmp_path / "edited_mod.py").write_text("def f(x):\n    return x * x * x\n")
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()
        mod = importlib.reload(mod)
    finally:
        sys.path.remove(str(tmp_path))
    assert linecache.getlines(mod.__file__)[1].strip() == "return x * x"  # stale
    assert s2sad.grad(mod.f)(3.0) == 27.0


def test_wrapped_and_decorated_functions_are_refused(tmp_path):
    mod = _module(tmp_path, "wrapped_mod", '''
import functools


def deco(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 2 * fn(x)
    return wrapper


def same(fn):
    return fn


@deco
def g(x):
    return x * x


@same
def h(x):
    return x * x
''')
    with pytest.raises(s2sad.S2sadError, match="wraps"):
        s2sad.grad(mod.g)
    with pytest.raises(s2sad.S2sadError, match="decorated"):
        s2sad.grad(mod.h)


def test_live_globals_that_differ_from_the_source_are_refused_on_every_derive(tmp_path):
    mod = _module(tmp_path, "live_mod", _USES)
    expected = s2sad.grad(mod.f)(0.4)
    saved_cos = math.cos
    changes = [
        ("K", 7.0), ("C", 9.0), ("helper", lambda x: x), ("sin", math.cos), ("math", None), ("abs", math.fabs),
    ]
    for name, value in changes:
        had, old = hasattr(mod, name), getattr(mod, name, None)
        setattr(mod, name, value)
        try:
            with pytest.raises(s2sad.S2sadError, match=name):
                s2sad.grad(mod.f)  # cached: still checked
            with pytest.raises(s2sad.S2sadError, match=name):
                s2sad.value_and_grad(mod.f, wrt=0)  # not cached
        finally:
            setattr(mod, name, old) if had else delattr(mod, name)
    math.cos = math.sin
    try:
        with pytest.raises(s2sad.S2sadError, match="math.cos"):
            s2sad.grad(mod.f)
    finally:
        math.cos = saved_cos
    assert s2sad.grad(mod.f)(0.4) == expected


_NAMES = sorted(set(_BUILTINS) | {"sin", "cos", "exp", "fabs", "copysign", "tape", "trips", "value"})
_EMITTED = ("range", "reversed", "enumerate", "len", "sum")  # builtins generated code calls unasked


def _program(name: str, where: str) -> str:
    """Fused and reversed loops over lists, a repeated list, a while loop: what makes s2sad call builtins."""
    head = f"def f(xs, y, {name}):\n    w = {name} * y\n" if where == "parameter" else \
        f"def f(xs, y, q):\n    {name} = q * 1.5\n    w = {name} * y\n"
    text = "import math\n\n\n" + head + """    s = 0.0
    for v in xs:
        s = s + math.sin(v) * w * v
    ys = [w] * 3
    t = 0.0
    for u in ys:
        t = t * math.cos(u) + u
    while t > 1.0:
        t = t / 2 + math.exp(-t) * 0.01
    for i in range(2):
        t = t * xs[i] + math.fabs(t) + math.copysign(0.5, t)
    return s + t
"""
    if name == "range":  # the function itself cannot call range then
        text = text.replace("for i in range(2):", "for i, v in enumerate(xs):")
    return text


def test_the_program_makes_generated_code_call_those_builtins(write_module):
    text = derive_source(load_spec(f"{write_module(_program('zz', 'parameter'))}:f")).source
    for b in _EMITTED:
        assert f"{b}(" in text, b


@pytest.mark.parametrize("where", ["parameter", "local"])
@pytest.mark.parametrize("name", _NAMES)
def test_user_names_equal_to_what_generated_code_calls(write_module, name, where):
    text = _program(name, where)
    path = write_module(text)
    source = derive_source(load_spec(f"{path}:f")).source
    if name in _EMITTED:
        assert f"from builtins import" in source
    generated = import_file(write_module(source, "gen"))
    oracle = mp_namespace(text)["f"]
    point = ([0.3, 0.5, 0.2], 0.7, 1.3)
    value, grads = generated.f_value_and_grad(*point)
    want = gradient_of(oracle, point)
    assert_close(grads[0], want[0], rel=1e-8)
    assert_close(list(grads[1:]), want[1:], rel=1e-8)
    assert_close(value, [oracle(*point)], rel=1e-9)
    assert_close(s2sad.grad(import_file(path).f)(*point)[1:], want[1:], rel=1e-8)


def test_a_loop_over_a_variable_named_range_is_an_error(write_module):
    path = write_module("def f(x, range):\n    s = 0.0\n    for i in range(3):\n        s = s + x\n    return s\n")
    with pytest.raises(s2sad.S2sadError, match="range is a variable of f here"):
        derive_source(load_spec(f"{path}:f"))


@pytest.mark.parametrize("name", ["abs", "float", "int", "min", "max", "len", "sum"])
def test_a_builtin_called_before_a_local_of_its_name_is_assigned_is_an_error(write_module, name):
    call = {"len": "len(xs)", "sum": "sum(xs)", "min": "min(x, 1.0)", "max": "max(x, 1.0)"}.get(name, f"{name}(x)")
    path = write_module(f"def f(x, xs):\n    a = {call} * x\n    {name} = 2.0\n    return a * {name}\n")
    with pytest.raises(s2sad.S2sadError, match=f"{name} is"):  # Python: UnboundLocalError
        derive_source(load_spec(f"{path}:f"))

"""An independent oracle: the user's source run by Python itself on mpmath numbers.

The module text is executed as ordinary Python, with `import math` answered by
an mpmath-backed stand-in, so every function of the test is evaluated at 50
significant digits; the gradient is then mpmath's high-precision numerical
derivative. Nothing of s2sad is involved.
"""

from __future__ import annotations

import builtins
import types
from typing import Callable, Sequence

import mpmath
from mpmath import mp

mp.dps = 50


def _copysign(x, y):
    return abs(x) if mpmath.sign(y) >= 0 and str(y)[0] != "-" else -abs(x)


MP_MATH = types.SimpleNamespace(
    sin=mp.sin, cos=mp.cos, tan=mp.tan, asin=mp.asin, acos=mp.acos, atan=mp.atan,
    sinh=mp.sinh, cosh=mp.cosh, tanh=mp.tanh, asinh=mp.asinh, acosh=mp.acosh, atanh=mp.atanh,
    exp=mp.exp, expm1=mp.expm1, log=lambda x, b=None: mp.log(x) if b is None else mp.log(x) / mp.log(b),
    log2=lambda x: mp.log(x, 2), log10=mp.log10, log1p=mp.log1p, sqrt=mp.sqrt, pow=mp.power,
    fabs=mp.fabs, erf=mp.erf, erfc=mp.erfc, atan2=mp.atan2, hypot=mp.hypot,
    degrees=mp.degrees, radians=mp.radians, copysign=_copysign,
    pi=+mp.pi, e=+mp.e, tau=2 * mp.pi,
)


def _float(v):
    """float() is the identity on real numbers: at 50 digits too."""
    return v if isinstance(v, mpmath.mpf) else builtins.float(v)


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    if name == "math":
        return MP_MATH
    return builtins.__import__(name, globals, locals, fromlist, level)


def mp_namespace(source: str) -> dict:
    """Execute module text with math replaced by mpmath; return its namespace."""
    ns: dict = {"__builtins__": {**vars(builtins), "__import__": _import, "float": _float}, "__name__": "oracle"}
    exec(compile(source, "<oracle>", "exec"), ns)
    return ns


def gradient(f: Callable, point: Sequence[float], wrt: Sequence[int] | None = None) -> list:
    """High-precision gradient of f (an mpmath-evaluated function) at point."""
    x = [mp.mpf(v) for v in point]
    out = []
    for i in range(len(x)) if wrt is None else wrt:
        def along(t, i=i):
            y = list(x)
            y[i] = t
            return f(*y)

        out.append(mp.diff(along, x[i]))
    return out


def gradient_of(f: Callable, point: Sequence) -> list:
    """d f / d each float argument, for arguments that may be lists of floats (a list of
    derivatives each) or integers (not differentiated: skipped)."""
    args = [[mp.mpf(v) for v in a] if isinstance(a, list) else a if isinstance(a, int) else mp.mpf(a)
            for a in point]
    out = []
    for i, a in enumerate(args):
        if isinstance(a, int):
            continue
        parts = []
        for j in range(len(a)) if isinstance(a, list) else [None]:
            def along(t, i=i, j=j):
                moved = [list(x) if isinstance(x, list) else x for x in args]
                if j is None:
                    moved[i] = t
                else:
                    moved[i][j] = t
                return f(*moved)

            parts.append(mp.diff(along, a if j is None else a[j]))
        out.append(parts if isinstance(a, list) else parts[0])
    return out


def assert_gradient(got, want: list, what: str = "") -> None:
    """got (a value, or a tuple of values and lists) against gradient_of's answer."""
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(want), f"{what}: {len(got)} gradients, expected {len(want)}"
    for g, w in zip(got, want):
        if isinstance(w, list):
            assert isinstance(g, list) and len(g) == len(w), f"{what}: {g!r} is not a list of {len(w)}"
            assert_close(g, w, what=what)
        else:
            assert_close(g, [w], what=what)


def assert_close(got, want, rel: float = 1e-9, abs_: float = 1e-12, what: str = "") -> None:
    got = [got] if not isinstance(got, (tuple, list)) else list(got)
    assert len(got) == len(want), f"{what}: {len(got)} values, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        assert isinstance(g, (int, float)), f"{what}[{i}]: {g!r} is not a number"
        tol = abs_ + rel * abs(float(w))
        assert abs(g - float(w)) <= tol, f"{what}[{i}]: s2sad {g!r}, oracle {float(w)!r}"

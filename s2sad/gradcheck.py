"""Gradient check: the generated gradient against an independent numerical reference.

Guarantees: `check(f, points, wrt)` runs the generated module's `f_grad` (the text `s2sad gen`
writes) and a reference that shares nothing with s2sad's differentiation: f's own source run at 50
significant digits on mpmath numbers and differentiated numerically (when mpmath is installed and
f uses `math` only), else Richardson-extrapolated central differences of f in float64. An array
parameter is checked along a random direction (<gradient, v> against the derivative along v).
Random points avoid kinks and domain errors: a point where f fails, is not finite, or whose
differences at two step sizes disagree (a switch of the derivative nearby) is drawn again.

Before: `f(x, y) = x * y`, `points=[(2.0, 3.0)]`.
After:  rows (2.0, 3.0) x: s2sad 3.0, reference 3.0, error 0; (2.0, 3.0) y: 2.0, 2.0, 0; all agree.

This runs the user's function: `s2sad check` and `gen --verify` import its module.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import inspect
import math
import os
import random
import sys
import types
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .errors import S2sadError

RTOL = {"50-digit": 1e-8, "differences": 1e-6}  # what float64 code can be held to, per reference


@dataclass(frozen=True)
class Row:
    point: tuple
    parameter: str
    s2sad: float
    reference: float
    error: float  # |s2sad - reference| / (|reference| + floor / tolerance): the floor bounds rounding
    tolerance: float

    @property
    def ok(self) -> bool:
        return self.error <= self.tolerance


@dataclass(frozen=True)
class Report:
    rows: tuple[Row, ...]
    reference: str  # "50-digit" (mpmath) or "differences" (Richardson, float64)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    def __str__(self) -> str:
        head = ("point", "parameter", "s2sad", "reference", "rel. error")
        cells = [head] + [(_point(r.point), r.parameter, f"{r.s2sad:.12g}", f"{r.reference:.12g}",
                           f"{r.error:.1e}" + ("" if r.ok else "  DISAGREES")) for r in self.rows]
        widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        verdict = "agree" if self.ok else "DISAGREE"
        what = "50-digit evaluation of the source" if self.reference == "50-digit" else \
            "central differences, Richardson-extrapolated"
        return "\n".join(lines + [f"s2sad and the reference ({what}) {verdict}"]) + "\n"


def check(f: Callable, points: Sequence[tuple], wrt: Sequence[int], text: str | None = None,
          seed: int = 0) -> Report:
    """Compare the generated `f_grad` (of `text`, the module `s2sad gen` writes; by default generated
    now) with the reference at each point."""
    if text is None:
        from .api import derive

        text = derive(f, [_name(f, i) for i in wrt]).source
    grad = module_function(text, f"{f.__name__}_grad")
    mp_f = _mp_function(f) if all(isinstance(a, (int, float)) for p in points for a in p) else None
    reference = "50-digit" if mp_f is not None else "differences"
    rng = random.Random(seed)
    rows = []
    for point in points:
        got = grad(*point)
        got = got if len(wrt) > 1 else (got,)
        want = []
        shown = []
        for k, i in enumerate(wrt):
            g, v = got[k], _direction(point[i], rng)
            if v is None:  # a float
                shown.append((_name(f, i), float(g)))
                want.append(_derivative(f, mp_f, point, i, None))
            else:
                shown.append((f"{_name(f, i)} (along a random direction)", _dot(g, v)))
                want.append(_derivative(f, None, point, i, v))
        # each derivative against its own size, with a floor for rounding: the reference's own error
        # bound, and float64's in s2sad's (a derivative that cancels to 0 carries the others' rounding)
        rtol = RTOL[reference]
        rounding = 1e-12 * max([1.0] + [abs(w) for w, _ in want])
        for (p, s), (w, noise) in zip(shown, want):
            rows.append(Row(tuple(point), p, s, w, abs(s - w) / (abs(w) + (noise + rounding) / rtol), rtol))
    return Report(tuple(rows), reference)


def with_defaults(f: Callable, args: Sequence[Any], what: str) -> tuple:
    """All of f's arguments: those given, then the defaults of the rest."""
    try:
        bound = inspect.signature(f).bind(*args)
    except TypeError as exc:
        raise S2sadError(f"{what}: {exc}") from None
    bound.apply_defaults()
    return tuple(bound.args)


def random_points(f: Callable, count: int, seed: int, params: list[str]) -> list[tuple]:
    """Points of floats in [-2, 2] (integers in 1..5 for parameters s2sad takes as integers) where f
    is finite and smooth nearby (differences at two steps agree): at most 50 draws per point."""
    kinds = _kinds(f)
    if any(k not in ("float", "int") for k in kinds):
        raise S2sadError(f"random points need parameters that are numbers; {f.__name__} takes "
                         f"{', '.join(p for p, k in zip(params, kinds) if k not in ('float', 'int'))} as "
                         "lists or arrays: give the arguments with --at (or s2sad.check_grads(f, args))")
    if count < 1:
        raise S2sadError(f"--points {count}: check at one point at least")
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        for _draw in range(50):
            p = tuple(rng.randint(1, 5) if k == "int" else round(rng.uniform(-2, 2), 3) for k in kinds)
            if _smooth_at(f, p, kinds):
                out.append(p)
                break
        else:
            raise S2sadError(f"found no point where {f.__name__} is finite and smooth in 50 random draws; "
                             "give points with --at")
    return out


def module_function(text: str, name: str) -> Callable:
    """A function of a generated module, run from its text."""
    namespace: dict[str, Any] = {"__name__": "s2sad_checked"}
    exec(compile(text, f"<s2sad gen: {name}>", "exec"), namespace)
    return namespace[name]


def import_spec(spec: str) -> Callable:
    """The function a SPEC names, by importing (running) its module."""
    if ":" in spec:
        path, _, name = spec.rpartition(":")
        folder = os.path.dirname(os.path.abspath(path))
        modname = "_s2sad_checked_" + os.path.splitext(os.path.basename(path))[0]  # never a module's own name:
        sys.path.insert(0, folder)  # its own imports, as when it runs as a script  (a user's ast.py is not ast)
        loader = importlib.util.spec_from_file_location(modname, path)
        if loader is None or loader.loader is None:
            raise S2sadError(f"cannot import {path}")
        module = importlib.util.module_from_spec(loader)
        sys.modules[modname] = module
        loader.loader.exec_module(module)
    else:
        modname, _, name = spec.rpartition(".")
        sys.path.insert(0, os.getcwd())
        module = importlib.import_module(modname)
    return getattr(module, name)


# --- the reference -----------------------------------------------------------------------------


def _derivative(f: Callable, mp_f: Callable | None, point: tuple, i: int, v: Any) -> tuple[float, float]:
    """d f / d argument i (along v for an array) at point, and a bound on the reference's own error."""
    if mp_f is not None:
        import mpmath

        with mpmath.workdps(50):
            args = [mpmath.mpf(a) if isinstance(a, float) else a for a in point]

            def along(t: Any) -> Any:
                moved = list(args)
                moved[i] = t
                return mp_f(*moved)

            return float(mpmath.diff(along, args[i])), 0.0
    g = _along(f, point, i, v)
    h = 1e-3 * max(1.0, _size(point[i]))
    coarse, fine = _richardson(g, h), _richardson(g, h / 2)
    # truncation: how far the two extrapolations differ; rounding: f's last bits over the step
    return fine, abs(coarse - fine) + 20 * EPS * abs(g(0.0)) / (h / 2)


EPS = 2.0**-52


def _richardson(g: Callable[[float], float], h: float) -> float:
    """g'(0) from central differences at h and h/2, extrapolated (error O(h^4))."""
    d1 = (g(h) - g(-h)) / (2 * h)
    d2 = (g(h / 2) - g(-h / 2)) / h
    return (4 * d2 - d1) / 3


def _along(f: Callable, point: tuple, i: int, v: Any) -> Callable[[float], float]:
    def g(t: float) -> float:
        moved = list(point)
        if v is None:
            moved[i] = point[i] + t
        elif isinstance(point[i], list):
            moved[i] = [a + t * d for a, d in zip(point[i], v)]
        else:
            moved[i] = point[i] + t * v
        return float(f(*moved))

    return g


def _smooth_at(f: Callable, point: tuple, kinds: list[str]) -> bool:
    """f is finite at point, and its derivative in each float argument is one formula across the
    reference's stencil: extrapolations at shrinking steps converge (no switch inside the stencil), and
    the one-sided slopes at a tiny step agree (no switch at the point itself, where central differences
    are blind to it)."""
    try:
        value = float(f(*point))
        if not math.isfinite(value):
            return False
        for i, k in enumerate(kinds):
            if k != "float":
                continue
            g = _along(f, point, i, None)
            h = 1e-3 * max(1.0, abs(point[i]))  # the reference's step
            r1, r2, r3 = _richardson(g, h), _richardson(g, h / 2), _richardson(g, h / 4)
            scale = max(1.0, abs(r3))
            noise = 40 * EPS * abs(value) / (h / 4)
            if not all(math.isfinite(r) for r in (r1, r2, r3)) or abs(r2 - r3) > 1e-6 * scale + noise:
                return False
            tiny = 1e-6 * max(1.0, abs(point[i]))
            ahead, behind = (g(tiny) - value) / tiny, (value - g(-tiny)) / tiny
            if abs(ahead - behind) > 1e-3 * max(1.0, abs(ahead), abs(behind)) + 4 * EPS * abs(value) / tiny:
                return False
    except Exception:  # whatever f raises there (a domain error, an index out of range): not this point
        return False
    return True


def _mp_function(f: Callable) -> Callable | None:
    """f run on mpmath numbers: its module's source executed with `math` answered by mpmath. None
    when mpmath is missing or the module uses anything but `math` for arithmetic (NumPy)."""
    try:
        import mpmath
    except ImportError:
        return None
    try:
        with open(f.__code__.co_filename, encoding="utf-8") as fh:
            source = fh.read()
    except OSError:
        return None
    if "numpy" in source:
        return None
    mp = mpmath.mp
    fake = types.SimpleNamespace(**{n: getattr(mp, n) for n in (
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
        "exp", "expm1", "log1p", "sqrt", "fabs", "erf", "erfc", "atan2", "hypot", "degrees", "radians")})
    fake.log = lambda x, base=None: mp.log(x) if base is None else mp.log(x) / mp.log(base)
    fake.log2, fake.log10, fake.pow = (lambda x: mp.log(x, 2)), mp.log10, mp.power
    fake.copysign = lambda x, y: abs(x) if (y > 0 or (y == 0 and not str(y).startswith("-"))) else -abs(x)
    fake.pi, fake.e, fake.tau = +mp.pi, +mp.e, 2 * mp.pi

    def answer(name: str, *args: Any, **kwargs: Any) -> Any:
        return fake if name == "math" else builtins.__import__(name, *args, **kwargs)

    real = lambda v: v if isinstance(v, mpmath.mpf) else builtins.float(v)  # noqa: E731
    names: dict[str, Any] = {"__builtins__": {**vars(builtins), "__import__": answer, "float": real},
                             "__name__": "s2sad_reference"}
    try:
        with mpmath.workdps(50):
            exec(compile(source, "<reference>", "exec"), names)
    except Exception:  # the module does more than arithmetic: the float reference will do
        return None
    g = names.get(f.__name__)
    return g if callable(g) else None


def _kinds(f: Callable) -> list[str]:
    from .api import derive

    return [getattr(p, "kind", "list") for p in derive(f).trace.params]


def _name(f: Callable, i: int) -> str:
    return f.__code__.co_varnames[i]


def _direction(value: Any, rng: random.Random) -> Any:
    """None for a number; a random unit direction of the value's shape for a list or an array."""
    if isinstance(value, (int, float)):
        return None
    if isinstance(value, list):
        v = [rng.gauss(0.0, 1.0) for _ in value]
        norm = math.sqrt(sum(a * a for a in v)) or 1.0
        return [a / norm for a in v]
    import numpy as np

    v = np.array([rng.gauss(0.0, 1.0) for _ in range(int(np.size(value)))]).reshape(np.shape(value))
    return v / max(float(np.linalg.norm(v)), 1e-300)


def _dot(g: Any, v: Any) -> float:
    if isinstance(v, list):
        return math.fsum(float(a) * b for a, b in zip(g, v))
    import numpy as np

    return float(np.sum(np.asarray(g, dtype=float) * v))


def _size(value: Any) -> float:
    if isinstance(value, (int, float)):
        return abs(value)
    if isinstance(value, list):
        return max((abs(a) for a in value), default=0.0)
    import numpy as np

    return float(np.max(np.abs(value), initial=0.0))


def _point(p: tuple) -> str:
    def one(a: Any) -> str:
        if isinstance(a, (int, float)):
            return f"{a:g}"
        return f"list[{len(a)}]" if isinstance(a, list) else f"array{getattr(a, 'shape', '')}"

    return "(" + ", ".join(one(a) for a in p) + ")"


def parse_point(text: str, f: Callable) -> tuple:
    """`--at` text: the arguments as Python literals, `1.0, 2.0` or `[0.5, 1.5], 3`; a list given
    for a parameter s2sad reads as an array becomes a float64 array."""
    import ast

    try:
        value = ast.literal_eval(f"({text},)")
    except (ValueError, SyntaxError):
        raise S2sadError(f"--at {text!r}: write the arguments as Python literals, e.g. --at 1.0,2.0") from None
    kinds = _kinds(f)
    value = with_defaults(f, value, f"--at {text!r}")
    out = []
    for v, k in zip(value, kinds):
        if k == "array" and isinstance(v, (list, tuple)):
            import numpy as np

            v = np.array(v, dtype=float)
        elif k == "float" and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        out.append(v)
    return tuple(out)

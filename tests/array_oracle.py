"""An independent gradient oracle for array programs: finite differences, and the same source at 50 digits.

Nothing of s2sad is involved. `gradient(f, args)` differentiates f with respect
to every float, list-of-floats and float-array argument, one entry at a time,
by central differences with Richardson extrapolation (Ridders' method) in
float64; it also returns an error estimate per entry. `directional(f, args, v)`
is d/dt f(args + t v) at t = 0 the same way, for dot-product tests
(<grad, v> against one directional difference); `second_directional(f, args,
where, v, w)` is w^T H v, the same extrapolation nested.

`mp_function(f)` runs f's own code with `numpy` answered by a small
mpmath-backed stand-in over object arrays (elementwise functions map
mp.sin, mp.exp, ... over the entries; sums, products, matrix products and
slicing are NumPy's own object-array loops): functions that use only
elementwise math, sums, products and structure then evaluate at 50 digits, and
`mp_gradient` differentiates them with mpmath. That path checks the
finite-difference oracle itself (tests/test_array_oracle.py). A NumPy name the
stand-in lacks (np.linalg, ...) raises AttributeError: such a function has no
50-digit path.
"""

from __future__ import annotations

import builtins
import math
import types
from typing import Any, Callable, Sequence

import mpmath
import numpy as np
from mpmath import mp

mp.dps = 50

# ---------------------------------------------------------------- float64: Ridders' extrapolation

# Ridders' method: central differences at steps h0, h0/1.4, h0/1.4**2, ... and a Neville
# tableau extrapolating them to step 0 (each column removes the next even power of h).
# The answer is the tableau entry whose neighbours agree best; that disagreement is the
# error estimate. Central differences at the smallest step (h0/1.4**9 ~ 1e-3 h0) lose about
# eps*|f|/h ~ 1e-13 |f| to rounding, and the extrapolation removes truncation error to the
# same level for smooth functions: measured against hand-derived gradients and against the
# 50-digit path (tests/test_array_oracle.py) the error is below 1e-9 relative to the
# gradient's scale, typically 1e-12.
CON = 1.4
TABLE = 10
SAFE = 2.0
# Initial step, relative to max(1, |x|): the catalogue keeps its points at least 0.05 from
# kinks and branch switches, so a step of 0.02 never crosses one (a step that did would give
# a poor estimate, which the error estimate then reports).
H0 = 0.02


def ridders(phi: Callable[[float], float], x: float, h0: float) -> tuple[float, float]:
    """d phi / dx at x, and an error estimate."""
    a = [[0.0] * TABLE for _ in range(TABLE)]
    hh = h0
    a[0][0] = (phi(x + hh) - phi(x - hh)) / (2 * hh)
    best, err = a[0][0], math.inf
    for i in range(1, TABLE):
        hh /= CON
        a[0][i] = (phi(x + hh) - phi(x - hh)) / (2 * hh)
        fac = CON * CON
        for j in range(1, i + 1):
            a[j][i] = (a[j - 1][i] * fac - a[j - 1][i - 1]) / (fac - 1)
            fac *= CON * CON
            errt = max(abs(a[j][i] - a[j - 1][i]), abs(a[j][i] - a[j - 1][i - 1]))
            if errt <= err:
                best, err = a[j][i], errt
        if abs(a[i][i] - a[i - 1][i - 1]) >= SAFE * err:  # higher orders only get worse from here
            break
    return best, err


def is_differentiable(a: Any) -> bool:
    """Floats, lists of floats and float arrays are differentiated; ints and bools are sizes and flags."""
    if isinstance(a, (bool, np.bool_, int, np.integer)):
        return False
    if isinstance(a, (float, np.floating)):
        return True
    if isinstance(a, np.ndarray):
        return a.dtype.kind == "f"
    return isinstance(a, list) and all(isinstance(v, float) for v in np.ravel(np.asarray(a, dtype=object)))


def positions(args: Sequence) -> list[int]:
    """The positions of the differentiated arguments."""
    return [i for i, a in enumerate(args) if is_differentiable(a)]


def _fresh(args: Sequence) -> list:
    """Copies of the arguments, so a function that changes an argument cannot change the next call."""
    return [a.copy() if isinstance(a, np.ndarray) else list(a) if isinstance(a, list) else a for a in args]


def _scalar(v: Any) -> float:
    assert np.ndim(v) == 0, f"f returned shape {np.shape(v)}, not a scalar"
    return float(v)


def gradient_with_error(f: Callable, args: Sequence, wrt: Sequence[int] | None = None) -> tuple[list, list]:
    """(gradients, error estimates) for the arguments at `wrt` (default: every differentiated one).

    A float argument gets a float; an array or a list gets a float64 array of its shape.
    """
    out, errs = [], []
    for i in positions(args) if wrt is None else wrt:
        a = args[i]
        base = np.array(a, dtype=np.float64)
        g = np.zeros(base.shape)
        e = np.zeros(base.shape)
        for idx in np.ndindex(base.shape):
            def phi(t, i=i, idx=idx):
                moved = _fresh(args)
                if base.shape == ():
                    moved[i] = t
                else:
                    entry = base.copy()
                    entry[idx] = t
                    moved[i] = entry.tolist() if isinstance(a, list) else entry
                return _scalar(f(*moved))

            x0 = float(base[idx])
            g[idx], e[idx] = ridders(phi, x0, H0 * max(1.0, abs(x0)))
        out.append(float(g) if base.shape == () else g)
        errs.append(float(e) if base.shape == () else e)
    return out, errs


def gradient(f: Callable, args: Sequence, wrt: Sequence[int] | None = None) -> list:
    """The gradients alone (see gradient_with_error)."""
    return gradient_with_error(f, args, wrt)[0]


def directional(f: Callable, args: Sequence, directions: dict[int, Any]) -> tuple[float, float]:
    """d/dt f(args with args[i] + t v_i for each i in directions) at t = 0, and an error estimate."""

    def phi(t):
        moved = _fresh(args)
        for i, v in directions.items():
            moved[i] = np.asarray(args[i], dtype=np.float64) + t * np.asarray(v)
            if isinstance(args[i], (float, np.floating)):
                moved[i] = float(moved[i])
            elif isinstance(args[i], list):
                moved[i] = moved[i].tolist()
        return _scalar(f(*moved))

    scale = max([1.0] + [float(np.max(np.abs(args[i]), initial=0.0)) for i in directions])
    return ridders(phi, 0.0, H0 * scale)


def moved(args: Sequence, where: Sequence[int], dirs: Sequence, t: float) -> list:
    """args with args[i] + t v for each i in `where` and v in `dirs`, each of its argument's kind."""
    out = _fresh(args)
    for i, v in zip(where, dirs):
        m = np.asarray(args[i], dtype=np.float64) + t * np.asarray(v)
        out[i] = float(m) if np.ndim(args[i]) == 0 else (m.tolist() if isinstance(args[i], list) else m)
    return out


def second_directional(f: Callable, args: Sequence, where: Sequence[int], v: Sequence, w: Sequence
                       ) -> tuple[float, float]:
    """w^T H v at args (H: the Hessian in the arguments at `where`), as d/dt of the directional derivative
    along w at args + t v, both by Ridders' method, and the outer tableau's error estimate."""
    scale = max([1.0] + [float(np.max(np.abs(args[i]), initial=0.0)) for i in where])
    return ridders(lambda t: directional(f, moved(args, where, v, t), dict(zip(where, w)))[0], 0.0, H0 * scale)


def scale_of(grads: Sequence) -> float:
    """The size of a gradient, for relative tolerances: its largest entry, at least 1."""
    return max([1.0] + [float(np.max(np.abs(g), initial=0.0)) for g in grads])


# ---------------------------------------------------------------- 50 digits: NumPy over mpmath numbers


def _mpf(v: Any) -> Any:
    """A float as the mpf of the same binary value (the float the program sees); mpf and int unchanged."""
    if isinstance(v, (float, np.floating)):
        return mp.mpf(float(v))
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def to_mp(a: Any) -> Any:
    """A float as mpf, an array or a (nested) list as an object array of mpf, anything else unchanged."""
    if isinstance(a, (list, tuple, np.ndarray)):
        if np.asarray(a).dtype.kind in "iub":  # indices and masks stay what they are
            return np.asarray(a)
        obj = np.empty(np.shape(a), dtype=object)
        flat = np.asarray(a, dtype=object)
        for idx in np.ndindex(obj.shape):
            obj[idx] = _mpf(flat[idx])
        return obj
    return _mpf(a)


def _elementwise(fn: Callable, nargs: int = 1) -> Callable:
    ufunc = np.frompyfunc(lambda *xs: fn(*[_mpf(x) for x in xs]), nargs, 1)

    def apply(*xs):
        return ufunc(*[to_mp(x) if isinstance(x, (list, tuple)) else x for x in xs])

    return apply


def _filled(value: float) -> Callable:
    def make(shape, dtype=None):
        out = np.empty(shape, dtype=object)
        out.fill(mp.mpf(value))
        return out

    return make


def _full(shape, value, dtype=None):
    out = np.empty(shape, dtype=object)
    out.fill(_mpf(value))
    return out


def _mean(a, axis=None, keepdims=False):
    a = np.asarray(to_mp(a), dtype=object)
    total = np.sum(a, axis=axis, keepdims=keepdims)
    count = a.size // max(1, np.asarray(total).size) if axis is not None else a.size
    return total / count


def _where(c, a, b):
    return np.where(np.asarray(c).astype(bool), a, b)


def _eye(n, m=None, dtype=None):
    return to_mp(np.eye(n, m))


# Structure and loops over entries that NumPy runs on object arrays with the entries' own + * < ...
_PASS = ("sum prod max min cumsum diff dot matmul inner outer vdot trace einsum concatenate stack "
         "hstack vstack expand_dims squeeze transpose reshape ravel shape size ndim arange maximum minimum "
         "clip newaxis").split()

MP_NUMPY = types.SimpleNamespace(
    **{name: getattr(np, name) for name in _PASS},
    sin=_elementwise(mp.sin), cos=_elementwise(mp.cos), tan=_elementwise(mp.tan),
    arcsin=_elementwise(mp.asin), arccos=_elementwise(mp.acos), arctan=_elementwise(mp.atan),
    sinh=_elementwise(mp.sinh), cosh=_elementwise(mp.cosh), tanh=_elementwise(mp.tanh),
    arcsinh=_elementwise(mp.asinh), arccosh=_elementwise(mp.acosh), arctanh=_elementwise(mp.atanh),
    exp=_elementwise(mp.exp), expm1=_elementwise(mp.expm1), log=_elementwise(mp.log),
    log1p=_elementwise(mp.log1p), log10=_elementwise(mp.log10), log2=_elementwise(lambda x: mp.log(x, 2)),
    sqrt=_elementwise(mp.sqrt), abs=_elementwise(abs), absolute=_elementwise(abs),
    square=_elementwise(lambda x: x * x), reciprocal=_elementwise(lambda x: 1 / x),
    sign=_elementwise(mpmath.sign), arctan2=_elementwise(mp.atan2, 2), hypot=_elementwise(mp.hypot, 2),
    power=_elementwise(lambda x, y: x**y, 2),
    floor=_elementwise(mp.floor), round=_elementwise(mp.nint),
    linalg=types.SimpleNamespace(norm=lambda a: mp.sqrt(np.sum(np.asarray(a, dtype=object) ** 2))),
    mean=_mean, where=_where,
    zeros=_filled(0.0), ones=_filled(1.0), full=_full,
    zeros_like=lambda a, dtype=None: _filled(0.0)(np.shape(a)),
    ones_like=lambda a, dtype=None: _filled(1.0)(np.shape(a)),
    eye=_eye, array=lambda a, dtype=None: to_mp(a), asarray=lambda a, dtype=None: to_mp(a),
    linspace=lambda *a, **k: to_mp(np.linspace(*a, **k)),
    pi=mp.mpf(math.pi), e=mp.mpf(math.e),  # the floats the program sees, exactly
)


def _numpy_name(value: Any) -> str | None:
    """The NumPy attribute a global is (`from numpy import cos as c` binds np.cos), if any."""
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, np.ufunc)) or value is np.pi or value is np.e:
        for name in ("pi", "e", *dir(np)):
            if getattr(np, name, None) is value:
                return name
    return None


def _mp_global(value: Any, seen: dict) -> Any:
    if isinstance(value, types.ModuleType) and value is np:
        return MP_NUMPY
    if isinstance(value, types.FunctionType) and value.__globals__.get("__name__") != "numpy":
        return mp_function(value, seen)
    name = _numpy_name(value)
    if name is not None:
        return getattr(MP_NUMPY, name, _missing(name))
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return to_mp(value)
    return value


def _missing(name: str) -> Callable:
    def fail(*args, **kwargs):
        raise AttributeError(f"the 50-digit stand-in has no np.{name}")

    return fail


def mp_function(f: Callable, seen: dict | None = None) -> Callable:
    """f's own code, its globals seen through the 50-digit stand-in: numpy (under any name, and
    the functions imported from it) is MP_NUMPY, float array constants are object arrays of mpf,
    helper functions are rebound the same way. Names the stand-in lacks fail when called."""
    seen = {} if seen is None else seen
    if f in seen:
        return seen[f]
    names = {}
    clone = types.FunctionType(f.__code__, names, f.__name__, f.__defaults__, f.__closure__)
    seen[f] = clone
    names.update({k: _mp_global(v, seen) for k, v in f.__globals__.items() if k in _global_names(f.__code__)})
    names["__builtins__"] = {**vars(builtins), "float": _float}
    return clone


def _global_names(code: types.CodeType) -> set[str]:
    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _global_names(const)
    return found


def _float(v=0.0):
    return v if isinstance(v, mpmath.mpf) else builtins.float(v)


def mp_gradient(f: Callable, args: Sequence, wrt: Sequence[int] | None = None) -> list:
    """The 50-digit gradient of f (a function from mp_function) at args, rounded to float64:
    a float for a float argument, a float64 array for an array or a list."""
    margs = [to_mp(a) if is_differentiable(a) else a for a in args]
    out = []
    for i in positions(args) if wrt is None else wrt:
        shape = np.shape(args[i])
        g = np.zeros(shape)
        for idx in np.ndindex(shape):
            def along(t, i=i, idx=idx):
                moved = [a.copy() if isinstance(a, np.ndarray) else a for a in margs]
                if shape == ():
                    moved[i] = t
                else:
                    moved[i][idx] = t
                return f(*moved)

            g[idx] = float(mp.diff(along, margs[i] if shape == () else margs[i][idx]))
        out.append(float(g) if shape == () else g)
    return out


# ---------------------------------------------------------------- comparing a gradient with the oracle's

# Finite differences agree with the 50-digit path to 3e-11 of the gradient's scale on every
# catalogue point (worst: schwefel, whose sqrt(|x|) has large higher derivatives; typically
# 1e-13), and the catalogue's own test requires each point's error estimate below 1e-10 of the
# scale. 1e-8 of the scale leaves a margin of 300 over the worst error measured, and is still
# far below any mistake in an adjoint (a wrong term changes entries by O(1) of the scale).
RTOL = 1e-8


def check_kind(got: Any, arg: Any, what: str, lists_ok: bool = False) -> None:
    """A float argument gets a float; an array a float64 array of its shape; a list a list or array of its length.
    With lists_ok, an array argument may get a list of its length (generated code of a list program
    stays list code: it cannot know it will be given an array)."""
    if isinstance(arg, (float, np.floating)):
        assert isinstance(got, float) and not isinstance(got, bool), f"{what}: {type(got).__name__}, not a float"
    elif isinstance(arg, np.ndarray) and not (lists_ok and isinstance(got, list) and arg.ndim == 1):
        assert isinstance(got, np.ndarray), f"{what}: {type(got).__name__}, not an ndarray"
        assert got.shape == arg.shape, f"{what}: shape {got.shape}, argument's {arg.shape}"
        assert got.dtype == np.float64, f"{what}: dtype {got.dtype}"
    else:
        assert isinstance(got, (list, np.ndarray)), f"{what}: {type(got).__name__}, not a list or array"
        assert np.shape(got) == np.shape(arg), f"{what}: shape {np.shape(got)}, argument's {np.shape(arg)}"


def assert_gradients_close(got: Sequence, want: Sequence, args: Sequence, wrt: Sequence[int],
                           rtol: float = RTOL, what: str = "", lists_ok: bool = False) -> None:
    """got[k] against want[k] for the argument args[wrt[k]]: kind, shape and values within rtol * scale."""
    assert len(got) == len(want) == len(wrt), f"{what}: {len(got)} gradients, expected {len(want)}"
    scale = scale_of(want)
    for g, w, i in zip(got, want, wrt):
        check_kind(g, args[i], f"{what} d/d arg {i}", lists_ok)
        gap = np.abs(np.asarray(g, dtype=np.float64) - w)
        assert np.all(gap <= rtol * scale), (
            f"{what} d/d arg {i}: off by {float(np.max(gap)):.3g} (scale {scale:.3g})\n got {g!r}\nwant {w!r}")

"""Count the flops a NumPy function performs, by running it on arrays that count what is done to them.

The arrays are an ndarray subclass whose ufunc and array-function hooks add up, as they run:
one flop per entry of each ufunc's result (arithmetic, comparisons, elementary functions), one per
entry a reduction or accumulation reads, 2mkp for a product of (m, k) and (k, p) arrays (matmul,
dot, inner, vdot, tensordot, einsum: twice the product of the index ranges), m*p for an outer
product, the textbook LAPACK counts for solve, inv, det, slogdet, cholesky and svd (NumPy's linalg
converts its operands to plain arrays, so these are counted by their shapes, not by their loops). Creating arrays and views
costs nothing, as in the flop certificate that generated modules carry (`s2sad/flops.py`); reads
of parts of the parameters (`x[1:]`) are tallied on their own, with the size of the array read,
for the certificate's term of the adjoints that scatter those parts back.

    flops, reads = count(f, args, wrt)   # reads: sum of |x[index]| + |x| over reads of parts of args[wrt]
"""

from __future__ import annotations

import string
from typing import Any, Callable, Sequence

import numpy as np

_TALLY = {"flops": 0.0, "reads": 0.0}


class Counted(np.ndarray):
    """An array that adds the flops done with it to the running tally."""

    param = False  # a differentiated parameter: reads of its parts are tallied

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [_plain(a) for a in inputs]
        outs = kwargs.get("out")
        if outs is not None:
            kwargs["out"] = tuple(_plain(o) for o in outs)
        result = getattr(ufunc, method)(*plain, **kwargs)
        _TALLY["flops"] += _ufunc_flops(ufunc, method, plain, result)
        if method == "at":
            return None
        if outs is not None:  # the arrays written into, as given
            return outs[0] if len(outs) == 1 else outs
        return _wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        name = func.__name__
        count = _LINALG.get(name) if func.__module__.endswith("linalg") else _PRODUCTS.get(name)
        if count is not None:  # computed on plain arrays (NumPy's linalg would drop the subclass anyway)
            plain = _unwrap(args)
            result = func(*plain, **_unwrap(kwargs))
            _TALLY["flops"] += count(*plain, **_unwrap(kwargs))
            return _wrap(result)
        return super().__array_function__(func, types, args, kwargs)

    def __getitem__(self, index):
        result = super().__getitem__(index)
        if self.param:
            _TALLY["reads"] += np.size(result) + self.size
        if isinstance(result, Counted):
            result.param = False
        return result


def count(f: Callable, args: Sequence, wrt: Sequence[int] = ()) -> tuple[float, float]:
    """(flops, reads of parts of args[wrt]) of one call f(*args); array arguments are counted copies.

    While f runs, the names of its module bound to NumPy are a NumPy whose creation functions
    (zeros, ones, broadcast_to, array, ...) make counted arrays too, so work done on arrays f
    makes itself (an adjoint's zeros, a broadcast of ones) is counted like the rest.
    """
    call = []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            c = np.array(a).view(Counted)
            c.param = i in wrt
            call.append(c)
        else:
            call.append(a)
    space = getattr(f, "__globals__", {})
    numpy_names = [k for k, v in space.items() if v is np]
    _TALLY.update(flops=0.0, reads=0.0)
    try:
        for k in numpy_names:
            space[k] = _COUNTING_NUMPY
        f(*call)
    finally:
        for k in numpy_names:
            space[k] = np
    return _TALLY["flops"], _TALLY["reads"]


_CREATION = {"zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like", "full_like", "eye",
             "identity", "arange", "linspace", "array", "asarray", "broadcast_to", "copy"}


class _CountingNumpyModule:
    """NumPy, with creation functions that return counted arrays."""

    def __getattr__(self, name: str) -> Any:
        value = getattr(np, name)
        if name in _CREATION:
            return lambda *a, **k: _wrap(value(*a, **k))
        return value


_COUNTING_NUMPY = _CountingNumpyModule()


def _plain(a: Any) -> Any:
    return a.view(np.ndarray) if isinstance(a, Counted) else a


def _unwrap(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return type(v)(_unwrap(x) for x in v)
    if isinstance(v, dict):
        return {k: _unwrap(x) for k, x in v.items()}
    return _plain(v)


def _wrap(v: Any) -> Any:
    if isinstance(v, tuple):
        return tuple(_wrap(x) for x in v)
    if type(v) is np.ndarray:
        return v.view(Counted)
    return v


def _ufunc_flops(ufunc, method: str, inputs: list, result: Any) -> float:
    name = ufunc.__name__
    if method == "__call__":
        if name == "matmul":
            a, b = np.asarray(inputs[0]), np.asarray(inputs[1])
            return 2.0 * _mkp(a, b, a.shape[-1])
        if name in _LAPACK:
            return _LAPACK[name](*[np.shape(a) for a in inputs])
        first = result[0] if isinstance(result, tuple) else result
        return float(np.size(first))
    if method in ("reduce", "accumulate", "reduceat"):
        return float(np.size(inputs[0]))
    if method == "at":
        return float(np.size(inputs[2])) if len(inputs) > 2 else float(np.size(inputs[1]))
    return float(np.size(result))


def _mkp(a: np.ndarray, b: np.ndarray, k: int) -> float:
    return a.size * b.size / k if k else 0.0


def _dot(a, b, out=None) -> float:
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        return float(max(a.size, b.size))
    return 2.0 * _mkp(a, b, a.shape[-1])


def _tensordot(a, b, axes=2) -> float:
    a, b = np.asarray(a), np.asarray(b)
    if isinstance(axes, int):
        k = int(np.prod(a.shape[a.ndim - axes:])) if axes else 1
    else:
        first = axes[0] if isinstance(axes[0], (list, tuple)) else [axes[0]]
        k = int(np.prod([a.shape[i] for i in first]))
    return 2.0 * _mkp(a, b, k)


def _einsum(subscripts, *operands, **kwargs) -> float:
    """Twice the product of the ranges of all indices (every term of the sum is a product)."""
    if not isinstance(subscripts, str):
        return 0.0
    ranges: dict[str, int] = {}
    for part, op in zip(subscripts.split("->")[0].split(","), operands):
        for letter, n in zip([c for c in part if c in string.ascii_letters], np.shape(op)):
            ranges[letter] = n
    return 2.0 * float(np.prod(list(ranges.values()))) if ranges else 0.0


_PRODUCTS: dict[str, Callable[..., float]] = {
    "dot": _dot,
    "inner": lambda a, b: _dot(a, np.swapaxes(b, -1, -2) if np.ndim(b) > 1 else b),
    "vdot": lambda a, b: 2.0 * float(np.size(a)),
    "outer": lambda a, b, out=None: float(np.size(a) * np.size(b)),
    "tensordot": _tensordot,
    "einsum": _einsum,
}

def _order(a) -> int:
    return np.shape(a)[-1]


def _solve(a, b) -> float:
    n = _order(a)
    k = np.shape(b)[-1] if np.ndim(b) > 1 else 1
    return 2 / 3 * n**3 + 2 * n**2 * k


_LINALG: dict[str, Callable[..., float]] = {  # numpy.linalg functions, by the shapes of their operands
    "solve": _solve,
    "inv": lambda a: 2.0 * _order(a) ** 3,
    "det": lambda a: 2 / 3 * _order(a) ** 3,
    "slogdet": lambda a: 2 / 3 * _order(a) ** 3,
    "cholesky": lambda a, **k: _order(a) ** 3 / 3,
    "norm": lambda x, *a, **k: 2.0 * np.size(x),  # squares and their sum (other orders: as many)
    "svd": lambda a, **k: _svd(np.shape(a)),
}


def _svd(shape) -> float:
    """Golub and Van Loan's count for the SVD with both singular vector matrices (stacks: each)."""
    m, n = max(shape[-2:]), min(shape[-2:])
    return float(np.prod(shape[:-2])) * (4 * m * m * n + 8 * m * n * n + 9 * n**3)

_LAPACK: dict[str, Callable[..., float]] = {  # gufuncs of numpy.linalg, by the shapes of their operands
    "solve": lambda a, b: 2 / 3 * a[-1] ** 3 + 2 * a[-1] ** 2 * (b[-1] if len(b) > 1 else 1),
    "solve1": lambda a, b: 2 / 3 * a[-1] ** 3 + 2 * a[-1] ** 2,
    "inv": lambda a: 2.0 * a[-1] ** 3,
    "det": lambda a: 2 / 3 * a[-1] ** 3,
    "slogdet": lambda a: 2 / 3 * a[-1] ** 3,
    "cholesky_lo": lambda a: a[-1] ** 3 / 3,
    "cholesky_up": lambda a: a[-1] ** 3 / 3,
}

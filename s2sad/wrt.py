"""Which parameters a derivative is taken with respect to: `wrt` read, checked and resolved.

Guarantees: `normalize_wrt` reads `wrt` once (an iterator too) into None, one name or position, or a
tuple of them, else raises an `S2sadError` saying what `wrt` accepts; `select_params` gives the
parameters it names in parameter order, refusing an unknown name, a position out of range, a
parameter named twice and an integer parameter (a range bound or an index has no gradient).

Before: `wrt=("y", 0)` of `f(x, y, n)`.  After: `(x, y)`.
"""

from __future__ import annotations

import itertools
import operator
import unicodedata
from typing import Any, Iterable, Union

from .errors import S2sadError
from .trace import Trace, Var

Wrt = Union[None, str, int, Iterable[Union[str, int]]]


def select_params(trace: Trace, wrt: Wrt) -> tuple[Var, ...]:
    """The parameters named by `wrt` (names or positions; None: all), in parameter order."""
    params = trace.params
    wrt = normalize_wrt(wrt)
    if wrt is None:  # integer parameters (range bounds, indices) have no gradient
        return tuple(p for p in params if not (isinstance(p, Var) and p.kind == "int"))
    items = [wrt] if isinstance(wrt, (str, int)) else wrt
    chosen: set[Var] = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            if not -len(params) <= item < len(params):
                raise S2sadError(f"wrt position {item} is out of range: {trace.name} has {len(params)} parameter(s)")
            p = params[item]
        else:
            spellings = (item, unicodedata.normalize("NFKC", item))  # as Python reads identifiers
            matches = [p for p in params if p.hint in spellings]
            if not matches:
                known = ", ".join(p.hint or "?" for p in params)
                raise S2sadError(f"{trace.name} has no parameter {item!r} (parameters: {known})")
            p = matches[0]
        if p in chosen:
            raise S2sadError(f"parameter {p.hint} is named twice in wrt")
        if isinstance(p, Var) and p.kind == "int":
            raise S2sadError(f"parameter {p.hint} of {trace.name} is an integer (a range bound or an index): "
                             "it has no gradient")
        chosen.add(p)
    if not chosen:
        raise S2sadError("wrt names no parameter")
    return tuple(p for p in params if p in chosen)


_WRT_ITEMS = "a parameter name (str) or position (int)"
_MAX_WRT = 100_000  # more items than any function has parameters: an endless iterator is refused, not run forever


def normalize_wrt(wrt: Any) -> None | str | int | tuple[str | int, ...]:
    """`wrt` checked and materialized once: None, one name or position, or a tuple of them.

    An iterator is read exactly once here (it is both the cache key and the
    selection); anything else is an `S2sadError` saying what `wrt` accepts.
    """
    if wrt is None:
        return None
    single = _wrt_item(wrt)
    if single is not None:
        return single
    if isinstance(wrt, (bytes, bytearray, memoryview, dict)) or not isinstance(wrt, Iterable):
        raise S2sadError(f"wrt must be None, {_WRT_ITEMS}, or a list of them; got {_describe(wrt)}")
    items = tuple(itertools.islice(wrt, _MAX_WRT + 1))
    if len(items) > _MAX_WRT:
        raise S2sadError(f"wrt lists more than {_MAX_WRT} items")
    out = []
    for item in items:
        one = _wrt_item(item)
        if one is None:
            raise S2sadError(f"each item of wrt must be {_WRT_ITEMS}; got {_describe(item)}")
        out.append(one)
    return tuple(out)


def _wrt_item(x: Any) -> str | int | None:
    if isinstance(x, str):
        return x
    if isinstance(x, bool):  # True is 1 to Python, but never meant as a position
        return None
    if isinstance(x, int):
        return int(x)
    index = getattr(type(x), "__index__", None)  # numpy integers
    if index is not None and not isinstance(x, float):
        try:
            return operator.index(x)
        except TypeError:
            return None
    return None


def _describe(x: Any) -> str:
    text = repr(x) if not isinstance(x, (list, tuple)) or len(x) < 10 else f"a {type(x).__name__} of {len(x)}"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(x).__name__})"

"""Runtime entry points: the pipeline, the cache, and compiling generated code.

The pipeline reads as its list of stages (`derive_source`). The runtime path
(`grad`, `value_and_grad`) compiles only the function it returns, from
unformatted text, so it never imports black; `generate` formats on demand.
Results are cached per function object and choice of parameters.
"""

from __future__ import annotations

import itertools
import linecache
import os
import weakref
from contextlib import contextmanager
from functools import cached_property
from typing import Any, Callable, Iterable, Iterator, Union

from .check import checked
from .emit import Certificate, certificate, format_source, module_text, runtime_text
from .errors import S2sadError
from .frontend import Source, load_function, nesting
from .lower import lower
from .optimize import drop_dead_ops
from .reverse import Gradient, differentiate
from .trace import Trace, Var
from .util import collector_paused, recursion_room

Wrt = Union[None, str, int, Iterable[Union[str, int]]]
_serial = itertools.count(1)


class Derivative:
    """A differentiated function: its trace, generated functions, source and certificate.

    Each piece is made when first asked for: the runtime path compiles only
    the function it returns, and only `source` runs black.
    """

    def __init__(self, trace: Trace, gradient: Gradient, origin: str, levels: int = 0):
        self.trace = trace
        self.gradient = gradient
        self.origin = origin
        self.levels = levels  # how deep the function's tree is: emission recurses on it too

    @cached_property
    def certificate(self) -> Certificate:
        with deep(self.levels):
            return certificate(self.gradient)

    @cached_property
    def value_and_grad(self) -> Callable[..., Any]:
        return self._compile("value_and_grad")

    @cached_property
    def grad(self) -> Callable[..., Any]:
        return self._compile("grad")

    @cached_property
    def text(self) -> str:
        """The generated module, unformatted."""
        with deep(self.levels):
            return module_text(self.gradient, self.origin)

    @cached_property
    def source(self) -> str:
        """The generated module, black-formatted: exactly what `s2sad gen` prints."""
        return format_source(self.text)

    def _compile(self, kind: str) -> Callable[..., Any]:
        name = f"{self.trace.name}_{kind}"
        with collector_paused(), deep(self.levels):
            text = runtime_text(self.gradient, kind)
            filename = f"<s2sad {self.origin}:{name} #{next(_serial)}>"
            # Registered so that tracebacks through generated code show its lines.
            linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
            namespace: dict[str, Any] = {"__name__": "s2sad_generated"}
            exec(compile(text, filename, "exec"), namespace)
        return namespace[name]


def derive_source(src: Source, wrt: Wrt = None) -> Derivative:
    """The pipeline: frontend output -> trace -> gradient (both sweeps); emission happens on demand."""
    with collector_paused(), deep(src):
        trace = trace_source(src)
        gradient = differentiate(trace, select_params(trace, wrt))
    return Derivative(trace, gradient, os.path.basename(src.module.filename), nesting(src))


def trace_source(src: Source) -> Trace:
    """Check the subset, lower to the evaluation trace, drop dead ops."""
    with deep(src):
        return drop_dead_ops(lower(checked(src)))


@contextmanager
def deep(src: Source | int) -> Iterator[None]:
    """Room for the stages' recursion on a deep tree; if even that is not enough, a clean error."""
    levels = src if isinstance(src, int) else nesting(src)
    try:
        with recursion_room(levels):
            yield
    except RecursionError:
        where = f"{src.module.filename}:{src.node.lineno}: " if isinstance(src, Source) else ""
        raise S2sadError(
            f"{where}the function is nested too deeply for s2sad ({levels} levels with its helpers): "
            "split long expressions and long elif chains into several statements or helpers"
        ) from None


def select_params(trace: Trace, wrt: Wrt) -> tuple[Var, ...]:
    """The parameters named by `wrt` (names or positions; None: all), in parameter order."""
    params = trace.params
    if wrt is None:  # integer parameters (range bounds, indices) have no gradient
        return tuple(p for p in params if not (isinstance(p, Var) and p.kind == "int"))
    items = [wrt] if isinstance(wrt, (str, int)) else list(wrt)
    chosen: set[Var] = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            if not -len(params) <= item < len(params):
                raise S2sadError(f"wrt position {item} is out of range: {trace.name} has {len(params)} parameter(s)")
            p = params[item]
        else:
            matches = [p for p in params if p.hint == item]
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


# Per function object (not per code object: equal code may read other module constants).
_cache: weakref.WeakKeyDictionary[Callable[..., float], dict[Any, Derivative]] = weakref.WeakKeyDictionary()


def _key(wrt: Wrt) -> Any:
    if wrt is None or isinstance(wrt, (str, int)):
        return wrt
    return tuple(wrt)


def derive(f: Callable[..., float], wrt: Wrt = None) -> Derivative:
    """Differentiate f (cached): trace, certificate, generated functions and source."""
    try:
        per_function = _cache.setdefault(f, {})
    except TypeError:  # not weak-referenceable, so not a Python function: load_function says so
        per_function = {}
    key = _key(wrt)
    found = per_function.get(key)
    if found is None:
        with collector_paused():
            found = per_function[key] = derive_source(load_function(f), wrt)
    return found


def grad(f: Callable[..., float], wrt: Wrt = None) -> Callable[..., Any]:
    """The gradient of f: a function of f's parameters returning df/dwrt.

    One differentiated parameter gives a float; several give a tuple in
    parameter order. `wrt` names parameters by name or position; None: all.
    """
    return derive(f, wrt).grad


def value_and_grad(f: Callable[..., float], wrt: Wrt = None) -> Callable[..., Any]:
    """Like `grad`, but the function returns `(f(...), gradient)`."""
    return derive(f, wrt).value_and_grad


def generate(f: Callable[..., float], wrt: Wrt = None) -> str:
    """The generated module for f, as `s2sad gen` prints it."""
    return derive(f, wrt).source


def trace(f: Callable[..., float]) -> Trace:
    """f's evaluation trace; `print` it for the lecture's listing."""
    return trace_source(load_function(f))

"""Runtime entry points: the pipeline, the cache, and compiling generated code.

The pipeline reads as its list of stages (`derive_source`). The runtime path
(`grad`, `value_and_grad`) executes the unformatted module text, so it never
imports black; `generate` formats it on demand. Results are cached per
function object and choice of parameters.
"""

from __future__ import annotations

import itertools
import linecache
import os
from functools import cached_property
from typing import Any, Callable, Iterable, Union

from .emit import Certificate, certificate, format_source, module_text
from .errors import S2sadError
from .frontend import Source, load_function
from .lower import lower
from .optimize import drop_dead_ops
from .reverse import Gradient, differentiate
from .trace import Trace, Var

Wrt = Union[None, str, int, Iterable[Union[str, int]]]
_serial = itertools.count(1)


class Derivative:
    """A differentiated function: its trace, generated code and certificate."""

    def __init__(self, trace: Trace, gradient: Gradient, origin: str):
        self.trace = trace
        self.gradient = gradient
        self.certificate: Certificate = certificate(gradient)
        self.text = module_text(gradient, origin)  # unformatted; `source` is black's
        namespace = _compile(self.text, f"<s2sad {origin}:{trace.name}>")
        self.value_and_grad: Callable[..., Any] = namespace[f"{trace.name}_value_and_grad"]
        self.grad: Callable[..., Any] = namespace[f"{trace.name}_grad"]

    @cached_property
    def source(self) -> str:
        """The generated module, black-formatted: exactly what `s2sad gen` prints."""
        return format_source(self.text)


def derive_source(src: Source, wrt: Wrt = None) -> Derivative:
    """The pipeline: frontend output -> trace -> reverse sweep -> module."""
    trace = trace_source(src)
    gradient = differentiate(trace, select_params(trace, wrt))
    return Derivative(trace, gradient, os.path.basename(src.module.filename))


def trace_source(src: Source) -> Trace:
    return drop_dead_ops(lower(src))


def select_params(trace: Trace, wrt: Wrt) -> tuple[Var, ...]:
    """The parameters named by `wrt` (names or positions; None: all), in parameter order."""
    params = trace.params
    if wrt is None:
        return params
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
        chosen.add(p)
    if not chosen:
        raise S2sadError("wrt names no parameter")
    return tuple(p for p in params if p in chosen)


def _compile(text: str, filename: str) -> dict[str, Any]:
    filename = filename[:-1] + f" #{next(_serial)}>"
    # Registered so that tracebacks through generated code show its lines.
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {"__name__": "s2sad_generated"}
    exec(compile(text, filename, "exec"), namespace)
    return namespace


_cache: dict[tuple, Derivative] = {}


def _key(wrt: Wrt) -> Any:
    if wrt is None or isinstance(wrt, (str, int)):
        return wrt
    return tuple(wrt)


def derive(f: Callable[..., float], wrt: Wrt = None) -> Derivative:
    """Differentiate f (cached): trace, certificate, generated functions and source."""
    key = (getattr(f, "__code__", f), _key(wrt))
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = derive_source(load_function(f), wrt)
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

"""Runtime entry points: the pipeline, the cache, and compiling generated code.

The pipeline reads as its list of stages (`derive_source`). The runtime path
(`grad`, `value_and_grad`) compiles only the function it returns, from
unformatted text, so it never imports black; `generate` formats on demand.
Results are cached per function object and choice of parameters.
"""

from __future__ import annotations

import functools
import itertools
import linecache
import os
import weakref
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from .activity import active
from .certificate import Certificate, certificate
from .check import checked
from .comprehensions import comprehensions_as_loops
from .dead_ops import drop_dead_ops
from .emit import format_source, function_name, module_text, runtime_text
from .errors import S2sadError
from .frontend import Source, nesting
from .kinks import Kink, kinks
from .live import check_live, live_checks
from .loading import load_function
from .lowering import lower
from .reverse import Gradient, differentiate
from .reverse.outputs import is_vector, seeded, seeded_array
from .trace import ListVar, Trace, Var
from .util import collector_paused, needs_big_stack, on_big_stack, recursion_room
from .wrt import Wrt, normalize_wrt, select_params

if TYPE_CHECKING:  # forward mode and the checker are imported where used: reverse mode never needs them
    from .gradcheck import Report
    from .tangent import Tangent

T = TypeVar("T")
_serial = itertools.count(1)


class Derivative:
    """A differentiated function: its trace, generated functions, source and certificate.

    Each piece is made when first asked for: the runtime path compiles only
    the function it returns, and only `source` runs black.
    """

    def __init__(self, trace: Trace, wrt: tuple, origin: str, levels: int = 0, checkpoint: int = 0):
        self.live: tuple = ()  # what `check_live` compares with the function's globals
        self.checkpoint = checkpoint  # snapshots per long loop (checkpoint.py); 0: a tape
        self.trace = trace
        self.wrt = wrt
        self.origin = origin
        self.levels = levels  # how deep the function's tree is: emission recurses on it too

    @cached_property
    def gradient(self) -> Gradient:
        """Reverse mode: the gradient, or for a vector function the VJP (of its seeded trace)."""
        with collector_paused():
            return deeply(self.levels, lambda: differentiate(seeded(self.trace), self.wrt))

    @cached_property
    def reaching(self) -> set:
        """The parameters the result depends on (an unused one may be given anything)."""
        return active(self.trace, tuple(self.trace.params))

    @cached_property
    def trace_is_vector(self) -> bool:
        """Does the function return a tuple or a list (then reverse mode gives a VJP, not a gradient)?"""
        return is_vector(self.trace)

    @cached_property
    def tangent(self) -> Tangent:
        """Forward mode: the JVP."""
        from .tangent import linearize

        with collector_paused():
            return deeply(self.levels, lambda: linearize(self.trace, self.wrt))

    @cached_property
    def jvp(self) -> Callable[..., Any]:
        """`<f>_jvp(params..., tangents...) -> (value, value_dot)`."""
        return self._compile("jvp")

    @cached_property
    def forward_text(self) -> str:
        """The forward-mode module, unformatted."""
        from .tangent.emit import tangent_module_text

        with collector_paused():
            return deeply(self.levels, lambda: tangent_module_text(self.tangent, self.origin))

    def names_of(self, p: Var | ListVar) -> str:
        """A parameter's name in generated code."""
        return p.hint  # type: ignore[return-value]

    def module(self, mode: str = "auto") -> str:
        """The generated module of `mode`, black-formatted: "auto" (the gradient by the mode that costs
        less, see `mode`), "reverse", "forward" (the JVP) or "both" (reverse mode's and the JVP)."""
        if mode == "auto":
            return self.source
        if mode == "reverse":
            return format_source(self.reverse_text)
        if mode == "forward":
            return format_source(self.forward_text)
        from .tangent.emit import both_modes_text

        return format_source(both_modes_text(self.reverse_text, self.forward_text))

    @cached_property
    def mode(self) -> tuple[str, str]:
        """How `grad` and `value_and_grad` compute: ("forward" or "reverse", why). Forward accumulation
        where the gradient is in one scalar input and costs fewer operations so (tangent/gradient.py)."""
        g = self.gradient  # the certificate (op counts) only where the choice needs it: grad(f) skips it otherwise
        if len(g.wrt) != 1 or getattr(g.wrt[0], "kind", None) != "float" or self.trace_is_vector \
                or self.certificate.arrays:
            return "reverse", "reverse mode"
        from .tangent.gradient import choose_mode

        try:
            return choose_mode(g, self.certificate, self.tangent)
        except S2sadError:  # a construct forward mode refuses: reverse mode has it
            return "reverse", "reverse mode"

    @cached_property
    def certificate(self) -> Certificate:
        with collector_paused():
            return deeply(self.levels, lambda: certificate(self.gradient))

    @cached_property
    def kinks(self) -> list[Kink]:
        """Where the derivative is only piecewise, and the condition under which it switches."""
        return kinks(self.trace, self.gradient.wrt)

    @cached_property
    def value_and_grad(self) -> Callable[..., Any]:
        return self._compile("value_and_grad")

    @cached_property
    def grad(self) -> Callable[..., Any]:
        return self._compile("grad")

    @cached_property
    def text(self) -> str:
        """The generated gradient module, unformatted, by the mode `mode` chose."""
        if self.mode[0] == "forward":
            from .tangent.gradient import forward_gradient_module_text

            with collector_paused():  # as for the rest of generation: many small objects, no cycles
                return deeply(self.levels,
                              lambda: forward_gradient_module_text(self.tangent, self.mode[1], self.origin))
        return self.reverse_text

    @cached_property
    def reverse_text(self) -> str:
        """The reverse-mode module, unformatted."""
        with collector_paused():  # as for the rest of generation: many small objects, no cycles
            return deeply(self.levels, lambda: module_text(self.gradient, self.origin, self.checkpoint))

    @cached_property
    def source(self) -> str:
        """The generated module, black-formatted: exactly what `s2sad gen` prints."""
        return format_source(self.text)

    @cached_property
    def array_vjp(self) -> Callable[..., Any]:
        """An array program's `<f>_value_and_vjp(params..., out_bar)` for an array result (of any shape)."""
        with collector_paused():
            g = deeply(self.levels, lambda: differentiate(seeded_array(self.trace), self.wrt))
        return self._compile("value_and_grad", g)

    def _compile(self, kind: str, gradient: Gradient | None = None) -> Callable[..., Any]:
        g = gradient if gradient is not None else (self.gradient if kind != "jvp" else None)
        name = f"{self.trace.name}_jvp" if g is None else function_name(g, kind)
        filename = f"<s2sad {self.origin}:{name} #{next(_serial)}>"

        forward = gradient is None and kind in ("value_and_grad", "grad") and self.mode[0] == "forward"

        def compiled() -> Any:
            from .tangent.emit import tangent_runtime_text
            from .tangent.gradient import forward_gradient_runtime_text

            text = tangent_runtime_text(self.tangent) if g is None else \
                forward_gradient_runtime_text(self.tangent, kind) if forward else \
                runtime_text(g, kind, self.checkpoint if gradient is None else 0)
            # Registered so that tracebacks through generated code show its lines.
            linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
            try:
                return compile(text, filename, "exec")
            except (SyntaxError, MemoryError) as exc:  # Python's compiler limits (blocks nested past 20, ...)
                raise S2sadError(f"{self.trace.name}: Python cannot compile the generated code ({exc}); "
                                 "nest fewer loops and branches, or report it as a bug in s2sad") from None

        with collector_paused():
            code = deeply(self.levels, compiled)
        namespace: dict[str, Any] = {"__name__": "s2sad_generated"}
        exec(code, namespace)
        weakref.finalize(namespace[name], linecache.cache.pop, filename, None)  # the text lives as long as the code
        if g is None or is_vector(g.trace):
            return namespace[name]  # type: ignore[no-any-return]
        return _arrays_for_lists(namespace[name], self.trace, self.wrt, kind)


def _arrays_for_lists(fn: Callable[..., Any], trace: Trace, wrt: tuple, kind: str) -> Callable[..., Any]:
    """fn, returning an ndarray gradient (float64, the argument's shape) for a list parameter given an ndarray.

    The wrapper has fn's own parameters (written out and compiled once), so a call costs what a plain
    Python call costs, plus one `type(x) is list` per list parameter."""
    names = [p.hint for p in trace.params]
    lists = [(k, names.index(p.hint)) for k, p in enumerate(wrt) if isinstance(p, ListVar)]
    if not lists:
        return fn

    def to_arrays(result: Any, args: tuple) -> Any:
        arrays = [(k, args[i]) for k, i in lists if type(args[i]).__module__ == "numpy" and hasattr(args[i], "shape")]
        if not arrays:
            return result
        import numpy

        value, grads = result if kind == "value_and_grad" else (None, result)
        many = list(grads) if len(wrt) > 1 else [grads]
        for k, arg in arrays:
            many[k] = numpy.asarray(many[k], dtype=float).reshape(arg.shape)
        grads = tuple(many) if len(wrt) > 1 else many[0]
        return (value, grads) if kind == "value_and_grad" else grads

    code = fn.__code__
    params = list(code.co_varnames[:code.co_argcount])
    assert params == names and not code.co_kwonlyargcount, (params, names)
    from .tangent.second import fresh_names

    # the wrapper's own names, none a parameter's (a parameter may be called `type` or `list`)
    fresh = fresh_names(set(params))
    inner, convert, result, type_, list_ = (fresh(n) for n in ("_inner", "_to_arrays", "_result", "_type", "_list"))
    listed = " and ".join(f"{type_}({names[i]}) is {list_}" for _, i in lists)
    signature = params[:code.co_posonlyargcount] + (["/"] if code.co_posonlyargcount else []) + \
        params[code.co_posonlyargcount:]
    text = (f"def {code.co_name}({', '.join(signature)}):\n"
            f"    {result} = {inner}({', '.join(params)})\n"
            f"    if {listed}:\n"
            f"        return {result}\n"
            f"    return {convert}({result}, ({', '.join(params)},))\n")
    namespace: dict[str, Any] = {inner: fn, convert: to_arrays, type_: type, list_: list}
    filename = f"<s2sad ndarray gradients of {code.co_name} #{next(_serial)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)  # for tracebacks
    exec(compile(text, filename, "exec"), namespace)
    wrapped = namespace[code.co_name]
    weakref.finalize(wrapped, linecache.cache.pop, filename, None)
    wrapped.__defaults__ = fn.__defaults__
    return functools.update_wrapper(wrapped, fn)



def derive_source(src: Source, wrt: Wrt = None) -> Derivative:
    """The pipeline: frontend output -> trace -> gradient (both sweeps); emission happens on demand."""
    levels = nesting(src)  # a walk of the whole tree: once
    with collector_paused():
        trace = deeply(src, lambda: _traced(src), levels)
    derived = Derivative(trace, select_params(trace, wrt), os.path.basename(src.module.filename), levels,
                         src.checkpoint)
    if not is_vector(trace):
        derived.gradient  # noqa: B018 - a scalar function's gradient is derived at once: errors surface here
    return derived


def trace_source(src: Source) -> Trace:
    """Check the subset, lower to the evaluation trace, drop dead ops."""
    return deeply(src, lambda: _traced(src))


def _traced(src: Source) -> Trace:
    return drop_dead_ops(lower(checked(comprehensions_as_loops(src))))


def deeply(src: Source | int, run: Callable[[], T], levels: int | None = None) -> T:
    """run(), with room for the stages' recursion on a deep tree (a bigger stack in a thread of its own
    where the current one is too small); if even that is not enough, a clean error. `levels`: src's
    nesting, where the caller has it already."""
    if levels is None:
        levels = src if isinstance(src, int) else nesting(src)

    def roomy() -> T:
        with recursion_room(levels):
            return run()

    try:
        return on_big_stack(levels, roomy) if needs_big_stack(levels) else roomy()
    except RecursionError:
        where = f"{src.module.filename}:{src.node.lineno}: " if isinstance(src, Source) else ""
        raise S2sadError(
            f"{where}the function is nested too deeply for s2sad ({levels} levels with its helpers): "
            "split long expressions and long elif chains into several statements or helpers"
        ) from None


# Per function object (not per code object: equal code may read other module constants).
_cache: weakref.WeakKeyDictionary[Callable[..., float], dict[Any, Derivative]] = weakref.WeakKeyDictionary()


def derive(f: Callable[..., float], wrt: Wrt = None, unroll: int | None = None, checkpoint: int = 0) -> Derivative:
    """Differentiate f (cached): trace, certificate, generated functions and source.

    `unroll`: the operations a loop of literal trip count may unroll to (0: none; None: the
    default, `unroll.UNROLL_BUDGET`). `checkpoint`: the snapshots from which a long loop's reverse
    sweep recomputes its iterations (binomial checkpointing: memory O(checkpoint), recomputation
    logarithmic in the trip count; 0: a tape of every iteration). Each call (a cached one too)
    compares the module-level names the derivation read from the source with f's live globals,
    and raises if one differs.
    """
    try:
        per_function = _cache.setdefault(f, {})
    except TypeError:  # not weak-referenceable, so not a Python function: load_function says so
        per_function = {}
    key = normalize_wrt(wrt)
    if unroll is not None and (type(unroll) is not int or unroll < 0):
        raise S2sadError(f"unroll is a number of operations (0 or more), not {unroll!r}")
    if type(checkpoint) is not int or checkpoint < 0:
        raise S2sadError(f"checkpoint is a number of snapshots (1 or more; 0: none), not {checkpoint!r}")
    found = per_function.get((key, unroll, checkpoint))
    if found is None:
        with collector_paused():
            src = replace(load_function(f), checkpoint=checkpoint)
            if unroll is not None:
                src = replace(src, unroll=unroll)
            derived = derive_source(src, key)
            derived.live = live_checks(src.module)
        found = per_function[(key, unroll, checkpoint)] = derived
    check_live(f, found.live)
    return found


def grad(f: Callable[..., float], wrt: Wrt = None, unroll: int | None = None, checkpoint: int = 0
         ) -> Callable[..., Any]:
    """The gradient of f: a function of f's parameters returning df/dwrt.

    One differentiated parameter gives a float; several give a tuple in
    parameter order. `wrt` names parameters by name or position; None: all.
    `unroll`, `checkpoint`: how far loops of literal trip count unroll, and how many snapshots a long
    loop keeps instead of a tape (see `derive`).
    """
    return _scalar_function(derive(f, wrt, unroll, checkpoint), "grad").grad


def _scalar_function(d: Derivative, what: str) -> Derivative:
    if d.trace_is_vector:
        raise S2sadError(f"{d.trace.name} returns a tuple or a list, so it has no gradient ({what}): use s2sad.vjp, "
                         "s2sad.jacrev or s2sad.jacobian, or differentiate one output")
    return d


def value_and_grad(f: Callable[..., float], wrt: Wrt = None, unroll: int | None = None, checkpoint: int = 0
                   ) -> Callable[..., Any]:
    """Like `grad`, but the function returns `(f(...), gradient)`."""
    return _scalar_function(derive(f, wrt, unroll, checkpoint), "value_and_grad").value_and_grad


def generate(f: Callable[..., float], wrt: Wrt = None, unroll: int | None = None, checkpoint: int = 0) -> str:
    """The generated module for f, as `s2sad gen` prints it."""
    return derive(f, wrt, unroll, checkpoint).source


def piecewise(f: Callable[..., float], wrt: Wrt = None) -> list[Kink]:
    """Where f's derivative (in the parameters wrt) is only piecewise: `abs`, `max`, branches and
    while tests on differentiated values, `np.maximum`, `np.clip`...; each with the line and the
    condition under which it switches (`x == y`). What `s2sad kinks` prints."""
    return derive(f, wrt).kinks


def check_grads(f: Callable[..., float], args: Sequence[Any], wrt: Wrt = None, seed: int = 0) -> Report:
    """Run the generated gradient of f at args against an independent reference (f's source at 50
    digits with mpmath, else extrapolated central differences; arrays along a random direction).
    Returns the report (print it for the table); raises AssertionError, with the table, when they
    disagree. This runs f."""
    from .gradcheck import check, with_defaults

    d = _scalar_function(derive(f, wrt), "check_grads")
    positions = [d.trace.params.index(p) for p in d.gradient.wrt]
    report = check(f, [with_defaults(f, args, "check_grads")], positions, text=d.source, seed=seed)
    if not report.ok:
        raise AssertionError(f"the gradient of {f.__name__} disagrees with the reference:\n{report}")
    return report


def trace(f: Callable[..., float]) -> Trace:
    """f's evaluation trace; `print` it for the lecture's listing."""
    src = load_function(f)
    result = trace_source(src)
    check_live(f, live_checks(src.module))
    return result

"""Differential checking of one array program, and shrinking of a failing one.

`check(text, args)` runs the module text's `f` five ways -- the runtime API's
`grad` and `value_and_grad`, the generated module (written to a file and
imported) `f_grad` and `f_value_and_grad`, and `grad` with respect to one
parameter -- and compares:

- values with f's own value, bit for bit: array code is lowered one NumPy
  operation per source operation, in Python's order, nothing reassociated
  (s2sad/lower_arrays.py), so the generated primal computes the same floats;
- gradients with an independent oracle: central differences in float64 with
  Richardson extrapolation (Ridders' method, the approach of the catalogue's
  array oracle), one entry of one parameter at a time, on f itself;
- kinds and shapes: a float parameter's gradient is a float, an array's a
  float64 ndarray of its shape, a list's a list or array of its length;
- that no run changes its arguments in place, and that the ways agree.

Tolerances. Ridders' tableau gives an error estimate per entry. For smooth
functions it is ~1e-12 of the gradient's scale (largest entry, at least 1);
a point where some entry's estimate exceeds ERR_SKIP (1e-8) of the scale sits
on or near a kink, a tie or a branch switch (abs, max, where, `if np.sum(x) >
0`): the oracle cannot resolve it, and the program is skipped there. At the
other points the oracle is good to well under 1e-8 of the scale, and a
gradient is wrong when it is off by more than RTOL (1e-6) of the scale: a
margin of 100 over the worst accepted oracle error, and still far below what a
wrong adjoint term does (it changes entries by a fair fraction of the scale).

A user error (`S2sadError` with a location) is acceptable only for what s2sad
documents as unsupported: `DOCUMENTED` lists those messages' fragments, and
such programs are counted apart ("rejected"). Anything else -- another
rejection, an exception from inside s2sad, a wrong value, gradient, kind or
shape -- is a `Failure`, with a key naming its class (no program names or
numbers in it).

`shrink(text, args, failure)` deletes statements, unwraps blocks and replaces
expressions by their parts while the failure keeps its key.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import itertools
import math
import os
import re
import signal
import sys
import tempfile
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
from array_oracle import gradient_with_error, second_directional
from differential import _bodies  # the scalar shrinker's statement lists

import s2sad
from s2sad.errors import S2sadError

RTOL = 1e-6
ERR_SKIP = 1e-8
HUGE = 1e8
# rejections of what s2sad documents as outside its subset (README): located errors
DOCUMENTED = (
    "too many statements follow early exits",  # a size limit of the scalar lowering
    "return inside a loop is not supported",  # README, "Anything else is rejected"
    "share one array (an alias or a view)",  # README, NumPy: an update in place another name would see
)
ALIASES = DOCUMENTED[-1]
warnings.filterwarnings("ignore", category=SyntaxWarning)
_serial = itertools.count()


@dataclass(frozen=True)
class Failure:
    key: str  # the class: what went wrong, without the program's own names and numbers
    detail: str


class Skip(Exception):
    """The point says nothing: f raises there, sits on a kink, or its derivative is huge."""


class Rejected(Skip):
    """s2sad rejects the program for a documented reason."""


# --------------------------------------------------------------------------- arguments, reproducibly


def args_text(args: Sequence) -> str:
    """The arguments as text that `parse_args` reads back exactly (arrays as array([...]))."""
    parts = []
    for a in args:
        if isinstance(a, np.ndarray):
            parts.append(f"array({a.tolist()!r})")
        else:
            parts.append(repr(a))
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def parse_args(text: str) -> tuple:
    def array(values):
        return np.array(values, dtype=np.float64)

    return eval(text, {"__builtins__": {}, "array": array})  # noqa: S307 -- our own files


def file_args(text: str) -> tuple:
    """The arguments of a regression file: its `# args: ...` line."""
    line = next(line for line in text.splitlines() if line.startswith("# args:"))
    return parse_args(line.split(":", 1)[1].strip())


def _fresh(args: Sequence) -> list:
    return [a.copy() if isinstance(a, np.ndarray) else list(a) if isinstance(a, list) else a for a in args]


def _differentiable(a: Any) -> bool:
    if isinstance(a, (bool, int, np.integer)):
        return False
    return isinstance(a, (float, np.ndarray, list))


# --------------------------------------------------------------------------- the oracle


def oracle(f: Callable, args: Sequence) -> tuple[list, float]:
    """The gradient of every differentiable argument (float, or float64 array of its shape) and its scale.

    Skip when some entry's error estimate says the point is on or near a kink."""

    def finite(*moved):
        v = f(*moved)
        if np.ndim(v) != 0 or not math.isfinite(float(v)):
            raise FloatingPointError("f is not a finite scalar near the point")
        return v

    grads, errs = gradient_with_error(finite, args, [i for i, a in enumerate(args) if _differentiable(a)])
    scale = max([1.0] + [float(np.max(np.abs(g), initial=0.0)) for g in grads])
    if scale > HUGE:
        raise Skip("huge derivative")
    worst = max([0.0] + [float(np.max(e, initial=0.0)) for e in errs])
    if worst > ERR_SKIP * scale:
        raise Skip("kink: the oracle's error estimate is large here")
    return grads, scale


# --------------------------------------------------------------------------- checking


@contextlib.contextmanager
def _time_limit(seconds: float):
    def stop(*_):
        raise TimeoutError(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _import(text: str, folder: str, stem: str = "prog"):
    path = os.path.join(folder, f"{stem}_{next(_serial)}.py")
    with open(path, "w") as fh:
        fh.write(text)
    name = os.path.basename(path)[:-3]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # s2sad reads the function's source through its module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def generic(message: str) -> str:
    """A message without the program's names and numbers: the class of a failure."""
    message = message.split(" (hint:")[0]
    message = re.sub(r"\s*\([^()]*\.py, line \d+\)", "", message)
    message = re.sub(r"\S+\.py(:\d+)*:?", "", message)
    message = re.sub(r"(?<!\w)'[^']*'", "'_'", message)
    message = re.sub(r"\b([vAMz]\d+\w*|\w*_bar\w*|tape\w*|[xWarckztuvw]|xs|DATA|\d+(\.\d+)?)\b", "_", message)
    return re.sub(r"attribute access \S+ is", "attribute access _._ is", message)[:120].strip()


def _kind_problem(got: Any, arg: Any) -> str | None:
    """Why `got` is not a gradient for the argument `arg`, or None."""
    if isinstance(arg, float):
        return None if isinstance(got, float) else f"{type(got).__name__}, not a float"
    if isinstance(arg, np.ndarray):
        if not isinstance(got, np.ndarray):
            return f"{type(got).__name__}, not an ndarray"
        if got.shape != arg.shape:
            return f"shape {got.shape}, the parameter's {arg.shape}"
        return None if got.dtype == np.float64 else f"dtype {got.dtype}"
    if not isinstance(got, (list, np.ndarray)) or np.shape(got) != np.shape(arg):
        return f"{type(got).__name__} of shape {np.shape(got)}, the list's {np.shape(arg)}"
    return None


def _same(p: Any, q: Any) -> bool:
    if isinstance(p, tuple) != isinstance(q, tuple):
        return False
    if isinstance(p, tuple):
        return len(p) == len(q) and all(_same(u, v) for u, v in zip(p, q))
    return np.array_equal(np.asarray(p, dtype=float), np.asarray(q, dtype=float), equal_nan=True)


def check(text: str, args: tuple, folder: str, formatted: bool = False, wrt_one: int | None = None,
          aliasing: bool = True, second_order: bool = False) -> Failure | None:
    """The failure `text` shows at `args`, or None; raises Skip when the point says nothing.

    `aliasing=False` says no array the program changes in place is seen through another name (the
    generator's guarantee without its `aliasing` option): a rejection saying otherwise is a failure."""
    try:
        with _time_limit(5.0), np.errstate(all="raise"), warnings.catch_warnings():
            warnings.simplefilter("error")
            module = _import(text, folder)
            given = _fresh(args)
            value = module.f(*given)
            mutates = not all(_same(p, q) for p, q in zip(given, args))
            if np.ndim(value) != 0 or not math.isfinite(float(value)):
                raise Skip("f: not a finite scalar")
            if abs(float(value)) > 1e12:
                raise Skip("f: huge")
    except Skip:
        raise
    except Exception as e:  # f itself fails here: nothing to compare
        raise Skip(f"f: {type(e).__name__}")
    names = list(module.f.__code__.co_varnames[: module.f.__code__.co_argcount])
    try:
        with _time_limit(30.0), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = s2sad.derive(module.f)
            generated_text = s2sad.generate(module.f) if formatted else d.text
    except S2sadError as e:
        first = str(e).splitlines()[0]
        if ALIASES in first and not aliasing:
            return Failure("rejected as an alias though no name shares the array", str(e))
        if any(fragment in first for fragment in DOCUMENTED):
            raise Rejected(generic(first))
        if getattr(e, "lineno", None) is None and not re.search(r"\.py:\d+", str(e)):
            return Failure("error without a location: " + generic(first), str(e))
        return Failure("rejected: " + generic(first), str(e))
    except Exception as e:
        return Failure(f"crash in derive: {type(e).__name__}: {generic(str(e))}", f"{type(e).__name__}: {e}")
    # f may change a parameter array in place (the caller sees it); generated code never changes its
    # arguments (README), and its value and gradient are still f's: compared below from fresh copies
    del mutates
    # an integer argument that f reads only as a number is a float parameter to s2sad (floats in, floats out)
    integers = {p.hint for p in d.trace.params if getattr(p, "kind", None) == "int"}
    args = tuple(float(a) if isinstance(a, int) and names[i] not in integers else a for i, a in enumerate(args))
    positions = [i for i, a in enumerate(args) if _differentiable(a)]
    try:
        with _time_limit(20.0), np.errstate(all="raise"), warnings.catch_warnings():
            warnings.simplefilter("error")
            want, scale = oracle(module.f, args)
    except Skip:
        raise
    except Exception as e:  # f fails near the point
        raise Skip(f"oracle: {type(e).__name__}")
    if formatted and ast.dump(ast.parse(generated_text)) != ast.dump(ast.parse(d.text)):
        return Failure("formatting changes the code", "")
    try:
        generated = _import(generated_text, folder, "generated")
    except Exception as e:
        return Failure(f"generated module does not load: {type(e).__name__}", str(e))
    one = positions[(wrt_one or 0) % len(positions)]
    runs: dict[str, Callable] = {  # derived when run: an error deriving is that run's failure
        "api value_and_grad": lambda *given: s2sad.value_and_grad(module.f)(*given),
        "api grad": lambda *given: s2sad.grad(module.f)(*given),
        "module f_value_and_grad": generated.f_value_and_grad,
        "module f_grad": generated.f_grad,
        "api grad wrt one": lambda *given: s2sad.grad(module.f, names[one])(*given),
        # long loops by binomial checkpointing, two snapshots: the tape's results, bit for bit
        "checkpointed api value_and_grad": lambda *given: s2sad.value_and_grad(module.f, checkpoint=2)(*given),
    }
    results = {}
    for what, run in runs.items():
        given = _fresh(args)
        try:
            with _time_limit(10.0), np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results[what] = run(*given)
        except Exception as e:
            return Failure(f"{what} raises {type(e).__name__}: {generic(str(e))}", f"{type(e).__name__}: {e}")
        if not all(_same(p, q) for p, q in zip(given, args)):
            return Failure(f"{what} changes its arguments in place", "")
    for what, got in results.items():
        if "value_and_grad" in what:
            if not (isinstance(got, tuple) and len(got) == 2):
                return Failure(f"{what}: not a (value, gradient) pair", repr(got)[:200])
            v, got = got
            if np.ndim(v) != 0 or not (float(v) == float(value)):
                return Failure(f"{what}: value differs from f's", f"{v!r} != f's {value!r}")
        if what.endswith("wrt one"):
            got, expected, at = (got,), [want[positions.index(one)]], [one]
        else:
            got = got if len(positions) > 1 else (got,)
            expected, at = want, positions
            if not isinstance(got, tuple) or len(got) != len(want):
                return Failure(f"{what}: wrong number of gradients", f"{got!r}")
        for g, w, i in zip(got, expected, at):
            problem = _kind_problem(g, args[i])
            if problem:
                return Failure(f"{what}: gradient of a {_kind(args[i])} parameter is {generic(problem)}",
                               f"{names[i]}: {problem}")
            gap = float(np.max(np.abs(np.asarray(g, dtype=np.float64) - w), initial=0.0))
            if not gap <= RTOL * scale and _small_steps_agree(module.f, args, i, g):
                raise Skip("oracle: f switches branches within the oracle's steps (small steps agree with s2sad)")
            if not gap <= RTOL * scale:
                return Failure(f"{what}: wrong gradient", f"d/d{names[i]}: off by {gap:.3g} (scale {scale:.3g})\n"
                                                         f" got {g!r}\nwant {w!r}")
    if not (_same(results["api grad"], results["module f_grad"])
            and _same(results["api grad"], results["api value_and_grad"][1])
            and _same(results["api grad"], results["module f_value_and_grad"][1])):
        return Failure("the ways of getting the gradient disagree", "")
    checkpointed = results["checkpointed api value_and_grad"]
    if not (_same(checkpointed[0], results["api value_and_grad"][0])
            and _same(checkpointed[1], results["api value_and_grad"][1])):
        return Failure("checkpointed gradient differs from the tape's", "")
    failure = check_forward_mode(module, d, args, positions, value, want, scale)
    if failure is None and second_order:
        failure = check_second_order(module, args, positions)
    return failure


FORWARD_REFUSED = "forward mode of np."  # the ops forward mode refuses by name (reverse mode takes them)
SECOND_REFUSED = "second derivatives through np."  # and those second order refuses by name


def check_forward_mode(module, d, args: tuple, positions: list[int], value, want: list, scale: float
                       ) -> Failure | None:
    """Forward mode (the API's jvp and the generated f_jvp): f's value bit for bit, and the derivative
    along a fixed direction against the oracle's gradient dotted with it."""
    rng = np.random.default_rng(17)
    dirs = [rng.uniform(-1, 1, np.shape(args[i])) for i in positions]
    tangents = tuple(float(v) if np.ndim(args[i]) == 0 else (v.tolist() if isinstance(args[i], list) else v)
                     for v, i in zip(dirs, positions))
    expected = sum(float(np.sum(np.asarray(w, dtype=np.float64) * v)) for w, v in zip(want, dirs))
    bound = scale * sum(float(np.sum(np.abs(v))) for v in dirs)
    try:
        with _time_limit(20.0), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = d.forward_text
    except S2sadError as e:
        if FORWARD_REFUSED in str(e):
            return None
        return Failure("forward mode rejected: " + generic(str(e).splitlines()[0]), str(e))
    except Exception as e:
        return Failure(f"crash in forward mode: {type(e).__name__}: {generic(str(e))}", f"{type(e).__name__}: {e}")
    namespace: dict = {}
    try:
        exec(compile(text, "<generated forward>", "exec"), namespace)
    except Exception as e:
        return Failure(f"forward mode: generated module does not load: {type(e).__name__}", str(e))
    runs = {"api jvp": lambda given: s2sad.jvp(module.f, given, tangents),
            "module f_jvp": lambda given: namespace["f_jvp"](*given, *tangents)}
    for what, run in runs.items():
        given = _fresh(args)
        try:
            with _time_limit(10.0), np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                v, along = run(given)
        except Exception as e:
            return Failure(f"{what} raises {type(e).__name__}: {generic(str(e))}", f"{type(e).__name__}: {e}")
        if not all(_same(p, q) for p, q in zip(given, args)):
            return Failure(f"{what} changes its arguments in place", "")
        if np.ndim(v) != 0 or not float(v) == float(value):
            return Failure(f"{what}: value differs from f's", f"{v!r} != f's {value!r}")
        if np.ndim(along) != 0 or not abs(float(along) - expected) <= RTOL * max(bound, 1.0):
            return Failure(f"{what}: wrong derivative", f"{along!r}, oracle {expected!r} (bound {bound:.3g})")
    return None


def check_second_order(module, args: tuple, positions: list[int]) -> Failure | None:
    """Second derivatives, reverse over forward (the API's hvp and hessian): w^T H v against nested
    extrapolated differences (d/dt of the directional derivative along w at args + t v), and the Hessian
    contracted with v and w equal to the same. Skip where the differences' own error estimate says the
    second derivative jumps nearby (abs, where, a branch)."""
    rng = np.random.default_rng(29)
    v = [rng.uniform(-1, 1, np.shape(args[i])) for i in positions]
    w = [rng.uniform(-1, 1, np.shape(args[i])) for i in positions]
    tangents = [float(x) if np.ndim(args[i]) == 0 else (x.tolist() if isinstance(args[i], list) else x)
                for x, i in zip(v, positions)]
    try:
        with _time_limit(20.0), np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hv = s2sad.hvp(module.f)(*_fresh(args), *tangents)
            h = s2sad.hessian(module.f)(*_fresh(args))
    except S2sadError as e:
        if FORWARD_REFUSED in str(e) or SECOND_REFUSED in str(e):
            return None
        return Failure("second order rejected: " + generic(str(e).splitlines()[0]), str(e))
    except Exception as e:
        return Failure(f"second order raises {type(e).__name__}: {generic(str(e))}", f"{type(e).__name__}: {e}")
    hv = hv if len(positions) > 1 else (hv,)
    blocks = h if len(positions) > 1 else ((h,),)
    for g, i in zip(hv, positions):
        problem = _kind_problem(g, args[i])
        if problem:
            return Failure(f"hvp: the product for a {_kind(args[i])} parameter is {generic(problem)}", problem)
    got = sum(float(np.sum(np.asarray(a, dtype=np.float64) * b)) for a, b in zip(hv, w))
    size = 1 + sum(float(np.sum(np.abs(np.asarray(a, dtype=np.float64) * b))) for a, b in zip(hv, w))
    by_hessian = sum(float(np.sum(np.tensordot(np.asarray(blocks[r][c], dtype=np.float64), v[c], axes=np.ndim(v[c]))
                                  * w[r])) for r in range(len(positions)) for c in range(len(positions)))
    if not abs(by_hessian - got) <= 1e-9 * size:
        return Failure("hessian disagrees with hvp", f"{by_hessian!r} != {got!r}")
    try:
        with _time_limit(20.0), np.errstate(all="raise"), warnings.catch_warnings():
            warnings.simplefilter("error")
            want, err = second_directional(module.f, args, positions, v, w)
    except Exception as e:
        raise Skip(f"second-order oracle: {type(e).__name__}")
    if not err <= 1e-6 * size:
        raise Skip("kink: the second-order oracle's error estimate is large here")
    if not abs(got - want) <= 1e-5 * size and _small_second_steps_agree(module.f, args, positions, v, w, got, size):
        raise Skip("second-order oracle: f switches branches within the oracle's steps (small steps agree)")
    if not abs(got - want) <= 1e-5 * size:
        return Failure("hvp: wrong second derivative", f"{got!r}, oracle {want!r} (error {err:.3g})")
    return None


def _small_second_steps_agree(f: Callable, args: Sequence, positions: list[int], v: list, w: list, got: float,
                              size: float) -> bool:
    """Whether w^T H v by second central differences of f with steps 1e-3 and 3e-4 (relative to the
    arguments' size) agree with each other and with `got`: then the oracle's larger steps crossed a switch
    (a branch, or a basin of an iteration), and s2sad is right."""
    scale = max([1.0] + [float(np.max(np.abs(args[i]), initial=0.0)) for i in positions])

    def at(s: float, t: float) -> float:
        moved = _fresh(args)
        for i, a, b in zip(positions, v, w):
            m = np.asarray(args[i], dtype=np.float64) + s * a + t * b
            moved[i] = float(m) if np.ndim(args[i]) == 0 else (m.tolist() if isinstance(args[i], list) else m)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return float(f(*moved))

    estimates = [(at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h)
                 for h in (1e-3 * scale, 3e-4 * scale)]
    return abs(estimates[0] - estimates[1]) <= 1e-3 * size and abs(got - estimates[1]) <= 1e-4 * size


def _small_steps_agree(f: Callable, args: Sequence, i: int, got: Any) -> bool:
    """Whether central differences with steps 1e-6 and 1e-7 (relative) agree with each other and with
    `got` for argument i: then the oracle's larger steps crossed a branch switch, and s2sad is right."""
    base = np.array(args[i], dtype=np.float64)
    estimates = []
    for rel in (1e-6, 1e-7):
        d = np.zeros(base.shape)
        for idx in np.ndindex(base.shape):
            h = rel * max(1.0, abs(float(base[idx])))
            values = []
            for t in (h, -h):
                moved, entry = _fresh(args), base.copy()
                entry[idx] += t
                moved[i] = float(entry) if base.shape == () else (entry.tolist() if isinstance(args[i], list) else entry)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    values.append(float(f(*moved)))
            d[idx] = (values[0] - values[1]) / (2 * h)
        estimates.append(d)
    scale = max(1.0, float(np.max(np.abs(estimates[0]), initial=0.0)))
    close = lambda a, b: float(np.max(np.abs(np.asarray(a, dtype=np.float64) - b), initial=0.0)) <= 1e-4 * scale  # noqa
    return close(estimates[0], estimates[1]) and close(got, estimates[0])


def _kind(arg: Any) -> str:
    return "float" if isinstance(arg, float) else "list" if isinstance(arg, list) else f"{np.ndim(arg)}-d array"


def run_one(text: str, args: tuple, **options) -> tuple[str, Failure | None]:
    """('ok' | 'skip: why' | 'rejected: why' | 'fail', failure) for one program, in a folder of its own."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            failure = check(text, args, folder, **options)
        except Rejected as e:
            return f"rejected: {e}", None
        except Skip as e:
            return f"skip: {e}", None
        finally:
            for name in [k for k in sys.modules if k.startswith(("prog_", "generated_"))]:
                del sys.modules[name]
    return ("fail", failure) if failure else ("ok", None)


# --------------------------------------------------------------------------- shrinking


def _statement_cuts(text: str):
    count = len(list(_bodies(ast.parse(text))))
    for b in range(count):
        owner, field = list(_bodies(ast.parse(text)))[b]
        for i in range(len(getattr(owner, field))):
            for how in ("delete", "unwrap"):
                tree = ast.parse(text)
                o, fld = list(_bodies(tree))[b]
                stmts = getattr(o, fld)
                s = stmts[i]
                if how == "delete":
                    if isinstance(s, ast.FunctionDef) and s.name == "f":
                        continue
                    if isinstance(s, ast.Import):
                        continue
                    del stmts[i]
                    if not stmts and not (isinstance(o, ast.If) and fld == "orelse"):
                        stmts.append(ast.Pass())
                elif isinstance(s, (ast.If, ast.For, ast.While)):
                    stmts[i:i + 1] = s.body
                else:
                    continue
                yield ast.unparse(tree)


class _Wrap(ast.NodeTransformer):
    """Every loaded expression e (node k of ast.walk) as __shape__(k, e)."""

    def __init__(self, index: dict):
        self.index = index

    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        node.args = [self.visit(a) for a in node.args]
        node.keywords = [self.visit(k) for k in node.keywords]
        if isinstance(func, ast.Attribute):  # a method: its object is an expression, the attribute is not
            func.value = self.visit(func.value)
        return self.wrap(node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        node.value = self.visit(node.value)
        return self.wrap(node) if isinstance(node.ctx, ast.Load) else node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        if isinstance(node, ast.expr) and isinstance(getattr(node, "ctx", ast.Load()), ast.Load) \
                and not isinstance(node, (ast.Slice, ast.Starred)):
            return self.wrap(node)
        return node

    def wrap(self, node: ast.expr) -> ast.expr:
        k = self.index.get(id(node))
        if k is None:
            return node
        return ast.Call(ast.Name("__shape__", ast.Load()), [ast.Constant(k), node], [])


def shapes(text: str, args: tuple) -> dict[int, set]:
    """The shapes each expression (node k of ast.walk) had while f ran at args ("x" for a non-number)."""
    tree = ast.parse(text)
    index = {id(node): k for k, node in enumerate(ast.walk(tree))}
    tree = ast.fix_missing_locations(_Wrap(index).visit(tree))
    seen: dict[int, set] = {}

    def record(k, value):
        if isinstance(value, (bool, np.bool_)):
            kind = "bool"
        elif isinstance(value, (int, float, np.number, np.ndarray)):
            kind = (np.shape(value), np.asarray(value).dtype.kind)
        else:
            kind = type(value).__name__
        seen.setdefault(k, set()).add(kind)
        return value

    namespace = {"__shape__": record, "__name__": "shrinking"}
    try:
        with _time_limit(5.0), np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(tree, "<shrinking>", "exec"), namespace)
            namespace["f"](*_fresh(args))
    except Exception:
        pass
    return seen


def _expression_cuts(text: str, params: list[str], args: tuple):
    """Expressions replaced by a part, 0.5 or a parameter of the same shape (as they ran), so the smaller
    program stays a program of the same shapes rather than failing for another reason."""
    seen = shapes(text, args)
    param_shapes = {p: {(np.shape(a), np.asarray(a).dtype.kind) if not isinstance(a, list) else "list"}
                    for p, a in zip(params, args)}
    count = sum(1 for _ in ast.walk(ast.parse(text)))
    for k in range(count):
        if len(seen.get(k, ())) != 1:  # never ran, or had several shapes
            continue
        for r in range(12):
            tree = ast.parse(text)
            nodes = list(ast.walk(tree))
            node = nodes[k]
            if not isinstance(node, ast.expr) or isinstance(node, (ast.Name, ast.Constant)):
                continue
            if isinstance(getattr(node, "ctx", None), ast.Store) or isinstance(node, ast.Attribute):
                continue
            index = {id(n): j for j, n in enumerate(nodes)}
            parts = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)
                     and not isinstance(c, ast.Attribute) and seen.get(index[id(c)]) == seen[k]]
            options = parts + ([ast.Constant(0.5)] if seen[k] == {((), "f")} else [])
            options += [ast.Name(p, ast.Load()) for p in params if param_shapes[p] == seen[k]]
            if r >= len(options):
                continue
            new = options[r]
            for parent in nodes:
                for field, value in ast.iter_fields(parent):
                    if value is node and field != "func":
                        setattr(parent, field, new)
                    elif isinstance(value, list):
                        for j, v in enumerate(value):
                            if v is node:
                                value[j] = new
            try:
                yield ast.unparse(ast.fix_missing_locations(tree))
            except Exception:
                continue


def _aliases_a_parameter(text: str) -> bool:
    """Does a name stored into (`v[i] = ...`) get bound to a parameter or a view of one (`v = x`, `v = x.T`)?
    The generator never writes that; a shrunk program that does would fail for another reason."""
    from array_progen import view_roots

    tree = ast.parse(text)
    f = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "f")
    params = {a.arg for a in f.args.args}
    stored = {n.value.id for n in ast.walk(f) if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
              and isinstance(n.value, ast.Name)}
    for node in ast.walk(f):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in stored for t in node.targets):
            if view_roots(ast.unparse(node.value)) & (params | stored - {t.id for t in node.targets
                                                                        if isinstance(t, ast.Name)}):
                return True
    return False


def _candidates(text: str, args: tuple):
    f = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == "f")
    params = [a.arg for a in f.args.args]
    for candidate in itertools.chain(_statement_cuts(text), _expression_cuts(text, params, args)):
        if not _aliases_a_parameter(candidate):
            yield candidate


def shrink(text: str, args: tuple, failure: Failure, budget: float = 300.0, **options) -> str:
    """The smallest variant of `text` found that fails with the same key (within `budget` seconds)."""
    import time

    stop = time.time() + budget
    best = ast.unparse(ast.parse(text))
    start, progress = 0, True
    while progress and time.time() < stop:
        progress = False
        for k, candidate in enumerate(_candidates(best, args)):
            if time.time() > stop:
                break
            if k < start or len(candidate) >= len(best):
                continue
            status, found = run_one(candidate, args, **options)
            if found is not None and found.key == failure.key:
                best, start, progress = candidate, k, True
                break
        else:
            if start:
                start, progress = 0, True
    return best

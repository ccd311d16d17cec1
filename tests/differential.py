"""Differential checking of one program, and shrinking of a failing one.

`check(text, args)` runs the module text's `f(a, b, xs, n)` four ways -- the
runtime API's `grad` and `value_and_grad`, and the generated module's
`f_grad` and `f_value_and_grad` -- and compares values with `f` itself and
gradients with an independent oracle: the same text run on mpmath numbers at
50 digits (math as `oracle.MP_MATH`, its constants as the floats the program
sees), differentiated one-sidedly from both sides. A point where the two one-sided derivatives differ sits on a kink and
is skipped, as is a point where `f` raises. Anything else that differs is a
`Failure`, with a key naming its class.

`shrink(text, args, failure)` deletes statements, unwraps blocks and replaces
expressions by their parts while the failure keeps its key, and returns the
smallest program found.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib.util
import itertools
import math
import os
import re
import signal
import tempfile
import types
import warnings
from dataclasses import dataclass

from mpmath import mp
from oracle import MP_MATH

import s2sad
from s2sad.errors import S2sadError

WRT = ("a", "b", "xs")
# rejections that are documented limits of size, not of the subset (located errors with a hint)
LIMITS = ("too many statements follow early exits",)
warnings.filterwarnings("ignore", category=SyntaxWarning)  # shrinking makes odd but valid programs
_serial = itertools.count()


@dataclass(frozen=True)
class Failure:
    key: str  # the class: what went wrong, without the program's own names and numbers
    detail: str


class Skip(Exception):
    """The point says nothing: f raises there, or it sits on a kink, or the derivative is huge, or the
    program is so ill-conditioned that float64 rounding alone moves its gradient."""


def _import(text: str, folder: str):
    path = os.path.join(folder, f"prog_{next(_serial)}.py")
    with open(path, "w") as fh:
        fh.write(text)
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _mp_float(v):
    return v if isinstance(v, mp.mpf) else builtins.float(v)


# math's constants as the float program sees them (sin(math.pi) is 1.2e-16 there, not 0): the oracle
# differentiates the function the program computes, not a neighbour of it
_MATH_AS_FLOATS = types.SimpleNamespace(**{**vars(MP_MATH), **{k: mp.mpf(getattr(math, k)) for k in ("pi", "e", "tau")}})


def _namespace(text: str) -> dict:
    def importer(name, globals=None, locals=None, fromlist=(), level=0):
        return _MATH_AS_FLOATS if name == "math" else builtins.__import__(name, globals, locals, fromlist, level)

    ns: dict = {"__builtins__": {**vars(builtins), "__import__": importer, "float": _mp_float}, "__name__": "oracle"}
    exec(compile(text, "<oracle>", "exec"), ns)
    return ns


def oracle(text: str, args: tuple) -> tuple:
    """The value and the gradient (a, b, each item of xs) at 50 digits; Skip on kinks and domain errors."""
    ns = _namespace(text)  # float() of an mpf keeps its precision
    f = ns["f"]
    a, b, xs, n = args
    point = [mp.mpf(a), mp.mpf(b), [mp.mpf(x) for x in xs]]

    def along(k: int, j: int | None):
        def g(t):
            moved = [point[0], point[1], list(point[2])]
            if j is None:
                moved[k] = t
            else:
                moved[2][j] = t
            return f(*moved, n)
        return g

    try:
        value = f(*point, n)
        with mp.workdps(250):  # mp.diff works at a higher precision: the function must not change there
            again = f(*point, n)
        if abs(again - value) > mp.mpf("1e-30") * (1 + abs(value)):
            raise Skip("the oracle's value depends on its precision (an exact zero or tie at 50 digits)")
        grads = []
        for k, j in [(0, None), (1, None)] + [(2, j) for j in range(len(xs))]:
            g, x = along(k, j), point[k] if j is None else point[2][j]
            right, left = mp.diff(g, x, direction=1), mp.diff(g, x, direction=-1)
            if abs(right - left) > mp.mpf("1e-8") * (1 + abs(right)):
                raise Skip("kink")
            grads.append((right + left) / 2)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError, IndexError) as e:
        raise Skip(f"oracle: {type(e).__name__}")
    if any(abs(w) > 1e8 for w in grads) or abs(value) > 1e12:
        raise Skip("huge")
    return value, [float(w) for w in grads]


def limit_memory(gigabytes: float) -> None:
    """Cap this process's address space (and its children's): a program that allocates without end (a
    huge integer power, a list repeated by a huge count, all in C where no timer interrupts it) then
    raises MemoryError, which its check reports, rather than take the machine's memory."""
    import resource

    cap = int(gigabytes * 2**30)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise TimeoutError in the block after `seconds` (a program may loop for ever)."""
    def stop(*_):
        raise TimeoutError(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _flat(grad) -> list:
    ga, gb, gxs = grad
    return [ga, gb, *gxs] if isinstance(gxs, list) else [ga, gb, gxs]


def _formula_exact(text_out: str, args: tuple, want: list) -> bool:
    """The generated f_grad, run on mpmath numbers at 50 digits (or 1,000), agrees with the oracle: its
    formula is exact, and only float64 rounding, amplified by an ill-conditioned program (a chaotic loop;
    contributions of 1e77 and -1e77 added to an adjoint of 1), made the float gradient differ. A wrong
    formula differs at any precision as much as in floats."""
    for digits in (50, 1000):
        try:
            with mp.workdps(digits):
                f_grad = _namespace(text_out)["f_grad"]
                a, b, xs, n = args
                got = _flat(f_grad(mp.mpf(a), mp.mpf(b), [mp.mpf(x) for x in xs], n))
        except Exception:  # code that only floats run (integer tricks): no verdict, the failure stands
            return False
        if len(got) == len(want) and all(abs(g - w) <= mp.mpf("1e-12") * (1 + abs(w)) for g, w in zip(got, want)):
            return True
    return False


def _close(got, want: float, scale: float) -> bool:
    return isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got - want) <= 1e-8 * scale


def _generic(message: str) -> str:
    """An error message without the program's names and numbers: the class of the failure."""
    message = re.sub(r"\(\S+\.py, line \d+\)", "", message)
    return re.sub(r"\b(v\d+|tape\w*|trips\w*|[a-z]\w*_bar\w*|z\d+\w*|[stuabnpqr]|xs|ys|zs|h\d|\d+(\.\d+)?)\b", "_", message)[:120]


def second_derivative(text: str, args: tuple) -> float:
    """d2f/da2 at 50 digits, from both sides; Skip on kinks."""
    f = _namespace(text)["f"]
    a, b, xs, n = args
    rest = [mp.mpf(b), [mp.mpf(x) for x in xs], n]
    try:
        right = mp.diff(lambda t: f(t, *rest), mp.mpf(a), 2, direction=1)
        left = mp.diff(lambda t: f(t, *rest), mp.mpf(a), 2, direction=-1)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError, IndexError) as e:
        raise Skip(f"oracle: {type(e).__name__}")
    if abs(right - left) > mp.mpf("1e-6") * (1 + abs(right)) or abs(right) > 1e8:
        raise Skip("kink in the first derivative")
    return float((right + left) / 2)


def check_second_order(text: str, args: tuple, folder: str, module) -> Failure | None:
    """The generated f_grad (one parameter) differentiated again, against the oracle's second derivative."""
    try:
        want = second_derivative(text, args)
    except Skip:
        return None
    try:
        generated = _import(s2sad.derive(module.f, "a").text, folder)
        got = s2sad.grad(generated.f_grad, "a")(args[0], args[1], list(args[2]), args[3])
    except S2sadError as e:
        return Failure("second order: generated f_grad rejected: " + _generic(str(e).splitlines()[0]), str(e))
    except Exception as e:
        return Failure(f"second order: {type(e).__name__}", str(e))
    if not _close(got, want, 1 + abs(want)):
        return Failure("second order: wrong derivative", f"{got!r}, oracle {want!r}")
    try:  # forward over reverse, by closure: the API's hessian
        got = s2sad.hessian(module.f, "a")(args[0], args[1], list(args[2]), args[3])
    except S2sadError as e:
        return Failure("hessian: rejected: " + _generic(str(e).splitlines()[0]), str(e))
    except Exception as e:
        return Failure(f"hessian: {type(e).__name__}", str(e))
    if not _close(got, want, 1 + abs(want)):
        return Failure("hessian: wrong derivative", f"{got!r}, oracle {want!r}")
    return None


def direction(xs) -> tuple:
    """A fixed tangent direction for (a, b, xs): every entry nonzero, of mixed signs."""
    return 0.6, -1.1, [(-1) ** k * (0.3 + 0.1 * k) for k in range(len(xs))]


def check_forward_mode(module, d, args: tuple, value: float, want: list) -> Failure | None:
    """Forward mode, the API's `jvp` and the generated `f_jvp`: f's value bit for bit, and the
    derivative along `direction` against the oracle's gradient dotted with it."""
    a, b, xs, n = args
    va, vb, vxs = direction(xs)
    v = [va, vb, *vxs]
    along = sum(w * t for w, t in zip(want, v))
    scale = 1 + sum(abs(w * t) for w, t in zip(want, v))
    try:
        forward: dict = {}
        exec(compile(d.forward_text, "<generated forward>", "exec"), forward)
    except Exception as e:
        return Failure(f"forward mode: generated module does not load: {type(e).__name__}", str(e))
    runs = {
        "api jvp": lambda: s2sad.jvp(module.f, (a, b, list(xs), n), (va, vb, list(vxs)), WRT),
        "module f_jvp": lambda: forward["f_jvp"](a, b, list(xs), n, va, vb, list(vxs)),
    }
    for what, run in runs.items():
        try:
            got_value, got = run()
        except Exception as e:
            return Failure(f"{what} raises {type(e).__name__}", f"{type(e).__name__}: {e}")
        if got_value != value:
            return Failure(f"{what}: value differs from f's", f"{got_value!r} != f's {value!r}")
        if not _close(got, along, scale):
            return Failure(f"{what}: wrong derivative", f"{got!r}, oracle {along!r}")
    return None


def check(text: str, args: tuple, folder: str, exact_values: bool = True, formatted: bool = False,
          second_order: bool = False) -> Failure | None:
    """The failure `text` shows at `args`, or None; raises Skip when the point says nothing."""
    a, b, xs, n = args
    try:
        with _time_limit(2.0):
            module = _import(text, folder)
            value = module.f(a, b, list(xs), n)
    except Exception as e:  # f itself fails here (or runs on): nothing to compare
        raise Skip(f"f: {type(e).__name__}")
    if not isinstance(value, float) or not math.isfinite(value):
        raise Skip("f: not a finite float")
    want_value, want = oracle(text, args)
    if abs(want_value - value) > 1e-6 * (1 + abs(value)):  # f's rounding crossed a sign or branch: another f
        raise Skip("the oracle's value is not f's")
    scale = 1 + max(abs(w) for w in want)
    try:
        with _time_limit(20.0):
            d = s2sad.derive(module.f, WRT)
            text_out = d.text
    except S2sadError as e:
        if any(limit in str(e) for limit in LIMITS):
            raise Skip("a documented limit")
        return Failure("rejected: " + _generic(str(e).splitlines()[0]), str(e))
    except Exception as e:
        return Failure(f"crash in derive: {type(e).__name__}", f"{type(e).__name__}: {e}")
    results = {}
    try:
        generated: dict = {}
        exec(compile(text_out, "<generated>", "exec"), generated)
        checkpointed: dict = {}  # long loops by binomial checkpointing, two snapshots: the most recomputation
        exec(compile(s2sad.generate(module.f, WRT, checkpoint=2), "<checkpointed>", "exec"), checkpointed)
    except Exception as e:
        return Failure(f"generated module does not load: {type(e).__name__}", str(e))
    runs = {
        "api value_and_grad": lambda: s2sad.value_and_grad(module.f, WRT)(a, b, list(xs), n),
        "api grad": lambda: s2sad.grad(module.f, WRT)(a, b, list(xs), n),
        "module f_value_and_grad": lambda: generated["f_value_and_grad"](a, b, list(xs), n),
        "module f_grad": lambda: generated["f_grad"](a, b, list(xs), n),
        "api grad wrt a": lambda: (s2sad.grad(module.f, "a")(a, b, list(xs), n), want[1], list(want[2:])),
        "checkpointed api value_and_grad": lambda: s2sad.value_and_grad(module.f, WRT, checkpoint=2)(a, b, list(xs), n),
        "checkpointed module f_value_and_grad": lambda: checkpointed["f_value_and_grad"](a, b, list(xs), n),
        "checkpointed module f_grad": lambda: checkpointed["f_grad"](a, b, list(xs), n),
    }
    for what, run in runs.items():
        try:
            results[what] = run()
        except Exception as e:
            return Failure(f"{what} raises {type(e).__name__}", f"{type(e).__name__}: {e}")
    # floats in, floats out: when n is read only as a number it is a float parameter given an int
    floats_given = all(getattr(p, "kind", "list") != "float" or p.hint != "n" for p in d.trace.params)
    for what, got in results.items():
        if "value_and_grad" in what:
            v, got = got
            same = v == value if exact_values else abs(v - value) <= 1e-12 * (1 + abs(value))
            if not same:
                return Failure(f"{what}: value differs from f's", f"{v!r} != f's {value!r}")
        flat = _flat(got)
        if len(flat) != len(want):
            return Failure(f"{what}: wrong number of gradients", f"{len(flat)} != {len(want)}")
        for k, (g, w) in enumerate(zip(flat, want)):
            if not isinstance(g, float) and (floats_given or not isinstance(g, int)):
                return Failure(f"{what}: a gradient entry is not a float", f"entry {k}: {g!r}")
            if not _close(g, w, scale):
                if _formula_exact(text_out, args, want):
                    raise Skip("ill-conditioned: the generated code, run at 50 or 1,000 digits, "
                               "gives the oracle's gradient")
                if abs(want_value - value) > 1e-10 * (1 + abs(value)) and abs(g - w) <= 1e-5 * scale:
                    # f's own rounding shows at the scale gradients are compared at, and the error is of its size:
                    # too ill-conditioned to judge (a constant such as 2*pi, rounded once in f and folded so,
                    # amplified by sin(4e8)); a wrong formula is off by far more
                    raise Skip("f's rounding shows at the gradient tolerance")
                return Failure(f"{what}: wrong gradient", f"entry {k}: {g!r}, oracle {w!r}")
    if results["api grad"] != results["module f_grad"] or results["api grad"] != results["api value_and_grad"][1]:
        return Failure("grad and value_and_grad disagree", repr(results))
    for what, taped in (("checkpointed api value_and_grad", "api value_and_grad"),
                        ("checkpointed module f_value_and_grad", "api value_and_grad"),
                        ("checkpointed module f_grad", "module f_grad")):
        if repr(results[what]) != repr(results[taped]):  # recomputation repeats the same operations: same bits
            return Failure(f"{what} differs from the tape's", f"{results[what]!r} != {results[taped]!r}")
    failure = check_forward_mode(module, d, args, value, want)
    if failure is not None:
        return failure
    if second_order:
        failure = check_second_order(text, args, folder, module)
        if failure is not None:
            return failure
    if formatted:
        try:
            source = d.source
        except Exception as e:
            return Failure(f"formatting fails: {type(e).__name__}", str(e))
        if ast.dump(ast.parse(source)) != ast.dump(ast.parse(text_out)):
            return Failure("formatting changes the code", "")
    return None


def run_one(text: str, args: tuple, **options) -> tuple[str, Failure | None]:
    """('ok' | 'skip: why' | 'fail', failure) for one program at one point, in a folder of its own."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            failure = check(text, args, folder, **options)
        except Skip as e:
            return f"skip: {e}", None
    return ("fail", failure) if failure else ("ok", None)


# --- shrinking ------------------------------------------------------------------------------


def _bodies(tree: ast.AST):
    """Every statement list of the tree, as (owner, field)."""
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                yield node, field


def _candidates(text: str):
    """Smaller variants of the program, biggest cuts first."""
    tree = ast.parse(text)
    n_bodies = len(list(_bodies(tree)))
    for b in range(n_bodies):
        owner, field = list(_bodies(ast.parse(text)))[b]
        for i in range(len(getattr(owner, field))):
            for how in ("delete", "unwrap"):
                t = ast.parse(text)
                o, fld = list(_bodies(t))[b]
                stmts = getattr(o, fld)
                s = stmts[i]
                if how == "delete":
                    if isinstance(s, ast.FunctionDef) and s.name == "f":
                        continue
                    del stmts[i]
                    if not stmts and not (isinstance(o, ast.If) and fld == "orelse"):
                        stmts.append(ast.Pass())
                elif isinstance(s, (ast.If, ast.For, ast.While)):
                    stmts[i : i + 1] = s.body
                else:
                    continue
                yield ast.unparse(t)
    count = sum(1 for _ in ast.walk(tree))
    for k in range(count):
        for replacement in range(4):
            t = ast.parse(text)
            nodes = list(ast.walk(t))
            node = nodes[k]
            if not isinstance(node, ast.expr) or isinstance(node, (ast.Name, ast.Constant)):
                continue
            if isinstance(getattr(node, "ctx", None), ast.Store):
                continue
            parts = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
            options = parts + [ast.Constant(0.5), ast.Name("a", ast.Load())]
            if replacement >= len(options):
                continue
            new = options[replacement]
            for parent in nodes:
                for field, value in ast.iter_fields(parent):
                    if value is node and field != "func":
                        setattr(parent, field, new)
                    elif isinstance(value, list):
                        for j, v in enumerate(value):
                            if v is node:
                                value[j] = new
            try:
                yield ast.unparse(ast.fix_missing_locations(t))
            except Exception:
                continue


def shrink(text: str, args: tuple, failure: Failure, **options) -> str:
    """The smallest variant of text found that fails with the same key.

    After each success the next pass resumes at the same candidate position,
    so the work is about linear in the program's size, not quadratic.
    """
    best = ast.unparse(ast.parse(text))
    start, progress = 0, True
    while progress:
        progress = False
        for k, candidate in enumerate(_candidates(best)):
            if k < start or len(candidate) >= len(best):
                continue
            status, found = run_one(candidate, args, **options)
            if found is not None and found.key == failure.key:
                best, start, progress = candidate, k, True
                break
        else:
            if start:  # one more pass from the beginning
                start, progress = 0, True
    return best

"""Kinks: where the derivative is only piecewise, and the condition under which it switches.

Guarantees: `kinks(trace, wrt)` lists, in source order, every op whose derivative (or value) changes
form where some equality holds between values that depend on a differentiated parameter: `abs`,
`copysign`, comparisons that decide a branch, a `while` test, `max`/`min` (lowered to branches),
`np.where`, and the array rows that are piecewise (`np.maximum`, `np.clip`, `np.abs`, `np.sign`,
`np.floor`, `np.round`, reductions by `max`/`min`, a norm at zero). A condition on values that do
not depend on the differentiated parameters is no kink (it does not switch as they move).

Before: `def f(x, y, n): if x > y: ...` with wrt (x, y), and `for i in range(n)`.
After:  [Kink(line 2, "branch", "x == y")]; the loop's bound n is not differentiated: no kink.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .activity import varied
from .errors import printable
from .naming import primal_names
from .trace import ArrayOp, Call, Compute, If, ListVar, Loop, Op, Trace, Var, walk
from .trace_text import format_expr, format_number

# What makes each row piecewise: the conditions under which it switches, over its arguments' texts
# x, y (one line of calculus per row, as in the rules table); a condition is listed only when an
# argument it names moves. Rows not here are smooth where they are defined.
_ABS = ("x == 0",)
_TIE = ("x == y",)
_WHOLE = ("x is a whole number",)
KINKS: dict[str, tuple[str, ...]] = {
    "abs": _ABS, "fabs": _ABS, "numpy.abs": _ABS, "numpy.fabs": _ABS, "numpy.absolute": _ABS, "absolute": _ABS,
    "copysign": ("x == 0", "y == 0"), "numpy.copysign": ("x == 0", "y == 0"),  # |x| at 0; y's sign flips at 0
    "hypot": ("x == 0 and y == 0",), "numpy.hypot": ("x == 0 and y == 0",),  # a cone at the origin
    "sign": _ABS, "numpy.sign": _ABS,
    "floor": _WHOLE, "ceil": _WHOLE, "trunc": _WHOLE, "fix": _WHOLE,
    "numpy.floor": _WHOLE, "numpy.ceil": _WHOLE, "numpy.trunc": _WHOLE,
    "round": ("x is halfway between two roundings",), "around": ("x is halfway between two roundings",),
    "rint": ("x is halfway between two whole numbers",), "numpy.rint": ("x is halfway between two whole numbers",),
    "maximum": _TIE, "minimum": _TIE, "fmax": _TIE, "fmin": _TIE,
    "max": ("two entries of x tie for the maximum",), "amax": ("two entries of x tie for the maximum",),
    "min": ("two entries of x tie for the minimum",), "amin": ("two entries of x tie for the minimum",),
}
# a norm's kink depends on its order (None, 2, "fro": the origin)
NORM_KINKS = {1: "an entry of x is 0", float("inf"): "two entries of x tie for the largest |x|",
              float("-inf"): "two entries of x tie for the smallest |x|"}
_COMPARISON = re.compile(r"^_(\d+) (<|<=|>|>=|==|!=) _(\d+)$")
# decisions over numbers other than comparisons: (kind, condition over x)
COMPUTE_KINKS = {"int(_0)": ("int", "x is a whole number"),
                 "_0.index(max(_0))": ("max", "two items of x tie for the largest"),  # max(xs): which item
                 "_0.index(min(_0))": ("min", "two items of x tie for the smallest"),
                 "_0.index(_1)": ("index", "an earlier item of x comes to equal y")}


@dataclass(frozen=True)
class Kink:
    """One piecewise point: where (line), what switches (kind), and when (condition)."""

    line: int
    kind: str  # "abs", "branch", "while test", "np.where", "np.maximum", ...
    condition: str  # "x == y", over the user's names (temporaries spelled out where short)

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}: switches where {self.condition}"


def kinks(trace: Trace, wrt: tuple) -> list[Kink]:
    """The kinks of the function in the parameters wrt, in source order, each once."""
    moving = varied(trace, wrt)
    name = _namer(trace)
    uses = _condition_uses(trace)
    found: dict[Kink, None] = {}
    for item in walk(trace.body):
        if isinstance(item, If) and item.cond in moving and item.cond.kind not in ("bool", "int"):
            found[Kink(item.line, "branch", f"{name(item.cond)} == 0")] = None  # `if x:`, `x or y`
        if not isinstance(item, Op):
            if isinstance(item, Loop) and item.kind == "range" and any(b in moving for b in item.bounds):
                bounds = ", ".join(name(b) if isinstance(b, Var) else str(b) for b in item.bounds)
                found[Kink(item.line, "loop bound", f"range({bounds}) changes its length")] = None
            continue
        e = item.expr
        args = getattr(e, "args", ())
        if not any(isinstance(a, (Var, ListVar)) and a in moving for a in args):
            continue
        numbers = any(isinstance(a, ListVar) or isinstance(a, Var) and a.kind != "bool" for a in args)  # not `not c`
        if isinstance(e, Compute) and numbers and e.template in COMPUTE_KINKS:
            kind, condition = COMPUTE_KINKS[e.template]
            found[Kink(item.line, kind, _fill((condition,), args, moving, name))] = None
        elif isinstance(e, Compute) and numbers and _COMPARISON.match(e.template):
            found[Kink(item.line, uses.get(item.out, "comparison"), _switch(e, name))] = None
        elif isinstance(e, Call) and e.fn in KINKS:
            kind = e.fn if "." not in e.fn else "np." + e.fn.removeprefix("numpy.")
            found[Kink(item.line, kind, _fill(KINKS[e.fn], args, moving, name, e.scale))] = None
        elif isinstance(e, ArrayOp) and (e.fn in KINKS or e.fn in ("clip", "linalg.norm")):
            kind = "np." + e.fn.removeprefix("numpy.")
            if e.fn == "clip":
                condition = _clip(e, moving, name)
            elif e.fn == "linalg.norm":
                ord_ = e.option.get("ord")
                condition = _fill((NORM_KINKS.get(ord_, "x == 0 (every entry)") if isinstance(ord_, (int, float))
                                   else "x == 0 (every entry)",), args, moving, name)
            else:
                condition = _fill(KINKS[e.fn], args, moving, name)
            found[Kink(item.line, kind, condition)] = None
    return sorted(found, key=lambda k: k.line)


def kink_lines(found: list[Kink]) -> list[str]:
    """The generated module's header section on kinks (none when the derivative is one formula)."""
    if not found:
        return []
    return ["Piecewise: the derivative changes form where these hold (this code differentiates the",
            "piece taken; at the switch itself the function may have no derivative):",
            *(printable(f"  {k}") for k in found)]  # a comment line: nothing in it may end it


def format_kinks(found: list[Kink], filename: str, source_lines: list[str] | None = None) -> str:
    """`file:line: kind: switches where condition`, each followed by its source line when known."""
    if not found:
        return "no kinks: the derivative is one formula wherever it is defined\n"
    out = []
    for k in found:
        out.append(f"{printable(filename)}:{k.line}: {k.kind}: switches where {k.condition}")
        if source_lines is not None and 0 < k.line <= len(source_lines):
            out.append("    " + printable(source_lines[k.line - 1].strip()))
    return "\n".join(out) + "\n"


def _condition_uses(trace: Trace) -> dict[Var, str]:
    """What each condition decides: a branch (if, max, min, a conditional expression), a while loop's
    test, or an np.where."""
    uses: dict[Var, str] = {}
    for item in walk(trace.body):
        if isinstance(item, Loop) and item.kind == "while":  # the test's ops carry the while's line
            for op in walk(item.body):
                if isinstance(op, Op) and isinstance(op.expr, Compute) and op.line == item.line:
                    uses.setdefault(op.out, "while test")
        elif isinstance(item, If):
            uses.setdefault(item.cond, "branch")
        elif isinstance(item, Op) and isinstance(item.expr, ArrayOp) and item.expr.fn == "where":
            cond = item.expr.args[0]
            if isinstance(cond, Var):
                uses.setdefault(cond, "np.where")
    return uses


def _namer(trace: Trace) -> Callable[[object], str]:
    """Names as the user wrote them; a temporary spelled out as its op when that is short."""
    display = primal_names(trace)
    defined = {i.out: i.expr for i in walk(trace.body) if isinstance(i, Op)}
    merged = {m.out: m for i in walk(trace.body) if isinstance(i, If) for m in i.merges}

    def name(v: object, depth: int = 0) -> str:
        if isinstance(v, ListVar):
            return v.hint or display[v]
        if not isinstance(v, Var):  # a number; anything else only as its (escaped) repr, never raw text
            return format_number(v) if isinstance(v, (int, float)) else printable(repr(v))
        e = defined.get(v)
        if v.hint is not None:  # the user's name, not the SSA value's (a_3 is a)
            return v.hint
        if v in merged and depth < 2:  # a branch's value (max(x, y) is one): as `s2sad trace` prints it
            m = merged[v]
            return f"phi({name(m.then, depth + 1)}, {name(m.orelse, depth + 1)})"
        if e is None or depth >= 2:
            return display[v]
        text = format_expr(e, lambda u: name(u, depth + 1))
        return text if len(text) <= 40 and " " not in text else f"({text})" if len(text) <= 40 else display[v]

    return name


def _switch(e: Compute, name: Callable) -> str:
    """Where a comparison (or another decision over numbers) changes its value."""
    m = _COMPARISON.match(e.template)
    assert m is not None
    a, b = e.args[int(m.group(1))], e.args[int(m.group(3))]
    if not isinstance(a, Var):  # `2 < x` reads as `x == 2`
        a, b = b, a
    return f"{name(a)} == {name(b)}"


def _fill(conditions: tuple[str, ...], args: tuple, moving: set, name: Callable, scale: float = 1.0) -> str:
    """The conditions that name a moving argument (x: the first, y: the second), joined by `or`."""
    texts = [name(a) for a in args]
    if scale != 1.0 and texts:
        texts[0] = f"{format_number(scale)}*{texts[0] if ' ' not in texts[0] else f'({texts[0]})'}"
    moves = [isinstance(a, (Var, ListVar)) and a in moving for a in args]
    kept = [c for c in conditions if any(moves[i] for i, p in enumerate("xy") if i < len(args) and re.search(rf"\b{p}\b", c))]
    return " or ".join(re.sub(r"\b[xy]\b", lambda m: texts["xy".index(m.group(0))], c) for c in kept or conditions)


def _clip(e: ArrayOp, moving: set, name: Callable) -> str:
    x = name(e.args[0])
    bounds = [name(a) for a in e.args[1:3] if a is not None]
    bounds += [name(e.option[k]) for k in ("a_min", "a_max") if e.option.get(k) is not None]
    return " or ".join(f"{x} == {b}" for b in bounds) or f"{x} reaches a bound"

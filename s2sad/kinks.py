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

from .activity import shape_query, varied
from .errors import printable
from .naming import primal_names
from .trace import ArrayOp, Call, Compute, If, Loop, Op, Trace, Var, format_expr, format_number, walk

# What makes each row piecewise: the switching condition, over its arguments' texts x, y (one line
# of "calculus" per row, as in the rules table). Rows not here are smooth where they are defined.
SCALAR_KINKS = {
    "abs": "x == 0",
    "fabs": "x == 0",
    "copysign": "x == 0 or y == 0",  # |x| at 0, and the sign of y flips at 0
}
ARRAY_KINKS = {
    "numpy.abs": "x == 0",
    "numpy.fabs": "x == 0",
    "numpy.copysign": "x == 0 or y == 0",
    "sign": "x == 0",
    "floor": "x is a whole number",
    "ceil": "x is a whole number",
    "trunc": "x is a whole number",
    "round": "x is halfway between two roundings",
    "rint": "x is halfway between two whole numbers",
    "maximum": "x == y",
    "minimum": "x == y",
    "fmax": "x == y",
    "fmin": "x == y",
    "max": "two entries of x tie for the maximum",
    "min": "two entries of x tie for the minimum",
    "amax": "two entries of x tie for the maximum",
    "amin": "two entries of x tie for the minimum",
    "linalg.norm": "x == 0 (every entry)",
}
_COMPARISON = re.compile(r"^_(\d+) (<|<=|>|>=|==|!=) _(\d+)$")
# decisions over numbers other than comparisons: (kind, condition over x)
COMPUTE_KINKS = {"int(_0)": ("int", "x is a whole number")}


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
        if not isinstance(item, Op):
            if isinstance(item, Loop) and item.kind == "range" and any(b in moving for b in item.bounds):
                bounds = ", ".join(name(b) if isinstance(b, Var) else str(b) for b in item.bounds)
                found[Kink(item.line, "loop bound", f"range({bounds}) changes its length")] = None
            continue
        e = item.expr
        args = getattr(e, "args", ())
        if not any(isinstance(a, Var) and a in moving for a in args):
            continue
        numbers = any(isinstance(a, Var) and a.kind != "bool" for a in args)  # not `not c`, `c and d`
        if isinstance(e, Compute) and numbers and not shape_query(e):
            if e.template in COMPUTE_KINKS:
                kind, condition = COMPUTE_KINKS[e.template]
                found[Kink(item.line, kind, _fill(condition, args, name))] = None
            else:
                found[Kink(item.line, uses.get(item.out, "comparison"), _switch(e, name))] = None
        elif isinstance(e, Call) and e.fn in SCALAR_KINKS:
            found[Kink(item.line, e.fn, _fill(SCALAR_KINKS[e.fn], args, name, e.scale))] = None
        elif isinstance(e, ArrayOp) and e.fn in ARRAY_KINKS:
            found[Kink(item.line, "np." + e.fn.removeprefix("numpy."), _fill(ARRAY_KINKS[e.fn], args, name))] = None
        elif isinstance(e, ArrayOp) and e.fn == "clip":
            found[Kink(item.line, "np.clip", _clip(e, name))] = None
    return sorted(found, key=lambda k: k.line)


def kink_lines(found: list[Kink]) -> list[str]:
    """The generated module's header section on kinks (none when the derivative is one formula)."""
    if not found:
        return []
    return ["Piecewise: the derivative changes form where these hold (this code differentiates the",
            "piece taken; at the switch itself the function may have no derivative):",
            *(f"  {k}" for k in found)]


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

    def name(v: object, depth: int = 0) -> str:
        if not isinstance(v, Var):
            return format_number(v) if isinstance(v, (int, float)) else str(v)
        e = defined.get(v)
        if v.hint is not None:  # the user's name, not the SSA value's (a_3 is a)
            return v.hint
        if e is None or depth >= 2 or isinstance(e, Compute):
            return display[v]
        text = format_expr(e, lambda u: name(u, depth + 1))
        return text if len(text) <= 40 and " " not in text else f"({text})" if len(text) <= 40 else display[v]

    return name


def _switch(e: Compute, name: Callable) -> str:
    """Where a comparison (or another decision over numbers) changes its value."""
    m = _COMPARISON.match(e.template)
    if m:
        a, b = e.args[int(m.group(1))], e.args[int(m.group(3))]
        if not isinstance(a, Var):  # `2 < x` reads as `x == 2`
            a, b = b, a
        return f"{name(a)} == {name(b)}"
    filled = re.sub(r"\b_(\d+)\b", lambda g: name(e.args[int(g.group(1))]), e.template)
    return f"{filled} changes"


def _fill(template: str, args: tuple, name: Callable, scale: float = 1.0) -> str:
    texts = [name(a) for a in args]
    if scale != 1.0 and texts:
        texts[0] = f"{format_number(scale)}*{texts[0] if ' ' not in texts[0] else f'({texts[0]})'}"
    return re.sub(r"\b[xy]\b", lambda m: texts["xy".index(m.group(0))], template)


def _clip(e: ArrayOp, name: Callable) -> str:
    x = name(e.args[0])
    bounds = [name(a) for a in e.args[1:3] if a is not None]
    bounds += [name(e.option[k]) for k in ("a_min", "a_max") if e.option.get(k) is not None]
    return " or ".join(f"{x} == {b}" for b in bounds) or f"{x} reaches a bound"

"""The IR: the lecture's evaluation trace, in SSA form.

A `Trace` is the program `z_1 = h_1(...); ...; z_T = h_T(...); return z_T`
with inputs `w_1..w_d`. Every op assigns one fresh variable (SSA), its operands
are variables or numeric constants (never nested expressions), and its
expression is one of the lecture's three kinds of elementary operation:

1. `Affine`:  z = c0 + c1*a1 + ... + cM*aM
2. `Product`: z = c * a1**p1 * a2**p2       (kept binary: see `lower`)
3. `Call`:    z = h(a*x), a one-dimensional function of a scaled variable,
              or, as the extension Python needs, z = h(x, y) for the
              two-argument rows of the rules table (atan2, hypot, pow, ...).

Each op records the source line it came from. Printing is separate from the
data: `format_trace` renders the textbook listing given the display names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Union


@dataclass(frozen=True, eq=False)
class Var:
    """A scalar variable of the trace: a parameter (an input) or an op's result.

    `id` is unique within a trace and is its identity; `hint` is the user's
    name for it, if any.
    """

    id: int
    hint: str | None = None

    # Identity is the id alone (a renamed variable is the same variable); hashed
    # constantly during lowering and reverse mode, hence written out.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Var) and other.id == self.id

    def __hash__(self) -> int:
        return self.id


Operand = Union[Var, float]


@dataclass(frozen=True)
class Affine:
    const: float
    terms: tuple[tuple[float, Var], ...]


@dataclass(frozen=True)
class Product:
    coef: float
    factors: tuple[tuple[Var, float], ...]  # (variable, power), at most two


@dataclass(frozen=True)
class Call:
    fn: str  # a row of the rules table
    args: tuple[Operand, ...]
    scale: float = 1.0  # unary rows only: fn(scale * args[0])


Expr = Union[Affine, Product, Call]


@dataclass(frozen=True)
class Op:
    out: Var
    expr: Expr
    line: int

    @property
    def inputs(self) -> tuple[Var, ...]:
        """The variables this op reads, in order, without repeats."""
        e = self.expr
        if isinstance(e, Affine):
            vs = [v for _, v in e.terms]
        elif isinstance(e, Product):
            vs = [v for v, _ in e.factors]
        else:
            vs = [a for a in e.args if isinstance(a, Var)]
        return tuple(dict.fromkeys(vs))


@dataclass(frozen=True)
class Trace:
    """A function as an evaluation trace."""

    name: str
    params: tuple[Var, ...]
    defaults: tuple[float | None, ...]  # per parameter: its numeric default, if any
    ops: tuple[Op, ...]
    result: Operand
    filename: str
    line: int  # of the `def`

    def __str__(self) -> str:
        from .naming import primal_names  # printing needs display names only

        return format_trace(self, primal_names(self).__getitem__)


def format_number(c: float) -> str:
    """Short, exact-enough spelling of a constant for the printed trace.

    Integers print without a fraction; small rational multiples of pi print as
    such (`2*pi`, `pi/2`), so the lecture's `sin(2*pi*z1)` reads as written.
    """
    if c == int(c) and abs(c) < 1e15:
        return str(int(c))
    for k in range(1, 13):
        for num in range(-24, 25):
            if num and num * math.pi / k == c and math.gcd(num, k) == 1:
                n = "" if num == 1 else "-" if num == -1 else f"{num}*"
                return f"{n}pi" + (f"/{k}" if k > 1 else "")
    return repr(c)


def _scaled(c: float, text: str) -> str:
    if c == 1:
        return text
    if c == -1:
        return "-" + text
    return f"{format_number(c)}*{text}"


def format_expr(e: Expr, name: Callable[[Var], str]) -> str:
    """The right-hand side of an op, as the lecture writes it."""
    if isinstance(e, Affine):
        parts: list[str] = []
        for coef, v in e.terms:
            s = _scaled(abs(coef), name(v))
            parts.append(("- " if coef < 0 else "+ ") + s if parts else _scaled(coef, name(v)))
        if e.const:
            c = format_number(abs(e.const))
            parts.append(("- " if e.const < 0 else "+ ") + c)
        return " ".join(parts)
    if isinstance(e, Product):
        num = [_power(name(v), p) for v, p in e.factors if p > 0]
        den = [_power(name(v), -p) for v, p in e.factors if p < 0]
        if not num:  # c/x, not c*1/x
            return format_number(e.coef) + "".join("/" + d for d in den)
        return _scaled(e.coef, "*".join(num) + "".join("/" + d for d in den))
    args = [name(a) if isinstance(a, Var) else format_number(a) for a in e.args]
    if e.fn == "pow" and len(args) == 2:
        return f"{args[0]}**{args[1]}"
    if len(args) == 1:
        args = [_scaled(e.scale, args[0])]
    return f"{e.fn}({', '.join(args)})"


def _power(text: str, p: float) -> str:
    return text if p == 1 else f"{text}**{format_number(p)}"


def format_trace(trace: Trace, name: Callable[[Var], str]) -> str:
    """The evaluation trace as the lecture prints it, one op per line."""
    rows = [(f"{name(op.out)} = {format_expr(op.expr, name)}", op.line) for op in trace.ops]
    width = max((len(text) for text, _ in rows), default=0)
    lines = [f"input: {', '.join(name(p) for p in trace.params)}"]
    lines += [f"{text.ljust(width)}   # line {line}" for text, line in rows]
    res = trace.result
    lines.append(f"return: {name(res) if isinstance(res, Var) else format_number(res)}")
    return "\n".join(lines)

"""Printing the trace: numbers, expressions and the textbook listing of a `Trace`, given display names.

The IR (`trace`) holds data only; this module turns it into text, for `s2sad trace`, the graph's
labels and the kink report. Each op prints as the lecture writes it, `z3 = 2*z1 + z2`, and a number
prints as the shortest text Python reads back as the same float.

Before: `Op(Var(3), Affine(0, ((2, Var(1)), (1, Var(2)))), line=4)`.  After: `z3 = 2*z1 + z2   # line 4`.
"""

from __future__ import annotations

import math
import re
from typing import Callable

from .trace import (
    Affine,
    Append,
    ArrayOp,
    Block,
    Break,
    Compute,
    Expr,
    If,
    Load,
    Loop,
    NewList,
    Next,
    Op,
    Pop,
    Product,
    Return,
    Store,
    Sum,
    Trace,
    Var,
    absent,
)
from .unroll import lines_text


def format_number(c: float) -> str:
    """Short, exact-enough spelling of a constant for the printed trace.

    Integers print without a fraction; small rational multiples of pi print as
    such (`2*pi`, `pi/2`), so the lecture's `sin(2*pi*z1)` reads as written.
    """
    if isinstance(c, int) and not isinstance(c, bool):  # exact, however large (10**400 is no float)
        return str(c)
    if not math.isfinite(c):  # inf, -inf, nan: as Python prints them (int(c) would raise)
        return repr(float(c))
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
        if not absent(e.const):
            c = format_number(abs(e.const))
            parts.append(("- " if e.const < 0 else "+ ") + c)
        return " ".join(parts)
    if isinstance(e, Product):
        num = [_power(name(v), p) for v, p in e.factors if p > 0]
        den = [_power(name(v), -p) for v, p in e.factors if p < 0]
        if e.div != 1:
            den.append(format_number(e.div))
        if not num:  # c/x, not c*1/x
            return format_number(e.coef) + "".join("/" + d for d in den)
        return _scaled(e.coef, "*".join(num) + "".join("/" + d for d in den))
    if isinstance(e, Load):
        return f"{name(e.lst)}[{_operand(e.index, name)}]"  # type: ignore[arg-type]
    if isinstance(e, Sum):
        return f"sum({name(e.lst)})"  # type: ignore[arg-type]
    if isinstance(e, Compute):
        return fill_template(e.template, [_operand(a, name) for a in e.args])
    if isinstance(e, ArrayOp):
        from .array_code import (
            array_text,  # printing an array op shares its spelling with generated code
        )

        return array_text(e, [_operand(a, name) for a in e.args])
    args = [_operand(a, name) for a in e.args]
    if e.fn == "pow" and len(args) == 2:
        return f"{args[0]}**{args[1]}"
    if len(args) == 1:
        args = [_scaled(e.scale, args[0])]
    return f"{e.fn}({', '.join(args)})"


def _operand(a: object, name: Callable) -> str:
    return format_number(a) if isinstance(a, (int, float)) else name(a)  # type: ignore[arg-type]


_PLACEHOLDER = re.compile(r"\b_(\d+)\b")


def fill_template(template: str, args: list[str]) -> str:
    """A `Compute` template with its placeholders replaced by the argument texts."""
    return _PLACEHOLDER.sub(lambda m: args[int(m.group(1))], template)


def _power(text: str, p: float) -> str:
    return text if p == 1 else f"{text}**{format_number(p)}"


def format_trace(trace: Trace, name: Callable[[Var], str]) -> str:
    """The evaluation trace as the lecture prints it, one op per line, blocks indented."""
    rows: list[tuple[str, int | None]] = []
    _format_block(trace.body, name, "", rows)
    width = max((len(text) for text, line in rows if line is not None), default=0)
    lines = [f"input: {', '.join(name(p) for p in trace.params)}"]  # type: ignore[arg-type]
    lines += [text if line is None else f"{text.ljust(width)}   # line {lines_text((line,))}" for text, line in rows]
    return "\n".join(lines)


def _format_block(block: Block, name: Callable, indent: str, rows: list) -> None:
    op = lambda a: _operand(a, name)  # noqa: E731
    for item in block:
        if isinstance(item, Op):
            rows.append((f"{indent}{name(item.out)} = {format_expr(item.expr, name)}", item.line))
        elif isinstance(item, NewList):
            text = f"[{', '.join(op(e) for e in item.elements)}]"
            rows.append((f"{indent}{name(item.out)} = {text}" + (f" * {op(item.repeat)}" if item.repeat is not None else ""), item.line))
        elif isinstance(item, Store):
            rows.append((f"{indent}{name(item.lst)}[{op(item.index)}] = {op(item.value)}", item.line))
        elif isinstance(item, Append):
            rows.append((f"{indent}{name(item.lst)}.append({op(item.value)})", item.line))
        elif isinstance(item, Pop):
            target = f"{name(item.out)} = " if item.out is not None else ""
            rows.append((f"{indent}{target}{name(item.lst)}.pop()", item.line))
        elif isinstance(item, If):
            rows.append((f"{indent}if {name(item.cond)}:", item.line))
            _format_block(item.body, name, indent + "    ", rows)
            rows.append((f"{indent}else:", None))
            _format_block(item.orelse, name, indent + "    ", rows)
            for m in item.merges:
                rows.append((f"{indent}{name(m.out)} = phi({op(m.then)}, {op(m.orelse)})", item.line))
        elif isinstance(item, Loop):
            if item.kind == "range":
                head = f"for {name(item.counter)} in range({', '.join(op(b) for b in item.bounds)}):"
            else:
                head = "while True:"
            rows.append((indent + head, item.line))
            for c in item.carried:
                rows.append((f"{indent}    {name(c.param)} = carried({op(c.init)}, next)", None))
            _format_block(item.body, name, indent + "    ", rows)
            for c in item.carried:
                rows.append((f"{indent}{name(c.out)} = after loop({name(c.param)})", None))
        else:
            word = {Next: "next", Break: "break", Return: "return"}[type(item)]
            values = list(item.values)
            rows.append((f"{indent}{word}: {', '.join(op(v) for v in values)}".rstrip(": ") + ("" if values else ""), None))

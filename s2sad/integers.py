"""Which values of generated code may be integers at run time, so that gradients are written as floats.

Guarantees: `maybe_integers(trace)` holds every variable whose value may be an
int or a bool at run time: integer-typed parameters and ops, truth values,
popped items, sums of lists (the sum of none is the int 0), loads from lists
that may hold an int, and what arithmetic, `abs`, phis and loop-carried values make of
them. `as_float(value, parts, ints)` is the adjoint sum `value` of `parts`,
unchanged when some part is surely a float (a coefficient of 1.0 is not:
it is not written), else written as a float: a constant as `1.0`, anything
else as `float(...)`. So a returned gradient
entry is never `True`, `1` or another int, whatever the seed, constants and
truth values it comes from.

Before: `x_bar = 1` (the seed, returned after zero loop iterations), `x_bar = z1` (z1 = x > 1 or y).
After:  `x_bar = 1.0`, `x_bar = float(z1)`.
"""

from __future__ import annotations

import ast

from . import pyast
from .trace import (
    Affine,
    Append,
    Call,
    If,
    ListVar,
    Load,
    Loop,
    NewList,
    Op,
    Pop,
    Product,
    Store,
    Sum,
    Trace,
    Var,
    loop_exits,
    walk,
)


def as_float(value: ast.expr, parts: list[tuple[float, tuple, tuple]], ints: frozenset) -> ast.expr:
    """value (the sum of parts: coefficient, numerator and denominator factors), as a float."""
    def surely_float(coef: float, num: tuple, den: tuple) -> bool:  # a coefficient of +-1.0 is not printed
        return (type(coef) is not int and abs(coef) != 1) or bool(den) or not all(integer(n, ints) for n in num)

    if any(surely_float(*part) for part in parts):
        return value
    c = pyast.constant_value(value)
    return pyast.number(float(c)) if c is not None else pyast.call("float", [value])


def float_of(value: ast.expr, ints: frozenset) -> ast.expr:
    """value, written as a float where it may be an integer."""
    if not integer(value, ints):
        return value
    c = pyast.constant_value(value)
    return pyast.number(float(c)) if c is not None else pyast.call("float", [value])


def integer(node: ast.expr, ints: frozenset) -> bool:
    """node may be an int at run time: integer names and constants under + - * and positive powers."""
    if isinstance(node, ast.Name):
        return node.id in ints
    if isinstance(node, ast.Constant):
        return type(node.value) is int
    if isinstance(node, ast.UnaryOp):
        return integer(node.operand, ints)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        return integer(node.left, ints) and integer(node.right, ints)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return integer(node.left, ints) and isinstance(node.right, ast.Constant) and type(node.right.value) is int
    return False


def maybe_integers(trace: Trace) -> set:
    """Variables whose value may be an int or a bool at run time (a phi of a condition and a float, too)."""
    def maybe(a: object) -> bool:
        return a in out if isinstance(a, (Var, ListVar)) else isinstance(a, int)

    out = {i.out for i in walk(trace.body) if isinstance(i, Op) and i.out.kind in ("int", "bool", "any")}
    out |= {p for p in trace.params if isinstance(p, Var) and p.kind not in ("float", "array")}
    out |= {i.out for i in walk(trace.body) if isinstance(i, Pop) and i.out is not None}
    out |= {i.out for i in walk(trace.body) if isinstance(i, Op) and isinstance(i.expr, Sum)}  # sum([]) is 0
    pairs = [(m.out, (m.then, m.orelse)) for i in walk(trace.body) if isinstance(i, If) for m in i.merges]
    for loop in (i for i in walk(trace.body) if isinstance(i, Loop)):  # carried: its start and every next value
        exits = loop_exits(loop.body)
        for k, c in enumerate(loop.carried):
            sources = (c.init, *(e.values[k] for e in exits))
            pairs += [(c.param, sources), (c.out, sources)]
    pairs += [(i.counter, (0,)) for i in walk(trace.body) if isinstance(i, Loop) and i.counter is not None]
    # a list that holds an int (`ys.append(2)`, `[0] * n`) gives ints to its loads
    for i in walk(trace.body):
        if isinstance(i, NewList):
            pairs.append((i.out, i.elements))
        elif isinstance(i, (Store, Append)):
            pairs.append((i.lst, (i.value,)))
        elif isinstance(i, Op) and isinstance(i.expr, Load):
            pairs.append((i.out, (i.expr.lst,)))
    arithmetic = []  # integer arithmetic on integers or truth values gives an integer
    for i in walk(trace.body):
        if isinstance(i, Op) and isinstance(i.expr, Affine) and type(i.expr.const) is int \
                and all(type(c) is int for c, _ in i.expr.terms):
            arithmetic.append((i.out, [v for _, v in i.expr.terms]))
        elif isinstance(i, Op) and isinstance(i.expr, Product) and type(i.expr.coef) is int and i.expr.div == 1 \
                and all(type(p) is int and p > 0 for _, p in i.expr.factors):
            arithmetic.append((i.out, [v for v, _ in i.expr.factors]))
        elif isinstance(i, Op) and isinstance(i.expr, Call) and i.expr.fn == "abs":  # abs of an int is an int
            arithmetic.append((i.out, list(i.expr.args)))
    changed = True
    while changed:
        changed = False
        for v, sources in pairs:
            if v not in out and any(maybe(a) for a in sources):
                out.add(v)
                changed = True
        for v, sources in arithmetic:
            if v not in out and all(maybe(a) for a in sources):
                out.add(v)
                changed = True
    return {v for v in out if isinstance(v, Var)}

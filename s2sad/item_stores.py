"""First contributions to a list adjoint's items: stores, not additions to zero.

Guarantees: `first_item_stores(nodes)` returns the statements with the same
effect in which `xs_bar[k] += e`, at the top level of the sweep, with `k` a
non-negative integer literal, becomes `xs_bar[k] = e` where it is the first
write to `xs_bar` since its `[0.0] * len(xs)` start other than stores to other
literal items `0 <= j != k`, and `e` is surely a float (0.0 + e is then e, but
a sign of zero; an int would stay an int). A write at a
negative or computed index, or inside a branch or loop, may be any item, so
later writes to that list stay additions. Unrolled loops read parameter lists
at literal indices, so their adjoints are written as an expert writes them:

Before:  W_bar = [0.0] * len(W); W_bar[3] += a * z1; W_bar[2] += a * z2; W_bar[3] += b
After:   W_bar = [0.0] * len(W); W_bar[3] = a * z1;  W_bar[2] = a * z2;  W_bar[3] += b
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace

from .program import Node, Stmt, assigned, walk

_ITEM = re.compile(r"^(\w+)\[(\d+)\]$")


def first_item_stores(reverse: tuple[Node, ...], before: tuple[Node, ...] = (),
                      floats: frozenset[str] = frozenset()) -> tuple[Node, ...]:
    """The reverse sweep with first contributions stored; `before`: the statements ahead of it,
    `floats`: names surely bound to floats on entry (float parameters)."""
    known: frozenset[str] | None = None  # surely_floats, computed where first needed (most code has no lists)
    written: dict[str, set[int]] = {}  # zero-started list adjoint -> literal items written so far
    out: list[Node] = []
    for n in reverse:
        m = _ITEM.match(n.target) if isinstance(n, Stmt) and n.augmented else None
        if m and m.group(1) in written:
            lst, k = m.group(1), int(m.group(2))
            if k not in written[lst]:
                known = surely_floats(before + reverse, floats) if known is None else known
                if _float(n.value, known):
                    n = replace(n, augmented=False)
            written[lst].add(k)
        else:
            for name in _touched(n):
                written.pop(name, None)  # any item may have been written: additions from here on
            if isinstance(n, Stmt) and not n.augmented and _zeros(n.value):
                written[n.target] = set()
        out.append(n)
    return tuple(out)


# functions whose value is a float whatever their arguments (abs, min, max and pow keep ints)
_FLOAT_CALLS = frozenset("sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp expm1 log log2 log10 "
                         "log1p sqrt fabs erf erfc atan2 hypot copysign degrees radians float".split())


def surely_floats(nodes: tuple[Node, ...], floats: frozenset[str]) -> frozenset[str]:
    """The names every binding of which in `nodes` is surely a float (given `floats` on entry)."""
    bindings: dict[str, list[ast.expr | None]] = {}
    for n in walk(nodes):
        if isinstance(n, Stmt) and n.target and "[" not in n.target:
            value = ast.BinOp(ast.Name(n.target), ast.Add(), n.value) if n.augmented else n.value
            bindings.setdefault(n.target, []).append(value)
        elif not isinstance(n, Stmt):
            for name in assigned((n,)):
                bindings.setdefault(name, []).append(None)  # a loop variable, a tuple target: unknown
    known = set(floats) - set(bindings)
    more = True
    while more:  # in program order, one pass settles straight-line code; loops may need another
        more = False
        for name, values in bindings.items():
            if name not in known:
                known.add(name)  # assumed, for a value that depends on itself (s = s + 1.0)
                if all(v is not None and _float(v, known) for v in values):
                    more = True
                else:
                    known.discard(name)
    return frozenset(known)


def _float(e: ast.expr, floats: set[str] | frozenset[str]) -> bool:
    """Is e's value surely a float?"""
    if isinstance(e, ast.Constant):
        return type(e.value) is float
    if isinstance(e, ast.Name):
        return e.id in floats
    if isinstance(e, ast.UnaryOp):
        return _float(e.operand, floats)
    if isinstance(e, ast.BinOp):
        if isinstance(e.op, ast.Div):
            return True
        if isinstance(e.op, (ast.Add, ast.Sub, ast.Mult)):
            return _float(e.left, floats) or _float(e.right, floats)
        return isinstance(e.op, ast.Pow) and _float(e.left, floats)
    if isinstance(e, ast.Call):
        f = e.func
        return (f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "") in _FLOAT_CALLS
    return False


def _zeros(value: ast.expr) -> bool:
    """`[0.0] * len(name)`: a list adjoint's start."""
    return isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult) \
        and isinstance(value.left, ast.List) and len(value.left.elts) == 1 \
        and isinstance(value.left.elts[0], ast.Constant) and value.left.elts[0].value == 0.0 \
        and isinstance(value.right, ast.Call) and isinstance(value.right.func, ast.Name) \
        and value.right.func.id == "len"


def _touched(n: Node) -> set[str]:
    """Names a node binds, and lists it may write into by any index."""
    return assigned((n,)) | {s.target.partition("[")[0] for s in walk((n,)) if isinstance(s, Stmt)}

"""Shared pieces of the reverse sweep: sums of terms, what blocks define and pass out, loop shapes.

Guarantees: these functions only read the trace and generated nodes; they change nothing.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import NamedTuple

from .. import pyast
from ..integers import as_float, float_of
from ..partials import Term
from ..program import Node, Restore, Stmt
from ..trace import (
    Affine,
    Append,
    Block,
    Break,
    Carried,
    Compute,
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
)

MAX_SUM = 64  # terms per statement; longer sums continue with += (Python nests binops)
MAX_OPEN_FACTORS = 4  # a product adjoint read once is substituted up to this size, then stored


class FusedLoop(NamedTuple):
    """A loop whose adjoint code runs inside it, in the forward sweep."""

    setup: list  # made before the loop: list adjoints it adds to, sums of its terms
    body: list  # each iteration's adjoint code, after the iteration's own
    counter: str  # the loop's index, which the adjoint code may read
    note: str  # the comment above the adjoint code


def _operands(op: Op) -> list[object]:
    e = op.expr
    if isinstance(e, Affine):
        return [v for _, v in e.terms]
    if isinstance(e, Product):
        return [v for v, _ in e.factors]
    return list(e.args)  # type: ignore[union-attr]


def _value(parts: list[Term], ints: frozenset | None = None) -> ast.expr:
    """The sum of parts; given the names that may hold integers, a float even where every part is one."""
    value = pyast.signed_sum([(t.coef, list(t.num), list(t.den)) for t in parts])
    return value if ints is None else as_float(value, [(t.coef, t.num, t.den) for t in parts], ints)


def _lines(parts: list[Term]) -> tuple[int, ...]:
    return tuple(sorted(frozenset().union(*(t.lines for t in parts))))


def defined(block: Block, memo: dict | None = None) -> set:
    """Variables and lists a block (with its nested blocks) defines.

    `memo` (by id of a branch or loop, for as long as the trace lives) keeps an elif chain linear.
    """
    out: set = set()
    for item in block:
        if isinstance(item, (If, Loop)):
            out |= _defined_in(item, memo)
        elif isinstance(item, (Op, NewList)) or isinstance(item, Pop) and item.out is not None:
            out.add(item.out)
    return out


def _defined_in(item: If | Loop, memo: dict | None) -> set:
    """What a branch or loop defines (its merges or carried variables, and everything inside)."""
    held = memo.get(id(item)) if memo is not None else None
    if held is not None and held[0] is item:  # the item is held: ids stay unique
        return held[1]
    if isinstance(item, If):
        inner = {m.out for m in item.merges} | defined(item.body, memo) | defined(item.orelse, memo)
    else:
        inner = {c.param for c in item.carried} | {c.out for c in item.carried}
        inner.update(v for v in (item.counter, item.trips) if v is not None)
        inner |= defined(item.body, memo)
    if memo is not None:
        memo[id(item)] = (item, inner)
    return inner


def _given(item: object) -> tuple:
    """The operands an item passes contributions to (before asking which are active)."""
    if isinstance(item, Op):
        return () if isinstance(item.expr, (Compute, Load, Sum)) else item.inputs
    if isinstance(item, (Store, Append)):
        return (item.value,)
    if isinstance(item, NewList):
        return item.elements
    if isinstance(item, If):
        return tuple(v for m in item.merges for v in (m.then, m.orelse))
    if isinstance(item, Loop):
        return tuple(c.init for c in item.carried)
    if isinstance(item, (Next, Break)):
        return item.values
    if isinstance(item, Return):
        return item.values
    return ()



def _passes_through(item: Loop, carried: list[Carried], act: set) -> bool:
    """Does each carried variable only add to itself (s = s + ...), so its adjoint is the same every iteration?"""
    readers: dict = {}
    for op in item.body:
        if isinstance(op, Op) and op.out in act and not isinstance(op.expr, (Compute, Load, Sum)):
            for v in op.inputs:
                readers.setdefault(v, []).append(op)
    nexts = [i for i in item.body if isinstance(i, Next)]
    if len(nexts) != 1:
        return False
    for c in carried:
        nxt = nexts[0].values[item.carried.index(c)]
        ops = readers.get(c.param, [])
        if len(ops) != 1 or ops[0].out != nxt or not isinstance(ops[0].expr, Affine):
            return False
        if [k for k, v in ops[0].expr.terms if v == c.param] != [1] or readers.get(nxt):
            return False
        if list(nexts[0].values).count(nxt) != 1:
            return False
    return True


def _first_assigns(body: list[Node], names: set[str], inits: list[Stmt], ints: frozenset) -> list[Node]:
    """The branch with each accumulator's first `+=` an `=`, or `= 0.0` first where there is none."""
    out = list(body)
    start = 1 if out and isinstance(out[0], Restore) else 0
    for init in inits:
        name = init.target
        for k in range(start, len(out)):
            n = out[k]
            if isinstance(n, Stmt) and n.target == name and n.augmented and name not in pyast.names_read(n.value):
                out[k] = replace(n, value=float_of(n.value, ints), augmented=False)  # no longer added to 0.0
                break
            if not isinstance(n, Stmt) or name in n.reads or name in n.defines:
                out.insert(start, init)
                break
        else:  # no contribution in this branch
            out.append(init)
    return out


def _is_name(parts: list[Term], name: str) -> bool:
    return len(parts) == 1 and parts[0].coef == 1 and not parts[0].den and len(parts[0].num) == 1 \
        and isinstance(parts[0].num[0], ast.Name) and parts[0].num[0].id == name


# --- forward expressions -------------------------------------------------------

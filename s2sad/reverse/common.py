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
    Call,
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
    absent,
    walk,
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



def summed_exponentials(item: Loop, carried: list[Carried]) -> list[tuple[Op, int, Carried, float]]:
    """Where the loop adds `t = exp(u)` to a carried sum `s` that starts at 0: (u's op, the index of an
    operand m of u defined before the loop, s, m's coefficient a in u) per such m.

    s's adjoint is then the same in every iteration (s only adds to itself), t's adjoint is s_bar and
    u's is s_bar * t, so m receives a * s_bar * t from each iteration: a * s_bar * s in all (s is the
    sum of the t). The reverse sweep writes that one term instead of a term per iteration; for the
    shifted log-sum-exp of a softmax, `s += exp(v - m)`, the reverse loop no longer adds into m_bar.
    (Where the sum overflows to inf from finite terms while s_bar is 0, `min(s, 10.0)`, the term is
    nan, where the terms gave 0: as the terms do where one of them overflows.)
    """
    body = item.body
    if any(isinstance(i, (If, Loop, Break, Return)) for i in body):
        return []  # every iteration runs the whole body: each t computed is added to s
    nexts = [i for i in body if isinstance(i, Next)]
    if len(nexts) != 1:
        return []
    givers: dict = {}  # variable -> the items passing it contributions
    made: dict = {}  # variable -> the op making it
    for i in body:
        for v in _given(i):
            givers.setdefault(v, []).append(i)
        if isinstance(i, Op):
            made[i.out] = i

    def only(v: object, giver: object) -> bool:
        return len(givers.get(v, [])) == 1 and givers[v][0] is giver

    found = []
    for c in carried:
        if isinstance(c.init, bool) or not isinstance(c.init, (int, float)) or c.init != 0:
            continue
        nxt = nexts[0].values[item.carried.index(c)]
        add = made.get(nxt)
        if add is None or not isinstance(add.expr, Affine) or not absent(add.expr.const) \
                or list(nexts[0].values).count(nxt) != 1:
            continue
        terms = add.expr.terms
        if len(terms) != 2 or sorted(k for k, _ in terms) != [1, 1] or c.param not in (terms[0][1], terms[1][1]):
            continue
        t = terms[1][1] if terms[0][1] == c.param else terms[0][1]
        exp = made.get(t)
        if t == c.param or exp is None or not only(c.param, add) or not only(t, add) or not only(nxt, nexts[0]):
            continue
        if not isinstance(exp.expr, Call) or exp.expr.fn != "exp" or exp.expr.scale != 1:
            continue
        u = exp.expr.args[0]
        shift = made.get(u)
        if shift is None or not only(u, exp) or not isinstance(shift.expr, Affine):
            continue
        operands = [v for _, v in shift.expr.terms]
        inside = defined(body) | {d.param for d in item.carried}
        for k, (a, m) in enumerate(shift.expr.terms):
            if m not in inside and operands.count(m) == 1 and m != item.counter:
                found.append((shift, k, c, a))
    return found


def still_given(block: Block, v: object, summed: set) -> bool:
    """Does an item of the block pass v a contribution other than those summed after a loop?"""
    for item in walk(block):
        if v in _given(item):
            if not isinstance(item, Op) or any(a == v and (id(item), k) not in summed
                                               for k, a in enumerate(_operands(item))):
                return True
    return False


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

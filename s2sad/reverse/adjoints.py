"""Adjoint bookkeeping: contributions pending per variable, settled into one statement (equation 1).

Guarantees: within straight-line code each adjoint is written once, when all its children have
contributed; a variable that receives contributions inside a block accumulates there (`+=`).
"""

from __future__ import annotations

import ast
from typing import Callable

from .. import pyast
from ..forward import operand
from ..partials import Term
from ..program import Node, Restore, Stmt, assigned
from ..trace import (
    Block,
    If,
    Loop,
    NewList,
    Op,
    Pop,
    Var,
)
from .arrays import merged_scatters
from .common import (
    MAX_OPEN_FACTORS,
    MAX_SUM,
    _defined_in,
    _given,
    _is_name,
    _lines,
    _value,
    defined,
)


class Adjoints:
    """Pending contributions, settling, and accumulators across blocks (a mixin of `_ReverseSweep`)."""

    # --- adjoint bookkeeping ----------------------------------------------------------

    def contribute(self, v: object, term: Term, line: int) -> None:
        if not isinstance(v, Var) or v not in self.act or term.coef == 0:
            return
        term = Term(term.coef, term.num, term.den, term.lines | {line})
        if v in self.accum:
            target, reads = self.accum[v]
            self.out.append(Stmt(target, _value([term]), _lines([term]), augmented=True, target_reads=reads))
        else:
            self.pending.setdefault(v, []).append(term)

    def settle(self, v: Var, uses: int) -> Term:
        """v's adjoint, once every child has contributed: stored, or kept open if free.

        Kept open (substituted into its `uses` readers, so constants and signs
        fold into theirs): a constant; a name, or a scaled name read once; a
        product of up to MAX_OPEN_FACTORS factors read once. Anything else
        would cost a statement for nothing, or be computed twice.
        """
        parts = self.pending.pop(v, [])
        if not parts:
            return Term(0)
        if len(parts) == 1:
            t = parts[0]
            if t.factors == 0:
                return t
            if t.factors == 1 and not t.den and isinstance(t.num[0], ast.Name) and t.coef in (1, -1):
                return t
            if uses <= 1 and t.factors <= MAX_OPEN_FACTORS:
                return t
        return Term(1, (pyast.name(self.write(v, parts)),))

    def settle_parameter(self, p: Var) -> ast.expr:
        parts = self.pending.pop(p, [])
        if not parts:
            return pyast.number(0.0)
        if _is_name(parts, self.names.adjoint(p)):  # accumulated under its own name already
            return parts[0].num[0]
        return pyast.name(self.write(p, parts))

    def write(self, v: Var, parts: list[Term], out: list[Node] | None = None) -> str:
        """`v_bar = sum of parts`, one statement per MAX_SUM terms; kept as written (not inlined)."""
        target = self.names.adjoint(v)
        out = self.out if out is None else out
        if v.kind == "array":
            parts = merged_scatters(parts, self.names)
        for start in range(0, len(parts), MAX_SUM):
            chunk = parts[start : start + MAX_SUM]
            value = _common_factor(chunk) if v.kind == "array" else None
            value = _value(chunk, self.ints) if value is None else value
            out.append(Stmt(target, value, _lines(chunk), augmented=start > 0))
        return target

    def stored(self, v: Var) -> str:
        """v's adjoint as a name (or a constant's text), written now."""
        t = self.settle(v, 2)
        if t.factors == 1 and t.coef == 1 and not t.den and isinstance(t.num[0], ast.Name):
            return t.num[0].id
        return self.write(v, [t])


    def receivers(self, block: Block, own: tuple = ()) -> list[Var]:
        """Active variables defined outside `block` (and not in `own`) that receive contributions inside it."""
        return sorted(self.given(block) - set(own), key=lambda v: v.id)

    def given(self, block: Block) -> set:
        """Active variables defined outside the block that its items (nested ones too) contribute to.

        What a branch or loop passes out is remembered per item, and each level tests its candidates
        against the (remembered) definitions of its own items: an elif chain costs linear time.
        """
        found: set = set()
        nested = []
        for item in block:
            if isinstance(item, Op) and item.out not in self.act:
                continue
            found.update(v for v in _given(item) if isinstance(v, Var) and v in self.act)
            if isinstance(item, (If, Loop)):
                nested.append(item)
                held = self.given_memo.get(id(item))
                inner = held[1] if held is not None and held[0] is item else None
                if inner is None:
                    inner = self.given(item.body + item.orelse if isinstance(item, If) else item.body)
                    self.given_memo[id(item)] = (item, inner)
                found |= inner
        if not found:
            return found
        own = {i.out for i in block if isinstance(i, (Op, NewList, Pop))}
        inside = [_defined_in(n, self.defined_memo) for n in nested]
        return {v for v in found if v not in own and not any(v in d for d in inside)}

    def enter(self, receivers: list[Var], repeated: bool = False) -> list[Var]:
        """Make each receiver an accumulator: its adjoint so far is stored under its name.

        An item loaded from a list that nothing changes accumulates straight into
        the list's adjoint (`x_bar[i] += ...`), which is where its adjoint goes anyway,
        except in a loop (`repeated`), where a local name adds faster than a list item.
        """
        entered = []
        for v in receivers:
            if v in self.accum:
                continue
            parts = self.pending.pop(v, [])
            load = self.loads.get(v)
            if load is not None and not repeated and load.expr.lst in self.act:  # type: ignore[union-attr]
                lst_bar = self.names.adjoint(load.expr.lst)  # type: ignore[union-attr]
                index = operand(load.expr.index, self.names)  # type: ignore[union-attr]
                target = (f"{lst_bar}[{pyast.to_source(index)}]", (lst_bar, *pyast.names_read(index)))
                if parts:
                    self.out.append(Stmt(target[0], _value(parts), _lines(parts), augmented=True,
                                         target_reads=target[1]))
                self.accum[v] = target
                entered.append(v)
                continue
            name = self.names.adjoint(v)
            if not parts:
                self.out.append(Stmt(name, pyast.number(0.0), (self.def_line.get(v, self.trace.line),)))
                self.fresh.add(v)
            elif not _is_name(parts, name):
                self.write(v, parts)
            self.accum[v] = (name, ())
            entered.append(v)
        return entered

    def leave(self, entered: list[Var]) -> None:
        for v in entered:
            name, reads = self.accum.pop(v)
            self.fresh.discard(v)
            if not reads:  # a list item's adjoint is in the list already
                self.pending[v] = [Term(1, (pyast.name(name),))]

    def nested(self, run: Callable[[], None], key: tuple) -> list[Node]:
        """The reverse of a nested block, into a list of its own (starting with its tape pop)."""
        saved = self.out
        self.out = [Restore(key, self.names.tapes[id(self.loops[-1])])] if self.loops else []
        self.depth += 1
        try:
            run()
            return self.out
        finally:
            self.out = saved
            self.depth -= 1

    def flush(self, nodes: list[Node], inner: Block) -> None:
        """Store pending adjoints that read a name the nested reverse code is about to change."""
        if not self.pending:  # nothing to store (and an elif chain is not walked again at each level)
            return
        changed = assigned(nodes) | {self.names.primal[v] for v in defined(inner, self.defined_memo)}
        for v, parts in list(self.pending.items()):
            read = {n for t in parts for e in (*t.num, *t.den) for n in pyast.names_read(e)}
            if read & changed:
                self.pending[v] = [Term(1, (pyast.name(self.write(v, parts)),))]


def _common_factor(parts: list[Term]) -> ast.expr | None:
    """`c * (a + b)` for array terms `c*a + c*b`: one pass over the arrays fewer, one temporary."""
    c = parts[0].coef
    if len(parts) < 2 or c in (1, -1) or any(abs(t.coef) != abs(c) or not t.factors for t in parts):
        return None
    inner = _value([Term(t.coef / c, t.num, t.den) for t in parts])
    return pyast.product(c, [inner])

"""The reverse of single items: ops (scalar and array) and the list items.

Guarantees: each active operand of an op receives its partial times the op's adjoint; a list item's
adjoint goes to its slot of the list's adjoint.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from .. import pyast
from ..forward import operand
from ..partials import Term, partial
from ..program import Block as CodeBlock
from ..program import Stmt
from ..trace import (
    Append,
    ArrayOp,
    Compute,
    Load,
    NewList,
    Op,
    Pop,
    Store,
    Sum,
    Var,
)
from .arrays import contributions as array_contribution
from .arrays import has_shape_of, shaped_adjoint
from .common import _lines, _operands, _value


class Items:
    """Ops and list items, backwards (a mixin of `_ReverseSweep`)."""

    # --- items ---------------------------------------------------------------------------

    def _just_shaped(self, op: Op, bar: Term) -> bool:
        """Whether the adjoint `bar` names was just written, summed to op's result's shape already."""
        last = self.out[-1] if self.out else None
        return (bar.coef == 1 and len(bar.num) == 1 and not bar.den and isinstance(bar.num[0], ast.Name)
                and isinstance(last, Stmt) and last.target == bar.num[0].id and not last.augmented
                and op.out.kind == "array" and has_shape_of(last.value, op, self.names))

    def op(self, op: Op) -> None:
        if op.out not in self.act:
            return
        e = op.expr
        names = self.names
        if isinstance(e, Compute):
            return
        if isinstance(e, ArrayOp):
            act = [(i, a) for i, a in enumerate(e.args) if isinstance(a, Var) and a in self.act]
            bar = self.settle(op.out, len(act))
            if bar.coef == 0:
                return
            if self._just_shaped(op, bar):  # its operands' adjoints need not shape it again
                names.shaped.add(bar.num[0].id)  # type: ignore[attr-defined]
            shaped = shaped_adjoint(op, _value([bar]), names) if len(act) > 1 else None
            if shaped is not None:  # given its shape once, for all the operands' adjoints
                target = names.fresh(names.adjoint(op.out) + "_shaped")
                names.shaped.add(target)
                self.out.append(Stmt(target, shaped, _lines([replace(bar, lines=bar.lines | {op.line})])))
                bar = Term(1, (pyast.name(target),))
            for i, arg in act:
                term = array_contribution(op, i, bar, names, self.shapes)
                if term is not None:
                    self.contribute(arg, term, op.line)
            return
        if isinstance(e, Load):
            bar = self.settle(op.out, 1)
            if bar.coef != 0 and e.lst in self.act:
                lst_bar, index = names.adjoint(e.lst), operand(e.index, names)
                lines = _lines([replace(bar, lines=bar.lines | {op.line})])
                self.out.append(Stmt(f"{lst_bar}[{pyast.to_source(index)}]", _value([bar]), lines, augmented=True,
                                     target_reads=(lst_bar, *pyast.names_read(index))))
            return
        if isinstance(e, Sum):
            bar = self.settle(op.out, 2)
            if bar.coef == 0:
                return
            value = _value([bar])
            if not isinstance(value, (ast.Name, ast.Constant)):
                value = pyast.name(self.write(op.out, [bar]))
            lst_bar = names.adjoint(e.lst)
            k = names.fresh("k")
            body = Stmt(f"{lst_bar}[{k}]", value, (op.line,), augmented=True, target_reads=(lst_bar, k))
            self.out.append(CodeBlock("for", pyast.call("range", [pyast.call("len", [pyast.name(lst_bar)])]), (body,),
                                      (), (op.line,), k, elementwise=True))
            return
        operands = _operands(op)
        act = [(i, a) for i, a in enumerate(operands) if isinstance(a, Var) and a in self.act
               and (id(op), i) not in self.summed]
        out_bar = self.settle(op.out, len(act))
        for i, arg in act:
            d = partial(op, i, names)
            if d is not None:  # None: the row says this partial is zero
                self.contribute(arg, out_bar * d, op.line)

    def new_list(self, item: NewList) -> None:
        if item.out not in self.act:
            return
        lst_bar = pyast.name(self.names.adjoint(item.out))
        for k, e in enumerate(item.elements):
            if item.repeat is not None:
                self.contribute(e, Term(1, (pyast.call("sum", [lst_bar]),)), item.line)
            else:
                self.contribute(e, Term(1, (pyast.subscript(lst_bar, pyast.number(k)),)), item.line)

    def store(self, item: Store) -> None:
        if item.lst not in self.act:
            return
        names = self.names
        lst_bar, index = names.adjoint(item.lst), operand(item.index, names)
        slot = pyast.subscript(pyast.name(lst_bar), index)
        reads = (lst_bar, *pyast.names_read(index))
        v = item.value
        if isinstance(v, Var) and v in self.act:  # the item's adjoint moves to the value, which it overwrote
            if v in self.accum:
                target, reads = self.accum[v]
                self.out.append(Stmt(target, slot, (item.line,), augmented=True, target_reads=reads))
            else:
                part = names.fresh(names.adjoint(v) + "_part")
                self.out.append(Stmt(part, slot, (item.line,)))
                self.contribute(v, Term(1, (pyast.name(part),)), item.line)
        self.out.append(Stmt(f"{lst_bar}[{pyast.to_source(index)}]", pyast.number(0.0), (item.line,),
                             target_reads=reads))

    def pop(self, item: Pop) -> None:
        """v = xs.pop() is undone by putting v's adjoint back: xs_bar.append(v_bar)."""
        if item.lst not in self.act:
            return
        bar = self.settle(item.out, 1) if item.out is not None and item.out in self.act else Term(0)
        value = _value([bar], self.ints) if bar.coef != 0 else pyast.number(0.0)
        self.out.append(Stmt("", pyast.method(self.names.adjoint(item.lst), "append", [value]), (item.line,)))

    def append(self, item: Append) -> None:
        if item.lst not in self.act:
            return
        names = self.names
        popped = pyast.method(names.adjoint(item.lst), "pop", [])
        v = item.value
        if isinstance(v, Var) and v in self.act:
            part = names.fresh(names.adjoint(v) + "_part")
            self.out.append(Stmt(part, popped, (item.line,)))
            self.contribute(v, Term(1, (pyast.name(part),)), item.line)
        else:
            self.out.append(Stmt("", popped, (item.line,)))

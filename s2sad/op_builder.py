"""Pending values made ops: the op builder under `algebra.Builder` (used by `lower`).

Guarantees: `materialize` turns a pending value (`pending.Lin`, `pending.Mono`)
into an operand: a constant, a variable, or the variable of one new op of
the lecture's three kinds, appended to the current block; an affine op is at
most MAX_TERMS wide (wider sums are chained, the first terms first). `emit`
reuses an existing op for an equal expression of the same kind (common
subexpressions, scoped to the blocks that dominate the current one; nothing
read from a list the function changes), and `affine` an existing affine op
that is the leading part of a wider one.

Before: `materialize(Lin(1, ((a, 1), (b, 1), (c, 1))))` where `z4 = a + b` exists.
After: the op `z9 = z4 + c + 1`.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from typing import Iterator

from .pending import Lin, Mono, Value, is_const, kind_of_op, number_key, operand_key, simplified
from .trace import Affine, ArrayOp, Call, Compute, Expr, Item, Load, Op, Operand, Product, Sum, Var, absent

MAX_TERMS = 64  # widest affine op; wider sums are chained (Python's compiler nests binops)
_REUSE_SEARCH = 8  # look for reusable affine sub-sums in forms up to this many terms


class OpBuilder:
    """Emits ops into the current block, with CSE scoped to the blocks that dominate it."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.cse: dict[tuple, Var] = {}
        self.affine_index: dict[frozenset, Var] = {}
        self.ids = itertools.count()
        self.line = 0
        self.mutated: set[str] = set()  # names of lists the function changes anywhere: nothing read from them is reused

    @contextmanager
    def block(self) -> Iterator[list[Item]]:
        """A nested block: ops go to a new list; values computed in it are not reused after it."""
        items, cse, index = self.items, self.cse, self.affine_index
        self.items, self.cse, self.affine_index = [], dict(cse), dict(index)
        try:
            yield self.items
        finally:
            self.items, self.cse, self.affine_index = items, cse, index

    def var(self, hint: str | None, kind: str = "float") -> Var:
        return Var(next(self.ids), hint, kind)

    def materialize(self, v: Value, hint: str | None = None) -> Operand:
        """An operand for `v`: a constant, a variable, or the result of a new op."""
        v = simplified(v)
        if is_const(v) or isinstance(v, Var):
            return v  # type: ignore[return-value]
        if isinstance(v, Lin):
            return self.affine(v, hint)
        assert isinstance(v, Mono)
        if len(v.factors) == 1 and v.factors[0][1] == 1:
            return self.affine(Lin(0, ((v.factors[0][0], v.coef),)), hint)
        return self.emit(Product(v.coef, v.factors), hint)  # at most two factors, in Python's order

    def affine(self, lin: Lin, hint: str | None) -> Var:
        terms = list(lin.terms)
        if len(terms) > MAX_TERMS:
            head = self.affine(Lin(0, tuple(terms[:MAX_TERMS])), None)  # the first terms first, the constant last
            return self.affine(Lin(lin.const, ((head, 1), *terms[MAX_TERMS:])), hint)
        if 3 <= len(terms) <= _REUSE_SEARCH:
            terms = self.reuse_subsums(terms)
        return self.emit(Affine(lin.const, tuple((c, v) for v, c in terms)), hint)

    def reuse_subsums(self, terms: list[tuple[Var, float]]) -> list[tuple[Var, float]]:
        """Replace the widest leading sub-sum that an existing affine op computes by that op.

        Only a leading one: Python adds left to right, so `a + b + c` contains `a + b` and not `b + c`.
        """
        for size in range(len(terms) - 1, 1, -1):
            found = self.affine_index.get(tuple(terms[:size]))
            if found is not None and found.kind == kind_of_op(Affine(0, tuple((c, v) for v, c in terms[:size]))):
                return [(found, 1), *terms[size:]]
        return terms

    def emit(self, expr: Expr, hint: str | None = None, kind: str | None = None) -> Var:
        if isinstance(expr, Affine):
            terms = [(v.id, number_key(c)) for c, v in expr.terms]  # in order: addition is not associative
            const = None if absent(expr.const) else number_key(expr.const)  # -x is not -x + 0.0
            key: tuple = ("affine", const, tuple(sorted(terms) if len(terms) == 2 else terms))
        elif isinstance(expr, Product):
            factors = [(v.id, number_key(p)) for v, p in expr.factors]
            if expr.coef in (1, -1) and all(p > 0 for _, p in expr.factors):  # x*y is y*x
                factors.sort()
            key = ("product", number_key(expr.coef), tuple(factors), number_key(expr.div))
        elif isinstance(expr, Call):
            key = ("call", expr.fn, number_key(expr.scale), tuple(operand_key(a) for a in expr.args))
        elif isinstance(expr, Compute):
            key = ("compute", expr.template, tuple(("l", a.id) if not isinstance(a, (Var, int, float)) else operand_key(a)
                                                   for a in expr.args))
        elif isinstance(expr, ArrayOp):
            key = ("array", expr.fn, tuple(operand_key(a) for a in expr.args), repr(expr.options))
        elif isinstance(expr, Load):
            key = ("load", expr.lst.id, operand_key(expr.index))
        else:
            key = ("sum", expr.lst.id)
        if isinstance(expr, (Load, Sum)):
            reusable = expr.lst.hint not in self.mutated
        elif isinstance(expr, Compute):
            reusable = not any(getattr(a, "hint", None) in self.mutated for a in expr.args if not isinstance(a, Var))
        else:
            reusable = True
        kind = kind or kind_of_op(expr)
        key = (kind, key)  # len(xs) - 1 is an int, len(xs) - 1.0 a float: equal values, not the same value
        found = self.cse.get(key) if reusable else None
        if found is not None:
            return found
        out = Var(next(self.ids), hint, kind)
        self.items.append(Op(out, expr, self.line))
        if reusable:
            self.cse[key] = out
        if isinstance(expr, Affine) and absent(expr.const) and len(expr.terms) >= 2:
            terms = tuple((v, c) for c, v in expr.terms)
            self.affine_index.setdefault(terms, out)
            if len(terms) == 2:
                self.affine_index.setdefault(terms[::-1], out)
        return out

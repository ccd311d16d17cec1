"""Forward mode: `Trace` -> statements computing the value and its tangent (a JVP).

Guarantees: beside each op of the forward sweep that depends on a
differentiated parameter and reaches the result (the same activity analysis
as reverse mode), one statement computes its tangent,

    z_dot = sum over operands v of z:  dz/dv * v_dot

with each partial taken from the same rules table and `partials.partial` as
the reverse sweep; nothing is recorded (no tape: a loop carries each tangent
forward with its value, a branch merges tangents as it merges values); a list
that carries tangents has a tangent list beside it (`xs_dot`), stored into,
appended to and popped in step with it. The value is `f`'s, bit for bit: the
primal statements are the forward sweep's, in the same order.

Before (trace):  z1 = w1/w2 ; z2 = sin(2*pi*z1)
After:           z1 = w1 / w2 ; z1_dot = w1_dot / w2 - z1 * w2_dot / w2
                 z2 = sin(6.28... * z1) ; z2_dot = 6.28... * cos(6.28... * z1) * z1_dot
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .. import pyast
from ..activity import active
from ..forward import Forward, operand
from ..naming import Names
from ..partials import Term, partial
from ..program import Node, Stmt, parallel_copies
from .arrays import array_tangent
from ..trace import (
    Affine,
    Append,
    ArrayOp,
    Break,
    Call,
    If,
    ListVar,
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
    loop_exits,
)


@dataclass(frozen=True)
class Tangent:
    """Everything the emitted `f_jvp` holds: the sweep, the value and its tangent."""

    trace: Trace
    wrt: tuple
    names: Names
    body: tuple[Node, ...]
    value: ast.expr
    value_dot: ast.expr
    dots: tuple[str, ...]  # the tangent parameters, one per differentiated parameter
    primal: tuple[Node, ...]  # the function alone (the forward sweep without tangents): the certificate's base
    tangents: frozenset[str] = frozenset()  # the names of tangents (what the forward sweep adds)


def linearize(trace: Trace, wrt: tuple, guard_zeros: bool = True) -> Tangent:
    """The forward-mode derivative of `trace` along tangents of the parameters `wrt`.

    `guard_zeros=False` leaves out the guards that give 0 for an exact zero tangent times an infinite
    partial: code that is differentiated again (reverse over forward) must not depend on a tangent's value
    (a tangent zero at one point only still has a derivative there)."""
    names = Names(trace)
    sweep = _TangentSweep(trace, names, active(trace, wrt))
    sweep.guard_zeros = guard_zeros
    dots = tuple(sweep.dot(p) for p in wrt)
    body = sweep.sweep()
    primal = Forward(trace, Names(trace))
    primal.recording = False
    tangents = frozenset(sweep._dots.values()) | {n for n in [sweep.value_dot_name] if n}
    return Tangent(trace, wrt, names, body, sweep.value(), sweep.value_dot(), dots, primal.sweep(), tangents)


class _TangentSweep(Forward):
    """The forward sweep, each active op followed by its tangent statement."""

    def __init__(self, trace: Trace, names: Names, act: set):
        super().__init__(trace, names)
        self.recording = False
        self.act = act
        self._dots: dict[str, str] = {}  # primal name -> tangent name (names shared by SSA values share it)
        self.value_dot_name = names.fresh("value_dot") if self.value_name is not None else None
        self.maybe_zero = _maybe_zero(trace, act)
        self.guard_zeros = True
        # a tangent that is a constant times another's (`b = 1 - x`: b_dot = -x_dot) is not stored but
        # substituted where it is read, as reverse mode substitutes such adjoints: signs and constants fold
        self.scaled: dict[Var, Term] = {}
        self.once = _read_once_beside(trace)

    def dot(self, v: Var | ListVar) -> str:
        primal = self.names.primal[v]
        if primal not in self._dots:
            self._dots[primal] = self.names.fresh(primal + "_dot")
        return self._dots[primal]

    def dot_term(self, v: Var) -> Term:
        """An active variable's tangent as a term: its name, or the constant times a name it stands for."""
        return self.scaled.get(v) or Term(1, (pyast.name(self.dot(v)),))

    def dot_of(self, a: object) -> ast.expr:
        """The tangent of an operand: its tangent's name, or zero for a constant or an inactive value
        (an array's zeros, of its shape, so that products and reshapes of it work as of any tangent)."""
        if isinstance(a, Var) and a in self.scaled:
            t = self.scaled[a]
            return pyast.product(t.coef, t.num, t.den)
        if isinstance(a, (Var, ListVar)) and a in self.act:
            return pyast.name(self.dot(a))
        if isinstance(a, Var) and a.kind == "array":
            self.names.helpers.add("_zeros_like_float")
            return pyast.call("_zeros_like_float", [pyast.name(self.names.primal[a])])
        return pyast.number(0.0)

    def copies(self, pairs: list[tuple[Var, object]], lines: tuple[int, ...]) -> list[Node]:
        names = self.names
        both = [(names.primal[v], operand(a, names)) for v, a in pairs]
        both += [(self.dot(v), self.dot_of(a)) for v, a in pairs if v in self.act]
        return parallel_copies(both, lines, names.fresh)  # type: ignore[return-value]

    def value_dot(self) -> ast.expr:
        if self.value_dot_name is not None:
            return pyast.name(self.value_dot_name)
        return self.returned_dot(self.trace.body[-1])  # type: ignore[arg-type]

    def returned_dot(self, item: Return) -> ast.expr:
        if item.form == "scalar":
            return self.dot_of(item.value)
        dots = [self._list_dot(v) if isinstance(v, ListVar) else self.dot_of(v) for v in item.outputs]
        return dots[0] if item.form in ("list", "array") else ast.Tuple(dots, pyast.LOAD)

    def _list_dot(self, lst: ListVar) -> ast.expr:
        if lst in self.act:
            return pyast.name(self.dot(lst))
        length = pyast.call("len", [pyast.name(self.names.primal[lst])])  # a list no tangent reaches: zeros
        return pyast.binop(ast.List([pyast.number(0.0)], pyast.LOAD), pyast.MULT, length)

    def block(self, items) -> list[Node]:
        out: list[Node] = []
        for item in items:
            if isinstance(item, Op) and isinstance(item.expr, ArrayOp) and item.expr.fn == "scalar":
                # an array program's result: f_jvp returns it and its tangent whatever their shape
                (v,) = item.expr.args
                out.append(Stmt(self.names.primal[item.out], operand(v, self.names), (item.line,)))
                if item.out in self.act:
                    out.append(Stmt(self.dot(item.out), self.dot_of(v), (item.line,)))
                continue
            out += super().block([item])
            out += self.tangent(item)
        return out

    def tangent(self, item: object) -> list[Node]:
        """The tangent statements of one item (after its primal statement)."""
        act, names = self.act, self.names
        if isinstance(item, Op):
            if item.out not in act:
                return []
            terms = self.tangent_terms(item) if isinstance(item.expr, (Affine, Product, Call)) else None
            if terms is not None and len(terms) == 1 and item.out in self.once and item.out not in self.maybe_zero:
                self.scaled[item.out] = terms[0]  # a product read once, by the next ops: it multiplies in there
                return []
            value = self.tangent_expr(item) if terms is None else _sum(terms)
            scaled = self._scaled_name(item, value)
            if scaled is not None:
                self.scaled[item.out] = scaled
                return []
            return [Stmt(self.dot(item.out), value, (item.line,), temporary=item.out.hint is None)]
        if isinstance(item, NewList) and item.out in act:
            value: ast.expr = ast.List([self.dot_of(e) for e in item.elements], pyast.LOAD)
            if item.repeat is not None:
                value = pyast.binop(value, pyast.MULT, operand(item.repeat, names))
            return [Stmt(self.dot(item.out), value, (item.line,))]
        if isinstance(item, Store) and item.lst in act:
            lst, index = self.dot(item.lst), operand(item.index, names)
            return [Stmt(f"{lst}[{pyast.to_source(index)}]", self.dot_of(item.value), (item.line,),
                         target_reads=(lst, *pyast.names_read(index)))]
        if isinstance(item, Append) and item.lst in act:
            return [Stmt("", pyast.method(self.dot(item.lst), "append", [self.dot_of(item.value)]), (item.line,))]
        if isinstance(item, Pop) and item.lst in act:
            target = self.dot(item.out) if item.out is not None and item.out in act else ""
            return [Stmt(target, pyast.method(self.dot(item.lst), "pop", []), (item.line,))]
        if isinstance(item, Return) and self.value_dot_name is not None:
            return [Stmt(self.value_dot_name, self.returned_dot(item), (item.line,))]
        return []

    def _scaled_name(self, op: Op, value: ast.expr) -> Term | None:
        """The tangent as constant * another tangent's name, for an op of the lecture's kinds (not a load,
        not an array op) whose tangent is never tested for an exact zero (`maybe_zero`)."""
        if isinstance(op.expr, (Load, Sum, ArrayOp)) or op.out in self.maybe_zero:
            return None
        if isinstance(value, ast.Name):
            return Term(1, (value,))
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) and isinstance(value.operand, ast.Name):
            return Term(-1, (value.operand,))
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult) and isinstance(value.right, ast.Name):
            k = pyast.constant_value(value.left)
            if k is not None:
                return Term(k, (value.right,))
        return None

    def tangent_expr(self, op: Op) -> ast.expr:
        """dz = sum of partial * operand tangent, over the active operands."""
        e = op.expr
        if isinstance(e, Load):
            return pyast.subscript(pyast.name(self.dot(e.lst)), operand(e.index, self.names))
        if isinstance(e, Sum):
            return pyast.call("sum", [pyast.name(self.dot(e.lst))])
        if isinstance(e, ArrayOp):
            return array_tangent(self, op)
        return _sum(self.tangent_terms(op))

    def tangent_terms(self, op: Op) -> list[Term]:
        """The terms partial * operand tangent, over the active operands of an op of the lecture's kinds."""
        e = op.expr
        if isinstance(e, Affine):
            operands = [v for _, v in e.terms]
        elif isinstance(e, Product):
            operands = [v for v, _ in e.factors]
        else:
            assert isinstance(e, Call)
            operands = list(e.args)
        terms = []
        for i, v in enumerate(operands):
            if not (isinstance(v, Var) and v in self.act):
                continue
            d = partial(op, i, self.names)
            if d is None or d.coef == 0:
                continue
            t = d * self.dot_term(v)
            if self.guard_zeros and v in self.maybe_zero and (t.den or isinstance(e, Call)):
                # an exact zero tangent (a constant on the path taken) gives 0, even where the partial is infinite
                guarded = ast.IfExp(pyast.name(self.dot(v)), pyast.product(t.coef, t.num, t.den), pyast.number(0.0))
                t = Term(1, (guarded,))
            terms.append(t)
        return terms


def _sum(terms: list[Term]) -> ast.expr:
    return pyast.signed_sum([(t.coef, list(t.num), list(t.den)) for t in terms]) if terms else pyast.number(0.0)


def _read_once_beside(trace: Trace) -> set:
    """Variables read exactly once, by one operand of an op in the block that computes them (not in a
    nested branch or loop, not by a merge, a loop's next values, a list or a return): their tangent,
    a single product, can be written into that op's tangent instead of being stored."""
    reads: dict = {}
    defined: dict = {}

    def read(v: object, where: object) -> None:
        if isinstance(v, Var):
            count, _ = reads.get(v, (0, None))
            reads[v] = (count + 1, where)

    def block(items) -> None:
        here = id(items)
        for item in items:
            if isinstance(item, Op):
                defined[item.out] = here
                e = item.expr
                operands = [v for _, v in e.terms] if isinstance(e, Affine) else \
                    [v for v, _ in e.factors] if isinstance(e, Product) else list(getattr(e, "args", ()))
                if isinstance(e, Load):
                    operands = [e.index]
                for v in operands:
                    read(v, here if isinstance(e, (Affine, Product, Call)) else None)
            elif isinstance(item, If):
                read(item.cond, None)
                for m in item.merges:
                    read(m.then, None)
                    read(m.orelse, None)
                block(item.body)
                block(item.orelse)
            elif isinstance(item, Loop):
                for c in item.carried:
                    read(c.init, None)
                for b in item.bounds:
                    read(b, None)
                block(item.body)
            elif isinstance(item, (Next, Break)):
                for v in item.values:
                    read(v, None)
            elif isinstance(item, (Store, Append)):
                read(item.value, None)
                read(getattr(item, "index", None), None)
            elif isinstance(item, NewList):
                for v in item.elements:
                    read(v, None)
            elif isinstance(item, Return):
                for v in item.values:
                    read(v, None)

    block(trace.body)
    return {v for v, (count, where) in reads.items() if count == 1 and where is not None and where == defined.get(v)}


def _maybe_zero(trace: Trace, act: set) -> set:
    """Active values whose tangent may be an exact 0.0 because they are a constant on some path: a merge
    or a loop's carried value with a constant side, an item loaded from a list built in the function,
    and what is computed from such values alone. A partial that may be infinite there (sqrt at 0) is
    then applied only to a nonzero tangent, as reverse mode applies it only on the path that is active."""
    out: set = set()
    params = set(trace.params)

    def zero(a: object) -> bool:
        return not (isinstance(a, Var) and a in act) or a in out

    def block(items) -> None:
        for item in items:
            if isinstance(item, Op) and item.out in act:
                e = item.expr
                if isinstance(e, Load) and e.lst not in params:
                    out.add(item.out)
                elif not isinstance(e, (Load, Sum)) and all(zero(v) for v in item.inputs if v in act):
                    out.add(item.out)
            elif isinstance(item, Pop) and item.out is not None:
                out.add(item.out)
            elif isinstance(item, If):
                block(item.body)
                block(item.orelse)
                out.update(m.out for m in item.merges if zero(m.then) or zero(m.orelse))
            elif isinstance(item, Loop):
                exits = loop_exits(item.body)
                for _ in range(2):  # a value carried round feeds itself: once more with what the body made
                    for k, c in enumerate(item.carried):
                        if zero(c.init) or any(zero(x.values[k]) for x in exits):
                            out.update((c.param, c.out))
                    block(item.body)

    block(trace.body)
    return out & act

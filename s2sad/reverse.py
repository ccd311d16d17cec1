"""Reverse mode: `Trace` -> forward and reverse statements (the lecture's equation 1).

Guarantees: the reverse statements compute, for every requested parameter,
dz_T/dw by walking the ops backwards and summing over each variable's children

    v_bar = sum over children c of v:  c_bar * dc/dv

with each partial taken from the rules table (affine: the coefficient;
product: the power rule on the other factor, never a division by a factor
that may be zero; call: the row's template). Only *varied* variables (those
depending on a requested parameter) get adjoints, so no dead adjoint code is
produced. Each adjoint is one assignment written once, when all its children
are done; an adjoint that is a constant, a name, or a short product read only
once is not stored but substituted where it is used, so `*1`, `+0` and `--`
never appear.

Before (trace):  z1 = w1/w2 ; z2 = sin(2*pi*z1) ; ... ; z6 = z4*z5
After (reverse): z4_bar = z5 + z4                                          # from lines 13, 14
                 z1_bar = 3 * z4_bar + 6.28... * z4 * cos(6.28... * z1)    # from lines 10, 12, 13, 14
                 w1_bar = z1_bar / w2                                      # from line 9
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable

from . import pyast
from .naming import Names
from .rules import CONSTANTS, RULES
from .trace import Affine, Op, Product, Trace, Var

MAX_SUM = 64  # terms per statement; longer sums continue with += (Python nests binops)
MAX_OPEN_FACTORS = 4  # a product adjoint read once is substituted up to this size, then stored


@dataclass(frozen=True)
class Stmt:
    """`target = value` (or `target += value`), tied to source lines.

    `temporary`: the target is an intermediate of s2sad's own (not a user
    variable, not an adjoint), so emission may inline it where it is read once.
    """

    target: str
    value: ast.expr
    lines: tuple[int, ...]
    augmented: bool = False
    temporary: bool = False

    @cached_property
    def ops(self) -> int:
        return pyast.count_ops(self.value) + self.augmented

    @cached_property
    def reads(self) -> list[str]:
        """Names read, once per occurrence."""
        return pyast.names_read(self.value)


@dataclass(frozen=True)
class Gradient:
    """Everything the emitted module holds: forward sweep, reverse sweep, results."""

    trace: Trace
    wrt: tuple[Var, ...]
    names: Names
    forward: tuple[Stmt, ...]
    reverse: tuple[Stmt, ...]
    value: ast.expr
    grads: tuple[ast.expr, ...]


@dataclass(frozen=True)
class Term:
    """coef * prod(num) / prod(den): a product kept open so constants and signs fold.

    `lines` are the source lines of the ops whose partials it multiplies.
    """

    coef: float
    num: tuple[ast.expr, ...] = ()
    den: tuple[ast.expr, ...] = ()
    lines: frozenset[int] = frozenset()

    def __mul__(self, other: "Term") -> "Term":
        return Term(self.coef * other.coef, self.num + other.num, self.den + other.den, self.lines | other.lines)

    def inverse(self) -> "Term":
        coef = self.coef if self.coef in (1, -1) else 1 / self.coef  # keeps an int 1 an int
        return Term(coef, self.den, self.num, self.lines)

    @property
    def factors(self) -> int:
        return len(self.num) + len(self.den)


def differentiate(trace: Trace, wrt: tuple[Var, ...]) -> Gradient:
    """The gradient of `trace` with respect to the parameters `wrt`."""
    names = Names(trace)
    forward = tuple(
        Stmt(names.primal[op.out], forward_expr(op, names), (op.line,), temporary=op.out.hint is None)
        for op in trace.ops
    )
    varied = _varied(trace, wrt)
    sweep = _ReverseSweep(names)
    if isinstance(trace.result, Var) and trace.result in varied:
        sweep.contribute(trace.result, Term(1), trace.ops[-1].line if trace.ops else trace.line)
    for op in reversed(trace.ops):
        if op.out not in varied:
            continue
        operands = _operands(op)
        active = [(i, a) for i, a in enumerate(operands) if isinstance(a, Var) and a in varied]
        out_bar = sweep.settle(op.out, len(active))
        for i, arg in active:
            d = partial(op, i, names)
            if d is not None:  # None: the row says this partial is zero
                sweep.contribute(arg, out_bar * d, op.line)
    grads = tuple(sweep.settle_parameter(p) for p in wrt)
    value = pyast.name(names.primal[trace.result]) if isinstance(trace.result, Var) else pyast.number(trace.result)
    return Gradient(trace, wrt, names, forward, tuple(sweep.stmts), value, grads)


def _varied(trace: Trace, wrt: tuple[Var, ...]) -> set[Var]:
    """Variables that depend on a requested parameter (activity analysis)."""
    varied = set(wrt)
    for op in trace.ops:
        if any(v in varied for v in op.inputs):
            varied.add(op.out)
    return varied


def _operands(op: Op) -> list[object]:
    e = op.expr
    if isinstance(e, Affine):
        return [v for _, v in e.terms]
    if isinstance(e, Product):
        return [v for v, _ in e.factors]
    return list(e.args)


class _ReverseSweep:
    """Collects each variable's contributions and writes its adjoint once."""

    def __init__(self, names: Names):
        self.names = names
        self.pending: dict[Var, list[Term]] = {}
        self.stmts: list[Stmt] = []

    def contribute(self, v: Var, term: Term, line: int) -> None:
        if term.coef != 0:
            self.pending.setdefault(v, []).append(replace(term, lines=term.lines | {line}))

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
        return pyast.name(self.write(p, parts))

    def write(self, v: Var, parts: list[Term]) -> str:
        """`v_bar = sum of parts`, one statement per MAX_SUM terms; kept as written (not inlined)."""
        target = self.names.adjoint(v)
        for start in range(0, len(parts), MAX_SUM):
            chunk = parts[start : start + MAX_SUM]
            value = pyast.signed_sum([(t.coef, list(t.num), list(t.den)) for t in chunk])
            lines = tuple(sorted(frozenset().union(*(t.lines for t in chunk))))
            self.stmts.append(Stmt(target, value, lines, augmented=start > 0))
        return target


# --- forward expressions -------------------------------------------------------


def _operand(a: object, names: Names) -> ast.expr:
    return pyast.name(names.primal[a]) if isinstance(a, Var) else pyast.number(a)  # type: ignore[index,arg-type]


def _scaled(scale: float, x: ast.expr) -> ast.expr:
    return x if scale == 1 else pyast.product(scale, [x])


def forward_expr(op: Op, names: Names) -> ast.expr:
    """The Python expression computing an op's value."""
    e = op.expr
    if isinstance(e, Affine):
        return pyast.signed_sum([(c, [_operand(v, names)], []) for c, v in e.terms], e.const)
    if isinstance(e, Product):
        num = [pyast.power(_operand(v, names), p) for v, p in e.factors if p > 0]
        den = [pyast.power(_operand(v, names), -p) for v, p in e.factors if p < 0]
        if not num:
            return pyast.product(1, [pyast.number(e.coef)], den)
        return pyast.product(e.coef, num, den)
    args = [_operand(a, names) for a in e.args]
    if e.fn == "pow":
        return pyast.binop(args[0], pyast.POW, args[1])
    if len(args) == 1:
        args = [_scaled(e.scale, args[0])]
    return pyast.call(names.function(e.fn), args)


# --- partial derivatives ---------------------------------------------------------


def partial(op: Op, i: int, names: Names) -> Term | None:
    """d op.out / d (operand i), as a term over primal names (None: zero)."""
    e = op.expr
    z = pyast.name(names.primal[op.out])
    if isinstance(e, Affine):
        return Term(e.terms[i][0])
    if isinstance(e, Product):
        return _product_partial(e, i, z, names)
    rule = RULES[e.fn]
    args = [_operand(a, names) for a in e.args]
    if len(args) == 1:
        if rule.partials[0] is None:
            return None
        subst = {"x": _scaled(e.scale, args[0]), "z": z}
        return Term(e.scale) * _as_term(_instantiate(rule.partials[0], subst, names))
    subst = {"x": args[0], "y": args[1], "z": z}
    template = rule.partials[i]
    return None if template is None else _as_term(_instantiate(template, subst, names))


def _product_partial(e: Product, i: int, z: ast.expr, names: Names) -> Term:
    v, p = e.factors[i]
    x = pyast.name(names.primal[v])
    if p < 0:  # x != 0 wherever z is defined, so z/x is safe and cheapest
        return Term(p, (z,), (x,))
    term = Term(e.coef * p)
    if p != 1:
        term = term * (Term(1, (pyast.power(x, p - 1),)) if p > 1 else Term(1, (), (pyast.power(x, 1 - p),)))
    for j, (w, q) in enumerate(e.factors):
        if j != i:
            other = pyast.name(names.primal[w])
            term = term * (Term(1, (pyast.power(other, q),)) if q > 0 else Term(1, (), (pyast.power(other, -q),)))
    return term


_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
         ast.Pow: operator.pow}


def _const(node: ast.expr) -> float | None:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -node.operand.value
    return None


def _instantiate(t: ast.expr, subst: dict[str, ast.expr], names: Names) -> ast.expr:
    """A rules template with placeholders replaced, functions named, constants folded."""
    if isinstance(t, ast.Name):
        if t.id in subst:
            return subst[t.id]  # shared: generated expressions are never mutated
        return pyast.number(CONSTANTS[t.id])
    if isinstance(t, ast.Constant):
        return pyast.number(t.value)
    if isinstance(t, ast.UnaryOp):
        inner = _instantiate(t.operand, subst, names)
        c = _const(inner)
        return pyast.number(-c) if c is not None else ast.UnaryOp(pyast.USUB, inner)
    if isinstance(t, ast.BinOp):
        a, b = _instantiate(t.left, subst, names), _instantiate(t.right, subst, names)
        ca, cb = _const(a), _const(b)
        if ca is not None and cb is not None:
            folded = _fold(_FOLD[type(t.op)], ca, cb)
            if folded is not None:
                return folded
        if isinstance(t.op, ast.Pow) and cb is not None:
            return pyast.power(a, cb)
        return pyast.binop(a, t.op, b)
    assert isinstance(t, ast.Call) and isinstance(t.func, ast.Name)
    args = [_instantiate(a, subst, names) for a in t.args]
    consts = [_const(a) for a in args]
    evaluate = RULES[t.func.id].evaluate
    if evaluate is not None and all(c is not None for c in consts):
        folded = _fold(evaluate, *consts)
        if folded is not None:
            return folded
    return pyast.call(names.function(t.func.id), args)


def _fold(fn: Callable[..., float], *args: float) -> ast.expr | None:
    """fn(*args) as a literal; None where Python fails (log(0)): generated code then fails alike."""
    try:
        value = fn(*args)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return None if isinstance(value, complex) else pyast.number(value)


def _as_term(node: ast.expr) -> Term:
    """Split a partial into constant coefficient, numerator and denominator factors."""
    c = _const(node)
    if c is not None:
        return Term(c)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return Term(-1) * _as_term(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _as_term(node.left) * _as_term(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _as_term(node.left) * _as_term(node.right).inverse()
    return Term(1, (node,))

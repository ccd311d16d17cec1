"""Partial derivatives of one op, as products kept open so constants and signs fold.

Guarantees: `partial(op, i, names)` is d op.out / d (operand i) as a `Term`
(coef * numerator factors / denominator factors) over the primal names, or
None where the rules table says the partial is zero: affine ops give the
coefficient; products the power rule on the other factor (never a division
by a factor that may be zero, except `p * z / x` for a negative power p,
where x cannot be zero); calls the row's template from `rules.py`, with the
placeholders replaced and constants folded at generation time.

Before: `z2 = sin(6.28 * z1)`, operand 0.  After: Term(6.28, (cos(6.28 * z1),)).
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from typing import Callable

from . import pyast
from .naming import Names
from .rules import CONSTANTS, MATH_OF_NUMPY, RULES

# the NumPy row of each math row that has one (sin -> numpy.sin, asin -> numpy.arcsin)
NUMPY_OF_MATH: dict[str, str] = {}
for _key, _row in MATH_OF_NUMPY.items():
    NUMPY_OF_MATH.setdefault(_row, _key)
from .trace import Affine, Op, Product, Var


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
        if self.coef == 0 or other.coef == 0:  # a zero adjoint or partial contributes nothing, even times inf
            return Term(0)
        return Term(self.coef * other.coef, self.num + other.num, self.den + other.den, self.lines | other.lines)

    def inverse(self) -> "Term":
        coef = self.coef if self.coef in (1, -1) else 1 / self.coef  # keeps an int 1 an int
        return Term(coef, self.den, self.num, self.lines)

    @property
    def factors(self) -> int:
        return len(self.num) + len(self.den)


def _operand(a: object, names: Names) -> ast.expr:
    return pyast.name(names.primal[a]) if isinstance(a, Var) else pyast.number(a)  # type: ignore[index,arg-type]


def _scaled(scale: float, x: ast.expr) -> ast.expr:
    return x if scale == 1 else pyast.product(scale, [x])


# --- partial derivatives ---------------------------------------------------------


def partial(op: Op, i: int, names: Names, numpy: bool = False) -> Term | None:
    """d op.out / d (operand i), as a term over primal names (None: zero).

    `numpy`: the operands may be arrays, so the functions the partial calls are NumPy's.
    """
    e = op.expr
    z = pyast.name(names.primal[op.out])
    if isinstance(e, Affine):
        return Term(e.terms[i][0])
    if isinstance(e, Product):
        return _product_partial(e, i, z, names)
    if e.fn in ("pow", "math.pow", "numpy.power") and not isinstance(e.args[1], Var):  # x ** p for a constant p: the power rule
        return _product_partial(Product(1, ((e.args[0], e.args[1]),)), 0, z, names)  # type: ignore[arg-type]
    rule = RULES[e.fn]
    args = [_operand(a, names) for a in e.args]
    if len(args) == 1:
        if rule.partials[0] is None:
            return None
        subst = {"x": _scaled(e.scale, args[0]), "z": z}
        return Term(e.scale) * _as_term(_instantiate(rule.partials[0], subst, names, numpy))
    subst = {"x": args[0], "y": args[1], "z": z}
    template = rule.partials[i]
    return None if template is None else _as_term(_instantiate(template, subst, names, numpy))


def _product_partial(e: Product, i: int, z: ast.expr, names: Names) -> Term:
    v, p = e.factors[i]
    x = pyast.name(names.primal[v])
    if p < 0:  # x != 0 wherever z is defined, so z/x is safe and cheapest
        return Term(p, (z,), (x,))
    term = Term(e.coef * p) if e.div == 1 else Term(e.coef * p, (), (pyast.number(e.div),))
    if p != 1:
        term = term * (Term(1, (pyast.power(x, p - 1, exact=False),)) if p > 1 else Term(1, (), (pyast.power(x, 1 - p, exact=False),)))
    for j, (w, q) in enumerate(e.factors):
        if j != i:
            other = pyast.name(names.primal[w])
            term = term * (Term(1, (pyast.power(other, q, exact=False),)) if q > 0 else Term(1, (), (pyast.power(other, -q, exact=False),)))
    return term


_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
         ast.Pow: operator.pow}


def _instantiate(t: ast.expr, subst: dict[str, ast.expr], names: Names, numpy: bool = False) -> ast.expr:
    """A rules template with placeholders replaced, functions named, constants folded.

    `numpy`: the functions it calls are NumPy's rows (on arrays), where the table names math's.
    """
    if isinstance(t, ast.Name):
        if t.id in subst:
            return subst[t.id]  # shared: generated expressions are never mutated
        return pyast.number(CONSTANTS[t.id])
    if isinstance(t, ast.Constant):
        return pyast.number(t.value)
    if isinstance(t, ast.UnaryOp):
        inner = _instantiate(t.operand, subst, names, numpy)
        c = pyast.constant_value(inner)
        return pyast.number(-c) if c is not None else ast.UnaryOp(pyast.USUB, inner)
    if isinstance(t, ast.BinOp):
        a, b = _instantiate(t.left, subst, names, numpy), _instantiate(t.right, subst, names, numpy)
        ca, cb = pyast.constant_value(a), pyast.constant_value(b)
        if ca is not None and cb is not None:
            folded = _fold(_FOLD[type(t.op)], ca, cb)
            if folded is not None:
                return folded
        if isinstance(t.op, ast.Pow) and cb is not None:
            return pyast.power(a, cb, exact=False)
        return pyast.binop(a, t.op, b)
    if isinstance(t, ast.Compare):  # a truth value (0 or 1) guarding a partial at a single point
        a, b = _instantiate(t.left, subst, names, numpy), _instantiate(t.comparators[0], subst, names, numpy)
        ca, cb = pyast.constant_value(a), pyast.constant_value(b)
        if ca is not None and cb is not None:
            return pyast.number(int((ca == cb) == isinstance(t.ops[0], ast.Eq)))
        return ast.Compare(a, [t.ops[0]], [b])
    assert isinstance(t, ast.Call) and isinstance(t.func, ast.Name)
    args = [_instantiate(a, subst, names, numpy) for a in t.args]
    consts = [pyast.constant_value(a) for a in args]
    key = t.func.id
    evaluate = RULES[MATH_OF_NUMPY.get(key, key)].evaluate
    if evaluate is not None and all(c is not None for c in consts):
        folded = _fold(evaluate, *consts)
        if folded is not None:
            return folded
    if numpy and not key.startswith("numpy."):
        key = NUMPY_OF_MATH[key]
    return pyast.call(names.function(key), args)


def _fold(fn: Callable[..., float], *args: float) -> ast.expr | None:
    """fn(*args) as a literal; None where Python fails (log(0)): generated code then fails alike."""
    try:
        value = fn(*args)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return None if isinstance(value, complex) else pyast.number(value)


def _as_term(node: ast.expr) -> Term:
    """Split a partial into constant coefficient, numerator and denominator factors."""
    c = pyast.constant_value(node)
    if c is not None:
        return Term(c)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return Term(-1) * _as_term(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _as_term(node.left) * _as_term(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _as_term(node.left) * _as_term(node.right).inverse()
    return Term(1, (node,))

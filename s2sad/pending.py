"""Pending values of lowering: constants, variables, affine forms and monomials not yet made ops.

`Lin` (const + sum(coef * var)) and `Mono` (coef * prod(var ** power)) hold what `algebra.Builder`
has not materialized yet; the functions here are the pure ones on them (their kind, their plainest
spelling, whether two monomials multiply into one exact product op) and the keys that common-
subexpression elimination compares operands by.

Before: `3*w1 + 1` pending.  After: Lin(1, ((w1, 3),)); `simplified(Lin(0, ((w1, 1),)))` is w1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .trace import Affine, Call, Expr, Operand, Product, Var, absent


@dataclass(frozen=True)
class Lin:
    """Pending affine form const + sum(coef * var)."""

    const: float
    terms: tuple[tuple[Var, float], ...]


@dataclass(frozen=True)
class Mono:
    """Pending monomial coef * prod(var ** power)."""

    coef: float
    factors: tuple[tuple[Var, float], ...]


Value = Union[float, Var, Lin, Mono]


def is_const(v: Value) -> bool:
    return isinstance(v, (int, float))


def operand_key(a: Operand) -> tuple:
    return ("v", a.id) if isinstance(a, Var) else ("c", number_key(a))


def number_key(c: float) -> str:
    """CSE key of a number: 1 and 1.0 compute alike, 0.0 and -0.0 do not."""
    try:
        return float(c).hex()
    except OverflowError:
        return repr(c)


def is_plain(m: Mono) -> bool:
    """m is a variable alone (1.0 * n is not n: a float)."""
    return m.coef == 1 and len(m.factors) == 1 and m.factors[0][1] == 1 and _unit(m.coef, m.factors[0][0])


def times(m: Mono, n: Mono) -> Mono | None:
    """m * n as one product op multiplying in Python's order (n a variable, last), or None."""
    if not is_plain(n) or len(m.factors) >= 2 or any(p < 0 for _, p in m.factors):
        return None  # a third factor, or a division before a multiplication: materialize first
    v = n.factors[0][0]
    if m.factors and m.factors[0][0] == v:
        return Mono(m.coef, ((v, 2),)) if m.factors[0][1] == 1 else None  # x * x, written x * x
    return Mono(m.coef, (*m.factors, (v, 1)))


def kind_of_value(v: Value) -> str:
    """int for integer values (integer arithmetic on integer variables, truth values included), else float."""
    if isinstance(v, Var):
        return "float" if v.kind == "any" else "int" if v.kind == "bool" else v.kind
    if isinstance(v, Lin):
        whole = type(v.const) is int and all(type(c) is int and u.kind in ("int", "bool") for u, c in v.terms)
        return "int" if whole else "float"
    if isinstance(v, Mono):
        whole = type(v.coef) is int and all(u.kind in ("int", "bool") and type(p) is int and p > 0
                                            for u, p in v.factors)
        return "int" if whole else "float"
    return "int" if isinstance(v, int) else "float"


def integers_in(v: Value) -> bool:
    """Does the pending value read an integer or a truth value?"""
    if isinstance(v, Var):
        return v.kind in ("int", "bool")
    if isinstance(v, Lin):
        return any(u.kind in ("int", "bool") for u, _ in v.terms)
    if isinstance(v, Mono):
        return any(u.kind in ("int", "bool") for u, _ in v.factors)
    return False


def simplified(v: Value) -> Value:
    """The plainest spelling of a pending value: constants and bare variables unwrapped."""
    if isinstance(v, Lin):
        if not v.terms:
            return v.const
        if type(v.const) is float and absent(v.const) \
                and all(type(c) is int and u.kind in ("int", "bool") for u, c in v.terms):
            return Lin(0.0, v.terms)  # n + -0.0 is the float n + 0.0 (0.0 at n = 0): the constant is written
        if absent(v.const) and len(v.terms) == 1 and v.terms[0][1] == 1 and _unit(v.terms[0][1], v.terms[0][0]):
            return v.terms[0][0]
    elif isinstance(v, Mono):
        if not v.factors or v.coef == 0:
            return v.coef
        if v.coef == 1 and len(v.factors) == 1 and v.factors[0][1] == 1 and _unit(v.coef, v.factors[0][0]):
            return v.factors[0][0]
    return v


def _unit(c: float, v: Var) -> bool:
    """Is c * v just v? For c = 1, or c = 1.0 and a float v (1.0 * n is a float)."""
    return type(c) is int or kind_of_value(v) == "float"


def kind_of_op(e: Expr) -> str:
    """int for integer arithmetic on integers (index arithmetic), else float."""
    def whole(c: float) -> bool:
        return isinstance(c, int)

    if isinstance(e, Affine):
        ok = whole(e.const) and all(whole(c) and v.kind in ("int", "bool") for c, v in e.terms)
    elif isinstance(e, Product):
        ok = whole(e.coef) and e.div == 1 \
            and all(v.kind in ("int", "bool") and whole(p) and p > 0 for v, p in e.factors)
    elif isinstance(e, Call) and e.fn == "abs":  # abs of an integer is one
        ok = whole(e.scale) and all(isinstance(a, Var) and a.kind in ("int", "bool") for a in e.args)
    else:
        ok = False
    return "int" if ok else "float"

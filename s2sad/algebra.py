"""The algebra of pending values and the ops they materialize as (used by `lower`).

Guarantees: an expression is held as a *pending* symbolic value (a constant, a
variable, an affine form `Lin`, a monomial `Mono`) and becomes an op only
where the lecture's model needs a variable: `materialize` emits ops of the
three kinds only, products kept binary, affine ops at most MAX_TERMS wide.
On the way it folds constants, flattens sums, reuses an existing op for an
equal expression (common-subexpression elimination, scoped to the block an
op dominates) and reuses an existing affine op that is part of a wider one.

Before: `2*pi*w1/w2` then `3*w1/w2`.  After: one op `z1 = w1/w2`, and the
pending values `6.28...*z1` and `3*z1`.
"""

from __future__ import annotations

import ast
import itertools
import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Union

from .errors import UnsupportedSyntaxError
from .frontend import Module
from .trace import Affine, Call, Compute, Expr, Item, Load, Op, Operand, Product, Sum, Var

MAX_TERMS = 64  # widest affine op; wider sums are chained (Python's compiler nests binops)
_REUSE_SEARCH = 8  # look for reusable affine sub-sums in forms up to this many terms


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


def _is_const(v: Value) -> bool:
    return isinstance(v, (int, float))


def _key(a: Operand) -> tuple:
    return ("v", a.id) if isinstance(a, Var) else ("c", _num(a))


def _num(c: float) -> str:
    """CSE key of a number: 1 and 1.0 compute alike, 0.0 and -0.0 do not."""
    try:
        return float(c).hex()
    except OverflowError:
        return repr(c)


class Builder:
    """Emits ops into the current block, with CSE scoped to the blocks that dominate it."""

    def __init__(self, module: Module):
        self.module = module
        self.items: list[Item] = []
        self.cse: dict[tuple, Var] = {}
        self.affine_index: dict[frozenset, Var] = {}
        self.ids = itertools.count()
        self.line = 0
        self.mutated: set[str] = set()  # names of lists the function changes anywhere: nothing read from them is reused

    def fail(self, node: ast.AST, message: str, hint: str = "") -> UnsupportedSyntaxError:
        return UnsupportedSyntaxError([self.module.violation(node, message, hint)])

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

    # --- the algebra of pending values ----------------------------------------

    def binop(self, node: ast.AST, op: ast.operator, a: Value, b: Value) -> Value:
        if isinstance(op, ast.Add):
            return self.add(a, b)
        if isinstance(op, ast.Sub):
            return self.add(a, self.mul(-1, b))
        if isinstance(op, ast.Mult):
            return self.mul(a, b)
        if isinstance(op, ast.Div):
            if _is_const(b):
                if b == 0:
                    raise self.fail(node, "division by the constant zero", "check the expression")
                if _is_const(a):
                    return a / b  # type: ignore[operator]
                return self.mul(1 / b, a)  # type: ignore[operator]
            return self.mul(a, self.power(node, b, -1))
        if isinstance(op, ast.Pow):
            return self.power(node, a, b)
        raise AssertionError(f"unchecked operator {type(op).__name__}")

    def as_lin(self, v: Value) -> Lin:
        if _is_const(v):
            return Lin(v, ())  # type: ignore[arg-type]
        if isinstance(v, Var):
            return Lin(0, ((v, 1),))
        if isinstance(v, Lin):
            return v
        assert isinstance(v, Mono)
        if len(v.factors) == 1 and v.factors[0][1] == 1:
            return Lin(0, ((v.factors[0][0], v.coef),))
        return Lin(0, ((self.materialize(Mono(1, v.factors)), v.coef),))  # type: ignore[arg-type]

    def as_mono(self, v: Value) -> Mono:
        if _is_const(v):
            return Mono(v, ())  # type: ignore[arg-type]
        if isinstance(v, Var):
            return Mono(1, ((v, 1),))
        if isinstance(v, Mono):
            return v
        assert isinstance(v, Lin)
        if v.const == 0 and len(v.terms) == 1:
            var, coef = v.terms[0]
            return Mono(coef, ((var, 1),))
        k = _common_factor(v)
        if k != 1:  # 19.8*(x - 1) as a factor is 19.8 * (x - 1): the sum is shared, not rescaled
            v = Lin(_div(v.const, k), tuple((var, _div(c, k)) for var, c in v.terms))
        return Mono(k, ((self.materialize(v), 1),))  # type: ignore[arg-type]

    def add(self, a: Value, b: Value) -> Value:
        if _is_const(a) and _is_const(b):
            return a + b  # type: ignore[operator]
        la, lb = self.as_lin(a), self.as_lin(b)
        terms = dict(la.terms)
        for v, c in lb.terms:
            terms[v] = terms.get(v, 0) + c
        return _simplify(Lin(la.const + lb.const, tuple((v, c) for v, c in terms.items() if c != 0)))

    def mul(self, a: Value, b: Value) -> Value:
        if _is_const(a) and _is_const(b):
            return a * b  # type: ignore[operator]
        if _is_const(b):
            a, b = b, a
        if _is_const(a):
            c = a
            if c == 0:
                return 0 * c  # keeps the constant's type
            if isinstance(b, (Var, Lin)):
                lb = self.as_lin(b)
                return _simplify(Lin(c * lb.const, tuple((v, c * k) for v, k in lb.terms)))
            assert isinstance(b, Mono)
            return _simplify(Mono(c * b.coef, b.factors))
        if isinstance(a, Lin) and isinstance(b, Lin) and len(a.terms) > len(b.terms):
            # Materialize the narrower sum first: the wider one may then reuse it.
            ma = self.as_mono(b)
            mb = self.as_mono(a)
        else:
            ma, mb = self.as_mono(a), self.as_mono(b)
        powers = dict(ma.factors)
        for v, p in mb.factors:
            powers[v] = powers.get(v, 0) + p
        return _simplify(Mono(ma.coef * mb.coef, tuple((v, p) for v, p in powers.items() if p != 0)))

    def power(self, node: ast.AST, a: Value, p: Value) -> Value:
        if _is_const(a) and _is_const(p):
            try:
                result = a**p  # type: ignore[operator]
            except (ZeroDivisionError, OverflowError) as exc:
                raise self.fail(node, f"constant power fails: {exc}", "check the constants") from None
            if isinstance(result, complex):
                raise self.fail(node, "a negative constant to a fractional power is complex", "check the constants")
            return result
        if not _is_const(p):
            base = self.materialize(a)
            return self.emit(Call("pow", (base, self.materialize(p))))
        if p == 0:
            return 1
        if p == 1:
            return a
        if float(p).is_integer():  # (c * x**a * y**b)**n distributes for integer n
            m = self.as_mono(a)
            try:
                coef = m.coef**p  # type: ignore[operator]
            except ZeroDivisionError:
                coef = math.inf  # pragma: no cover - a zero coefficient folds the monomial away
            return _simplify(Mono(coef, tuple((v, q * p) for v, q in m.factors)))  # type: ignore[operator]
        # Fractional powers do not distribute ((x*x)**0.5 is |x|): power a variable.
        return _simplify(Mono(1, ((self.materialize(a), p),)))  # type: ignore[arg-type]

    def scaled_var(self, v: Value) -> tuple[float, Var]:
        """Split v as scale * var, materializing whatever is not of that form."""
        if isinstance(v, Mono) and len(v.factors) == 1 and v.factors[0][1] == 1:
            return v.coef, v.factors[0][0]
        if isinstance(v, Mono):
            return v.coef, self.materialize(Mono(1, v.factors))  # type: ignore[return-value]
        if isinstance(v, Lin) and v.const == 0 and len(v.terms) == 1:
            return v.terms[0][1], v.terms[0][0]
        return 1, self.materialize(v)  # type: ignore[return-value]

    # --- materializing pending values as ops -----------------------------------

    def materialize(self, v: Value, hint: str | None = None) -> Operand:
        """An operand for `v`: a constant, a variable, or the result of a new op."""
        v = _simplify(v)
        if _is_const(v) or isinstance(v, Var):
            return v  # type: ignore[return-value]
        if isinstance(v, Lin):
            return self.affine(v, hint)
        assert isinstance(v, Mono)
        factors = sorted(v.factors, key=lambda f: f[0].id)
        if len(v.factors) == 1 and v.factors[0][1] == 1:
            return self.affine(Lin(0, ((v.factors[0][0], v.coef),)), hint)
        while len(factors) > 2:  # keep products binary: chain them
            head = self.emit(Product(1, tuple(factors[:2])))
            factors = [(head, 1), *factors[2:]]
        return self.emit(Product(v.coef, tuple(factors)), hint)

    def affine(self, lin: Lin, hint: str | None) -> Var:
        terms = list(lin.terms)
        if len(terms) > MAX_TERMS:
            head = self.affine(Lin(lin.const, tuple(terms[:MAX_TERMS])), None)
            return self.affine(Lin(0, ((head, 1), *terms[MAX_TERMS:])), hint)
        if 3 <= len(terms) <= _REUSE_SEARCH:
            terms = self.reuse_subsums(terms)
        return self.emit(Affine(lin.const, tuple((c, v) for v, c in terms)), hint)

    def reuse_subsums(self, terms: list[tuple[Var, float]]) -> list[tuple[Var, float]]:
        """Replace the widest sub-sum that an existing affine op computes by that op."""
        for size in range(len(terms) - 1, 1, -1):
            for subset in itertools.combinations(terms, size):
                found = self.affine_index.get(frozenset(subset))
                if found is not None:  # put it where the sub-sum's first term stood
                    first = terms.index(subset[0])
                    rest = [t for t in terms if t not in subset]
                    return [*rest[:first], (found, 1), *rest[first:]]
        return terms

    def emit(self, expr: Expr, hint: str | None = None, kind: str | None = None) -> Var:
        if isinstance(expr, Affine):
            key: tuple = ("affine", _num(expr.const), tuple(sorted((v.id, _num(c)) for c, v in expr.terms)))
        elif isinstance(expr, Product):
            key = ("product", _num(expr.coef), tuple((v.id, _num(p)) for v, p in expr.factors))
        elif isinstance(expr, Call):
            key = ("call", expr.fn, _num(expr.scale), tuple(_key(a) for a in expr.args))
        elif isinstance(expr, Compute):
            key = ("compute", expr.template, tuple(("l", a.id) if not isinstance(a, (Var, int, float)) else _key(a)
                                                   for a in expr.args))
        elif isinstance(expr, Load):
            key = ("load", expr.lst.id, _key(expr.index))
        else:
            key = ("sum", expr.lst.id)
        if isinstance(expr, (Load, Sum)):
            reusable = expr.lst.hint not in self.mutated
        elif isinstance(expr, Compute):
            reusable = not any(getattr(a, "hint", None) in self.mutated for a in expr.args if not isinstance(a, Var))
        else:
            reusable = True
        found = self.cse.get(key) if reusable else None
        if found is not None:
            return found
        out = Var(next(self.ids), hint, kind or _kind(expr))
        self.items.append(Op(out, expr, self.line))
        if reusable:
            self.cse[key] = out
        if isinstance(expr, Affine) and expr.const == 0 and len(expr.terms) >= 2:
            self.affine_index.setdefault(frozenset((v, c) for c, v in expr.terms), out)
        return out


def _div(c: float, k: float) -> float:
    q = c / k
    return int(q) if isinstance(c, int) and isinstance(k, int) and q.is_integer() else q


def _common_factor(v: Lin) -> float:
    """A factor k with v = k * (a form of integer coefficients), exactly; else 1.

    19.8*x - 19.8 gives 19.8 (x - 1 may already exist); 3*a - b gives 1.
    """
    k = v.terms[0][1]
    if k in (0, 1):
        return 1
    for c in (v.const, *(c for _, c in v.terms)):
        q = c / k
        if not float(q).is_integer() or q * k != c:
            return 1
    return k


def _simplify(v: Value) -> Value:
    """The plainest spelling of a pending value: constants and bare variables unwrapped."""
    if isinstance(v, Lin):
        if not v.terms:
            return v.const
        if v.const == 0 and len(v.terms) == 1 and v.terms[0][1] == 1:
            return v.terms[0][0]
    elif isinstance(v, Mono):
        if not v.factors or v.coef == 0:
            return v.coef
        if v.coef == 1 and len(v.factors) == 1 and v.factors[0][1] == 1:
            return v.factors[0][0]
    return v


def _kind(e: Expr) -> str:
    """int for integer arithmetic on integers (index arithmetic), else float."""
    def whole(c: float) -> bool:
        return isinstance(c, int)

    if isinstance(e, Affine):
        ok = whole(e.const) and all(whole(c) and v.kind == "int" for c, v in e.terms)
    elif isinstance(e, Product):
        ok = whole(e.coef) and all(v.kind == "int" and whole(p) and p > 0 for v, p in e.factors)
    else:
        ok = False
    return "int" if ok else "float"

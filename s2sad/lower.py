"""Lowering: checked `ast.FunctionDef` -> `Trace` (the lecture's evaluation trace).

Guarantees: every op of the result is one elementary operation of the
lecture's three kinds (see `trace`), its operands are variables or numeric
constants, and it records its source line. On the way, lowering

- renames to SSA (a reassigned name gets a fresh variable),
- folds constants (`2*pi*x` has the single coefficient 6.283...),
- flattens nested affine combinations (`a + (b - 2*c)` is one op),
- eliminates common subexpressions (`w1/w2` written twice is one op), and
  reuses an existing affine op that is part of a wider one,
- inlines calls of module-level helper functions.

Expressions are lowered to *pending* symbolic values (a constant, a variable,
an affine form `Lin`, a monomial `Mono`) and materialized as an op only where
the lecture's model needs a variable: at an assignment, or as the operand of
an op of another kind. Hence the lecture's example,

    before:  return (sin(2*pi*w1/w2) + 3*w1/w2 - exp(2*w2)) * (3*w1/w2 - exp(2*w2))
    after:   z1 = w1/w2; z2 = sin(2*pi*z1); z3 = exp(2*w2); z4 = 3*z1 - z3;
             z5 = z2 + z4; z6 = z4*z5

Products are kept binary (at most two factors) so that reverse mode gets every
partial of a product with one multiplication and no division by a variable.
"""

from __future__ import annotations

import ast
import itertools
import math
from dataclasses import dataclass
from typing import Union

from .errors import UnsupportedSyntaxError
from .frontend import Elementary, MathConstant, MathModule, Module, ModuleConstant, Source, Helper
from .rules import CONSTANTS, LINEAR, RULES
from .trace import Affine, Call, Op, Operand, Product, Trace, Var

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


def lower(src: Source) -> Trace:
    """Lower a checked function to its evaluation trace."""
    return _Lowering(src.module).function(src.node)


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


class _Lowering:
    def __init__(self, module: Module):
        self.module = module
        self.ops: list[Op] = []
        self.cse: dict[tuple, Var] = {}
        self.affine_index: dict[frozenset, Var] = {}
        self.ids = itertools.count()
        self.line = 0
        self.constants: dict[str, float] = {}

    # --- errors found only while folding -----------------------------------

    def fail(self, node: ast.AST, message: str, hint: str = "") -> UnsupportedSyntaxError:
        return UnsupportedSyntaxError([self.module.violation(node, message, hint)])

    # --- statements ------------------------------------------------------------

    def function(self, fn: ast.FunctionDef) -> Trace:
        args = fn.args.posonlyargs + fn.args.args
        params = tuple(Var(next(self.ids), a.arg) for a in args)
        defaults: list[float | None] = [None] * (len(args) - len(fn.args.defaults))
        defaults += [self.fold(d, "a parameter default") for d in fn.args.defaults]
        env: dict[str, Value] = {p.hint: p for p in params}  # type: ignore[misc]
        result = self.materialize(self.body(fn, env))
        return Trace(
            fn.name, params, tuple(defaults), tuple(self.ops), result, self.module.filename, fn.lineno
        )

    def body(self, fn: ast.FunctionDef, env: dict[str, Value]) -> Value:
        for stmt in fn.body:
            self.line = stmt.lineno
            start = len(self.ops)
            if isinstance(stmt, ast.Return):
                assert stmt.value is not None
                return self.expr(stmt.value, env)
            if isinstance(stmt, ast.Assign):
                value = self.expr(stmt.value, env)
                targets = [t.id for t in stmt.targets]  # type: ignore[attr-defined]
            elif isinstance(stmt, ast.AnnAssign):
                assert stmt.value is not None
                value = self.expr(stmt.value, env)
                targets = [stmt.target.id]  # type: ignore[attr-defined]
            elif isinstance(stmt, ast.AugAssign):
                name = stmt.target.id  # type: ignore[attr-defined]
                value = self.binop(stmt, stmt.op, env[name], self.expr(stmt.value, env))
                targets = [name]
            else:
                continue  # pass, docstring
            for target in targets:
                env[target] = self.assign(value, target, start)
        raise AssertionError("checked functions end with a return")

    def assign(self, value: Value, target: str, start: int) -> Operand:
        """Materialize an assigned value; the op made for this statement takes the user's name."""
        result = self.materialize(value, hint=target)
        if isinstance(result, Var) and result.hint is None:
            for i in range(len(self.ops) - 1, start - 1, -1):
                if self.ops[i].out == result:
                    named = Var(result.id, target)
                    self.ops[i] = Op(named, self.ops[i].expr, self.ops[i].line)
                    return named
        return result

    # --- expressions -----------------------------------------------------------

    def expr(self, e: ast.expr, env: dict[str, Value]) -> Value:
        if isinstance(e, ast.Constant):
            return e.value
        if isinstance(e, ast.Name):
            if e.id in env:
                return env[e.id]
            return self.global_value(e.id, e)
        if isinstance(e, ast.Attribute):
            return CONSTANTS[e.attr]
        if isinstance(e, ast.UnaryOp):
            v = self.expr(e.operand, env)
            return self.mul(-1, v) if isinstance(e.op, ast.USub) else v
        if isinstance(e, ast.BinOp):
            return self.binop(e, e.op, self.expr(e.left, env), self.expr(e.right, env))
        if isinstance(e, ast.Call):
            return self.call(e, env)
        raise AssertionError(f"unchecked node {type(e).__name__}")

    def global_value(self, name: str, node: ast.AST) -> float:
        b = self.module.resolve(name)
        if isinstance(b, MathConstant):
            return b.value
        assert isinstance(b, ModuleConstant)
        if name not in self.constants:
            self.constants[name] = self.fold(b.node, f"the module-level value {name}")
        return self.constants[name]

    def fold(self, node: ast.expr, what: str) -> float:
        value = self.expr(node, {})
        if not _is_const(value):  # pragma: no cover - the frontend admits constants only
            raise self.fail(node, f"{what} is not constant")
        return value  # type: ignore[return-value]

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

    def call(self, e: ast.Call, env: dict[str, Value]) -> Value:
        args = [self.expr(a, env) for a in e.args]
        f = e.func
        if isinstance(f, ast.Attribute):
            key = f.attr  # math.<name>, checked by the frontend
            b = self.module.resolve(f.value.id) if isinstance(f.value, ast.Name) else None  # type: ignore[union-attr]
            if not isinstance(b, MathModule):
                key = f"{b.qualname}.{f.attr}"  # type: ignore[union-attr]
        else:
            b = self.module.resolve(f.id)  # type: ignore[union-attr]
            if isinstance(b, Helper):
                return self.inline(e, b.node, args, env)
            assert isinstance(b, Elementary)
            key = b.key
        return self.elementary(e, key, args)

    def elementary(self, node: ast.AST, key: str, args: list[Value]) -> Value:
        if key in LINEAR:
            return self.mul(LINEAR[key], args[0])
        if key == "log" and len(args) == 2:
            return self.mul(self.elementary(node, "log", args[:1]), self.power(node, self.elementary(node, "log", args[1:]), -1))
        if key == "pow":
            return self.power(node, args[0], args[1])
        rule = RULES[key]
        if rule.evaluate is not None and all(_is_const(a) for a in args):
            try:
                return rule.evaluate(*args)
            except (ValueError, OverflowError, ZeroDivisionError) as exc:
                raise self.fail(node, f"{rule.name} of constant arguments fails: {exc}", "check the constants") from None
        if rule.arity == 1:
            scale, var = self.scaled_var(args[0])
            return self.emit(Call(key, (var,), scale))
        return self.emit(Call(key, tuple(self.materialize(a) for a in args)))

    def inline(self, e: ast.Call, fn: ast.FunctionDef, args: list[Value], env: dict[str, Value]) -> Value:
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        bound: dict[str, Value] = dict(zip(params, args))
        for kw in e.keywords:
            bound[kw.arg] = self.expr(kw.value, env)  # type: ignore[index]
        first_default = len(params) - len(fn.args.defaults)
        for i, p in enumerate(params):
            if p not in bound:
                bound[p] = self.fold(fn.args.defaults[i - first_default], "a parameter default")
        line = self.line
        try:
            return self.body(fn, bound)
        finally:
            self.line = line

    # --- the algebra of pending values ----------------------------------------

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

    def emit(self, expr: Affine | Product | Call, hint: str | None = None) -> Var:
        if isinstance(expr, Affine):
            key: tuple = ("affine", _num(expr.const), tuple(sorted((v.id, _num(c)) for c, v in expr.terms)))
        elif isinstance(expr, Product):
            key = ("product", _num(expr.coef), tuple((v.id, _num(p)) for v, p in expr.factors))
        else:
            key = ("call", expr.fn, _num(expr.scale), tuple(_key(a) for a in expr.args))
        found = self.cse.get(key)
        if found is not None:
            return found
        out = Var(next(self.ids), hint)
        self.ops.append(Op(out, expr, self.line))
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

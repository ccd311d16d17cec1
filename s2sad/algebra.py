"""The algebra of pending values (used by `lower`), over `op_builder`, which makes them ops.

Guarantees: an expression is held as a *pending* symbolic value (a constant, a
variable, an affine form `Lin`, a monomial `Mono`) and becomes an op only
where the lecture's model needs a variable (`OpBuilder.materialize`, ops of
the three kinds only, products kept binary). Every op rounds exactly as
Python's own evaluation of what the user wrote (see `binop`): constants fold,
sums flatten and products grow only where that is exact, so the forward
sweep computes f's value bit for bit, Python's int and float types included.

Before: `2*pi*w1/w2` then `3*w1 + 1 + y`.  After: `z1 = 2*pi*w1/w2` (Python's
(2*pi*w1)/w2, one op), `z2 = 3*w1 + 1` and the pending value `z2 + y`.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize

from .errors import UnsupportedSyntaxError
from .exact import exact_product, normal, normal_product, pow2
from .frontend import Module
from .op_builder import OpBuilder
from .pending import Lin, Mono, Value, integers_in, is_const, is_plain, kind_of_value, simplified, times
from .trace import Call, Compute, Product, Var, absent

MAX_INT_BITS = 4096  # integer constants folded up to this size (CPython's own compiler stops at 128 bits)
SIGN_READERS = frozenset({"copysign", "atan2", "arctan2"})  # functions whose value reads the sign of a zero


def reads_signs(lines: list[str]) -> bool:
    """Does the module name a function that reads the sign of a zero? Its names in code, not in comments
    or strings (the text is tokenized only where one of the words appears at all)."""
    text = "".join(lines)
    if not any(word in text for word in SIGN_READERS):
        return False
    try:
        return any(t.type == tokenize.NAME and t.string in SIGN_READERS
                   for t in tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):  # cannot tell: as if it did
        return True


class Builder(OpBuilder):
    """The algebra of pending values over the op builder: folds, flattens and materializes as ops."""

    def __init__(self, module: Module):
        super().__init__()
        self.module = module
        self.nonfinite = False  # an infinite or nan constant seen: no identity that needs finite values
        # a module that may call a function telling -0.0 from 0.0 (copysign(1, -0.0) is -1): no identity that
        # may turn one into the other (-0.0 + 0 is 0.0, 0 * -1.0 is -0.0); elsewhere they only compare equal
        self.signed_zeros = reads_signs(module.lines)

    def fail(self, node: ast.AST, message: str, hint: str = "") -> UnsupportedSyntaxError:
        return UnsupportedSyntaxError([self.module.violation(node, message, hint)])

    # --- the algebra of pending values ----------------------------------------
    #
    # A pending value is emitted as one op whose floating-point evaluation is Python's evaluation of
    # what the user wrote, operation by operation: an affine form adds its terms left to right and its
    # constant last (`t1 + t2 + c`), a product multiplies coefficient and factors left to right and
    # divides last (`c * x * y / w`). Each rule below extends a pending value only where the result
    # rounds exactly as Python's operations would (commuting two operands, negating, x + x, x - x,
    # x * x, scaling by a power of two); otherwise the operand is materialized first, as Python
    # computes it first. So the forward sweep returns f's value bit for bit, wherever f's
    # intermediate values are finite and normal.

    def binop(self, node: ast.AST, op: ast.operator, a: Value, b: Value) -> Value:
        try:
            for c, other in ((a, b), (b, a)):  # an int beyond floats, meeting a float: Python converts, and fails
                if type(c) is int and not normal(c) and not isinstance(op, ast.Pow) and kind_of_value(other) != "int":
                    raise OverflowError("int too large to convert to float")
            if isinstance(op, ast.Add):
                return self.add(a, b)
            if isinstance(op, ast.Sub):
                if is_const(a) and is_const(b):
                    return self.constant(a - b)  # type: ignore[operator]  # -0.0 - False is -0.0, not -0.0 + -0
                if is_const(b) and b == 0 and (type(b) is int or kind_of_value(a) == "float" and not absent(b)):
                    return a  # x - 0 and x - 0.0 are x, -0.0 included (x + 0 is not, nor is x - -0.0)
                if is_const(a) and type(a) is float and absent(a) and kind_of_value(b) == "int":
                    return self.scale(-1.0, b)  # -0.0 - n is -float(n): -0.0 at n = 0
                if self.signed_zeros and not is_const(b) and kind_of_value(b) == "int":
                    return self._subtract(a, b)
                return self.add(a, self.mul(-1, b))
            if isinstance(op, ast.Mult):
                return self.mul(a, b)
            if isinstance(op, ast.Div):
                return self.div(node, a, b)
            if isinstance(op, ast.Pow):
                return self.power(node, a, b)
        except OverflowError as exc:  # folding constants: Python fails alike (int too large to convert to float)
            raise self.fail(node, f"Python raises OverflowError here: {exc}", "check the constants") from None
        raise AssertionError(f"unchecked operator {type(op).__name__}")

    def constant(self, c: float) -> float:
        """A constant of the program; an infinite or nan one turns off the identities that need finite values."""
        if isinstance(c, float) and not math.isfinite(c):
            self.nonfinite = True
        return c

    def as_lin(self, v: Value) -> Lin:
        if is_const(v):
            return Lin(v, ())  # type: ignore[arg-type]
        if isinstance(v, Var):
            return Lin(0, ((v, 1),))
        if isinstance(v, Lin):
            return v
        assert isinstance(v, Mono)
        if len(v.factors) == 1 and v.factors[0][1] == 1:  # c * x is the term c*x
            return Lin(0, ((v.factors[0][0], v.coef),))
        if v.coef == -1 and (type(v.coef) is int or kind_of_value(Mono(1, v.factors)) == "float") \
                and not (self.signed_zeros and v.factors[0][0].kind in ("int", "bool")):
            # -(x*y) is (-x)*y: the sign goes to the term (not -1.0 * n * m: float(-n) * m rounds otherwise;
            # nor -n * x where a zero's sign is read: -0 * x is 0 * x, -(0 * x) is -0.0)
            return Lin(0, ((self.materialize(Mono(1, v.factors)), -1),))  # type: ignore[arg-type]
        return Lin(0, ((self.materialize(v), 1),))  # type: ignore[arg-type]

    def as_mono(self, v: Value) -> Mono:
        if is_const(v):
            return Mono(v, ())  # type: ignore[arg-type]
        if isinstance(v, Var):
            return Mono(1, ((v, 1),))
        if isinstance(v, Mono):
            return v
        assert isinstance(v, Lin)
        if absent(v.const) and len(v.terms) == 1:
            var, coef = v.terms[0]
            return Mono(coef, ((var, 1),))
        return Mono(1, ((self.materialize(v), 1),))  # type: ignore[arg-type]

    def add(self, a: Value, b: Value) -> Value:
        if is_const(a) and is_const(b):
            return self.constant(a + b)  # type: ignore[operator]
        if is_const(b) and b == 0 and type(b) is not bool and (type(b) is int or kind_of_value(a) == "float"):
            if self._zero_keeps(b, a):
                return a  # x + 0 is x (and -0.0 + 0 compares equal); n + 0.0 is a float
            b = 0.0  # added as it is: -0.0 + 0 is 0.0
        if is_const(a) and a == 0 and type(a) is not bool and (type(a) is int or kind_of_value(b) == "float"):
            if self._zero_keeps(a, b):
                return b
            a, b = b, 0.0  # x + 0.0 is 0.0 + x, exactly
        la, lb = self.as_lin(a), self.as_lin(b)
        for _ in range(3):  # materialize the wider side, then the other, until the sum is one exact op
            found = self._sum(la, lb)
            if found is None:
                found = self._sum(lb, la)  # x + y is y + x, exactly
            if found is not None:
                return simplified(found)
            if lb.terms and lb.terms != ((lb.terms[0][0], 1),) or not absent(lb.const) and lb.terms:
                lb = Lin(0, ((self.materialize(lb), 1),))  # type: ignore[arg-type]
            else:
                la = Lin(0, ((self.materialize(la), 1),))  # type: ignore[arg-type]
        raise AssertionError("two materialized values always add")  # pragma: no cover

    def _subtract(self, a: Value, n: Value) -> Value:
        """a - n for an integer n, as a subtraction: -0.0 - 0 is -0.0, where -0.0 + -0 (a sum) is 0.0."""
        term = Lin(0, ((n if isinstance(n, Var) else self.materialize(n), -1),))  # type: ignore[arg-type]
        if is_const(a):
            return simplified(Lin(a, term.terms))  # type: ignore[arg-type]
        la = self.as_lin(a)
        found = self._sum(la, term, subtracting=True)
        if found is None:
            found = self._sum(Lin(0, ((self.materialize(la), 1),)), term, subtracting=True)  # type: ignore[arg-type]
        if found is None:  # n - n where infinities are about (no cancelling): as a sum
            return self.add(a, self.mul(-1, n))
        return simplified(found)

    def _distributes(self, c: float, lin: Lin) -> bool:
        """Is c * (t1 + t2 + ... + k) the sum of c*t1, c*t2, ..., c*k, the sign of a zero included?
        The value always is, where c is exact on each part. A zero's sign differs where c < 0 and several
        parts sum to zero (-(1.0 - 1.0) is -0.0, -1.0 + 1.0 is 0.0), where the zero constant 0.0 is a
        part, or where an integer part is zero (2.0 * -n is 0.0 at n = 0, -2.0 * n is -0.0)."""
        if not self.signed_zeros or type(c) is int and kind_of_value(lin) == "int":  # integers: no -0
            return True
        if lin.const == 0 and not absent(lin.const) or any(v.kind in ("int", "bool") and k < 0 for v, k in lin.terms):
            return False
        return c > 0 or len(lin.terms) + (not absent(lin.const)) <= 1

    def _zero_keeps(self, zero: float, x: Value) -> bool:
        """Is x + zero x? For -0.0 always, for integers x too; 0 and 0.0 turn a float -0.0 into 0.0, which
        matters only where a sign reader may see it."""
        return not self.signed_zeros or kind_of_value(x) == "int" or (type(zero) is float and absent(zero))

    def _sum(self, la: Lin, lb: Lin, subtracting: bool = False) -> Lin | None:
        """la + lb as one affine op adding in Python's order (lb's single term or constant last), or None.
        `subtracting`: lb is -n for an integer n subtracted; else such a term is not appended where a zero's
        sign is read (x + -n is x + 0 at n = 0, written x - n it is x - 0: -0.0 + 0 is 0.0, -0.0 - 0 is -0.0)."""
        if not absent(la.const):
            return None  # its constant must stay last
        keep = la.const if type(la.const) is float else 0  # 0, or -0.0: nothing to a float, but a float all the same
        if not lb.terms:
            return Lin(lb.const + keep, la.terms) if la.terms else None
        if len(lb.terms) != 1 or not absent(lb.const):
            return None
        v, d = lb.terms[0]
        if self.signed_zeros and d < 0 and v.kind in ("int", "bool") and la.terms and not subtracting:
            return None
        if all(u != v for u, _ in la.terms):
            return Lin(keep, (*la.terms, (v, d)))
        if len(la.terms) != 1:
            return None
        c = la.terms[0][1]
        if c == -d and not self.nonfinite and not (self.signed_zeros and v.kind == "any"):  # c*x - c*x is 0
            # (for finite values; an item popped from a list may be an int or a float: 0 or 0.0)
            return Lin(0.0 if v.kind == "float" or float in (type(keep), type(c), type(d)) else 0, ())
        if c == d and normal(c + d):  # c*x + c*x is (2c)*x: doubling is exact, inf and nan too
            return Lin(keep, ((v, c + d),))  # (a float if either is: n + 1.0 * n is 2.0 * n)
        return None

    def mul(self, a: Value, b: Value) -> Value:
        if is_const(a) and is_const(b):
            return self.constant(a * b)  # type: ignore[operator]
        if is_const(b):
            a, b = b, a  # x * c is c * x, exactly
        if is_const(a):
            return self.scale(a, b)  # type: ignore[arg-type]
        ma, mb = self.as_mono(a), self.as_mono(b)
        for _ in range(3):
            found = times(ma, mb)
            if found is None:
                found = times(mb, ma)
            if found is not None:
                return simplified(found)
            if not is_plain(mb):
                mb = Mono(1, ((self.materialize(mb), 1),))  # type: ignore[arg-type]
            else:
                ma = Mono(1, ((self.materialize(ma), 1),))  # type: ignore[arg-type]
        raise AssertionError("two materialized values always multiply")  # pragma: no cover

    def scale(self, c: float, b: Value) -> Value:
        """c * b for a constant c."""
        if isinstance(c, bool):
            c = int(c)
        if c == 1 and (isinstance(c, int) or kind_of_value(b) == "float"):  # 1.0 * n is a float
            return b
        if c == 0 and self.signed_zeros:  # 0.0 * -x is -0.0: computed, as a sign reader may tell
            return self.emit(Product(c, ((self.materialize(b), 1),)))  # type: ignore[arg-type]
        if c == 0 and not self.nonfinite:
            # Python's type (0 * x is 0.0 for a float x) and the constant's sign (0.0 * -x is -0.0: equal to 0.0)
            return 0 * c if kind_of_value(b) == "int" else 0.0 * c
        if type(c) is float and integers_in(b):
            # not distributed: Python converts b (exact integer arithmetic first) and then scales it, rounding
            # once; c * float(n) + ... rounds otherwise beyond 2**53, and -1.0 * n is a float, -n an int
            return Lin(0, ((b if isinstance(b, Var) else self.materialize(b), c),))  # type: ignore[arg-type]
        if c == -1:  # negation is exact: the sign moves into each term, or into the coefficient
            if isinstance(b, Mono):
                if self.signed_zeros and type(b.coef) is int and b.factors[0][0].kind in ("int", "bool"):
                    return Lin(0, ((self.materialize(b), c),))  # -(n * x) is -0.0 at n = 0, -n * x is 0.0
                return Mono(-b.coef, b.factors)
            lb = self.as_lin(b)
            if not self._distributes(c, lb):
                return Lin(0, ((self.materialize(lb), c),))  # type: ignore[arg-type]
            return simplified(Lin(0 if absent(lb.const) else -lb.const, tuple((v, -k) for v, k in lb.terms)))
        if isinstance(b, Var):
            return Lin(0, ((b, c),))
        if isinstance(b, Mono) and len(b.factors) == 1 and b.factors[0][1] == 1:
            b = Lin(0, ((b.factors[0][0], b.coef),))
        if isinstance(b, Lin) and absent(b.const) and len(b.terms) == 1:
            v, d = b.terms[0]
            k = exact_product(c, d)
            if k is not None and self._distributes(c, b):
                return simplified(Lin(0, ((v, k),)))
        elif isinstance(b, Lin) and pow2(c) and all(normal_product(c, k) for k in (b.const, *(k for _, k in b.terms))) \
                and self._distributes(c, b):
            return simplified(Lin(0 if absent(b.const) else c * b.const, tuple((v, c * k) for v, k in b.terms)))
        elif isinstance(b, Mono) and pow2(c) and normal_product(c, b.coef) and \
                not (self.signed_zeros and any(v.kind in ("int", "bool") for v, _ in b.factors)):
            return simplified(Mono(c * b.coef, b.factors))
        return Lin(0, ((self.materialize(b), c),))  # type: ignore[arg-type]

    def div(self, node: ast.AST, a: Value, b: Value) -> Value:
        """a / b: one division, of a as Python computed it."""
        if is_const(b):
            if b == 0:
                raise self.fail(node, "division by the constant zero", "check the expression")
            if is_const(a):
                return self.constant(a / b)  # type: ignore[operator]
            if pow2(b) and normal(1 / b):
                return self.scale(1 / b, a)  # dividing by a power of two is multiplying by its inverse, exactly
            m = self.as_mono(a)
            if len(m.factors) > 2 or self.nonfinite:
                m = Mono(1, ((self.materialize(m), 1),))  # type: ignore[arg-type]
            return self.emit(Product(m.coef, m.factors, b))
        mb = self.as_mono(b)
        v = mb.factors[0][0] if is_plain(mb) else self.materialize(mb)
        if is_const(a) and a == 0 and self.signed_zeros:  # 0.0 / -y is -0.0: computed
            return self.emit(Product(a, ((v, -1),)))  # type: ignore[arg-type]
        m = self.as_mono(a)
        if m.factors == ((v, 1),) and pow2(m.coef) and not self.nonfinite:
            return float(m.coef)  # x / x is 1
        if len(m.factors) < 2 and all(u != v for u, _ in m.factors):
            return simplified(Mono(m.coef, (*m.factors, (v, -1))))
        u = self.materialize(m)
        if u == v and not self.nonfinite:
            return 1.0
        return Mono(1, ((u, 1), (v, -1)))  # type: ignore[arg-type]

    def power(self, node: ast.AST, a: Value, p: Value) -> Value:
        if is_const(a) and is_const(p):
            return self.constant_power(node, a, p)  # type: ignore[arg-type]
        if not is_const(p):
            base = self.materialize(a)
            return self.emit(Call("pow", (base, self.materialize(p))))
        if p == 0:
            return 1 if kind_of_value(a) == "int" else 1.0  # x**0 is 1, even for nan
        if p == 1:
            return a
        if isinstance(p, int) and not normal(p) and kind_of_value(a) != "int":
            raise OverflowError("int too large to convert to float")  # as Python raises for x ** p
        base = self.materialize(a)
        if isinstance(base, Var) and base.kind in ("int", "bool") and type(p) is int and p > 0:  # n ** 2.0: a float
            return Mono(1, ((base, int(p)),))  # integer arithmetic is exact: n**2 is n*n
        # x ** p is Python's pow(x, p): spelled as written (x*x and 1/x round differently), one op
        return self.emit(Call("pow", (base, p)))

    def constant_power(self, node: ast.AST, a: float, p: float) -> float:
        """a ** p folded, unless the result is an integer too large to fold (as CPython's compiler declines)."""
        if isinstance(a, int) and isinstance(p, int) and p > 0 and abs(a) > 1 \
                and p * math.log2(abs(a)) > MAX_INT_BITS:  # left as written: Python computes it at run time
            self.nonfinite = True  # it may not fit a float: no identity folds it away (0 * it raises)
            return self.emit(Compute("_0 ** _1", (a, p)), None, "int")  # type: ignore[return-value]
        try:
            result = a**p
        except (ZeroDivisionError, OverflowError) as exc:
            raise self.fail(node, f"constant power fails: {exc}", "check the constants") from None
        if isinstance(result, complex):
            raise self.fail(node, "a negative constant to a fractional power is complex", "check the constants")
        return self.constant(result)

    def scaled_var(self, v: Value) -> tuple[float, Var]:
        """Split v as scale * var (the scale applied last, as Python does), materializing the rest."""
        if isinstance(v, Mono) and len(v.factors) == 1 and v.factors[0][1] == 1:
            return v.coef, v.factors[0][0]
        if isinstance(v, Lin) and absent(v.const) and len(v.terms) == 1:
            return v.terms[0][1], v.terms[0][0]
        return 1, self.materialize(v)  # type: ignore[return-value]

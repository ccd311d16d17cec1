"""Lowering of expressions: names, constants, arithmetic, calls of math functions, builtins, helpers.

Guarantees: each expression is a pending algebraic value or an operand of the trace, computed in
Python's order of evaluation; helpers are inlined; constants fold where Python's own rounding is kept.
"""

from __future__ import annotations

import ast
import math
import re

from .. import numpy_names as npn
from ..pending import Value, is_const
from ..frontend import (
    Elementary,
    Helper,
    MathConstant,
    MathModule,
    ModuleConstant,
    NumpyModule,
    NumpyName,
)
from ..rules import CONSTANTS, LINEAR, RULES
from ..trace import (
    ArrayOp,
    Call,
    Compute,
    ListVar,
    Load,
    Operand,
    Sum,
    Var,
)
from ..trace_text import fill_template
from .common import (
    _BUILTINS,
    Binding,
    _Tuples,
    _Undefined,
    _without_docstring,
)


class Expressions:
    """Expressions (a mixin of `_Lowering`)."""

    def compute(self, template: str, args: tuple, kind: str) -> Operand:
        if all(isinstance(a, (int, float)) for a in args):  # constants alone: decide now
            names = {"__builtins__": {}, "inf": math.inf, "nan": math.nan, "abs": abs, "min": min, "max": max,
                     "float": float, "int": int, "len": len, "range": range}
            try:
                return eval(fill_template(template, [repr(a) for a in args]), names)  # noqa: S307
            except (OverflowError, ValueError, ZeroDivisionError) as exc:  # int(1e309), as Python fails
                here = ast.Pass(lineno=self.line, col_offset=0, end_lineno=self.line, end_col_offset=0)
                raise self.fail(here, f"Python raises {type(exc).__name__} here: {exc}", "check the constants") \
                    from None
        return self.emit(Compute(template, args), None, kind)

    # --- expressions ---------------------------------------------------------------------------

    def value(self, e: ast.expr, env: dict[str, Binding]) -> Value:
        v = self.expr(e, env)
        if isinstance(v, (ListVar, _Tuples)):
            raise self.fail(e, f"the list {ast.unparse(e)} is not a number here",
                            "index it (xs[i]) or sum it (sum(xs)); lists are not copied or aliased")
        return v

    def read(self, e: ast.Name, env: dict[str, Binding]) -> Binding:
        v = env[e.id]
        if isinstance(v, _Undefined) and v.conds and self.implies(self.path, v.conds):  # in `a or z`: z where not a
            return self.where_read(v)  # type: ignore[return-value]
        if isinstance(v, _Undefined):
            raise self.fail(e, v.why, f"assign {e.id} before the loop or branch, on every path")
        return v

    def expr(self, e: ast.expr, env: dict[str, Binding]) -> Binding:  # type: ignore[override]
        if isinstance(e, ast.Constant):
            if type(e.value) not in (int, float, bool):  # a string is only einsum's subscripts
                raise self.fail(e, f"the constant {e.value!r} is not a number", "use int or float constants only")
            return self.constant(e.value)
        if isinstance(e, ast.Tuple):  # tuples are shapes and axes, read where a call takes them
            raise self.fail(e, "tuples are not supported here", "pass each scalar as its own float parameter, "
                            "or an array")
        if isinstance(e, ast.Name):
            if e.id in env:
                return self.read(e, env)
            return self.global_value(e.id, e)
        if isinstance(e, ast.Attribute):
            path = self.numpy_path(e, env)
            if path is not None:
                return npn.CONSTANTS[path]
            if isinstance(e.value, ast.Name) and isinstance(self.module.resolve(e.value.id), MathModule) \
                    and e.value.id not in env:
                return CONSTANTS[e.attr]
            return self.array_attribute(e, env)
        if isinstance(e, ast.UnaryOp):
            if isinstance(e.op, ast.Not):
                return self.condition(e, env)
            v = self.value(e.operand, env)
            if self.is_array(v) and isinstance(e.op, ast.USub):
                return self.array_negative(v)
            if self.is_array(v):  # +x is a new array in NumPy, not x itself
                return self.array_op(ArrayOp("positive", (v,)), "array")
            return self.mul(-1, v) if isinstance(e.op, ast.USub) else v
        if isinstance(e, ast.BinOp):
            return self.arith(e, e.op, self.value(e.left, env), self.value(e.right, env))
        if isinstance(e, ast.Call):
            return self.call(e, env)
        if isinstance(e, ast.BoolOp):
            return self.bool_value(e, env)
        if isinstance(e, ast.Compare):
            return self.condition(e, env)
        if isinstance(e, ast.IfExp):
            cond = self.condition(e.test, env)
            return self.select(cond, lambda: self.value(e.body, env), lambda: self.value(e.orelse, env))
        if isinstance(e, ast.Subscript) and not (isinstance(e.value, ast.Name)
                                                 and isinstance(env.get(e.value.id), ListVar)):
            return self.array_subscript(e, env)
        if isinstance(e, ast.Subscript):
            lst, index = self.subscript(e, env)
            items = self.displays.get(lst)
            if items is not None and isinstance(index, int) and not isinstance(index, bool) \
                    and (0 <= index < len(items) and index not in (self.rewritten.get(lst.hint) or ())
                         or -len(items) <= index < 0 and lst.hint not in self.mutated):
                return items[index]  # an item of a list nothing changes is the value it was made from
            return self.emit(Load(lst, index), kind=self.item_kind(lst))
        if isinstance(e, (ast.List, ast.ListComp)):
            raise self.fail(e, "a list can only be created by assigning it to a name",
                            "write ys = [...] on a line of its own")
        raise AssertionError(f"unchecked node {type(e).__name__}")

    def arith(self, node: ast.AST, op: ast.operator, a: Value, b: Value) -> Value:
        if isinstance(op, (ast.FloorDiv, ast.Mod)):
            symbol = "//" if isinstance(op, ast.FloorDiv) else "%"
            ia, ib = self.materialize(a), self.materialize(b)
            if all((isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, Var) and x.kind == "int")
                   for x in (ia, ib)):
                if ib == 0:
                    raise self.fail(node, f"{symbol} by the constant zero", "check the expression")
                return self.compute(f"_0 {symbol} _1", (ia, ib), "int")  # type: ignore[return-value]
            hint = ("x % y is x - y*floor(x/y): compute the floor outside, pass it in, write x - y*k"
                    if symbol == "%" else "floor division is piecewise constant: compute it outside and pass it in")
            raise self.fail(node, f"the {symbol} operator is not supported on floats", hint)
        if isinstance(op, ast.MatMult) or self.is_array(a) or self.is_array(b):
            return self.array_arith(node, op, a, b)
        return self.binop(node, op, a, b)

    def global_value(self, name: str, node: ast.AST) -> float:
        b = self.module.resolve(name)
        if isinstance(b, MathConstant):
            return b.value
        if isinstance(b, NumpyName):
            return npn.CONSTANTS[b.path]
        assert isinstance(b, ModuleConstant)
        numpy = {n for n, m in self.module.bindings.items() if isinstance(m, NumpyModule) and not m.path}
        if name not in self.constants and npn.is_table(b.node, numpy):
            text = ast.unparse(b.node)
            for alias in numpy:  # spelled with the name generated code imports NumPy as
                text = re.sub(rf"\b{alias}\.", "np.", text)
            self.tables[name] = text
            self.module.tables[name] = text
            return self.emit(Compute(name, ()), None, "array")  # type: ignore[return-value]
        if name not in self.constants:
            self.constants[name] = self.module.folded[name] = self.fold(b.node, f"the module-level value {name}")
        return self.constants[name]

    def fold(self, node: ast.expr, what: str) -> float:
        value = self.expr(node, {})
        if not is_const(value):  # pragma: no cover - the frontend admits constants only
            raise self.fail(node, f"{what} is not constant")
        return value  # type: ignore[return-value]

    def call(self, e: ast.Call, env: dict[str, Binding]) -> Binding:
        f = e.func
        if isinstance(f, ast.Name) and f.id in _BUILTINS and self.module.resolve(f.id) is None:
            return self.builtin(e, f.id, env)
        if isinstance(f, ast.Attribute) and f.attr == "index" and isinstance(f.value, ast.Name) \
                and f.value.id in env:
            return self.list_index(e, env)
        path = self.numpy_path(f, env)
        if path is not None:
            return self.numpy_call(e, path, env)
        if isinstance(f, ast.Attribute) and not (isinstance(f.value, ast.Name) and f.value.id not in env
                                                 and not isinstance(self.module.resolve(f.value.id), ModuleConstant)):
            return self.method_call(e, env)  # of an array (a data table too): DATA.mean(axis=0)
        args = [self.value(a, env) for a in e.args]
        if isinstance(f, ast.Attribute):
            key = f.attr  # math.<name>, checked by the frontend
            b = self.module.resolve(f.value.id) if isinstance(f.value, ast.Name) else None  # type: ignore[union-attr]
            if isinstance(b, MathModule) and key == "pow":
                key = "math.pow"
            elif not isinstance(b, MathModule):
                key = f"{b.qualname}.{f.attr}"  # type: ignore[union-attr]
        else:
            b = self.module.resolve(f.id)  # type: ignore[union-attr]
            if isinstance(b, Helper):
                return self.inline(e, b.node, args, env)
            assert isinstance(b, Elementary)
            key = b.key
        if key in ("abs", "fabs") and len(args) == 1:
            arg = self.materialize(args[0])
            if isinstance(arg, Var) and arg.kind in ("int", "bool") and key == "abs":  # piecewise constant
                return self.compute("abs(_0)", (arg,), "int")
        return self.elementary(e, key, args)

    def builtin(self, e: ast.Call, name: str, env: dict[str, Binding]) -> Binding:
        if e.keywords:
            raise self.fail(e, f"keyword arguments of {name} are not supported", "pass arguments by position")
        if name in ("len", "sum"):
            if len(e.args) != 1:
                raise self.fail(e, f"{name} takes one list here", f"write {name}(xs)")
            if name == "len" and _is_range(e.args[0]):  # len(range(a, b, c)): a trip count, an integer
                bounds = [self.materialize(self.value(a, env)) for a in e.args[0].args]  # type: ignore[attr-defined]
                if not 1 <= len(bounds) <= 3 or any(isinstance(b, float) or getattr(b, "kind", "int") != "int"
                                                    for b in bounds):
                    raise self.fail(e.args[0], "range takes one to three integers", "write len(range(a, b, step))")
                if all(isinstance(b, int) for b in bounds):
                    try:
                        return len(range(*bounds))  # type: ignore[arg-type]
                    except (ValueError, OverflowError) as exc:  # a zero step; more items than an index holds
                        raise self.fail(e.args[0], f"Python raises {type(exc).__name__} here: {exc}",
                                        "check the range's bounds") from None
                template = f"len(range({', '.join(f'_{k}' for k in range(len(bounds)))}))"
                return self.compute(template, tuple(bounds), "int")
            lst = self.expr(e.args[0], env)
            if self.is_array(lst):
                if name == "len":
                    return self.compute("len(_0)", (lst,), "int")
                return self.array_op(ArrayOp("builtin_sum", (lst,)), "array")
            if not isinstance(lst, ListVar):
                raise self.fail(e.args[0], f"{name} needs a list of floats", f"write {name}(xs) for a list xs")
            if name == "len":
                return self.compute("len(_0)", (lst,), "int")
            return self.emit(Sum(lst), kind=self.item_kind(lst))
        if name in ("float", "int"):
            if len(e.args) != 1:
                raise self.fail(e, f"{name} takes one argument here", f"write {name}(x)")
            v = self.materialize(self.value(e.args[0], env))
            if name == "float":
                # float() of an integer or a truth value is inactive; of anything else (a popped item), the value
                if isinstance(v, Var):
                    return self.compute("float(_0)", (v,), "float") if v.kind in ("int", "bool") else v
                try:
                    return float(v)
                except OverflowError as exc:
                    raise self.fail(e, f"Python raises OverflowError here: {exc}", "check the constants") from None
            return self.compute("int(_0)", (v,), "int")  # piecewise constant: no adjoint, which is exact
        if len(e.args) == 1:
            return self.list_extreme(e, name, env)
        # min / max of numbers
        if len(e.args) < 2:
            raise self.fail(e, f"{name} needs at least two numbers", f"write {name}(a, b)")
        values = [self.materialize(self.value(a, env)) for a in e.args]
        if all((isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, Var) and v.kind == "int")
               for v in values):
            return self.compute(f"{name}({', '.join(f'_{i}' for i in range(len(values)))})", tuple(values), "int")
        best: Operand = values[0]
        symbol = "<" if name == "min" else ">"
        for v in values[1:]:  # Python's rule: the first extreme argument wins ties
            cond = self.compute(f"_0 {symbol} _1", (v, best), "bool")
            prev = best
            best = self.materialize(self.select(cond, lambda v=v: v, lambda prev=prev: prev))  # type: ignore[misc]
        return best

    def list_extreme(self, e: ast.Call, name: str, env: dict[str, Binding]) -> Value:
        """max(xs) as xs[k], k = xs.index(max(xs)): the item Python picks (the first extreme one), read by
        an index computed in the forward sweep, so its adjoint and tangent are a load's, whatever later
        changes the list."""
        lst = self.expr(e.args[0], env)
        if self.is_array(lst):
            raise self.fail(e, f"{name} of an array with the builtin is not supported", f"write np.{name}(x)")
        if not isinstance(lst, ListVar):
            raise self.fail(e.args[0], f"{name} needs a list of numbers, or two numbers or more",
                            f"write {name}(xs) for a list xs, or {name}(a, b)")
        if self.item_kind(lst) == "array":
            raise self.fail(e, f"{name} of a list of arrays is not supported (NumPy cannot order arrays)",
                            f"write np.{name}(np.stack(xs), axis=0) for entry-wise extremes")
        index = self.compute(f"_0.index({name}(_0))", (lst,), "int")
        return self.emit(Load(lst, index), kind=self.item_kind(lst))

    def list_index(self, e: ast.Call, env: dict[str, Binding]) -> Value:
        """xs.index(v): an integer, piecewise constant, so it has no adjoint; xs.index(max(xs)) is the
        index max(xs) reads by."""
        f = e.func
        assert isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
        lst = env[f.value.id]
        if not isinstance(lst, ListVar) or self.is_array(lst):
            raise self.fail(f, f"{f.value.id}.index: index is a method of lists only",
                            "for the position of an array's largest entry write int(np.argmax(x))"
                            if self.is_array(lst) else "call it on a list: xs.index(v)")
        if len(e.args) != 1 or e.keywords:
            raise self.fail(e, "index takes one value here", f"write {f.value.id}.index(v)")
        a = e.args[0]
        if isinstance(a, ast.Call) and isinstance(a.func, ast.Name) and a.func.id in ("max", "min") \
                and a.func.id not in env and self.module.resolve(a.func.id) is None and len(a.args) == 1 \
                and not a.keywords and isinstance(a.args[0], ast.Name) and a.args[0].id == f.value.id:
            return self.compute(f"_0.index({a.func.id}(_0))", (lst,), "int")
        return self.compute("_0.index(_1)", (lst, self.materialize(self.value(a, env))), "int")

    def elementary(self, node: ast.AST, key: str, args: list[Value]) -> Value:
        if key in LINEAR:
            try:
                return self.mul(LINEAR[key], args[0])
            except OverflowError as exc:  # math.degrees(10 ** 400): Python fails alike
                raise self.fail(node, f"Python raises OverflowError here: {exc}", "check the constants") from None
        if key == "log" and len(args) == 2:
            # math.log(x, b) is log(x) / log(b), computed so
            return self.div(node, self.elementary(node, "log", args[:1]), self.elementary(node, "log", args[1:]))
        if key == "pow":
            return self.power(node, args[0], args[1])
        rule = RULES[key]
        if rule.evaluate is not None and all(is_const(a) for a in args):
            try:
                return rule.evaluate(*args)
            except (ValueError, OverflowError, ZeroDivisionError) as exc:
                raise self.fail(node, f"{rule.name} of constant arguments fails: {exc}", "check the constants") from None
        if rule.arity == 1:
            scale, var = self.scaled_var(args[0])
            return self.emit(Call(key, (var,), scale))
        return self.emit(Call(key, tuple(self.materialize(a) for a in args)))

    def inline(self, e: ast.Call, fn: ast.FunctionDef, args: list[Value], env: dict[str, Binding]) -> Value:
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        bound: dict[str, Binding] = dict(zip(params, args))
        for kw in e.keywords:
            bound[kw.arg] = self.value(kw.value, env)  # type: ignore[index]
        first_default = len(params) - len(fn.args.defaults)
        for i, p in enumerate(params):
            if p not in bound:
                bound[p] = self.fold(fn.args.defaults[i - first_default], "a parameter default")
        line = self.line
        try:
            return self.helper_body(fn, bound)
        finally:
            self.line = line

    def helper_body(self, fn: ast.FunctionDef, env: dict[str, Binding]) -> Value:
        """A helper's straight-line body, inlined: its return value, pending."""
        for stmt in _without_docstring(fn.body):
            self.line = stmt.lineno
            start = len(self.items)
            if isinstance(stmt, ast.Return):
                return self.value(stmt.value, env)  # type: ignore[arg-type]
            if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Tuple) and all(isinstance(n, ast.Name)
                                                    for n in t.elts) for t in stmt.targets) \
                    and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Tuple):
                self.statement(stmt, env, None)  # p, q = q, p: all at once
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and isinstance(
                    stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target, ast.Name):
                if isinstance(stmt, ast.AugAssign):
                    value = self.arith(stmt, stmt.op, self.read(stmt.target, env), self.value(stmt.value, env))  # type: ignore[arg-type]
                    targets = [stmt.target.id]  # type: ignore[union-attr]
                else:
                    value = self.value(stmt.value, env)  # type: ignore[arg-type]
                    targets = [t.id for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])]  # type: ignore[union-attr]
                for target in targets:
                    env[target] = self.assign(value, target, start)
            elif not isinstance(stmt, ast.Pass):
                raise self.fail(stmt, f"the helper {fn.name} is inlined, and helpers must be straight-line code",
                                "move branches and loops into the differentiated function")
        raise self.fail(fn, f"the helper {fn.name} must end with a return", "add `return <expression>`")


def _is_range(e: ast.expr) -> bool:
    return isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "range" and not e.keywords

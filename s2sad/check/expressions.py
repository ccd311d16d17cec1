"""Checking expressions: operators, constants, names (locals, module constants, math and NumPy names).

Guarantees: every name resolves per the module's source; every module constant read folds to a
number or is a data table (in a module that imports NumPy).
"""

from __future__ import annotations

import ast
import builtins

from .. import numpy_names
from ..frontend import (
    Binding,
    Elementary,
    Foreign,
    Helper,
    MathConstant,
    MathModule,
    ModuleConstant,
    NumpyModule,
    NumpyName,
    Opaque,
)
from ..hints import (
    BAD_OPS,
    INT_ONLY,
    MATH_HINT,
    SCALAR_CODE,
    library,
    missing_math,
)
from ..prepare import param_kinds
from .common import _math_name


class Expressions:
    """Expressions and names (a mixin of `_FunctionChecker`)."""

    def expr(self, e: ast.expr) -> None:
        if isinstance(e, ast.BinOp):
            self.binop(e, e.op)
            if isinstance(e.op, (ast.Mod, ast.FloorDiv)):
                self.integer_op(e, (e.left, e.right))
            self.expr(e.left)
            self.expr(e.right)
        elif isinstance(e, ast.UnaryOp):
            if isinstance(e.op, ast.Invert):
                self.bad(e, "the unary ~ operator is not supported", MATH_HINT)
            self.expr(e.operand)
        elif isinstance(e, ast.Compare):
            for op in e.ops:
                if isinstance(op, (ast.In, ast.NotIn, ast.Is, ast.IsNot)):
                    self.bad(e, f"the comparison {type(op).__name__} is not supported", "compare numbers with "
                             "< <= > >= == !=")
            for x in [e.left, *e.comparators]:
                self.expr(x)
        elif isinstance(e, ast.BoolOp):
            for x in e.values:
                self.expr(x)
        elif isinstance(e, ast.IfExp):
            for x in (e.test, e.body, e.orelse):
                self.expr(x)
        elif isinstance(e, ast.Subscript) and self.numpy:
            self.expr(e.value)
            self.index_parts(e.slice)
        elif isinstance(e, ast.Tuple) and self.numpy:  # shapes and axes: np.zeros((m, n)), axis=(0, 1)
            for x in e.elts:
                self.expr(x)
        elif isinstance(e, ast.Constant) and isinstance(e.value, str) and self.numpy:
            pass  # einsum's subscripts; lowering says where a string is not an option
        elif isinstance(e, ast.Subscript):
            if isinstance(e.slice, ast.Slice):
                self.unsupported(e.slice)
            else:
                self.expr(e.slice)
            if isinstance(e.value, ast.Name):
                self.name(e.value)
            else:
                self.bad(e.value, f"indexing {ast.unparse(e.value)} is not supported", "index a list by name: xs[i]")
        elif isinstance(e, ast.List):
            for x in e.elts:
                self.expr(x)
        elif isinstance(e, ast.Constant):
            self.constant(e)
        elif isinstance(e, ast.Name):
            self.name(e)
        elif isinstance(e, ast.Attribute):
            self.attribute(e, called=False)
        elif isinstance(e, ast.Call):
            self.call(e)
        else:
            self.unsupported(e)

    def index_parts(self, index: ast.expr) -> None:
        """An array index: integers, slices, None (new axes), integer arrays, several axes."""
        for part in (index.elts if isinstance(index, ast.Tuple) else [index]):
            if isinstance(part, ast.Slice):
                for x in (part.lower, part.upper, part.step):
                    if x is not None:
                        self.expr(x)
            elif not (isinstance(part, ast.Constant) and part.value is None):
                self.expr(part)

    def float_params(self) -> set[str]:
        kinds = param_kinds(self.node)
        return {a.arg for a in self.node.args.posonlyargs + self.node.args.args if a.arg not in kinds}

    def integer_op(self, node: ast.AST, operands: tuple[ast.expr, ...]) -> None:
        """% and // act on integers (indices); on a float parameter or constant they are an error now."""
        for x in operands:
            floats = isinstance(x, ast.Constant) and isinstance(x.value, float)
            floats |= isinstance(x, ast.Name) and x.id in self.float_params()
            if floats:
                spelling, hint = INT_ONLY[type(node.op if isinstance(node, ast.BinOp) else node.op)]  # type: ignore[attr-defined]
                self.bad(node, f"the {spelling} operator is not supported on floats", hint)
                return

    def binop(self, node: ast.AST, op: ast.operator) -> None:
        if isinstance(op, ast.MatMult) and self.numpy:
            return
        if type(op) in BAD_OPS:
            spelling, hint = BAD_OPS[type(op)]
            self.bad(node, f"the {spelling} operator is not supported", hint)

    def constant(self, e: ast.Constant) -> None:
        if e.value is None and self.numpy:
            return  # an option's None (axis=None); lowering says where None is not an option
        if type(e.value) not in (int, float, bool):
            self.bad(e, f"the constant {e.value!r} is not a number", "use int or float constants only")

    def name(self, e: ast.Name) -> None:
        n = e.id
        if n in self.locals:
            return
        if n in self.assigned_later:
            self.bad(e, f"{n} is used before it is assigned", f"assign {n} before this line")
            return
        if self.rebound(e, n, builtin=n not in self.module.bindings):
            return
        b = self.module.resolve(n)
        if isinstance(b, (MathConstant,)):
            self.math_patched(e, _math_name(self.module, n))
            return
        if isinstance(b, ModuleConstant):
            self.module_constant(e, b)
        elif isinstance(b, (Elementary, Helper)):
            self.bad(e, f"the function {n} can only be called", f"call it: {n}(...)")
        elif isinstance(b, MathModule):
            self.bad(e, f"the module {n} is not a value", f"use {n}.sin(...), {n}.pi, ...")
        elif isinstance(b, NumpyName):
            self.numpy_value(e, b.path, n)
        elif isinstance(b, NumpyModule):
            self.bad(e, f"the module {n} is not a value", f"use {n}.sin(...), {n}.sum(...), {n}.pi, ...")
        else:
            self.unknown(e, n, b)

    def numpy_value(self, e: ast.AST, path: str, spelled: str) -> None:
        """A NumPy name read as a value: a constant, or np.newaxis."""
        if path in numpy_names.CONSTANTS or path == numpy_names.NEWAXIS:
            return
        if numpy_names.known(path):
            self.bad(e, f"the function {spelled} can only be called", f"call it: {spelled}(...)")
        else:
            self.bad(e, *numpy_names.unsupported(path, spelled))

    def unknown(self, e: ast.AST, n: str, b: Binding | None) -> None:
        if isinstance(b, Foreign) and library(b.qualname):
            self.bad(e, f"{n} comes from {library(b.qualname)}, which s2sad does not support yet", SCALAR_CODE)
        elif isinstance(b, Foreign) and b.qualname.startswith("math."):
            self.bad(e, *missing_math(b.qualname[5:]))
        elif isinstance(b, Foreign):
            self.bad(e, f"{n} comes from {b.qualname.rpartition('.')[0] or b.qualname}, which s2sad does not read",
                     "make it a module-level numeric constant or a parameter")
        elif isinstance(b, Opaque):
            self.bad(e, f"{n} is {b.why}", "make it a numeric constant or a parameter")
        elif hasattr(builtins, n):
            self.bad(e, f"the builtin {n} is not supported", MATH_HINT)
        elif self.module.star_imports:
            self.star_imported(e, n)
        else:
            self.bad(e, f"name {n} is not defined", "define it as a parameter, a local or a module-level constant")

    def module_constant(self, where: ast.AST, b: ModuleConstant) -> None:
        if b.name in self.checked_constants:
            return
        self.checked_constants.add(b.name)
        if self.numpy and numpy_names.is_table(b.node, self.numpy_modules()):
            return  # a data table, copied into generated code as written
        self.constant_expr(b.node, f"the module-level value {b.name}", where)

    def numpy_modules(self) -> set[str]:
        return {n for n, b in self.module.bindings.items() if isinstance(b, NumpyModule) and not b.path}

    def constant_expr(self, node: ast.expr, what: str, where: ast.AST | None = None) -> None:
        """A module constant or default must fold to a number: numbers, math, other constants."""
        for sub in ast.walk(node):
            ok = isinstance(sub, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.Name, ast.Attribute, ast.Call, ast.Load,
                                  ast.operator, ast.unaryop))
            if isinstance(sub, ast.Constant) and type(sub.value) not in (int, float):
                ok = False
            if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                    and isinstance(self.module.resolve(sub.value.id), MathModule):
                if self.rebound(where or node, sub.value.id):
                    return
                self.math_patched(where or node, sub.attr)
            if isinstance(sub, ast.Name):
                b = self.module.resolve(sub.id)
                if b is not None and self.rebound(where or node, sub.id):
                    return
                if isinstance(sub, ast.Name) and isinstance(b, (MathConstant, Elementary)):
                    self.math_patched(where or node, _math_name(self.module, sub.id))
                if isinstance(b, ModuleConstant):
                    if sub.id not in self.checked_constants:
                        self.checked_constants.add(sub.id)
                        self.constant_expr(b.node, what, where)
                    continue
                ok = isinstance(b, (MathConstant, MathModule, Elementary))
            if not ok:
                self.bad(
                    where or node,
                    f"{what} is not a numeric constant s2sad can read from the source"
                    + (f" (line {node.lineno}: {ast.unparse(node)})" if where else ""),
                    "write it as a number, or pass it as a parameter",
                )
                return

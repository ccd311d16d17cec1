"""Checking the subset: every violation of a function and its helpers, at once.

Guarantees: `checked(src)` returns `src` only if the function, and every
module-level helper it calls (transitively), uses only the supported subset and
names that resolve (locals assigned before use, math, numeric module
constants, helpers, registered rules), with no recursion. Otherwise it raises
one `UnsupportedSyntaxError` listing every violation, each with file, line,
column and what to write instead. Lowering relies on this and checks nothing.

Before: ``def f(x): return x % 2``. After: error at 1:19, "the % operator is
not supported", hint "x % y is x - y*floor(x/y): ...".
"""

from __future__ import annotations

import ast
import builtins

from .errors import UnsupportedSyntaxError, Violation
from .frontend import (
    Binding,
    Elementary,
    Foreign,
    Helper,
    MathConstant,
    MathModule,
    Module,
    ModuleConstant,
    NumpyModule,
    NumpyName,
    Opaque,
    Source,
    math_binding,
)
from .hints import (
    BAD_OPS,
    INT_ONLY,
    MATH_HINT,
    MATH_INSTEAD,
    ONE_VALUE,
    SCALAR_CODE,
    STRAIGHT,
    SUGGEST,
    bound_names,
    library,
    missing_math,
    rule_hint,
)
from . import numpy_names
from .prepare import param_kinds
from .rules import LINEAR, RULES

_BUILTINS = ("len", "sum", "min", "max", "float", "int", "range")


def _math_name(module: Module, name: str) -> str:
    """The math attribute a name imported from math stands for (`from math import sin as s`: sin)."""
    for site in module.sites.names.get(name, []):
        if site.what.startswith("from math import "):
            return site.what.split()[3]
    return name


def _always_returns(body: list[ast.stmt]) -> bool:
    """Does every path through body end in a return (loops aside)?"""
    for s in body:
        if isinstance(s, ast.Return):
            return True
        if isinstance(s, ast.If) and _always_returns(s.body) and _always_returns(s.orelse):
            return True
    return False


def checked(src: Source) -> Source:
    """Raise one UnsupportedSyntaxError listing every violation in `src`, or return it."""
    found: list[Violation] = []
    done: set[str] = set()

    def visit(node: ast.FunctionDef, stack: tuple[str, ...]) -> None:
        done.add(node.name)
        checker = _FunctionChecker(src.module, node)
        checker.run()
        found.extend(checker.violations)
        for call, helper in checker.helper_calls:
            if helper.name in stack or helper.name == node.name:
                found.append(
                    src.module.violation(
                        call,
                        f"recursive call of {helper.name} is not supported",
                        "write the recursion out as straight-line code",
                    )
                )
            elif helper.name not in done:
                visit(helper, (*stack, node.name))

    visit(src.node, ())
    unique = list(dict.fromkeys(found))
    if unique:
        raise UnsupportedSyntaxError(unique)
    return src


def _assigned_names(body: list[ast.stmt]) -> set[str]:
    """Names a function body assigns anywhere (Python makes them local throughout)."""
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names.update(t.id for x in targets for t in ast.walk(x)
                         if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store))  # not `len` in ys[len(ys) - 1]
        elif not isinstance(stmt, (ast.Return, ast.Expr, ast.Pass)):  # compound or rare: look inside
            names |= bound_names(stmt)
    return names


class _FunctionChecker:
    """Walks one function body in order, tracking which locals are assigned."""

    def __init__(self, module: Module, node: ast.FunctionDef):
        self.module = module
        self.node = node
        self.violations: list[Violation] = []
        self.helper_calls: list[tuple[ast.Call, ast.FunctionDef]] = []
        self.locals = {a.arg for a in node.args.posonlyargs + node.args.args}
        self.assigned_later = _assigned_names(node.body)
        self.checked_constants: set[str] = set()
        self.reported: set[str] = set()  # names already reported as rebound
        self.rejected: set[str] = set()  # names bound by rejected constructs: their uses are not errors again
        # a module that imports NumPy may hold array code: slices, methods, `@` and keywords are read
        self.numpy = any(isinstance(b, (NumpyModule, NumpyName)) for b in module.bindings.values())

    def bad(self, node: ast.AST, message: str, hint: str = "") -> None:
        self.violations.append(self.module.violation(node, message, hint))

    def rebound(self, node: ast.AST, name: str, builtin: bool = False) -> bool:
        """Is the module-level name (or builtin) `name` bound more than once in the source? Say so once."""
        why = self.module.rebinding(name, builtin)
        if why and name not in self.reported:
            self.reported.add(name)
            self.bad(node, why, "give each value its own name, or pass it as a parameter")
        return bool(why)

    def math_patched(self, node: ast.AST, attr: str) -> None:
        why = self.module.patched(attr)
        if why and ("math." + attr) not in self.reported:
            self.reported.add("math." + attr)
            self.bad(node, why, "remove the assignment to the math module")

    def run(self) -> None:
        fn = self.node
        a = fn.args
        for what, present in (("*args", a.vararg), ("**kwargs", a.kwarg)):
            if present:
                self.bad(present, f"{what} parameters are not supported", ONE_VALUE)
        for arg in a.kwonlyargs:
            self.bad(arg, "keyword-only parameters are not supported", "make it an ordinary parameter")
        for d in a.defaults:
            self.constant_expr(d, "a parameter default")
        for dec in fn.decorator_list:
            self.bad(dec, "decorated functions are not supported", "differentiate the undecorated function")
        body = list(fn.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            if isinstance(body[0].value.value, str):
                body = body[1:]  # the docstring
        if not _always_returns(body):
            self.bad(
                body[-1] if body else fn,
                f"{fn.name} must end with a return of a scalar expression on every path",
                "add `return <expression>` as the last statement",
            )
        self.loop_depth = 0
        self.statements(body)

    # statements

    def statements(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Return):
            if self.loop_depth:
                self.bad(s, "return inside a loop is not supported",
                         "assign the result to a variable, break, and return after the loop")
            if s.value is None:
                self.bad(s, "return needs a value", "return the scalar result")
            else:
                self.expr(s.value)
        elif isinstance(s, ast.Assign) and len(s.targets) == 1 and self.is_pop(s.value):  # v = xs.pop()
            targets = s.targets[0].elts if isinstance(s.targets[0], ast.Tuple) else [s.targets[0]]
            for t in targets:
                self.target(t)
        elif isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Tuple) \
                and isinstance(s.value, ast.Tuple) and len(s.value.elts) == len(s.targets[0].elts) \
                and all(isinstance(t, ast.Name) for t in s.targets[0].elts):
            for v in s.value.elts:  # a, b = b, a + b
                self.expr(v)
            for t in s.targets[0].elts:
                self.target(t)
        elif isinstance(s, ast.Assign):
            self.expr(s.value)
            for t in s.targets:
                self.target(t)
        elif isinstance(s, ast.AnnAssign):
            if s.value is None:
                self.bad(s, "a bare annotation assigns nothing", "write `name: float = <expression>`")
            else:
                self.expr(s.value)
            self.target(s.target)
        elif isinstance(s, ast.AugAssign):
            self.binop(s, s.op)
            if isinstance(s.op, (ast.Mod, ast.FloorDiv)):
                self.integer_op(s, (s.target, s.value))
            if isinstance(s.target, ast.Name):
                self.name(s.target)
            self.expr(s.value)
            self.target(s.target)
        elif isinstance(s, (ast.Break, ast.Continue)):
            if not self.loop_depth:
                word = "break" if isinstance(s, ast.Break) else "continue"
                self.bad(s, f"{word} outside a loop", "use it inside a for or while loop, or use if/else")
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.If):
            self.expr(s.test)
            self.statements(s.body)
            self.statements(s.orelse)
        elif isinstance(s, (ast.For, ast.While)):
            self.loop(s)
        elif isinstance(s, ast.Expr):
            v = s.value
            if self.is_pop(v):
                pass
            elif (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr == "append"
                    and isinstance(v.func.value, ast.Name) and v.func.value.id in self.locals):
                if len(v.args) != 1 or v.keywords:
                    self.bad(v, "append takes one value", "write ys.append(value)")
                for a in v.args:
                    for x in (a.elts if isinstance(a, ast.Tuple) else [a]):  # a tape appends tuples
                        self.expr(x)
            elif not (isinstance(v, ast.Constant) and isinstance(v.value, str)):
                self.bad(s, "an expression statement has no effect on the result",
                         "remove it (lists grow with ys.append(value))")
        else:
            self.unsupported(s)

    def is_pop(self, e: ast.expr) -> bool:
        return isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "pop" \
            and isinstance(e.func.value, ast.Name) and e.func.value.id in self.locals and not e.args \
            and not e.keywords

    def loop(self, s: ast.For | ast.While) -> None:
        if s.orelse:
            word = "for" if isinstance(s, ast.For) else "while"
            self.bad(s.orelse[0], f"{word}-else is not supported", "set a flag variable before break and test it")
        if isinstance(s, ast.For):
            it = s.iter
            for node in ast.walk(it):  # the builtins a loop header calls
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                        and node.func.id in ("range", "reversed", "enumerate") and node.func.id not in self.locals:
                    self.rebound(node.func, node.func.id, builtin=node.func.id not in self.module.bindings)
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" \
                    and self.module.resolve("range") is None and "range" not in self.locals:
                if not 1 <= len(it.args) <= 3 or it.keywords:
                    self.bad(it, "range takes one to three arguments",
                             "write range(stop), range(start, stop) or range(start, stop, step)")
                for a in it.args:
                    self.expr(a)
            elif isinstance(it, ast.Name):
                self.name(it)
            elif isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in ("reversed", "enumerate") \
                    and len(it.args) == 1 and not it.keywords and self.module.resolve(it.func.id) is None \
                    and it.func.id not in self.locals:
                inner = it.args[0]  # reversed(range(...)), reversed(range(...)[:t]), enumerate(xs)
                if isinstance(inner, ast.Subscript) and isinstance(inner.slice, ast.Slice):
                    for bound in (inner.slice.lower, inner.slice.upper, inner.slice.step):
                        if bound is not None:
                            self.expr(bound)
                    inner = inner.value
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "range":
                    for a in inner.args:
                        self.expr(a)
                else:
                    self.expr(inner)
            elif isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in self.locals | \
                    self.assigned_later and it.func.id in ("range", "reversed", "enumerate"):
                self.bad(it.func, f"{it.func.id} is a variable of {self.node.name} here, not the builtin",
                         f"give the variable another name than {it.func.id}")
            else:
                self.bad(it, f"iterating over {ast.unparse(it)} is not supported",
                         "loop over range(...) or over a list of floats")
            if isinstance(s.target, ast.Tuple) and all(isinstance(t, ast.Name) for t in s.target.elts) \
                    and isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate":
                self.locals.update(t.id for t in s.target.elts)  # type: ignore[attr-defined]
            elif isinstance(s.target, ast.Name):
                self.locals.add(s.target.id)
            else:
                self.bad(s.target, "only a plain name can be a loop variable", "write for i in range(n)")
                self.reject(s.target)
        else:
            self.expr(s.test)
        self.loop_depth += 1
        self.statements(s.body)
        self.loop_depth -= 1

    def target(self, t: ast.expr) -> None:
        if isinstance(t, ast.Name):
            self.locals.add(t.id)
        elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and self.numpy:
            self.name(t.value)
            self.index_parts(t.slice)
        elif isinstance(t, ast.Tuple) and self.numpy and all(isinstance(n, ast.Name) for n in t.elts):
            self.locals |= {n.id for n in t.elts}  # type: ignore[attr-defined]
        elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
            self.name(t.value)
            self.expr(t.slice)
        elif isinstance(t, (ast.Tuple, ast.List)):
            self.bad(t, "unpacking assignment is not supported", "assign names from a tuple of the same length "
                     "(a, b = b, a + b), or one name per line")
            self.reject(t)
        else:
            self.bad(t, f"assignment to {ast.unparse(t)} is not supported", "assign to a plain local name")

    def reject(self, node: ast.AST) -> None:
        """What a rejected construct binds counts as bound: one error, not one more per later use."""
        names = bound_names(node)
        self.locals |= names
        self.rejected |= names

    def unsupported(self, node: ast.AST) -> None:
        self.reject(node)
        kind = type(node)
        if kind in SUGGEST:
            msg, hint = SUGGEST[kind]
        else:
            msg, hint = f"{kind.__name__} is not supported", STRAIGHT
        self.bad(node, msg, hint)

    # expressions

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

    def attribute(self, e: ast.Attribute, called: bool, n_args: int | None = None) -> str | None:
        """Check `m.name`; returns the rules key it names when it is a math function."""
        if isinstance(e.value, ast.Name) and e.value.id in self.rejected:
            return None  # bound by a construct already reported
        base = e.value
        while isinstance(base, ast.Attribute):
            base = base.value
        b = self.module.resolve(base.id) if isinstance(base, ast.Name) and base.id not in self.locals else None
        if isinstance(b, NumpyModule):
            if not self.rebound(base, base.id):
                path = ".".join(p for p in (b.path, numpy_names.attribute_path(e)) if p)
                if called and not numpy_names.known(path):
                    self.bad(e, *numpy_names.unsupported(path, ast.unparse(e)))
                elif not called:
                    self.numpy_value(e, path, ast.unparse(e))
            return None
        if self.numpy and not (isinstance(e.value, ast.Name) and e.value.id not in self.locals):
            # an array's method or attribute: x.sum(axis=0), x.T, (a @ b).shape
            self.expr(e.value)
            wanted = numpy_names.METHODS if called else numpy_names.ATTRIBUTES
            if e.attr not in wanted:
                what = "method" if called else "attribute"
                self.bad(e, f"the array {what} .{e.attr} is not supported",
                         "supported: " + ", ".join(f".{m}" + ("()" if called else "") for m in sorted(wanted)))
            return None
        if isinstance(e.value, ast.Name) and e.value.id not in self.locals:
            b = self.module.resolve(e.value.id)
            if self.rebound(e.value, e.value.id, builtin=b is None):
                return None
            if isinstance(b, MathModule):
                self.module.read.add("math." + e.attr)
                self.math_patched(e, e.attr)
                mb = math_binding(e.attr)
                if isinstance(mb, MathConstant) and not called:
                    return None
                if isinstance(mb, Elementary) and called:
                    return mb.key
                what = "function" if called else "value"
                if called and mb is None:
                    self.bad(e, *missing_math(e.attr))
                else:
                    self.bad(e, f"math.{e.attr} is not a supported {what}", MATH_HINT)
                return None
            if isinstance(b, Foreign) and f"{b.qualname}.{e.attr}" in RULES:
                if called:
                    return f"{b.qualname}.{e.attr}"
            if isinstance(b, Foreign):
                lib = library(b.qualname)
                same = math_binding(e.attr)
                if (isinstance(same, Elementary) and called) or (isinstance(same, MathConstant) and not called):
                    hint = f"use math.{e.attr}"
                elif lib:
                    hint = SCALAR_CODE
                else:
                    rule = rule_hint(e.attr, n_args)
                    hint = (f"import the function by name (from {b.qualname} import {e.attr}) and declare its "
                            f"derivative: {rule}") if rule else "define the function in this module with def"
                where = f"{lib}, which s2sad does not support yet" if lib else \
                    f"{b.qualname}, which s2sad does not differentiate"
                self.bad(e, f"{ast.unparse(e)} comes from {where}", hint)
                return None
        self.bad(e, f"attribute access {ast.unparse(e)} is not supported", MATH_HINT)
        return None

    def call(self, e: ast.Call) -> None:
        numpy_call = False  # a NumPy function or an array method: keyword options allowed
        key: str | None = None
        label = ast.unparse(e.func)
        helper: ast.FunctionDef | None = None
        if isinstance(e.func, ast.Name) and e.func.id in _BUILTINS and e.func.id not in self.locals \
                and self.module.resolve(e.func.id) is None:
            if e.func.id in self.assigned_later:  # a local throughout the function, as Python reads it
                self.bad(e.func, f"{label} is a local variable of {self.node.name} (assigned later), so Python does "
                         "not call the builtin here", f"give the variable another name than {label}")
            self.rebound(e.func, e.func.id, builtin=True)
            for a in e.args:
                self.expr(a)
            if e.keywords:
                self.bad(e, f"keyword arguments of {label} are not supported", "pass arguments by position")
            if e.func.id == "range":
                self.bad(e, "range is supported only as the iterable of a for loop", "write for i in range(n)")
            return
        if isinstance(e.func, ast.Name) and e.func.id in self.rejected:
            pass  # bound by a construct already reported
        elif isinstance(e.func, ast.Name) and e.func.id not in self.locals \
                and isinstance(self.module.resolve(e.func.id), NumpyName):
            path = self.module.resolve(e.func.id).path  # type: ignore[union-attr]
            if not self.rebound(e.func, e.func.id) and not numpy_names.known(path):
                self.bad(e.func, *numpy_names.unsupported(path, label))
            numpy_call = True
        elif isinstance(e.func, ast.Name) and e.func.id not in self.locals:
            b = self.module.resolve(e.func.id)
            if e.func.id in self.assigned_later:  # Python makes it a local throughout the function
                self.bad(e.func, f"{label} is a local variable of {self.node.name} (assigned later), not a function",
                         f"give the variable another name than {label}")
                b = None
            elif self.rebound(e.func, e.func.id, builtin=e.func.id not in self.module.bindings):
                b = None
                key = None
            if e.func.id in self.assigned_later:
                pass
            elif isinstance(b, Elementary):
                key = b.key
                self.math_patched(e.func, _math_name(self.module, e.func.id))
            elif isinstance(b, Helper):
                helper = b.node
            elif e.func.id in self.reported:
                pass
            else:
                self.unknown_function(e, label, b)
        elif isinstance(e.func, ast.Attribute):
            key = self.attribute(e.func, called=True, n_args=len(e.args))
            numpy_call = self.numpy and key is None
        else:
            self.bad(e.func, f"{label} is not callable here", "call a math function")
        for a in e.args:
            if isinstance(a, ast.Starred):
                self.bad(a, "*arguments are not supported", "pass each argument on its own")
            else:
                self.expr(a)
        for kw in e.keywords:
            if (helper is None and not numpy_call) or kw.arg is None:
                self.bad(kw, f"keyword arguments are not supported for {label}", "pass arguments by position")
            self.expr(kw.value)
        if key is not None:
            self.arity(e, key, label)
        if helper is not None:
            self.helper_call(e, helper)

    def star_imported(self, e: ast.AST, n: str) -> None:
        """An unknown name in a module with `from X import *`: it may come from there, unread."""
        src, line = self.module.star_imports[0]
        lib = library(src)
        self.bad(e, f"{n} is not defined here; `from {src} import *` (line {line}) may define it, but s2sad reads "
                 "no star import" + (f", and {lib} is not supported yet" if lib else ""),
                 SCALAR_CODE if lib else f"import it by name: from {src} import {n}")

    def unknown_function(self, e: ast.Call, label: str, b: Binding | None) -> None:
        if isinstance(b, Foreign) and library(b.qualname):
            self.bad(e.func, f"{label} comes from {library(b.qualname)}, which s2sad does not support yet",
                     SCALAR_CODE)
        elif isinstance(b, Foreign) and b.qualname.startswith("math."):
            self.bad(e.func, *missing_math(b.qualname[5:]))
        elif isinstance(b, Opaque):
            self.bad(e.func, f"{label} is {b.why}", "call a function defined with def at module level")
        elif b is None and hasattr(builtins, label):
            self.bad(e.func, f"the builtin {label} is not supported", MATH_INSTEAD.get(label, MATH_HINT))
        elif b is None and self.module.star_imports:
            self.star_imported(e.func, label)
        elif isinstance(b, Foreign) or b is None:
            rule = rule_hint(label, len(e.args))
            declare = f", or declare its derivative in this module: {rule}" if rule else \
                " (derivative rules take one or two arguments)"
            self.bad(e.func, f"s2sad has no derivative rule for {label}",
                     f"use a math function, define {label} in this module with def{declare}")
        else:
            self.bad(e.func, f"{label} is not a function", "call a math function")

    def arity(self, e: ast.Call, key: str, label: str) -> None:
        n = len(e.args)
        if key == "log":
            ok = n in (1, 2)
            want = "1 or 2"
        elif key in LINEAR:
            ok, want = n == 1, "1"
        else:
            want_n = RULES[key].arity
            ok, want = n == want_n, str(want_n)
            if key == "hypot" and n > 2:
                self.bad(e, "hypot with more than 2 arguments is not supported", "nest it: hypot(hypot(a, b), c)")
                return
        if not ok:
            self.bad(e, f"{label} takes {want} argument(s), got {n}", f"call {label} with {want} argument(s)")

    def helper_call(self, e: ast.Call, helper: ast.FunctionDef) -> None:
        params = [a.arg for a in helper.args.posonlyargs + helper.args.args]
        n_default = len(helper.args.defaults)
        given = len(e.args)
        names = [kw.arg for kw in e.keywords]
        problems = []
        if given > len(params):
            problems.append(f"takes {len(params)} argument(s), got {given}")
        for n in names:
            if n not in params:
                problems.append(f"has no parameter {n}")
            elif params.index(n) < given:
                problems.append(f"got {n} twice")
        missing = [p for i, p in enumerate(params[: len(params) - n_default]) if i >= given and p not in names]
        if missing:
            problems.append(f"is missing {', '.join(missing)}")
        if problems:
            self.bad(e, f"{helper.name} {'; '.join(problems)}", f"call it as {helper.name}({', '.join(params)})")
        self.helper_calls.append((e, helper))

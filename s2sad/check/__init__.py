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

from ..errors import UnsupportedSyntaxError, Violation
from ..frontend import Module, NumpyModule, NumpyName, Source
from ..hints import ONE_VALUE
from .calls import Calls
from .common import _always_returns, _assigned_names
from .expressions import Expressions
from .statements import Statements


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



class _FunctionChecker(Statements, Expressions, Calls):
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

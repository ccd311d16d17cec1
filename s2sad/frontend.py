"""Frontend: find the function, read its module statically, reject what is outside the subset.

Guarantees: `load_spec` and `load_function` return a `Source` whose function
(and every module-level helper it calls, transitively) uses only the supported
subset, with every name resolved against the module's *source* (its imports of
`math`, its module-level numeric constants, its functions). The user's module
is never imported or executed. Otherwise an `UnsupportedSyntaxError` lists
every violation at once, each with file, line, column and a suggestion.

Before: ``def f(x): return x % 2`` -- after: error at 1:19, "the % operator is
not supported".
"""

from __future__ import annotations

import ast
import builtins
import inspect
import linecache
import os
import sys
import tokenize
from dataclasses import dataclass, field
from typing import Callable, Union

from .errors import S2sadError, UnsupportedSyntaxError, Violation
from .rules import CONSTANTS, LINEAR, RULES

# --- what a module-level name is bound to (read from the source) -----------


@dataclass(frozen=True)
class MathModule:
    """The `math` module (`import math`, `import math as m`)."""


@dataclass(frozen=True)
class Elementary:
    """A row of the rules table (or a `LINEAR` scaling), by its key."""

    key: str


@dataclass(frozen=True)
class MathConstant:
    value: float


@dataclass(frozen=True)
class ModuleConstant:
    """`NAME = <numeric constant expression>` at module level."""

    name: str
    node: ast.expr


@dataclass(frozen=True)
class Helper:
    """A module-level function of the same module: inlined where called."""

    node: ast.FunctionDef


@dataclass(frozen=True)
class Foreign:
    """A name imported from another module (`qualname` is `module.attr`)."""

    qualname: str


@dataclass(frozen=True)
class Opaque:
    """Bound at module level in a way s2sad does not read (a loop, a call...)."""

    why: str


Binding = Union[MathModule, Elementary, MathConstant, ModuleConstant, Helper, Foreign, Opaque]

_BUILTIN_CALLS = {"abs": Elementary("abs"), "pow": Elementary("pow")}


@dataclass
class Module:
    """A module's source and its module-level bindings, as read statically."""

    name: str  # dotted module name (for registered rules)
    filename: str  # as shown in messages
    lines: list[str]
    bindings: dict[str, Binding] = field(default_factory=dict)

    def resolve(self, name: str) -> Binding | None:
        """What a free name of a function body means, per the module's source."""
        b = self.bindings.get(name)
        if isinstance(b, Helper):
            key = f"{self.name}.{name}"
            return Elementary(key) if key in RULES else b
        if isinstance(b, Foreign) and b.qualname in RULES:
            return Elementary(b.qualname)
        if b is None and name in _BUILTIN_CALLS:
            return _BUILTIN_CALLS[name]
        return b

    def text(self, line: int) -> str:
        return self.lines[line - 1].rstrip("\r\n") if 0 < line <= len(self.lines) else ""

    def violation(self, node: ast.AST, message: str, hint: str = "") -> Violation:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None) or col + 1
        text = self.text(line)
        # ast columns count UTF-8 bytes; messages count characters.
        raw = text.encode()
        col = len(raw[:col].decode(errors="replace"))
        if end_line == line:
            end_col = len(raw[:end_col].decode(errors="replace"))
        return Violation(self.filename, line, col + 1, end_line, end_col + 1, message, hint, text)


@dataclass(frozen=True)
class Source:
    """A function to differentiate, with the module it is read in."""

    module: Module
    node: ast.FunctionDef


# --- reading the module ------------------------------------------------------


def read_module(text: str, name: str, filename: str) -> tuple[Module, ast.Module]:
    """Parse a module's text and record its module-level bindings."""
    lines = text.splitlines(keepends=True)
    module = Module(name, filename, lines)
    try:
        tree = ast.parse(text, filename=filename)
    except SyntaxError as exc:
        col = exc.offset or 1
        line = exc.lineno or 1
        v = Violation(filename, line, col, line, col + 1, exc.msg, "", module.text(line))
        raise UnsupportedSyntaxError([v]) from None
    b = module.bindings
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                bound = a.asname or a.name.partition(".")[0]
                b[bound] = MathModule() if a.name == "math" else Foreign(a.asname and a.name or bound)
        elif isinstance(stmt, ast.ImportFrom):
            src = "." * stmt.level + (stmt.module or "")
            for a in stmt.names:
                if a.name == "*":
                    if src == "math":
                        b.update({n: _math_binding(n) for n in (*RULES, *LINEAR, *CONSTANTS) if _math_binding(n)})
                    continue
                bound = a.asname or a.name
                b[bound] = (_math_binding(a.name) if src == "math" else None) or Foreign(f"{src}.{a.name}")
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            b[stmt.name] = Helper(stmt) if isinstance(stmt, ast.FunctionDef) else Opaque("an async function")
        elif isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            for t in stmt.targets:
                b[t.id] = ModuleConstant(t.id, stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            b[stmt.target.id] = ModuleConstant(stmt.target.id, stmt.value)
        else:
            why = f"bound by the statement at line {stmt.lineno}, which s2sad does not read"
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    b[node.id] = Opaque(why)
                elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                    b[node.name] = Opaque(why)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    for a in node.names:
                        b[(a.asname or a.name).partition(".")[0]] = Opaque(why)
    return module, tree


def _math_binding(name: str) -> Binding | None:
    if name in CONSTANTS:
        return MathConstant(CONSTANTS[name])
    if name in LINEAR or (name in RULES and RULES[name].module == "math"):
        return Elementary(name)
    return None


def _read_file(path: str) -> str:
    try:
        with tokenize.open(path) as fh:  # honours PEP 263 encoding declarations
            return fh.read()
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise S2sadError(f"cannot read {path}: {exc}") from None


def _display_path(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _find_def(tree: ast.Module, name: str, module: Module, line: int | None = None) -> ast.FunctionDef:
    defs = [s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == name]
    if line is not None:  # the def the running function object came from
        exact = [d for d in defs if line in (d.lineno, *(x.lineno for x in d.decorator_list))]
        defs = exact or defs
    if not defs:
        known = ", ".join(s.name for s in tree.body if isinstance(s, ast.FunctionDef)) or "none"
        raise S2sadError(f"{module.filename}: no module-level function {name!r} (functions there: {known})")
    return defs[-1]


def load_spec(spec: str) -> Source:
    """Find `path/to/file.py:func` or `package.module.func` without importing it."""
    if ":" in spec:
        path, _, func = spec.rpartition(":")
        if not os.path.isfile(path):
            raise S2sadError(f"no such file: {path}")
        modname = os.path.splitext(os.path.basename(path))[0]
    else:
        modname, _, func = spec.rpartition(".")
        if not modname or not func:
            raise S2sadError(f"cannot read {spec!r}: write module.function or path/to/file.py:function")
        path = _find_module(modname)
    if not func.isidentifier():
        raise S2sadError(f"{func!r} is not a function name")
    module, tree = read_module(_read_file(path), modname, _display_path(path))
    return checked(Source(module, _find_def(tree, func, module)))


def _find_module(modname: str) -> str:
    rel = os.path.join(*modname.split("."))
    for base in [os.getcwd(), *sys.path[1:]]:
        for cand in (rel + ".py", os.path.join(rel, "__init__.py")):
            full = os.path.join(base or ".", cand)
            if os.path.isfile(full):
                return full
    raise S2sadError(f"cannot find module {modname!r} from the current directory ({os.getcwd()})")


def load_function(f: Callable[..., float]) -> Source:
    """The source of a live function object, read from its file, not its globals."""
    code = getattr(f, "__code__", None)
    if code is None or not inspect.isfunction(f):
        raise S2sadError(f"{f!r} is not a Python function defined with def; s2sad reads its source")
    if f.__name__ == "<lambda>":
        raise S2sadError("a lambda has no source s2sad can read: define the function with def in a .py file")
    if "." in f.__qualname__:
        raise S2sadError(
            f"{f.__qualname__} is nested in a function or class: define it at module level of a .py file"
        )
    filename = code.co_filename
    lines = linecache.getlines(filename, f.__globals__)
    if not lines:
        raise S2sadError(
            f"{f.__name__} has no source file (defined interactively?): define it in a .py file and import it"
        )
    name = _display_path(filename) if os.path.isfile(filename) else filename
    module, tree = read_module("".join(lines), f.__module__, name)
    return checked(Source(module, _find_def(tree, f.__name__, module, code.co_firstlineno)))


# --- checking the subset ------------------------------------------------------

_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_INTEGER_OPS = "bitwise operators act on integers; s2sad differentiates float arithmetic"
_BAD_OPS = {  # operator -> (spelling, what to write instead)
    ast.FloorDiv: ("//", "floor division is piecewise constant: compute it outside and pass it in"),
    ast.Mod: ("%", "x % y is x - y*floor(x/y): compute the floor outside, pass it in, write x - y*k"),
    ast.MatMult: ("@", "write the products out: a1*b1 + a2*b2 + ..."),
    ast.LShift: ("<<", _INTEGER_OPS),
    ast.RShift: (">>", _INTEGER_OPS),
    ast.BitOr: ("|", _INTEGER_OPS),
    ast.BitAnd: ("&", _INTEGER_OPS),
    ast.BitXor: ("^", _INTEGER_OPS + " (for a power write **)"),
}
_CONTROL = "branches and loops are not supported yet"
_STRAIGHT = "write straight-line code: assignments and one return at the end"
_ONE_VALUE = "pass each scalar as its own float parameter"
_SUGGEST: dict[type, tuple[str, str]] = {
    ast.If: (_CONTROL, _STRAIGHT),
    ast.For: (_CONTROL, _STRAIGHT),
    ast.While: (_CONTROL, _STRAIGHT),
    ast.Try: ("try/except is not supported", _STRAIGHT),
    ast.With: ("with blocks are not supported", _STRAIGHT),
    ast.Raise: ("raise is not supported", _STRAIGHT),
    ast.Assert: ("assert is not supported", "check inputs before calling the function"),
    ast.Delete: ("del is not supported", "remove the del statement"),
    ast.Global: ("global variables cannot be assigned", "return the value instead"),
    ast.Nonlocal: ("nonlocal is not supported", "return the value instead"),
    ast.Import: ("imports inside the function are not supported", "import math at module level"),
    ast.ImportFrom: ("imports inside the function are not supported", "import at module level"),
    ast.FunctionDef: ("nested functions are not supported", "define the helper at module level"),
    ast.ClassDef: ("classes are not supported", "define functions at module level"),
    ast.Compare: ("comparisons are not supported", _STRAIGHT),
    ast.BoolOp: ("and/or are not supported", _STRAIGHT),
    ast.IfExp: ("conditional expressions are not supported", _STRAIGHT),
    ast.Subscript: ("indexing is not supported", _ONE_VALUE),
    ast.List: ("lists are not supported", _ONE_VALUE),
    ast.Tuple: ("tuples are not supported", _ONE_VALUE),
    ast.Dict: ("dicts are not supported", _ONE_VALUE),
    ast.Set: ("sets are not supported", _ONE_VALUE),
    ast.Lambda: ("lambda is not supported", "define a module-level function with def"),
    ast.ListComp: ("comprehensions are not supported", _STRAIGHT),
    ast.GeneratorExp: ("generator expressions are not supported", _STRAIGHT),
    ast.NamedExpr: ("the walrus operator is not supported", "assign on a line of its own"),
    ast.JoinedStr: ("strings are not supported", "use float values only"),
}
_MATH_HINT = "use + - * / ** and math functions (sin, exp, log, sqrt, ...)"


def checked(src: Source) -> Source:
    """Raise one UnsupportedSyntaxError listing every violation in `src`, or return it."""
    found: list[Violation] = []
    done: set[str] = set()

    def visit(node: ast.FunctionDef, stack: tuple[str, ...]) -> None:
        done.add(node.name)
        checker = _FunctionChecker(src.module, node, is_helper=bool(stack))
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
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif not isinstance(stmt, (ast.Return, ast.Expr, ast.Pass)):  # compound or rare: look inside
            names.update(
                t.id for t in ast.walk(stmt) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)
            )
    return names


class _FunctionChecker:
    """Walks one function body in order, tracking which locals are assigned."""

    def __init__(self, module: Module, node: ast.FunctionDef, is_helper: bool):
        self.module = module
        self.node = node
        self.is_helper = is_helper
        self.violations: list[Violation] = []
        self.helper_calls: list[tuple[ast.Call, ast.FunctionDef]] = []
        self.locals = {a.arg for a in node.args.posonlyargs + node.args.args}
        self.assigned_later = _assigned_names(node.body)
        self.checked_constants: set[str] = set()

    def bad(self, node: ast.AST, message: str, hint: str = "") -> None:
        self.violations.append(self.module.violation(node, message, hint))

    def run(self) -> None:
        fn = self.node
        a = fn.args
        for what, present in (("*args", a.vararg), ("**kwargs", a.kwarg)):
            if present:
                self.bad(present, f"{what} parameters are not supported", _ONE_VALUE)
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
        if not body or not isinstance(body[-1], ast.Return):
            self.bad(
                body[-1] if body else fn,
                f"{fn.name} must end with a return of a scalar expression",
                "add `return <expression>` as the last statement",
            )
        for i, stmt in enumerate(body):
            last = i == len(body) - 1
            self.stmt(stmt, last)

    # statements

    def stmt(self, s: ast.stmt, last: bool) -> None:
        if isinstance(s, ast.Return):
            if not last:
                self.bad(s, "return is only supported as the last statement", _STRAIGHT)
            if s.value is None:
                self.bad(s, "return needs a value", "return the scalar result")
            else:
                self.expr(s.value)
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
            if isinstance(s.target, ast.Name):
                self.name(s.target)
            self.expr(s.value)
            self.target(s.target)
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.Expr):
            self.bad(s, "an expression statement has no effect on the result", "remove it")
        else:
            self.unsupported(s)

    def target(self, t: ast.expr) -> None:
        if isinstance(t, ast.Name):
            self.locals.add(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)):
            self.bad(t, "unpacking assignment is not supported", "assign one name per line")
        else:
            self.bad(t, f"assignment to {ast.unparse(t)} is not supported", "assign to a plain local name")

    def unsupported(self, node: ast.AST) -> None:
        kind = type(node)
        if kind in _SUGGEST:
            msg, hint = _SUGGEST[kind]
        else:
            msg, hint = f"{kind.__name__} is not supported", _STRAIGHT
        self.bad(node, msg, hint)

    # expressions

    def expr(self, e: ast.expr) -> None:
        if isinstance(e, ast.BinOp):
            self.binop(e, e.op)
            self.expr(e.left)
            self.expr(e.right)
        elif isinstance(e, ast.UnaryOp):
            if not isinstance(e.op, (ast.USub, ast.UAdd)):
                self.bad(e, f"the unary {'not' if isinstance(e.op, ast.Not) else '~'} operator is not supported", _MATH_HINT)
            self.expr(e.operand)
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

    def binop(self, node: ast.AST, op: ast.operator) -> None:
        if type(op) in _BAD_OPS:
            spelling, hint = _BAD_OPS[type(op)]
            self.bad(node, f"the {spelling} operator is not supported", hint)

    def constant(self, e: ast.Constant) -> None:
        if type(e.value) not in (int, float):
            self.bad(e, f"the constant {e.value!r} is not a number", "use int or float constants only")

    def name(self, e: ast.Name) -> None:
        n = e.id
        if n in self.locals:
            return
        if n in self.assigned_later:
            self.bad(e, f"{n} is used before it is assigned", f"assign {n} before this line")
            return
        b = self.module.resolve(n)
        if isinstance(b, (MathConstant,)):
            return
        if isinstance(b, ModuleConstant):
            self.module_constant(e, b)
        elif isinstance(b, (Elementary, Helper)):
            self.bad(e, f"the function {n} can only be called", f"call it: {n}(...)")
        elif isinstance(b, MathModule):
            self.bad(e, f"the module {n} is not a value", f"use {n}.sin(...), {n}.pi, ...")
        else:
            self.unknown(e, n, b)

    def unknown(self, e: ast.AST, n: str, b: Binding | None) -> None:
        if isinstance(b, Foreign):
            self.bad(e, f"{n} comes from {b.qualname.rpartition('.')[0] or b.qualname}, which s2sad does not read",
                     "use math functions, or register a rule: s2sad.register(function, 'partial in x')")
        elif isinstance(b, Opaque):
            self.bad(e, f"{n} is {b.why}", "make it a numeric constant or a parameter")
        elif hasattr(builtins, n):
            self.bad(e, f"the builtin {n} is not supported", _MATH_HINT)
        else:
            self.bad(e, f"name {n} is not defined", "define it as a parameter, a local or a module-level constant")

    def module_constant(self, where: ast.AST, b: ModuleConstant) -> None:
        if b.name in self.checked_constants:
            return
        self.checked_constants.add(b.name)
        self.constant_expr(b.node, f"the module-level value {b.name}", where)

    def constant_expr(self, node: ast.expr, what: str, where: ast.AST | None = None) -> None:
        """A module constant or default must fold to a number: numbers, math, other constants."""
        for sub in ast.walk(node):
            ok = isinstance(sub, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.Name, ast.Attribute, ast.Call, ast.Load,
                                  ast.operator, ast.unaryop))
            if isinstance(sub, ast.Constant) and type(sub.value) not in (int, float):
                ok = False
            if isinstance(sub, ast.Name):
                b = self.module.resolve(sub.id)
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

    def attribute(self, e: ast.Attribute, called: bool) -> str | None:
        """Check `m.name`; returns the rules key it names when it is a math function."""
        if isinstance(e.value, ast.Name) and e.value.id not in self.locals:
            b = self.module.resolve(e.value.id)
            if isinstance(b, MathModule):
                mb = _math_binding(e.attr)
                if isinstance(mb, MathConstant) and not called:
                    return None
                if isinstance(mb, Elementary) and called:
                    return mb.key
                what = "function" if called else "value"
                self.bad(e, f"math.{e.attr} is not a supported {what}", _MATH_HINT)
                return None
            if isinstance(b, Foreign) and f"{b.qualname}.{e.attr}" in RULES:
                if called:
                    return f"{b.qualname}.{e.attr}"
            if isinstance(b, Foreign):
                self.bad(e, f"{ast.unparse(e)} comes from {b.qualname}, which s2sad does not differentiate",
                         f"use math instead, or register a rule: s2sad.register({ast.unparse(e)}, 'partial in x')")
                return None
        self.bad(e, f"attribute access {ast.unparse(e)} is not supported", _MATH_HINT)
        return None

    def call(self, e: ast.Call) -> None:
        key: str | None = None
        label = ast.unparse(e.func)
        helper: ast.FunctionDef | None = None
        if isinstance(e.func, ast.Name) and e.func.id not in self.locals:
            b = self.module.resolve(e.func.id)
            if isinstance(b, Elementary):
                key = b.key
            elif isinstance(b, Helper):
                helper = b.node
            elif e.func.id in self.assigned_later:
                self.bad(e.func, f"{label} is a local variable, not a function", "call a math function")
            else:
                self.unknown_function(e, label, b)
        elif isinstance(e.func, ast.Attribute):
            key = self.attribute(e.func, called=True)
        else:
            self.bad(e.func, f"{label} is not callable here", "call a math function")
        for a in e.args:
            if isinstance(a, ast.Starred):
                self.bad(a, "*arguments are not supported", "pass each argument on its own")
            else:
                self.expr(a)
        for kw in e.keywords:
            if helper is None or kw.arg is None:
                self.bad(kw, f"keyword arguments are not supported for {label}", "pass arguments by position")
            self.expr(kw.value)
        if key is not None:
            self.arity(e, key, label)
        if helper is not None:
            self.helper_call(e, helper)

    def unknown_function(self, e: ast.Call, label: str, b: Binding | None) -> None:
        if isinstance(b, (Foreign, Opaque)) or b is None:
            self.bad(
                e.func,
                f"s2sad has no derivative rule for {label}",
                f"use a math function, define {label} in this module with def, "
                f"or add a rule: s2sad.register({label}, '<d/dx in x>')",
            )
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

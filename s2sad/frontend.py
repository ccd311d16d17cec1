"""Frontend: find the function and read its module statically.

Guarantees: `load_spec` and `load_function` return a `Source`: the function's
`ast.FunctionDef` and its `Module`, whose `resolve` says what every free name
means according to the module's *source* (its imports of `math`, its
module-level numeric constants, its functions). The user's module is never
imported or executed. `check.checked` then rejects what is outside the subset.

Before: ``s2sad gen examples/lecture.py:f``. After: `Source(module, def f)`,
with `module.resolve("math")` a `MathModule()`.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import inspect
import keyword
import linecache
import os
import sys
import tokenize
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Union

from .bindings import Sites, binding_sites
from .errors import S2sadError, UnsupportedSyntaxError, Violation
from .reading import read_file, source_lines
from .rules import CONSTANTS, LINEAR, RULES, add_rule
from .unroll import UNROLL_BUDGET

# --- what a module-level name is bound to (read from the source) -----------


@dataclass(frozen=True)
class MathModule:
    """The `math` module (`import math`, `import math as m`)."""


@dataclass(frozen=True)
class NumpyModule:
    """NumPy, or one of its submodules: `import numpy as np` (path ""), `from numpy import linalg` ("linalg")."""

    path: str = ""


@dataclass(frozen=True)
class NumpyName:
    """A name imported from NumPy: `from numpy import cos, pi` (path "cos", "pi"; "linalg.norm" from numpy.linalg)."""

    path: str


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


Binding = Union[MathModule, NumpyModule, NumpyName, Elementary, MathConstant, ModuleConstant, Helper, Foreign, Opaque]

_BUILTIN_CALLS = {"abs": Elementary("abs"), "pow": Elementary("pow")}


@dataclass
class Module:
    """A module's source and its module-level bindings, as read statically."""

    name: str  # dotted module name (for registered rules)
    filename: str  # as shown in messages
    lines: list[str]
    bindings: dict[str, Binding] = field(default_factory=dict)
    star_imports: list[tuple[str, int]] = field(default_factory=list)  # (module, line) of `from X import *`
    sites: Sites = field(default_factory=Sites)  # every binding of a module-level name in the source
    read: set[str] = field(default_factory=set)  # free names resolved (and "math.<attr>" read), for `live_checks`
    folded: dict[str, float] = field(default_factory=dict)  # module constants as lowering folded them
    tables: dict[str, str] = field(default_factory=dict)  # data tables as lowering copied them (source text)

    def rebinding(self, name: str, builtin: bool = False) -> str | None:
        """Why the source does not bind `name` just once (what s2sad reads would not be what runs), or None.

        `builtin`: s2sad reads the name as Python's builtin, so any binding at all is one too many.
        """
        found = self.sites.names.get(name, [])
        tail = "; s2sad reads module-level names from the source, where each must be bound once"
        if len(found) > 1:
            a, b = found[0], found[1]
            return f"{name} is {a.how} at line {a.line} and {b.how} at line {b.line}{tail}"
        if found and (builtin or "(global " in found[0].how):
            return f"{name} is {found[0].how} at line {found[0].line}{tail}"
        if not found and not (builtin and hasattr(builtins, name)):
            return None  # not bound in the source at all: the checker says so (and names star imports)
        first = found[0].line if found else 0
        for site, src in self.sites.wildcards:
            if site.line > first:
                return (f"{name} may be rebound by `from {src} import *` at line {site.line}; s2sad reads "
                        "module-level names from the source and cannot see what that binds")
        return None

    def patched(self, attr: str) -> str | None:
        """Why `math.<attr>` may not be math's own (the source assigns or deletes it), or None."""
        for (base, name), site in self.sites.patches.items():
            if name in (attr, "*") and (base == "math" or isinstance(self.bindings.get(base), MathModule)):
                what = f"math.{attr} is {site.how} at line {site.line}" if name == attr else \
                    f"the math module is {site.how} at line {site.line}"
                return f"{what}; s2sad uses the math module's own functions and constants"
        return None

    def resolve(self, name: str) -> Binding | None:
        """What a free name of a function body means, per the module's source."""
        self.read.add(name)
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
    arrays: bool = False  # an array program whatever its text shows (generated code of one, read back)
    unroll: int = UNROLL_BUDGET  # operations a loop of literal trip count may unroll to (0: none)
    checkpoint: int = 0  # snapshots a long loop's reverse sweep recomputes from (0: a tape of every iteration)


def nesting(src: Source) -> int:
    """How deep the function's tree is, with the trees of what lowering reads into it (helpers, constants)."""
    total = 0
    seen: set[str] = set()
    todo: list[ast.AST] = [src.node]
    bindings = src.module.bindings
    AST, Name = ast.AST, ast.Name
    while todo:
        level = [todo.pop()]
        deepest = 0
        while level:  # level by level, no recursion: this is what decides how much recursion the stages get
            deepest += 1
            below: list[ast.AST] = []
            for n in level:  # the children, as ast.iter_child_nodes gives them, without its generators
                for name in n._fields:
                    v = getattr(n, name, None)
                    if isinstance(v, AST):
                        below.append(v)
                    elif isinstance(v, list):
                        below += [c for c in v if isinstance(c, AST)]
                if isinstance(n, Name) and n.id not in seen:
                    b = bindings.get(n.id)
                    if isinstance(b, (Helper, ModuleConstant)):
                        seen.add(n.id)
                        todo.append(b.node)
            level = below
        total += deepest
    return total


# --- reading the module ------------------------------------------------------


def read_module(text: str, name: str, filename: str) -> tuple[Module, ast.Module]:
    """Parse a module's text and record its module-level bindings."""
    lines = source_lines(text)
    module = Module(name, filename, lines)
    nul = text.find("\0")
    if nul >= 0:  # the parser would report it at 1:1
        line = text.count("\n", 0, nul) + 1
        col = nul - text.rfind("\n", 0, nul)
        raise UnsupportedSyntaxError([Violation(filename, line, col, line, col + 1, "a NUL character in the source",
                                                "Python source cannot contain NUL characters: remove it",
                                                module.text(line))])
    try:
        tree = ast.parse(text, filename=filename)
    except SyntaxError as exc:
        col = exc.offset or 1
        line = exc.lineno or 1
        v = Violation(filename, line, col, line, col + 1, exc.msg, "", module.text(line))
        raise UnsupportedSyntaxError([v]) from None
    except (RecursionError, MemoryError):  # Python's parser gives up on very long or deep expressions
        line, col, width = _longest_statement(text)
        message = f"this statement is too long or too deeply nested for Python's parser ({width} operators)"
        v = Violation(filename, line, col + 1, line, len(module.text(line)) + 1, message,
                      "split it into several statements: t1 = <first part>, t2 = t1 + <next part>, ...",
                      module.text(line))
        raise UnsupportedSyntaxError([v]) from None
    module.sites = binding_sites(tree)
    by_line = sorted((site.line, n) for n, sites in module.sites.names.items() for site in sites
                     if "(global " not in site.how)
    b = module.bindings
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                bound = a.asname or a.name.partition(".")[0]
                if a.name == "math":
                    b[bound] = MathModule()
                elif a.name == "numpy" or (a.name.startswith("numpy.") and a.asname):
                    b[bound] = NumpyModule(a.name[6:])
                elif a.name.startswith("numpy."):  # `import numpy.linalg` binds numpy
                    b[bound] = NumpyModule()
                else:
                    b[bound] = Foreign(a.asname and a.name or bound)
        elif isinstance(stmt, ast.ImportFrom):
            src = "." * stmt.level + (stmt.module or "")
            for a in stmt.names:
                if a.name == "*":
                    if src == "math":
                        b.update({n: math_binding(n) for n in (*RULES, *LINEAR, *CONSTANTS) if math_binding(n)})
                    else:  # what it binds is unknown without importing it
                        module.star_imports.append((src, stmt.lineno))
                    continue
                bound = a.asname or a.name
                if src == "numpy" or src.startswith("numpy."):
                    path = f"{src[6:]}.{a.name}".lstrip(".")
                    b[bound] = NumpyModule(path) if path in NUMPY_SUBMODULES else NumpyName(path)
                    continue
                b[bound] = (math_binding(a.name) if src == "math" else None) or Foreign(f"{src}.{a.name}")
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            b[stmt.name] = Helper(stmt) if isinstance(stmt, ast.FunctionDef) else Opaque("an async function")
        elif isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            for t in stmt.targets:
                b[t.id] = ModuleConstant(t.id, stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            b[stmt.target.id] = ModuleConstant(stmt.target.id, stmt.value)
        else:  # what the statement binds at module level (not a class's own names, say) is opaque
            why = f"bound by the statement at line {stmt.lineno}, which s2sad does not read"
            end = stmt.end_lineno or stmt.lineno
            for k in range(bisect.bisect_left(by_line, (stmt.lineno, "")), bisect.bisect_right(by_line, (end, "\uffff"))):
                b[by_line[k][1]] = Opaque(why)
    declared = b.pop(RULES_NAME, None)
    if isinstance(declared, ModuleConstant):
        _declare_rules(module, declared.node)
    return module, tree


def _longest_statement(text: str) -> tuple[int, int, int]:
    """(line, column, operator count) of the statement with the most operators: where the parser gave up."""
    best, count, start = (1, 0, 0), 0, None
    try:
        for tok in tokenize.generate_tokens(iter(text.splitlines(keepends=True)).__next__):
            if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if start is not None and count > best[2]:
                    best = (*start, count)
                count, start = 0, None
            elif tok.type == tokenize.OP:
                count += 1
            if start is None and tok.type not in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT,
                                                  tokenize.DEDENT, tokenize.NEWLINE):
                start = tok.start
    except (tokenize.TokenError, SyntaxError):
        pass
    return best


RULES_NAME = "__s2sad_rules__"
NUMPY_SUBMODULES = ("linalg", "fft", "random", "polynomial", "ma", "emath", "lib")


def _declare_rules(module: Module, node: ast.expr) -> None:
    """Add the rows a module declares in its source: `__s2sad_rules__ = {"f": "partial", ...}`.

    A value is one partial (a function of one argument) or a tuple of them;
    the key names a module-level function or an imported one. A row already
    registered at run time (`s2sad.register`) is kept.
    """
    def fail(at: ast.AST, message: str) -> UnsupportedSyntaxError:
        hint = f'write {RULES_NAME} = {{"name": "<d/dx in x>", "name2": ("<d/dx>", "<d/dy>")}}'
        return UnsupportedSyntaxError([module.violation(at, message, hint)])

    if not isinstance(node, ast.Dict):
        raise fail(node, f"{RULES_NAME} must be a dict literal")
    for k, v in zip(node.keys, node.values):
        if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
            raise fail(k or node, f"{RULES_NAME} keys must be function names in quotes")
        items = v.elts if isinstance(v, (ast.Tuple, ast.List)) else [v]
        if not all(isinstance(i, ast.Constant) and (i.value is None or isinstance(i.value, str)) for i in items):
            raise fail(v, f"the partials of {k.value} must be string literals (or None for zero)")
        partials = tuple(i.value for i in items)  # type: ignore[attr-defined]
        target = module.bindings.get(k.value)
        if isinstance(target, Helper):
            qualname = f"{module.name}.{k.value}"
            if not all(part.isidentifier() and not keyword.iskeyword(part) for part in module.name.split(".")):
                what = f"{module.name!r} is not a module name" if module.name else "the module has no name"
                raise UnsupportedSyntaxError([module.violation(
                    k, f"generated code imports {k.value} from this module, but {what}",
                    "rename the file to a valid module name (letters, digits and _), importable as such")])
            n_params = len(target.node.args.posonlyargs + target.node.args.args)
            if n_params != len(partials):
                raise fail(v, f"{k.value} takes {n_params} argument(s): give one partial for each")
        elif isinstance(target, Foreign) and "." in target.qualname:
            qualname = target.qualname
        else:
            raise fail(k, f"{k.value} is not a function defined or imported by name in this module")
        if qualname in RULES and RULES[qualname].evaluate is not None:
            continue
        where, _, name = qualname.rpartition(".")
        try:
            add_rule(qualname, name, where, None, partials)
        except ValueError as exc:
            raise fail(v, str(exc)) from None


def math_binding(name: str) -> Binding | None:
    if name in CONSTANTS:
        return MathConstant(CONSTANTS[name])
    if name == "pow":  # math.pow raises where ** is complex: a row of its own
        return Elementary("math.pow")
    if "." in name:
        return None
    if name in LINEAR or (name in RULES and RULES[name].module == "math"):
        return Elementary(name)
    return None


def _display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except (OSError, ValueError):  # no current directory (deleted), or another drive
        return path
    return path if rel.startswith("..") else rel


def _find_def(tree: ast.Module, name: str, module: Module, line: int | None = None) -> ast.FunctionDef:
    defs = [s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == name]
    if line is not None:  # the def the running function object came from
        exact = [d for d in defs if line in (d.lineno, *(x.lineno for x in d.decorator_list))]
        defs = exact or defs
    if not defs:
        _not_a_def(tree, name, module)
        known = ", ".join(s.name for s in tree.body if isinstance(s, ast.FunctionDef)) or "none"
        raise S2sadError(f"{module.filename}: no module-level function {name!r} (functions there: {known})")
    return defs[-1]


def _not_a_def(tree: ast.Module, name: str, module: Module) -> None:
    """When `name` is bound at module level, but not by a plain `def`, say how, where."""
    for stmt in reversed(tree.body):
        if isinstance(stmt, ast.AsyncFunctionDef) and stmt.name == name:
            raise UnsupportedSyntaxError([module.violation(
                stmt, f"{name} is an async function, which s2sad does not differentiate",
                "differentiate a plain def function: an async one returns a coroutine, not a number")])
        if isinstance(stmt, ast.ClassDef) and stmt.name == name:
            raise UnsupportedSyntaxError([module.violation(
                stmt, f"{name} is a class, not a function", "differentiate a module-level def function")])
        for node in ast.walk(stmt):
            hit = isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store)
            hit |= isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name
            hit |= isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                (a.asname or a.name.partition(".")[0]) == name for a in node.names)
            if hit:
                how = "a def nested in" if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else "bound by"
                raise UnsupportedSyntaxError([module.violation(
                    node, f"{name} is {how} the statement at line {stmt.lineno}, not a module-level def",
                    "s2sad reads a function defined with def at the top level of its module")])


def load_spec(spec: str) -> Source:
    """Find `path/to/file.py:func` or `package.module.func` without importing it."""
    if ":" in spec:
        path, _, func = spec.rpartition(":")
        if os.path.isdir(path):
            raise S2sadError(f"{path} is a directory: write path/to/file.py:function")
        if not os.path.isfile(path):
            raise S2sadError(f"no such file: {path}" if not os.path.exists(path) else f"{path} is not a regular file")
        if not func:
            raise S2sadError(f"name the function after the colon: {path}:function")
        modname = os.path.splitext(os.path.basename(path))[0]
    else:
        if spec.endswith(".py") and os.path.isfile(spec):
            raise S2sadError(f"name the function: {spec}:function")
        modname, _, func = spec.rpartition(".")
        if not modname or not func:
            raise S2sadError(f"cannot read {spec!r}: write module.function or path/to/file.py:function")
        path = _find_module(modname)
    if not func.isidentifier():
        raise S2sadError(f"{func!r} is not a function name")
    func = unicodedata.normalize("NFKC", func)  # as Python reads identifiers
    display = _display_path(path)
    module, tree = read_module(read_file(path, display), modname, display)
    node = _find_def(tree, func, module)
    why = module.rebinding(func)
    if why:  # the module's `func` at run time is not this def
        raise UnsupportedSyntaxError([module.violation(node, why, "differentiate the function by a name bound once")])
    return Source(module, node)


def _find_module(modname: str) -> str:
    rel = os.path.join(*modname.split("."))
    try:
        here = [os.getcwd()]
    except OSError:  # the current directory was deleted
        here = []
    for base in [*here, *sys.path[1:]]:
        for cand in (rel + ".py", os.path.join(rel, "__init__.py")):
            full = os.path.join(base or ".", cand)
            if os.path.isfile(full):
                return full
    where = here[0] if here else "deleted"
    raise S2sadError(f"cannot find module {modname!r} from the current directory ({where})")


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
    wrapped = getattr(f, "__wrapped__", None)
    if wrapped is not None:
        raise S2sadError(
            f"{f.__qualname__} wraps {getattr(wrapped, '__qualname__', wrapped)!r} (functools.wraps or a decorator): "
            "s2sad differentiates what a def says, not what a wrapper adds; pass the undecorated function"
        )
    filename = code.co_filename
    if os.path.isfile(filename):  # the file as it is now (linecache may hold an older version)
        text = read_file(filename, _display_path(filename))
    else:  # a notebook cell or an exec'd string registered with linecache
        linecache.checkcache(filename)
        text = "".join(linecache.getlines(filename, f.__globals__))
    if not text:
        raise S2sadError(
            f"{f.__name__} has no source file (defined interactively?): define it in a .py file and import it"
        )
    name = _display_path(filename) if os.path.isfile(filename) else filename
    module, tree = read_module(text, f.__module__ or "", name)  # no __name__ in its globals: ""
    first = code.co_firstlineno  # of the def, or of its first decorator
    defs = [s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == code.co_name
            and (s.decorator_list[0].lineno if s.decorator_list else s.lineno) == first]
    stale = (f"{name} has changed since {f.__name__} was defined: reload the module (importlib.reload) "
             "or restart, so that s2sad reads the function that runs")
    if not defs:
        for stmt in tree.body:  # an async def at that line: say what it is
            if isinstance(stmt, ast.AsyncFunctionDef) and stmt.name == code.co_name and stmt.lineno == first:
                _not_a_def(ast.Module([stmt], []), code.co_name, module)
        raise S2sadError(f"{name} has no def {code.co_name} at line {first}, where {f.__name__} was defined: {stale}")
    if defs[0].decorator_list:
        raise S2sadError(f"{f.__name__} is decorated (line {first}): s2sad differentiates undecorated functions; "
                         "remove the decorator or differentiate the function it wraps")
    if not _same_code(text, filename, code):
        raise S2sadError(f"the source of {f.__name__} in {name} (line {first}) does not compile to the function "
                         f"that runs: {stale}")
    return Source(module, defs[0])


def _same_code(text: str, filename: str, code) -> bool:
    """Does the module text compile to this very code object (same bytecode, constants, names, lines)?"""
    try:
        compiled = compile(text, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True  # cannot tell; the def at the code's first line was found
    for const in compiled.co_consts:
        if getattr(const, "co_name", None) == code.co_name and getattr(const, "co_firstlineno", None) == \
                code.co_firstlineno:
            return const == code
    return False

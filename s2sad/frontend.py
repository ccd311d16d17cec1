"""Frontend: read the function's module statically (`loading` finds the function).

Guarantees: `loading.load_spec` and `loading.load_function` return a `Source`: the function's
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
import keyword
import tokenize
from dataclasses import dataclass, field
from typing import Union

from .bindings import Sites, binding_sites
from .errors import UnsupportedSyntaxError, Violation
from .reading import source_lines
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

"""Numba emission: the gradient module as code Numba compiles in nopython mode (`s2sad gen --numba`).

Guarantees: the text defines `<f>_value_and_grad` and `<f>_grad` as the plain module does, computing
the same operations in the same order; each function whose body runs is `@numba.njit(cache=True)`
and uses only what nopython mode types: floats, ints, `math` functions, loops over ranges, branches,
tuples, lists it builds, and float64 arrays for list parameters and their gradients. A list that
starts empty (a tape, or the function's own) starts as a one-item list of its type sliced away, so
Numba types it even where it finds no append reachable; a tape's positions are ints (bools) where
every value pushed there is one: integers stay integers. A function with a list parameter is a thin
plain-Python wrapper of its compiled kernel: lists go in as float64 arrays, and each gradient of one
comes back as a list for a list argument, an array for an array argument. The module imports `math`
functions, numba and numpy only; header and source-line comments are kept; the same gradient gives
the same bytes. What nopython mode cannot compile (array programs, vector-valued functions, calls
outside math and a few builtins, dicts, sets, ...) is refused with an `S2sadError` naming it and its
source line, before any text is written.

Before (the plain module)::

    def f_value_and_grad(x, n):
        tape = []
        x_bar = [0.0] * len(x)
        ...
        for i in reversed(range(n)):

After::

    @numba.njit(cache=True)
    def _f_value_and_grad(x, n):
        tape = [(0.0, 0)][:0]
        x_bar = np.zeros(len(x))
        ...
        for i in range(n - 1, -1, -1):


    def f_value_and_grad(x, n):
        value, grad = _f_value_and_grad(_floats(x), n)
        return value, _like(x, grad)
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from .api import Derivative
from .certificate import certificate
from .emit import KINDS, function_lines, function_name, generated_from, _imports
from .errors import S2sadError, Violation, UnsupportedSyntaxError
from .kinks import kink_lines, kinks
from .reverse import Gradient
from .reverse.outputs import is_vector
from .trace import ListVar, Var

INSTALL = 'gen --numba needs numba: pip install "s2sad[numba]"'

# Builtins nopython mode compiles with Python's meaning on floats and ints.
_BUILTINS = frozenset({"abs", "bool", "enumerate", "float", "int", "len", "max", "min", "pow", "range", "round",
                       "sum", "zip"})
_METHODS = frozenset({"append", "pop"})  # of the lists generated code builds
_MODULES = frozenset({"math", "builtins"})  # the modules whose functions generated code may import


def require_numba() -> None:
    """Raise a clear `S2sadError` when numba cannot be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        raise S2sadError(INSTALL) from None


def numba_module_text(d: Derivative, filename: str = "", source: list[str] | None = None) -> str:
    """The module for Numba, before formatting; refuses (S2sadError) what nopython mode cannot compile.

    `filename` and `source` (the user's file as lines) locate a refusal in the function's source.
    """
    where = _Locator(filename or d.origin, source or [], d.trace.line)
    _refuse_program(d, where)
    g, origin = d.gradient, d.origin
    imports = _imports(g)  # checked module paths; calls of what is not from math or builtins are refused below
    bodies = {kind: function_lines(g, kind) for kind in KINDS}
    taken = {n.id for lines in bodies.values() for n in ast.walk(ast.parse("\n".join(lines))) if
             isinstance(n, ast.Name)} | {p.hint for p in g.trace.params if p.hint}
    np, numba = _free("np", taken), _free("numba", taken)
    rewritten = {kind: _function(bodies[kind], np, g, where) for kind in KINDS}
    for line in imports:  # a module imported for nothing called: unreachable, but never let through
        module = line.partition(" import ")[0].removeprefix("from ")
        if module not in _MODULES:
            where.fail(g.trace.line, f"the gradient imports from {module!r}, which Numba cannot compile",
                       "--numba compiles math functions and arithmetic only")
    lists = [i for i, p in enumerate(g.trace.params) if isinstance(p, ListVar)]
    header = [
        generated_from(g.trace, origin),
        f"Reverse-mode gradient of {g.trace.name} with respect to {_wrt(g)}. Do not edit: regenerate.",
        "Compiled by Numba in nopython mode on first call (cached beside this file).",
        *certificate(g).lines(),
        *kink_lines(kinks(g.trace, g.wrt)),
    ]
    if lists:
        header += ["List parameters reach the compiled code as float64 arrays; the gradient of one is a list",
                   "for a list argument, a float64 array for an array argument."]
    out = ["# " + h for h in header]
    out += ["", "import numba" if numba == "numba" else f"import numba as {numba}", f"import numpy as {np}", *imports]
    # the wrappers' own names: none of them may be a parameter's
    floats, like = _free("_floats", taken), _free("_like", taken)
    if lists:
        out += ["", "", *_CONVERSIONS.format(floats=floats, like=like, np=np).splitlines()]
    for kind in KINDS:
        name = function_name(g, kind)
        kernel = _free(f"_{name}", taken) if lists else name
        lines = rewritten[kind]
        lines[0] = lines[0].replace(f"def {name}(", f"def {kernel}(", 1)
        out += ["", "", f"@{numba}.njit(cache=True)", *lines]
        if lists:
            names = (kernel, floats, like, _free("value", taken), _free("grad", taken))
            out += ["", "", *_wrapper(g, kind, names, lists, bodies[kind][:2])]
    return "\n".join(out) + "\n"


_CONVERSIONS = '''def {floats}(x):
    """A list parameter as the compiled code takes it: a float64 array (an array of float64 itself)."""
    return {np}.asarray(x, dtype={np}.float64)


def {like}(x, x_bar):
    """The gradient of a list parameter in the argument's kind: an array for an array, else a list."""
    return x_bar if isinstance(x, {np}.ndarray) else x_bar.tolist()'''


def _wrapper(g: Gradient, kind: str, names: tuple[str, ...], lists: list[int], head: list[str]) -> list[str]:
    """The plain-Python function of the public name: list arguments in as arrays, their gradients back."""
    kernel, floats, like, value, grad = names
    params = [g.names.primal[p] for p in g.trace.params]
    call = ", ".join(f"{floats}({n})" if i in lists else n for i, n in enumerate(params))
    parts = [grad] if len(g.wrt) == 1 else [f"{grad}[{k}]" for k in range(len(g.wrt))]
    parts = [f"{like}({g.names.primal[p]}, {part})" if isinstance(p, ListVar) else part
             for p, part in zip(g.wrt, parts)]
    returned = parts[0] if len(parts) == 1 else f"({', '.join(parts)})"
    if kind == "value_and_grad":
        return [*head, f"    {value}, {grad} = {kernel}({call})", f"    return {value}, {returned}"]
    return [*head, f"    {grad} = {kernel}({call})", f"    return {returned}"]


def _refuse_program(d: Derivative, where: _Locator) -> None:
    t = d.trace
    if is_vector(t):
        where.fail(t.line, f"{t.name} returns a tuple or a list: --numba compiles the gradient of a function "
                   "returning one number", "differentiate one output, or leave --numba out")
    g = d.gradient
    if any(isinstance(p, Var) and p.kind == "array" for p in t.params) or g.names.helpers or t.tables:
        where.fail(t.line, f"{t.name} is an array program: --numba compiles scalar code (floats, ints, lists and "
                   "loops), not NumPy array operations", "leave --numba out for array programs")


class _Locator:
    """Where a refusal points: the user's file, a line of the function, its text."""

    def __init__(self, filename: str, source: list[str], default: int):
        self.filename, self.source, self.default = filename, source, default

    def fail(self, line: int, message: str, hint: str) -> None:
        text = self.source[line - 1].rstrip("\n") if 0 < line <= len(self.source) else ""
        col = len(text) - len(text.lstrip()) + 1
        raise UnsupportedSyntaxError([Violation(self.filename, line, col, line, len(text) + 1,
                                                f"--numba: {message}", hint, text)])


def _free(base: str, taken: set[str]) -> str:
    """`base`, or `base_1`, ...: a name (a module's alias, a wrapper's) no name of the function takes."""
    name, k = base, 0
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    return name


_SOURCE_LINE = re.compile(r"# (?:from )?lines? (\d+)")  # a generated line's comment


def _function(lines: list[str], np: str, g: Gradient, where: _Locator) -> list[str]:
    """A plain generated function's lines as nopython code, each checked and located."""
    rewriter = _Rewriter(np, g, _empty_lists(lines, g))
    out, above = [], None
    for line in (part for line in lines for part in line.split("\n")):  # a comment may sit above its line
        out.append(_rewritten(line, rewriter, g, where, above))
        stripped = line.lstrip()
        above = _SOURCE_LINE.match(stripped) if stripped.startswith("#") else None
    return out


def _empty_lists(lines: list[str], g: Gradient) -> dict[str, str]:
    """The item a list the code starts empty is typed by: what its appends push, each position (of a
    tape's tuples) an int or a bool where every value pushed there is a name whose values all are,
    else a float."""
    kinds: dict[str, set[str]] = {}
    for v, name in g.names.primal.items():
        kinds.setdefault(name, set()).add("list" if isinstance(v, ListVar) else v.kind)
    pushed: dict[str, list[list[ast.expr]]] = {}  # list -> its appends' items, by position
    for n in ast.walk(ast.parse("\n".join(lines))):
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
                and isinstance(n.func.value, ast.Name) and len(n.args) == 1):
            item = n.args[0]
            pushed.setdefault(n.func.value.id, []).append(item.elts if isinstance(item, ast.Tuple) else [item])

    def kind(items: tuple[ast.expr, ...]) -> str:
        found = {frozenset(kinds.get(e.id, ())) if isinstance(e, ast.Name) else frozenset() for e in items}
        return "0" if found == {frozenset({"int"})} else "False" if found == {frozenset({"bool"})} else "0.0"

    out = {}
    for lst, items in pushed.items():
        if len({len(i) for i in items}) == 1:  # one shape (tapes always are; a list of floats too)
            positions = [kind(column) for column in zip(*items)]
            out[lst] = positions[0] if len(positions) == 1 and len(items[0]) == 1 else f"({', '.join(positions)})"
    return out


def _rewritten(line: str, rewriter: _Rewriter, g: Gradient, where: _Locator, above: re.Match | None) -> str:
    """One line of a plain generated function as nopython code (comments and `def` as they are)."""
    stripped = line.lstrip()
    if not stripped or stripped.startswith(("#", '"""', "def ", "else:", "pass", "break", "continue")):
        return line
    indent = line[: len(line) - len(stripped)]
    code, comment = _split_comment(stripped)
    at = _SOURCE_LINE.search(comment) or above
    source_line = int(at.group(1)) if at else where.default
    header = code.endswith(":")
    stmt = ast.parse((code[2:] if code.startswith("elif ") else code) + ("\n    pass" if header else "")).body[0]
    _check(_header_parts(stmt) if header else stmt, source_line, where, rewriter.callable)
    if header and not isinstance(stmt, (ast.For, ast.While)):
        return line
    rewriter.changed = False
    new = rewriter.visit(stmt)
    if not rewriter.changed:
        return line
    text = ast.unparse(new).split("\n")[0]  # a header: its first line
    return f"{indent}{text}  {comment}" if comment else f"{indent}{text}"


def _header_parts(stmt: ast.stmt) -> ast.AST:
    """What a block header evaluates: a loop's target and iterable, a branch's test."""
    if isinstance(stmt, ast.For):
        return ast.Tuple([stmt.target, stmt.iter], ast.Load())
    return getattr(stmt, "test", stmt)


def _split_comment(code: str) -> tuple[str, str]:
    """(code, comment) of one line; a `#` inside a string is not a comment."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT:
                return code[: tok.start[1]].rstrip(), tok.string
    except (tokenize.TokenError, IndentationError):
        pass
    return code, ""


def _check(node: ast.AST, line: int, where: _Locator, callable_: tuple[set[str], dict[str, str]]) -> None:
    """Refuse, located, the first construct of a statement nopython mode cannot compile."""
    calls_ok, modules = callable_
    for n in ast.walk(node):
        what = None
        if isinstance(n, (ast.Dict, ast.DictComp)):
            what = "a dict"
        elif isinstance(n, (ast.Set, ast.SetComp)):
            what = "a set"
        elif isinstance(n, (ast.Lambda, ast.GeneratorExp, ast.JoinedStr, ast.Await, ast.Yield)):
            what = f"a {type(n).__name__} expression"
        elif isinstance(n, ast.Call):
            f = n.func
            if isinstance(f, ast.Name) and f.id not in calls_ok and f.id != "reversed":
                what = f"a call of {f.id}" + (f" (from {modules[f.id]})" if f.id in modules else "")
            elif isinstance(f, ast.Attribute) and f.attr == "index":  # lists are arrays there
                what = f"max or min of a list, or a list's index ({ast.unparse(n)})"
            elif isinstance(f, ast.Attribute) and f.attr not in _METHODS:
                what = f"a call of {ast.unparse(f)}"
            elif n.keywords:
                what = f"keyword arguments in {ast.unparse(n)}"
        if what is not None:
            where.fail(line, f"the gradient needs {what}, which Numba cannot compile in nopython mode",
                       "leave --numba out for this function")


def _callable(g: Gradient) -> tuple[set[str], dict[str, str]]:
    """The names generated code may call under Numba, and the module of each other imported name."""
    ok, modules = set(_BUILTINS), {}
    for line in g.names.imports():
        module, _, names = line.removeprefix("from ").partition(" import ")
        for part in names.split(","):
            name = part.split(" as ")[-1].strip()
            if module in _MODULES:
                ok.add(name)
            else:
                modules[name] = module
    return ok, modules


class _Rewriter(ast.NodeTransformer):
    """The constructs of plain generated code that nopython mode spells differently."""

    def __init__(self, np: str, g: Gradient, samples: dict[str, str]):
        self.np = np
        self.lists = {g.names.primal[p] for p in g.trace.params if isinstance(p, ListVar)}
        self.samples = samples
        self.callable = _callable(g)
        self.changed = False

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        # `tape = []`: typed by a sample item sliced away, as fast as `[]` (a typed.List is several times
        # slower), and typed even where Numba finds every append unreachable (`while ... and False:`)
        target = node.targets[0]
        if (isinstance(node.value, ast.List) and not node.value.elts and isinstance(target, ast.Name)
                and target.id in self.samples):
            node.value = ast.parse(f"[{self.samples[target.id]}][:0]", mode="eval").body
            self.changed = True
            return node
        return self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        # `[0.0] * len(x)`, the gradient of a list parameter: an array, as the parameter is in compiled code
        if (isinstance(node.op, ast.Mult) and isinstance(node.left, ast.List) and len(node.left.elts) == 1
                and isinstance(node.left.elts[0], ast.Constant) and node.left.elts[0].value == 0.0
                and isinstance(node.right, ast.Call) and isinstance(node.right.func, ast.Name)
                and node.right.func.id == "len" and len(node.right.args) == 1
                and isinstance(node.right.args[0], ast.Name) and node.right.args[0].id in self.lists):
            self.changed = True
            return ast.Call(ast.Attribute(ast.Name(self.np, ast.Load()), "zeros", ast.Load()), [node.right], [])
        return self.generic_visit(node)

    def visit_For(self, node: ast.For) -> ast.AST:
        # nopython mode has no reversed(range): the same numbers as a range counting down
        it = node.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "reversed":
            node.iter = _down(it.args[0])
            self.changed = True
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        # Numba 0.58-0.68 builds a wrong loop where Python's bytecode has no exit test (`while True:`,
        # `while k < 3 or True:`): a value assigned on the way to a `break` stays stale, the loop never
        # ends. `bool(...)` is a test Python keeps, with the same truth.
        if _always_true(node.test):
            node.test = ast.Call(ast.Name("bool", ast.Load()), [node.test], [])
            self.changed = True
        return node


def _always_true(test: ast.expr) -> bool:
    """Is the test true whatever its names hold, as Python's compiler sees it (no jump out)?"""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.BoolOp):
        return (any if isinstance(test.op, ast.Or) else all)(_always_true(v) for v in test.values)
    return False


def _down(rng: ast.expr) -> ast.expr:
    """`reversed(range(a, b, c)[:t])` as a forward `range` over the same numbers."""
    trips = None
    if isinstance(rng, ast.Subscript):
        trips = rng.slice.upper  # type: ignore[attr-defined]
        rng = rng.value
    args = [_atom(ast.unparse(x)) for x in rng.args]  # type: ignore[attr-defined]
    a, b, c = ("0", args[0], "1") if len(args) == 1 else (args[0], args[1], "1") if len(args) == 2 else args
    if c == "1" and trips is None:
        return ast.parse(f"range({_plus(b, -1)}, {_plus(a, -1)}, -1)", mode="eval").body
    # count: the length of range(a, b, c); a count below zero gives an empty range too
    step = _integer(c)
    span = b if a == "0" else f"-{a}" if b == "0" else f"{b} - {a}"
    if step == 1:
        count = span
    elif step is not None:  # a literal step, the usual case: its sign is known here
        count = f"({_plus(span, step - (1 if step > 0 else -1))}) // {c}"
    else:
        count = f"({span} + {c} - (1 if {c} > 0 else -1)) // {c}"
    if trips is not None:
        count = f"min({ast.unparse(trips)}, {count})"
    first = f"{a} + ({count} - 1) * {c}" if step != 1 else _plus(count if a == "0" else f"{a} + {count}", -1)
    stop = _plus(a, -step) if step is not None else f"{a} - {c}"
    return ast.parse(f"range({first}, {stop}, {-step if step is not None else '-' + c})", mode="eval").body


def _atom(x: str) -> str:
    """A bound as an operand of + - * //: a name or an integer as it is, anything else parenthesized."""
    return x if x.isidentifier() or _integer(x) is not None else f"({x})"


def _plus(x: str, k: int) -> str:
    """`x + k` as source, folded when x is a literal."""
    n = _integer(x)
    if n is not None:
        return str(n + k)
    return x if k == 0 else f"{x} + {k}" if k > 0 else f"{x} - {-k}"


def _integer(text: str) -> int | None:
    return int(text) if text.lstrip("-").isdigit() else None


def _wrt(g: Gradient) -> str:
    return ", ".join(g.names.primal[p] for p in g.wrt) or "nothing"

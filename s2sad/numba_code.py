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
from .numba_statements import MODULES, Rewriter, check
from .reverse import Gradient
from .reverse.outputs import is_vector
from .trace import ListVar, Var

INSTALL = 'gen --numba needs numba: pip install "s2sad[numba]"'


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
    where = Locator(filename or d.origin, source or [], d.trace.line)
    _refuse_program(d, where)
    g, origin = d.gradient, d.origin
    imports = _imports(g)  # checked module paths; calls of what is not from math or builtins are refused below
    bodies = {kind: function_lines(g, kind, comprehensions=False) for kind in KINDS}
    taken = {n.id for lines in bodies.values() for n in ast.walk(ast.parse("\n".join(lines))) if
             isinstance(n, ast.Name)} | {p.hint for p in g.trace.params if p.hint}
    np, numba = _free("np", taken), _free("numba", taken)
    position = _free("_position", taken)
    rewritten = {kind: _function(bodies[kind], np, position, g, where) for kind in KINDS}
    for line in imports:  # a module imported for nothing called: unreachable, but never let through
        module = line.partition(" import ")[0].removeprefix("from ")
        if module not in MODULES:
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
    if any(f"{position}(" in line for lines in rewritten.values() for line in lines):
        out += ["", "", f"@{numba}.njit(cache=True)", *_POSITION.format(position=position).splitlines()]
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


# xs.index(v) of a list or of a float64 array (a list parameter in compiled code). Compiled floats have
# no identity: a NaN matches the first NaN item, which is Python's answer for the index of max(xs) (a NaN
# there is xs[0] itself), not for another NaN object
_POSITION = '''def {position}(xs, v):
    for k in range(len(xs)):
        if xs[k] == v or (xs[k] != xs[k] and v != v):
            return k
    raise ValueError("the value is not in the list")'''


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


def _refuse_program(d: Derivative, where: Locator) -> None:
    t = d.trace
    if is_vector(t):
        where.fail(t.line, f"{t.name} returns a tuple or a list: --numba compiles the gradient of a function "
                   "returning one number", "differentiate one output, or leave --numba out")
    g = d.gradient
    if any(isinstance(p, Var) and p.kind == "array" for p in t.params) or g.names.helpers or t.tables:
        where.fail(t.line, f"{t.name} is an array program: --numba compiles scalar code (floats, ints, lists and "
                   "loops), not NumPy array operations", "leave --numba out for array programs")


class Locator:
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


def _function(lines: list[str], np: str, position: str, g: Gradient, where: Locator) -> list[str]:
    """A plain generated function's lines as nopython code, each checked and located."""
    rewriter = Rewriter(np, position, g, _empty_lists(lines, g))
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


def _rewritten(line: str, rewriter: Rewriter, g: Gradient, where: Locator, above: re.Match | None) -> str:
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
    check(_header_parts(stmt) if header else stmt, source_line, where, rewriter.callable)
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


def _wrt(g: Gradient) -> str:
    return ", ".join(g.names.primal[p] for p in g.wrt) or "nothing"

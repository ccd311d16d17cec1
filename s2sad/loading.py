"""Loading: find the function to differentiate, by a spec or as a live function object, and read it.

Guarantees: `load_spec("path/to/file.py:f")` (or `"package.module.f"`) and `load_function(f)` return a
`Source` of a module-level `def` read from its file, never imported or run; a spec that names no such
function, a function that is nested, decorated, a lambda, or whose file has changed since it was
defined, is an `S2sadError` saying which and what to write instead.

Before: `examples/lecture.py:f`.  After: `Source(module of lecture.py, def f)`.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import os
import sys
import unicodedata
from typing import Callable

from .errors import S2sadError, UnsupportedSyntaxError
from .frontend import Module, Source, read_module
from .reading import read_file


def display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except (OSError, ValueError):  # no current directory (deleted), or another drive
        return path
    return path if rel.startswith("..") else rel


def find_def(tree: ast.Module, name: str, module: Module, line: int | None = None) -> ast.FunctionDef:
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
    display = display_path(path)
    module, tree = read_module(read_file(path, display), modname, display)
    node = find_def(tree, func, module)
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
        text = read_file(filename, display_path(filename))
    else:  # a notebook cell or an exec'd string registered with linecache
        linecache.checkcache(filename)
        text = "".join(linecache.getlines(filename, f.__globals__))
    if not text:
        raise S2sadError(
            f"{f.__name__} has no source file (defined interactively?): define it in a .py file and import it"
        )
    name = display_path(filename) if os.path.isfile(filename) else filename
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

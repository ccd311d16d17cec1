"""Nopython statements: one statement of plain generated code checked for what Numba's nopython mode
compiles (refused, located, where it does not), and respelled where nopython mode spells it differently.

Before: `for k in reversed(range(n)):`, `x_bar = [0.0] * len(x)`, `k = xs.index(max(xs))`.
After:  `for k in range(n - 1, -1, -1):`, `x_bar = np.zeros(len(x))`, `k = _position(xs, max(xs))`.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .reverse import Gradient
from .trace import ListVar

if TYPE_CHECKING:
    from .numba_code import Locator

# Builtins nopython mode compiles with Python's meaning on floats and ints.
_BUILTINS = frozenset({"abs", "bool", "enumerate", "float", "int", "len", "max", "min", "pow", "range", "round",
                       "sum", "zip"})
_METHODS = frozenset({"append", "pop", "index"})  # of lists (`index`: rewritten, parameters are arrays there)
MODULES = frozenset({"math", "builtins"})  # the modules whose functions generated code may import


def check(node: ast.AST, line: int, where: Locator, callable_: tuple[set[str], dict[str, str]]) -> None:
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
            elif isinstance(f, ast.Attribute) and f.attr not in _METHODS:
                what = f"a call of {ast.unparse(f)}"
            elif n.keywords:
                what = f"keyword arguments in {ast.unparse(n)}"
        if what is not None:
            where.fail(line, f"the gradient needs {what}, which Numba cannot compile in nopython mode",
                       "leave --numba out for this function")


def callable_names(g: Gradient) -> tuple[set[str], dict[str, str]]:
    """The names generated code may call under Numba, and the module of each other imported name."""
    ok, modules = set(_BUILTINS), {}
    for line in g.names.imports():
        module, _, names = line.removeprefix("from ").partition(" import ")
        for part in names.split(","):
            name = part.split(" as ")[-1].strip()
            if module in MODULES:
                ok.add(name)
            else:
                modules[name] = module
    return ok, modules


class Rewriter(ast.NodeTransformer):
    """The constructs of plain generated code that nopython mode spells differently."""

    def __init__(self, np: str, position: str, g: Gradient, samples: dict[str, str]):
        self.np, self.position = np, position
        self.lists = {g.names.primal[p] for p in g.trace.params if isinstance(p, ListVar)}
        self.samples = samples
        self.callable = callable_names(g)
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

    def visit_Call(self, node: ast.Call) -> ast.AST:
        # `xs.index(v)`: a function of its own, as a list parameter is an array, which has no index method
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "index" and len(node.args) == 1:
            self.changed = True
            return ast.Call(ast.Name(self.position, ast.Load()), [f.value, *node.args], [])
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

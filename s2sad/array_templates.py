"""Templates of the array calculus sheet: checking them, and filling in their placeholders.

A template is a Python expression over placeholder names, `np.<function>` and helper calls
`_name(...)` (array_helpers). `check_template` admits only those; `instantiate` replaces
placeholders by expression text (what generated code writes), `option_literal` gives that text for
an option's constant value, and `value_reads` tells which operands an expression needs the values
of (not just the shapes).
"""

from __future__ import annotations

import ast
import math

from .array_helper_text import HELPERS, SHAPE_ONLY

_SHAPE_FUNCTIONS = {"shape", "ndim", "size"}  # np.shape(x) reads x's shape, not its values
_NODES = (
    ast.Expression, ast.Call, ast.Name, ast.Attribute, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Compare,
    ast.IfExp, ast.Subscript, ast.Tuple, ast.Slice, ast.keyword, ast.Load, ast.operator, ast.unaryop,
    ast.cmpop,
)


def _numpy_name(node: ast.expr) -> str | None:
    """"linalg.solve" for np.linalg.solve; None if node is not an attribute of np."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id == "np" and parts:
        return ".".join(reversed(parts))
    return None


def check_template(text: str, names: set[str], numpy_names: frozenset[str], where: str) -> ast.expr:
    """Parse a template; ValueError unless it uses only `names`, np.<numpy_names> and helpers."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"{where}: template {text!r} is not an expression: {exc.msg}") from None
    attributes = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise ValueError(f"{where}: template {text!r} uses {type(node).__name__}")
        if isinstance(node, ast.Attribute):
            name = _numpy_name(node)
            if name is None and not isinstance(node.value, ast.Attribute):
                raise ValueError(f"{where}: template {text!r} reads {ast.unparse(node)}: only np.<name>")
            if name is not None and id(node) not in attributes and name not in numpy_names:
                raise ValueError(f"{where}: template {text!r} calls np.{name}, not in NUMPY_NAMES")
        elif isinstance(node, ast.Call) and _numpy_name(node.func) is None and not (
            isinstance(node.func, ast.Name) and node.func.id.startswith("_")
        ):
            called = ast.unparse(node.func)
            raise ValueError(f"{where}: template {text!r} calls {called}: only np.<name> or helpers")
        elif isinstance(node, ast.Name) and id(node) not in attributes:
            if node.id.startswith("_") and node.id not in HELPERS:
                raise ValueError(f"{where}: template {text!r} calls {node.id}, not a helper")
            if not node.id.startswith("_") and node.id not in names:
                raise ValueError(f"{where}: template {text!r} uses unknown name {node.id!r}")
    return tree.body


def value_reads(text: str, wanted: set[str]) -> frozenset[str]:
    """The names in `wanted` whose values expression `text` reads: all their uses except as the
    argument of np.shape / np.ndim / np.size or at a helper's SHAPE_ONLY position."""
    tree = ast.parse(text, mode="eval")
    shape_only = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and _numpy_name(n.func) in _SHAPE_FUNCTIONS:
            shape_only.update(id(a) for a in n.args)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in SHAPE_ONLY:
            shape_only.update(id(n.args[k]) for k in SHAPE_ONLY[n.func.id] if k < len(n.args))
    return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in wanted
                     and id(n) not in shape_only)


def instantiate(template: str, bindings: dict[str, str]) -> str:
    """The template with each placeholder named in `bindings` replaced by that expression text."""
    parsed = {name: ast.parse(text, mode="eval").body for name, text in bindings.items()}

    class Substitute(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            return parsed.get(node.id, node)

    tree = Substitute().visit(ast.parse(template, mode="eval"))
    for node in ast.walk(tree):  # x[slice(1, None, None), 0] reads as x[1:, 0]
        if isinstance(node, ast.Subscript):
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            items = [_as_slice(item) for item in items]
            node.slice = ast.Tuple(items, ast.Load()) if isinstance(node.slice, ast.Tuple) else items[0]
    return ast.unparse(tree)


def _as_slice(node: ast.expr) -> ast.expr:
    """slice(a, b, c) as the subscript a:b:c (None parts left out); any other node as it is."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "slice"
            and not node.keywords and 1 <= len(node.args) <= 3):
        args = [None if isinstance(a, ast.Constant) and a.value is None else a for a in node.args]
        lower, upper, step = [None] + args + [None] if len(args) == 1 else args + [None] * (3 - len(args))
        return ast.Slice(lower, upper, step)
    return node


def option_literal(value: object) -> str:
    """Python text for an option's value: numbers (inf as np.inf), None, bools, strings, tuples, slices,
    Ellipsis, integer arrays (as np.asarray([...]))."""
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):  # a NumPy number: as Python's
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "np.nan" if math.isnan(value) else ("np.inf" if value > 0 else "-np.inf")
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if value is Ellipsis:
        return "..."
    if isinstance(value, tuple):
        items = ", ".join(option_literal(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, list):
        return "[" + ", ".join(option_literal(v) for v in value) + "]"
    if isinstance(value, slice):
        return "slice(" + ", ".join(option_literal(v) for v in (value.start, value.stop, value.step)) + ")"
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # a NumPy array of indices or a mask
        return f"np.asarray({value.tolist()!r})"
    raise ValueError(f"an option cannot be {value!r}")

"""What s2sad reads of NumPy: the names, methods and attributes of the supported subset.

NumPy enters a function in two ways. As a math library on floats (`np.sin(x)`,
`from numpy import cos, pi`): each ufunc with a row in the rules table is that
row (`NUMPY_UFUNCS` in `rules`). As arrays: a function that uses a parameter as
an array (`is_array_program`) is lowered with array values, and the functions,
methods and attributes below are its vocabulary; each has its row in the
array calculus sheet. Anything else from NumPy is rejected by name.

Before: `np.linalg.norm(x)` in `import numpy as np`. After: the path "linalg.norm".
"""

from __future__ import annotations

import ast

from .rules import NUMPY_UFUNCS, RULES

CONSTANTS: dict[str, float] = {"pi": 3.141592653589793, "e": 2.718281828459045, "inf": float("inf"),
                               "nan": float("nan"), "euler_gamma": 0.5772156649015329}
NEWAXIS = "newaxis"

# ufuncs whose partials are rows of the table (scalars and arrays alike)
UFUNCS = frozenset(NUMPY_UFUNCS) | frozenset(k[6:] for k in RULES if k.startswith("numpy."))
# elementwise functions that are Python operators
OPERATOR_UFUNCS = {"add": ast.Add, "subtract": ast.Sub, "multiply": ast.Mult, "divide": ast.Div,
                   "true_divide": ast.Div, "negative": ast.USub, "positive": ast.UAdd, "matmul": ast.MatMult}
# piecewise functions of arrays: a kink or a step (their adjoints say at which side a tie goes)
PIECEWISE = frozenset({"maximum", "minimum", "fmax", "fmin", "clip", "where", "sign", "floor", "ceil", "round",
                       "around", "rint", "trunc", "fix"})
# array functions with a row in the array sheet (reductions, products, structure, linear algebra)
ARRAY_FUNCTIONS = frozenset({
    "sum", "mean", "prod", "max", "min", "amax", "amin", "cumsum", "diff", "trace",
    "dot", "inner", "outer", "vdot", "einsum", "transpose", "reshape", "ravel", "squeeze",
    "expand_dims", "concatenate", "stack", "hstack", "vstack", "broadcast_to",
    "linalg.solve", "linalg.inv", "linalg.det", "linalg.slogdet", "linalg.cholesky", "linalg.norm",
    "array", "asarray", "copy", "shape", "size", "ndim",
})
# functions whose result never carries a derivative (shapes, creation)
CREATION = frozenset({"zeros", "ones", "full", "eye", "identity", "arange", "linspace", "zeros_like", "ones_like",
                      "full_like", "empty", "empty_like"})
METHODS = frozenset({"sum", "mean", "prod", "max", "min", "cumsum", "dot", "transpose", "reshape", "ravel",
                     "flatten", "squeeze", "copy", "clip", "trace", "var", "std", "round", "swapaxes"})
ATTRIBUTES = frozenset({"T", "shape", "size", "ndim"})


def known(path: str) -> bool:
    """Is `np.<path>` in the subset (as a function)?"""
    from .array_rules import ARRAY_RULES

    return path in UFUNCS or path in OPERATOR_UFUNCS or path in PIECEWISE or path in ARRAY_FUNCTIONS \
        or path in CREATION or (path in ARRAY_RULES and path not in ("getitem", "setitem"))


def unsupported(path: str, spelled: str) -> tuple[str, str]:
    """Message and hint for a NumPy name outside the subset."""
    head = path.partition(".")[0]
    if head in ("fft", "random", "polynomial", "ma", "emath", "lib"):
        hint = f"numpy.{head} has no derivative rules in s2sad: compute it outside and pass the result in"
    else:
        hint = ("use NumPy's elementwise functions (np.sin, np.exp, ...), reductions (np.sum, np.mean, ...), "
                "products (@, np.dot, np.einsum), slicing, or np.linalg.solve/inv/det/slogdet/cholesky/norm")
    return f"{spelled} is not supported", hint


def is_numpy_value(node: ast.expr, numpy_names: set[str]) -> bool:
    """`np.<path>` (an attribute chain on a name bound to NumPy)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in numpy_names


def attribute_path(node: ast.expr) -> str:
    """`np.linalg.norm` -> "linalg.norm" (the chain after the module's name)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join(reversed(parts))


def is_table(node: ast.expr, numpy_names: set[str]) -> bool:
    """A data table: a (nested) list or tuple display of numbers, or np.array / np.asarray of one."""
    if isinstance(node, ast.Call) and is_numpy_value(node.func, numpy_names) \
            and attribute_path(node.func) in ("array", "asarray") and len(node.args) == 1:
        node = node.args[0]
    return isinstance(node, (ast.List, ast.Tuple)) and _numbers(node)


def _numbers(node: ast.expr) -> bool:
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_numbers(x) for x in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)

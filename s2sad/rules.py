"""THE derivative table: one row per elementary function.

Each row reads as calculus: the function, then its partial derivative with
respect to each argument, written in the placeholders `x` (first argument),
`y` (second argument) and `z` (the function's own value, so `exp` reuses it).
`None` marks a partial that is zero almost everywhere.

Templates are parsed and checked once, at import, so a typo fails here and
never in user output. The lowering of a unary call is `z = h(a*x)`, the
lecture's third kind of op; `reverse` multiplies the row's partial by `a`.

Users add rows for their own elementary functions: in their module's source,
`__s2sad_rules__ = {"softplus": "1 / (1 + exp(-x))"}` (read by the frontend,
so `s2sad gen` sees it too), or at run time with `register`.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Callable

# name       partial wrt x                      partial wrt y
_TABLE: list[tuple[str, ...]] = [
    ("sin", "cos(x)"),
    ("cos", "-sin(x)"),
    ("tan", "1 + z**2"),
    ("asin", "1 / sqrt(1 - x**2)"),
    ("acos", "-1 / sqrt(1 - x**2)"),
    ("atan", "1 / (1 + x**2)"),
    ("sinh", "cosh(x)"),
    ("cosh", "sinh(x)"),
    ("tanh", "1 - z**2"),
    ("asinh", "1 / sqrt(x**2 + 1)"),
    ("acosh", "1 / sqrt(x**2 - 1)"),
    ("atanh", "1 / (1 - x**2)"),
    ("exp", "z"),
    ("expm1", "z + 1"),
    ("log", "1 / x"),
    ("log2", "1 / (log(2) * x)"),
    ("log10", "1 / (log(10) * x)"),
    ("log1p", "1 / (1 + x)"),
    ("sqrt", "0.5 / z"),
    ("fabs", "copysign(1, x)"),
    ("abs", "copysign(1, x)"),
    ("erf", "2 / sqrt(pi) * exp(-x**2)"),
    ("erfc", "-2 / sqrt(pi) * exp(-x**2)"),
    ("atan2", "y / (x**2 + y**2)", "-x / (x**2 + y**2)"),
    ("hypot", "x / z", "y / z"),
    # finite at 0 where the true derivative is: d/dx x**0 is 0 (not 0 * 0.0**-1), and d/dy 0**y is 0
    # for y > 0 (not 0 * log(0)); y - (y != 0) is y - 1 exactly except at y = 0, and x + (z == 0) is x
    # exactly except where z is 0 (then the partial is 0); at 0**0 the partial in y still fails, as it must
    ("pow", "y * x**(y - (y != 0))", "z * log(x + (z == 0))"),
    ("copysign", "copysign(1, x) * copysign(1, y)", None),
]

# Functions that are a fixed scaling: lowered to affine ops, not calls.
LINEAR: dict[str, float] = {"degrees": 180 / math.pi, "radians": math.pi / 180}

# Constants of `math` that user code may name.
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}

# Builtins that are rows of the table (everything else comes from `math`).
_BUILTIN = {"abs": abs}

PLACEHOLDERS = ("x", "y")


@dataclass(frozen=True)
class Rule:
    """One row: how to compute the function and its partials."""

    name: str  # as generated code calls it
    module: str  # where generated code imports it from ("builtins": nothing to import)
    evaluate: Callable[..., float] | None  # for constant folding (None: read from source, not folded)
    partials: tuple[ast.expr | None, ...]  # one per argument, in x, y, z

    @property
    def arity(self) -> int:
        return len(self.partials)


RULES: dict[str, Rule] = {}


def _parse_partial(text: str | None, arity: int, where: str) -> ast.expr | None:
    if text is None:
        return None
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"{where}: partial {text!r} is not an expression: {exc.msg}") from None
    allowed = set(PLACEHOLDERS[:arity]) | {"z"} | set(CONSTANTS)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if not isinstance(f, ast.Name) or f.id not in RULES or node.keywords:
                raise ValueError(f"{where}: partial {text!r} calls {ast.unparse(f)}, not a rule")
            if len(node.args) != RULES[f.id].arity:
                raise ValueError(f"{where}: partial {text!r}: {f.id} takes {RULES[f.id].arity} argument(s)")
        elif isinstance(node, ast.Name) and node.id not in allowed and node.id not in RULES:
            raise ValueError(f"{where}: partial {text!r} uses unknown name {node.id!r}")
        elif not isinstance(
            node,
            (ast.Name, ast.Call, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Load, ast.operator, ast.unaryop,
             ast.Compare, ast.Eq, ast.NotEq),
        ) or isinstance(node, ast.Compare) and len(node.ops) != 1:
            raise ValueError(f"{where}: partial {text!r} uses {type(node).__name__}")
        if isinstance(node, ast.Constant) and type(node.value) not in (int, float):
            raise ValueError(f"{where}: partial {text!r} has a non-numeric constant")
    return tree


def add_rule(
    key: str, rule_name: str, module: str, evaluate: Callable[..., float] | None, partials: tuple[str | None, ...]
) -> Rule:
    """Add (or replace) the row `key`; a bad template raises ValueError and changes nothing."""
    # Insert first so that a partial may call the function itself (or a later row's
    # name fails); validate, and roll back if a template is bad.
    arity = len(partials)
    previous = RULES.get(key)
    RULES[key] = Rule(rule_name, module, evaluate, (None,) * arity)
    try:
        parsed = tuple(_parse_partial(p, arity, key) for p in partials)
    except ValueError:
        if previous is None:
            del RULES[key]
        else:
            RULES[key] = previous
        raise
    RULES[key] = rule = Rule(rule_name, module, evaluate, parsed)
    return rule


def _load_table() -> None:
    for name, *partials in _TABLE:  # every name is callable from every template
        RULES[name] = Rule(name, _module(name), _evaluator(name), (None,) * len(partials))
    for name, *partials in _TABLE:
        add_rule(name, name, _module(name), _evaluator(name), tuple(partials))


def _module(name: str) -> str:
    return "builtins" if name in _BUILTIN or name == "pow" else "math"  # pow is `**`, never called


def _evaluator(name: str) -> Callable[..., float]:
    if name in _BUILTIN:
        return _BUILTIN[name]
    if name == "pow":
        return lambda x, y: x**y  # `**` semantics, as generated code spells it
    return getattr(math, name)


def register(function: Callable[..., float], *partials: str | None) -> Rule:
    """Add a row for an elementary function of your own.

    `partials` gives one derivative template per argument, in `x` (first
    argument), `y` (second), `z` (the result), using the table's functions.
    Generated code imports the function from its module. Example::

        def softplus(x):
            return math.log1p(math.exp(x))

        s2sad.register(softplus, "1 / (1 + exp(-x))")

    Calls to `softplus` in differentiated functions (of any module that
    imports it, or of its own module) are then elementary ops. For `s2sad gen`,
    which never runs user code, declare the rule in the module's source
    instead: `__s2sad_rules__ = {"softplus": "1 / (1 + exp(-x))"}`.
    """
    if not 1 <= len(partials) <= len(PLACEHOLDERS):
        raise ValueError("register takes one partial per argument (one or two arguments)")
    key = f"{function.__module__}.{function.__name__}"
    return add_rule(key, function.__name__, function.__module__, function, partials)


_load_table()

# NumPy's names for the rows above (its ufuncs). `np.sin(x)` is the row "numpy.sin": the same
# partials, the value computed by NumPy's own function (NumPy's and libm's results may differ in
# the last bit, and generated code computes what the source computes).
NUMPY_UFUNCS: dict[str, str] = {
    "sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
    "exp": "exp", "expm1": "expm1", "log": "log", "log2": "log2", "log10": "log10", "log1p": "log1p",
    "sqrt": "sqrt", "fabs": "fabs", "abs": "abs", "absolute": "abs", "arctan2": "atan2", "hypot": "hypot",
    "power": "pow", "copysign": "copysign",
}
# ufuncs with no row of their own in math: their partials, as rows of NumPy only
_NUMPY_ONLY = [
    ("square", "2 * x"),
    ("reciprocal", "-(z * z)"),
    ("cbrt", "1 / (3 * z**2)"),
    ("exp2", "log(2) * z"),
]
MATH_OF_NUMPY: dict[str, str] = {}  # numpy row key -> the math row whose partial functions it calls


def _load_numpy_rows() -> None:
    for np_name, row in NUMPY_UFUNCS.items():
        key = f"numpy.{np_name}"
        source = next(r for r in _TABLE if r[0] == row)
        add_rule(key, np_name, "numpy", None, tuple(source[1:]))
        MATH_OF_NUMPY[key] = row
    for np_name, *partials in _NUMPY_ONLY:
        add_rule(f"numpy.{np_name}", np_name, "numpy", None, tuple(partials))


_load_numpy_rows()
# math.pow(x, y): the partials of `**`, but computed by math.pow, which raises ValueError where `**`
# gives a complex number (a negative x to a fractional y): generated code keeps what the user wrote.
add_rule("math.pow", "pow", "math", math.pow, next(tuple(row[1:]) for row in _TABLE if row[0] == "pow"))

"""What check says: the name of each construct outside the subset, and what to write instead.

Every hint points the way that works: NumPy names are named as NumPy (not
yet supported), math functions s2sad lacks are named as such (with the
alternative, or a rule template of their real arity), rule templates take the
arity of the call.
"""

from __future__ import annotations

import ast
import inspect
import math

INTEGER_OPS = "bitwise operators act on integers; s2sad differentiates float arithmetic"
BAD_OPS = {  # operator -> (spelling, what to write instead)
    ast.MatMult: ("@", "write the products out: a1*b1 + a2*b2 + ..."),
    ast.LShift: ("<<", INTEGER_OPS),
    ast.RShift: (">>", INTEGER_OPS),
    ast.BitOr: ("|", INTEGER_OPS),
    ast.BitAnd: ("&", INTEGER_OPS),
    ast.BitXor: ("^", INTEGER_OPS + " (for a power write **)"),
}
STRAIGHT = "write assignments, if/else, for and while loops, and return"
ONE_VALUE = "pass each scalar as its own float parameter, or a list of floats"
LOOP = "write a for loop over range(len(xs)) that accumulates the result"
SUGGEST: dict[type, tuple[str, str]] = {
    ast.Try: ("try/except is not supported", "check inputs before calling the function, or use if/else"),
    ast.With: ("with blocks are not supported", STRAIGHT),
    ast.Raise: ("raise is not supported", "check inputs before calling the function"),
    ast.Assert: ("assert is not supported", "check inputs before calling the function"),
    ast.Delete: ("del is not supported", "remove the del statement"),
    ast.Global: ("global variables cannot be assigned", "return the value instead"),
    ast.Nonlocal: ("nonlocal is not supported", "return the value instead"),
    ast.Import: ("imports inside the function are not supported", "import math at module level"),
    ast.ImportFrom: ("imports inside the function are not supported", "import at module level"),
    ast.FunctionDef: ("nested functions are not supported", "define the helper at module level"),
    ast.ClassDef: ("classes are not supported", "define functions at module level"),
    ast.Tuple: ("tuples are not supported", ONE_VALUE),
    ast.Dict: ("dicts are not supported", ONE_VALUE),
    ast.Set: ("sets are not supported", ONE_VALUE),
    ast.Lambda: ("lambda is not supported", "define a module-level function with def"),
    ast.ListComp: ("list comprehensions are supported in a statement at the top level of the function only, "
                   "before any early return (where lists are created), and not in an arm of `a if c else b`, "
                   "`and` or `or`, which may not run",
                   "build the list before the loop, branch or return, or fill it in a for loop"),
    ast.GeneratorExp: ("generator expressions are supported as the argument of sum, max or min in a statement at "
                       "the top level of the function only, before any early return, and not in an arm of "
                       "`a if c else b`, `and` or `or`", LOOP),
    ast.SetComp: ("set comprehensions are not supported", LOOP),
    ast.DictComp: ("dict comprehensions are not supported", LOOP),
    ast.Yield: ("generators (yield) are not supported", "return one value"),
    ast.YieldFrom: ("generators (yield) are not supported", "return one value"),
    ast.Await: ("await is not supported", "differentiate a plain function"),
    ast.AsyncFor: ("async for is not supported", "use a for loop"),
    ast.AsyncWith: ("async with is not supported", STRAIGHT),
    ast.Starred: ("starred expressions are not supported", ONE_VALUE),
    ast.Slice: ("slices are not supported", "index one item at a time in a loop"),
    ast.NamedExpr: ("the walrus operator is not supported", "assign on a line of its own"),
    ast.JoinedStr: ("strings are not supported", "use float values only"),
    ast.Match: ("match statements are not supported", "use if/elif/else"),
}
INT_ONLY = {
    ast.FloorDiv: ("//", "floor division is piecewise constant: compute it outside and pass it in"),
    ast.Mod: ("%", "x % y is x - y*floor(x/y): compute the floor outside, pass it in, write x - y*k"),
}
MATH_HINT = "use + - * / ** and math functions (sin, exp, log, sqrt, ...)"
STEP = "it is piecewise constant: compute it outside the function and pass the value in as a parameter"
MATH_INSTEAD = {  # math functions s2sad lacks -> what to write instead
    **dict.fromkeys(("floor", "ceil", "trunc", "modf", "isqrt", "frexp"), STEP),
    **dict.fromkeys(("fmod", "remainder"), "x % y is x - y*floor(x/y): compute the floor outside, pass it in, "
                                           "write x - y*k"),
    "prod": "multiply in a loop: p = 1.0, then p = p * v for v in xs",
    "fsum": "use sum(xs) or +",
    "dist": "write sqrt((a1 - b1)**2 + (a2 - b2)**2 + ...)",
    "ldexp": "write x * 2.0**i",
    "round": STEP,
}
# Array libraries: their functions act on arrays, so no scalar rule is the way to go.
ARRAY_LIBRARIES = {"numpy": "NumPy", "scipy": "SciPy", "torch": "PyTorch", "jax": "JAX", "tensorflow": "TensorFlow",
                    "pandas": "pandas"}
SCALAR_CODE = "write scalar code: math functions of floats, and loops over lists of floats"


def missing_math(name: str) -> tuple[str, str]:
    """Message and hint for a function of math that s2sad has no row for."""
    message = f"s2sad does not support math.{name}"
    if name in MATH_INSTEAD:
        return message, MATH_INSTEAD[name]
    try:  # the standard library's own signature: a rule needs one partial per argument
        params = inspect.signature(getattr(math, name)).parameters.values()
        n = len(params) if all(p.kind == p.POSITIONAL_ONLY for p in params) else None
    except (AttributeError, TypeError, ValueError):
        n = None
    if n in (1, 2):
        return message, (f"import it by name (from math import {name}) and declare its derivative: "
                         f"{rule_hint(name, n)}")
    return message, MATH_HINT


def rule_hint(name: str, n_args: int | None) -> str:
    """How to declare a rule for `name`, shaped by the number of arguments it is called with."""
    if n_args == 2:
        return f'__s2sad_rules__ = {{"{name}": ("<d/dx in x, y>", "<d/dy in x, y>")}}'
    if n_args in (None, 1):
        return f'__s2sad_rules__ = {{"{name}": "<d/dx in x>"}}'
    return ""


def library(qualname: str) -> str | None:
    """The array library a dotted name comes from, by its display name; None for others."""
    return ARRAY_LIBRARIES.get(qualname.lstrip(".").partition(".")[0])


def bound_names(node: ast.AST) -> set[str]:
    """Every name a statement or expression binds, however (assignment, def, import, except ... as)."""
    names: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).partition(".")[0] for a in n.names)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
        elif isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name:
            names.add(n.name)
    return names

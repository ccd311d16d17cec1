"""How an array op is spelled: in generated code (as an AST) and in the printed trace.

Guarantees: `array_expr(op, args, np)` is the Python expression computing an
`ArrayOp` from its operands' expressions, with NumPy called through the name
`np` generated code imports it as; it computes what the source computes
(operators stay operators, `x[1:, ::2]` stays a subscript, NumPy's own
functions are called). `array_text` is the same spelling for `s2sad trace`.

Before: ArrayOp("getitem", (x, t), (("index", "_1, 1:"),)).  After: `x[t, 1:]`.
"""

from __future__ import annotations

import ast
import re

from . import pyast
from .rules import RULES
from .trace import ArrayOp

OPERATORS: dict[str, ast.operator] = {"add": ast.Add(), "subtract": ast.Sub(), "multiply": ast.Mult(),
                                      "divide": ast.Div(), "power": ast.Pow(), "matmul": ast.MatMult()}
NP_PREFIX = re.compile(r"\bnp\.")


def array_expr(e: ArrayOp, args: list[ast.expr], np: str) -> ast.expr:
    """The forward expression of an array op over its operands' expressions."""
    if e.fn in OPERATORS:
        return pyast.binop(args[0], OPERATORS[e.fn], args[1])
    if e.fn == "negative":
        return ast.UnaryOp(pyast.USUB, args[0])
    if e.fn == "getitem":
        return _filled(f"_0[{e.option['index']}]", args)
    if e.fn == "array":
        return pyast.call(f"{np}.array", [ast.List(list(args), pyast.LOAD)])
    if e.fn == "builtin_sum":
        return pyast.call("sum", args)
    if e.fn == "setitem":  # assignment into a copy: the old value stays what the source's reads saw
        from .array_reverse import index_object

        return pyast.call("_setitem", [args[0], index_object(e.option["index"], args, 2), args[1]])
    if e.fn in RULES:  # a NumPy ufunc of the rules table
        return pyast.call(f"{np}.{RULES[e.fn].name}", args)
    from .array_rules import ARRAY_RULES

    rule = ARRAY_RULES[e.fn]
    values = {p: a for p, a in zip(rule.params, args)}
    values.update({k: literal(v) for k, v in {**rule.options, **e.option}.items()})
    return renamed_numpy(pyast.substitute(pyast.template(rule.forward), values), np)


def array_text(e: ArrayOp, args: list[str]) -> str:
    """The printed form of an array op (the trace listing)."""
    return pyast.to_source(array_expr(e, [pyast.name(a) if not _number(a) else pyast.template(a) for a in args],
                                      "np"))


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _filled(template: str, args: list[ast.expr]) -> ast.expr:
    return pyast.substitute(pyast.template(template), {f"_{i}": a for i, a in enumerate(args)})


def literal(v: object) -> ast.expr:
    """A generation-time constant (an option's value) as an expression."""
    if isinstance(v, tuple):
        return ast.Tuple([literal(x) for x in v], pyast.LOAD)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return pyast.number(v)
    return ast.Constant(v)


def renamed_numpy(node: ast.expr, np: str) -> ast.expr:
    """A template's `np.` calls made through the name generated code imports NumPy as."""
    if np == "np":
        return node
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "np":
            n.value = pyast.name(np)
    return node

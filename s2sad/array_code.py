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
from .trace import ArgRef, ArrayOp

OPERATORS: dict[str, ast.operator] = {"add": ast.Add(), "subtract": ast.Sub(), "multiply": ast.Mult(),
                                      "divide": ast.Div(), "power": ast.Pow(), "matmul": ast.MatMult()}
NP_PREFIX = re.compile(r"\bnp\.")


def array_expr(e: ArrayOp, args: list[ast.expr], np: str) -> ast.expr:
    """The forward expression of an array op over its operands' expressions."""
    if e.fn in OPERATORS:
        return pyast.binop(args[0], OPERATORS[e.fn], args[1])
    if e.fn == "negative":
        return ast.UnaryOp(pyast.USUB, args[0])
    if e.fn == "positive":
        return ast.UnaryOp(ast.UAdd(), args[0])
    if e.fn == "getitem":
        return _filled(f"_0[{e.option['index']}]", args)
    if e.fn == "array":
        return pyast.call(f"{np}.array", [ast.List(list(args), pyast.LOAD)])
    if e.fn == "copy":
        return ast.Call(ast.Attribute(args[0], "copy", pyast.LOAD), [], [])
    if e.fn in ("asarray", "array_copy"):  # np.asarray(x) may be x itself, np.array(x) is a copy
        return pyast.call(f"{np}.asarray" if e.fn == "asarray" else f"{np}.array", args)
    if e.fn == "einsum_n":
        return pyast.call(f"{np}.einsum", [ast.Constant(e.option["subscripts"]), *args])
    if e.fn == "scalar":
        return pyast.call("_scalar", args)
    if e.fn == "builtin_sum":
        return pyast.call("sum", args)
    if e.fn == "setitem":  # assignment into a copy: the old value stays what the source's reads saw
        from .reverse.arrays import index_object

        return pyast.call("_setitem", [args[0], index_object(e.option["index"], args, 2), args[1]])
    if e.fn in RULES:  # a NumPy ufunc of the rules table
        return pyast.call(f"{np}.{RULES[e.fn].name}", args)
    from .array_rules import ARRAY_RULES

    rule = ARRAY_RULES[e.fn]
    node = renamed_numpy(pyast.substitute(pyast.template(rule.forward), row_values(e, rule, args)), np)
    if isinstance(node, ast.Call):  # options left at NumPy's default are not spelled out
        given = e.option
        node.keywords = [k for k in node.keywords if k.arg in given and given[k.arg] != rule.options.get(k.arg)
                         or k.arg not in rule.options]
    if e.fn == "linalg.slogdet":  # (sign, log|det|): the differentiable value is the second
        return ast.Subscript(node, pyast.number(1), pyast.LOAD)
    return node


def arrays_of(e: ArrayOp) -> int:
    """How many of the op's arguments are its arrays (the rest are run-time option values)."""
    refs = [r for _, v in e.options for r in _refs(v)]
    return len(e.args) - len(refs)


def _refs(v: object) -> list:
    if isinstance(v, ArgRef):
        return [v]
    return [r for x in v for r in _refs(x)] if isinstance(v, tuple) else []


def row_values(e: ArrayOp, rule, args: list[ast.expr]) -> dict[str, ast.expr]:
    """Placeholder -> expression for a sheet row: its params (`xs`: the tuple of all arrays), its options."""
    n = arrays_of(e)
    if rule.params == ("xs",):
        values = {"xs": ast.Tuple(list(args[:n]), pyast.LOAD)}
    else:
        values = dict(zip(rule.params, args[:n]))
    values.update({k: literal(v, args) for k, v in {**rule.options, **e.option}.items()})
    return values


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


def literal(v: object, args: list[ast.expr] | None = None) -> ast.expr:
    """An option's value as an expression (a run-time one is its argument's)."""
    if isinstance(v, ArgRef):
        assert args is not None
        return args[v.index]
    if isinstance(v, tuple):
        return ast.Tuple([literal(x, args) for x in v], pyast.LOAD)
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

"""Shared pieces of lowering: the loop context, undefined names, and what a statement assigns or reads.

Guarantees: the helpers here only read the AST (names assigned, stored into, read); they change nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Union

from ..pending import Value
from ..pyast import walk
from ..trace import (
    ListVar,
    Operand,
    Var,
)


class _Abandon(Exception):
    """Lowering stops after an error left a state it cannot go on from: report the errors found."""


class _Retype(Exception):
    """A list whose pops were typed as ints gets a non-int item: lower the function again, its pops untyped."""

    def __init__(self, key: tuple) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class _Undefined:
    """A name that is not defined on every path to this point.

    Where it is defined exactly on the paths where the conditions `conds`
    took the given sides (it was assigned in one arm of `if c1:`, nested in
    one arm of ...), a later arm whose own path of conditions implies them
    reads `value`: generated code computes a value under `if not (z1 or z4):`
    in the forward sweep and reads it under `if z1: ... elif z4: ... else:`
    in the reverse sweep, and s2sad reads its own output.
    """

    why: str
    conds: tuple = ()  # ((condition variable, side taken), ...): a conjunction
    value: object = None


@dataclass(frozen=True)
class _Tuples:
    """A list of equal-length tuples (a tape in generated code), held as one list per position."""

    parts: tuple[ListVar, ...]


Binding = Union[Value, ListVar, _Undefined, _Tuples]


@dataclass
class _LoopContext:
    carried: list[str]
    has_break: bool = False
    exits: list[tuple[Operand, ...]] = field(default_factory=list)



_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_BUILTINS = ("len", "sum", "min", "max", "float", "int")


def _reads(s: ast.stmt) -> set[str]:
    reads = {n.id for n in walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
        reads.add(s.target.id)
    return reads


def _kind_of(v: object) -> str:
    if isinstance(v, Var):
        return v.kind
    if isinstance(v, bool):
        return "bool"
    return "int" if isinstance(v, int) else "float"


def _merged_kind(values: list) -> str:
    return _merged_kinds({_kind_of(v) for v in values})


def _merged_kinds(kinds: set[str]) -> str:
    if "array" in kinds:  # a value that is an array on some path may be one
        return "array"
    return kinds.pop() if len(kinds) == 1 else "float"


def _is_pop(e: ast.expr) -> bool:
    return isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "pop" \
        and isinstance(e.func.value, ast.Name) and not e.args and not e.keywords


def _is_call(e: ast.expr, name: str) -> bool:
    return isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == name


def _is_list_repeat(e: ast.expr) -> bool:
    return isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mult) and (
        isinstance(e.left, ast.List) or isinstance(e.right, ast.List))


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return body[1:]
    return body


def _assigned(stmts: list[ast.stmt]) -> list[str]:
    """Names (re)bound anywhere in stmts, in order of first assignment."""
    seen: dict[str, None] = {}
    for s in stmts:
        for node in walk(s):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                seen.setdefault(node.id)
    return list(seen)  # type: ignore[return-value]


def _stored(stmts: list[ast.stmt]) -> list[str]:
    """Names stored into by subscript anywhere in stmts (`a[i] = v`, `a[:, j] += v`)."""
    seen: dict[str, None] = {}
    for s in stmts:
        for node in walk(s):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
                seen.setdefault(node.value.id)
    return list(seen)


def _assigned_in_if(s: ast.If) -> list[str]:
    """Names (re)bound in the if, in the order its statements bind them first.

    Remembered on each `if` (an elif chain nests them: walking each one's whole tree again is quadratic).
    """
    cached = getattr(s, "_s2sad_assigned", None)
    if cached is None:
        seen: dict[str, None] = {}
        for part in (s.body, s.orelse):
            for c in part:
                seen.update(dict.fromkeys(_assigned_in_if(c) if isinstance(c, ast.If) else _assigned([c])))
        cached = s._s2sad_assigned = list(seen)  # type: ignore[attr-defined]
    return cached


def _read(s: ast.stmt) -> set[str]:
    return {n.id for n in walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _stored_lists(stmts: list[ast.stmt], env: dict) -> set[int]:
    ids = set()
    for s in stmts:
        for node in walk(s):
            target = None
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                target = node.value
            elif isinstance(node, ast.Attribute) and node.attr == "append":
                target = node.value
            if isinstance(target, ast.Name) and isinstance(env.get(target.id), ListVar):
                ids.add(env[target.id].id)
    return ids

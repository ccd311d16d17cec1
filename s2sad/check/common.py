"""Shared pieces of the checker: what a name imported from math stands for, what a body assigns.

Guarantees: these functions only read the AST; they change nothing.
"""

from __future__ import annotations

import ast

from ..frontend import (
    Module,
)
from ..hints import (
    bound_names,
)
from ..pyast import walk

_BUILTINS = ("len", "sum", "min", "max", "float", "int", "range")


def _math_name(module: Module, name: str) -> str:
    """The math attribute a name imported from math stands for (`from math import sin as s`: sin)."""
    for site in module.sites.names.get(name, []):
        if site.what.startswith("from math import "):
            return site.what.split()[3]
    return name


def _always_returns(body: list[ast.stmt]) -> bool:
    """Does every path through body end in a return (loops aside)?"""
    for s in body:
        if isinstance(s, ast.Return):
            return True
        if isinstance(s, ast.If) and _always_returns(s.body) and _always_returns(s.orelse):
            return True
    return False



def _assigned_names(body: list[ast.stmt]) -> set[str]:
    """Names a function body assigns anywhere (Python makes them local throughout)."""
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for x in targets:
                if type(x) is ast.Name:  # the common target: no walk
                    if isinstance(x.ctx, ast.Store):
                        names.add(x.id)
                    continue
                names.update(t.id for t in walk(x)
                             if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store))  # not `len` in ys[len(ys) - 1]
        elif not isinstance(stmt, (ast.Return, ast.Expr, ast.Pass)):  # compound or rare: look inside
            names |= bound_names(stmt)
    return names

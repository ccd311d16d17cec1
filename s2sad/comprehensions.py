"""Comprehensions as loops: a pass over the function's AST before the subset check and lowering.

Guarantees: `comprehensions_as_loops(src)` returns `src` itself when no simple statement at the top
level of the function, before any that may return early, holds a list comprehension (or a generator expression passed to `sum`, `max`
or `min`); else the same function but for those statements. Each such comprehension
`[e for v in xs if c]` becomes a list built before its statement, `terms = []` and nested `for` /
`if` statements ending in `terms.append(e)`, and the statement reads `terms` in its place. The
values are Python's: the same items in the same order, and `sum`, `max` and `min` of the list give
what they give of the generator. A comprehension's variables are its own: one that the function
also uses elsewhere is renamed to a name it does not use. Every new node carries the location of
the comprehension, and its parts keep theirs, so an error inside one points into it. A
comprehension anywhere else (in a loop, a branch, a helper, an arm of `a if c else b`, `and` or
`or`, which may not run) is left as it is, for the check to refuse: lists are created at the top
level of the function, and building one must not run what the function would not.

Before: `s = sum(exp(v - m) for v in z)`.
After:  `terms = []` / `for v in z: terms.append(exp(v - m))` / `s = sum(terms)`.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .prepare import may_exit

if TYPE_CHECKING:
    from .frontend import Module, Source

_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)
_FOR = re.compile(r"\bfor\b")
_REDUCTIONS = ("sum", "max", "min")  # builtins whose generator argument is read as a list
_COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)


def comprehensions_as_loops(src: Source) -> Source:
    """The source with the comprehensions of top-level simple statements built by loops (see above)."""
    fn, lines = src.node, src.module.lines
    found = []
    for k, s in enumerate(fn.body):
        if isinstance(s, _SIMPLE) and any(_FOR.search(lines[i]) for i in range(s.lineno - 1, s.end_lineno or s.lineno)) \
                and any(_built(n, src.module) for n in ast.walk(s)):
            found.append(k)
        if may_exit(s):  # what follows moves into branches (prepare.restructure), where lists are not created
            break
    if not found:  # the usual case, found from the text alone for most functions
        return src
    used, free = _scopes(fn)
    body: list[ast.stmt] = []
    for k, s in enumerate(fn.body):
        if k in found:
            hoist = _Hoist(src.module, used, free)
            if _builds_a_name(s):  # ys = [...]: the loop fills ys itself (a second name would alias it)
                body += hoist.building(copy.deepcopy(s.value), s.targets[0].id)  # type: ignore[attr-defined]
                continue
            s = hoist.visit(copy.deepcopy(s))
            body += hoist.before
        body.append(s)
    node = ast.FunctionDef(fn.name, fn.args, body, fn.decorator_list, fn.returns, fn.type_comment,
                           **({"type_params": fn.type_params} if hasattr(fn, "type_params") else {}))
    return replace(src, node=ast.copy_location(node, fn))


def _builds_a_name(s: ast.stmt) -> bool:
    """`ys = [e for ...]`, where the comprehension does not read ys."""
    return isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) \
        and isinstance(s.value, ast.ListComp) \
        and not any(isinstance(n, ast.Name) and n.id == s.targets[0].id for n in ast.walk(s.value))


def _built(n: ast.AST, module: Module) -> bool:
    """Is n a comprehension this pass builds a list for?"""
    if isinstance(n, ast.ListComp):
        return True
    return isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _REDUCTIONS \
        and len(n.args) == 1 and not n.keywords and isinstance(n.args[0], ast.GeneratorExp) \
        and module.resolve(n.func.id) is None


def _scopes(fn: ast.FunctionDef) -> tuple[set[str], set[str]]:
    """(every name the function binds or reads, the names it uses outside the comprehensions that own
    them): a comprehension's variable needs a new name only where the second set holds it."""
    every = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
    free = set(every)
    todo: list[tuple[ast.AST, frozenset[str]]] = [(s, frozenset()) for s in fn.body]
    while todo:  # no recursion: a long function is a deep tree
        node, owned = todo.pop()
        if isinstance(node, ast.Name):
            every.add(node.id)
            if node.id not in owned:
                free.add(node.id)
            continue
        if isinstance(node, _COMPREHENSIONS):  # its first iterable is read in the function's scope
            todo.append((node.generators[0].iter, owned))
            owned = owned | {t.id for g in node.generators for t in ast.walk(g.target) if isinstance(t, ast.Name)}
            todo += [(c, owned) for c in ast.iter_child_nodes(node) if c is not node.generators[0]]
            todo += [(c, owned) for c in ast.iter_child_nodes(node.generators[0]) if c is not node.generators[0].iter]
            continue
        todo += [(c, owned) for c in ast.iter_child_nodes(node)]
    return every, free


class _Hoist(ast.NodeTransformer):
    """Replaces each comprehension of one statement by a fresh list, built by the statements `before`."""

    def __init__(self, module: Module, used: set[str], free: set[str]):
        self.module = module
        self.used = used  # names taken: the function's, and those given out here
        self.free = free  # names used outside the comprehensions that own them
        self.before: list[ast.stmt] = []

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if _built(node, self.module):
            node.args = [self.built(node.args[0])]  # type: ignore[arg-type]
            return node
        return self.generic_visit(node)

    def visit_ListComp(self, node: ast.ListComp) -> ast.AST:
        return self.built(node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return node  # its own scope: left for the check to refuse

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        node.test = self.visit(node.test)  # the arms run only as the test says: not built before
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        node.values[0] = self.visit(node.values[0])  # the others run only as the first says
        return node

    def built(self, comp: ast.ListComp | ast.GeneratorExp) -> ast.Name:
        name = self.fresh("terms")
        self.before += self.building(comp, name)
        return ast.copy_location(ast.Name(name, ast.Load()), comp)

    def building(self, comp: ast.ListComp | ast.GeneratorExp, name: str) -> list[ast.stmt]:
        """`name = []` and the loops that append the comprehension's items to it."""
        # a comprehension's variables are its own: renamed where the function uses the name elsewhere
        owned = [t.id for g in comp.generators for t in ast.walk(g.target) if isinstance(t, ast.Name)]
        renames = {v: self.fresh(v) for v in dict.fromkeys(owned) if v in self.free}
        first = comp.generators[0].iter  # read in the function's scope: not renamed
        comp = _Renamed(renames, keep=first).visit(comp)
        inner: ast.stmt = ast.Expr(ast.Call(ast.Attribute(ast.Name(name, ast.Load()), "append", ast.Load()),
                                            [comp.elt], []))
        for g in reversed(comp.generators):
            for cond in reversed(g.ifs):
                inner = ast.If(cond, [inner], [])
            inner = ast.For(g.target, g.iter, [inner], [], None)
        out = [ast.Assign([ast.Name(name, ast.Store())], ast.List([], ast.Load())), inner]
        for stmt in out:
            for n in ast.walk(stmt):
                if not hasattr(n, "lineno") and isinstance(n, (ast.stmt, ast.expr)):
                    ast.copy_location(n, comp)
        return out

    def fresh(self, base: str) -> str:
        name, k = base, 0
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name


class _Renamed(ast.NodeTransformer):
    """The comprehension with its variables renamed, but for `keep` (its first iterable)."""

    def __init__(self, renames: dict[str, str], keep: ast.AST):
        self.renames, self.keep = renames, keep

    def visit(self, node: ast.AST) -> ast.AST:
        return node if node is self.keep else super().visit(node)

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.renames:
            return ast.copy_location(ast.Name(self.renames[node.id], node.ctx), node)
        return node

"""Every place a module's source binds a module-level name, or changes an imported module.

Guarantees: `binding_sites(tree)` finds each statement that (re)binds a name in
the module's namespace: at module level (assignments of every kind, `del`,
imports, `def`, `class`, `for`/`with`/`except` targets, walrus, `match`
captures) and inside any function or class that declares the name `global`;
each `from X import *` (which may bind anything); and each assignment or
deletion of an attribute of a module-level name (`math.pi = 3.0`), or call of
`setattr`/`delattr` on one. s2sad reads module-level names from the source,
so a name bound twice is a name it cannot read (the frontend says where).

Before: `K = 1.0` (line 3), `def g(): global K; K = 2.0` (line 6).
After:  sites["K"] == [Site(3, "assigned"), Site(6, "assigned in g (global K)")].
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .pyast import walk

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(frozen=True)
class Site:
    """One binding: where, how (for messages), and what (equal keys bind the same thing: `import math` twice)."""

    line: int
    col: int
    how: str
    what: str = ""


@dataclass
class Sites:
    names: dict[str, list[Site]] = field(default_factory=dict)
    wildcards: list[tuple[Site, str]] = field(default_factory=list)  # (site, module) of `from X import *`
    patches: dict[tuple[str, str], Site] = field(default_factory=dict)  # (module-level name, attribute or "*")

    def add(self, name: str, site: Site) -> None:
        found = self.names.setdefault(name, [])
        if not (site.what and any(s.what == site.what for s in found)):
            found.append(site)


def binding_sites(tree: ast.Module) -> Sites:
    sites = Sites()
    _scope(tree, tree.body, "", sites)
    return sites


# The kinds of node the passes below look at (a Name or an Attribute only when stored into or deleted);
# exact types, as ast.parse makes them.
_KINDS = frozenset({ast.Name, ast.Attribute, ast.Call, ast.Import, ast.ImportFrom, *_SCOPES[:3], ast.ExceptHandler,
                    ast.MatchAs, ast.MatchStar, ast.MatchMapping, ast.Global, *_COMPREHENSIONS, ast.AnnAssign,
                    ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.AugAssign, ast.NamedExpr})
_SCOPE_KINDS = frozenset(_SCOPES)
# Fields whose nodes are contexts and operators (Load, Add, Lt...): no children, nothing bound.
_NO_BINDING_FIELDS = frozenset({"ctx", "op", "ops"})


def _scope(owner: ast.AST, body: list, where: str, sites: Sites) -> None:
    """The bindings of one scope (the module: where == ""), then of the scopes nested in it."""
    nodes, nested = _own_nodes(body)
    declared = {n for node in nodes if isinstance(node, ast.Global) for n in node.names}
    local = set() if not where else _locals(owner, nodes) - declared

    def bind(name: str, node: ast.AST, how: str, what: str = "") -> None:
        if not where:
            sites.add(name, Site(node.lineno, node.col_offset, how, what))
        elif name in declared:
            sites.add(name, Site(node.lineno, node.col_offset, f"{how} in {where} (global {name})"))

    skip = {id(n) for node in nodes if isinstance(node, _COMPREHENSIONS)
            for gen in node.generators for n in walk(gen.target)}  # comprehension variables are its own
    skip |= {id(node.target) for node in nodes if isinstance(node, ast.AnnAssign) and node.value is None}
    hows = _hows(nodes)
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) and id(node) not in skip:
            bind(node.id, node, "deleted" if isinstance(node.ctx, ast.Del) else hows.get(id(node), "assigned"))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            src = "." * getattr(node, "level", 0) + (getattr(node, "module", None) or "")
            for a in node.names:
                if a.name == "*":
                    if not where and src != "math":
                        sites.wildcards.append((Site(node.lineno, node.col_offset, f"from {src} import *"), src))
                    continue
                if isinstance(node, ast.Import):
                    bound, what = a.asname or a.name.partition(".")[0], f"import {a.name}"
                else:
                    bound, what = a.asname or a.name, f"from {src} import {a.name}"
                bind(bound, node, "imported", what + (f" as {a.asname}" if a.asname else ""))
        elif isinstance(node, (*_SCOPES[:3],)):
            bind(node.name, node, "defined")  # type: ignore[union-attr]
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name, node, "bound by except ... as")
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bind(node.name, node, "bound by a case pattern")
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bind(node.rest, node, "bound by a case pattern")
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                and isinstance(node.value, ast.Name) and node.value.id not in local:
            how = "deleted" if isinstance(node.ctx, ast.Del) else "assigned"
            sites.patches.setdefault((node.value.id, node.attr), Site(node.lineno, node.col_offset, how))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
                and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id not in local:
            sites.patches.setdefault((node.args[0].id, "*"), Site(node.lineno, node.col_offset, f"changed by {node.func.id}"))
    for scope in nested:
        name = getattr(scope, "name", "a lambda")
        inner = f"{where}.{name}" if where else name
        body = scope.body if isinstance(scope.body, list) else [scope.body]
        _scope(scope, body, inner, sites)


def _hows(nodes: list[ast.AST]) -> dict[int, str]:
    """How the statements of a scope bind their target names (plain assignment if not listed)."""
    out: dict[int, str] = {}
    for node in nodes:
        if isinstance(node, (ast.For, ast.AsyncFor)):
            targets, how = [node.target], "rebound by a for loop"
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            targets, how = [i.optional_vars for i in node.items if i.optional_vars], "bound by with ... as"
        elif isinstance(node, ast.AugAssign):
            targets, how = [node.target], "changed by augmented assignment"
        elif isinstance(node, ast.NamedExpr):
            targets, how = [node.target], "assigned by :="
        else:
            continue
        for t in targets:
            for n in walk(t):
                out[id(n)] = how
    return out


def _own_nodes(body: list) -> tuple[list[ast.AST], list[ast.AST]]:
    """The nodes of a scope's body that belong to the scope itself, in source order, and the scopes nested in it.
    Only nodes that may bind a name (`_KINDS`) are kept: most (operators, constants, reads) cannot.

    A nested def's decorators, defaults and annotations belong to the outer scope, as Python runs them there.
    """
    own: list[ast.AST] = []
    nested: list[ast.AST] = []
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in _KINDS and not ((kind is ast.Name or kind is ast.Attribute) and type(node.ctx) is ast.Load):
            own.append(node)
        if kind in _SCOPE_KINDS:
            nested.append(node)
            outer: list[ast.AST] = list(getattr(node, "decorator_list", []))
            if isinstance(node, ast.ClassDef):
                outer += node.bases + [k.value for k in node.keywords]
            else:
                a = node.args
                outer += a.defaults + [d for d in a.kw_defaults if d is not None]
            stack += reversed(outer)
        else:  # the children, as ast.iter_child_nodes gives them (its generators cost more than the rest)
            children: list[ast.AST] = []
            for name in node._fields:
                if name in _NO_BINDING_FIELDS:
                    continue
                v = getattr(node, name, None)
                if isinstance(v, ast.AST):
                    children.append(v)
                elif isinstance(v, list):
                    children += [c for c in v if isinstance(c, ast.AST)]
            children.reverse()
            stack += children
    return own, nested


def _locals(owner: ast.AST, nodes: list[ast.AST]) -> set[str]:
    """Names local to a function or class scope: its parameters and what it binds."""
    out: set[str] = set()
    if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = owner.args
        out.update(x.arg for x in a.posonlyargs + a.args + a.kwonlyargs)
        out.update(x.arg for x in (a.vararg, a.kwarg) if x is not None)
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).partition(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, _SCOPES[:3]):
            out.add(node.name)  # type: ignore[union-attr]
    return out

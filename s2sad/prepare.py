"""Passes over the function's AST before lowering: exits moved to path ends, parameters typed.

Guarantees: `restructure` returns statements with the same meaning in which
every `return`, `break` and `continue` is the last statement of its path:
what follows an `if` that may exit moves into its branches. `param_kinds`
says which parameters are lists (indexed, iterated, summed) and which are
integers (range bounds, indices, repetition counts, directly or through
assignments); `changed_lists` names the lists the function changes.

Before: `if c: continue` / `s = s + x`.  After: `if c: continue` / `else: s = s + x`.
"""

from __future__ import annotations

import ast

from .errors import UnsupportedSyntaxError
from .pyast import walk

MAX_TAIL_COPIES = 64  # statements an early exit copies into a second (third, ...) branch that falls through


def may_exit(s: ast.stmt, loop_exits: bool = True) -> bool:
    """Does s contain a return, or a break/continue of the enclosing loop?"""
    if isinstance(s, ast.If):  # remembered on the node: an elif chain asks again at each level
        key = "_s2sad_exits" if loop_exits else "_s2sad_exits_in_loop"
        found = getattr(s, key, None)
        if found is None:
            found = any(may_exit(c, loop_exits) for c in s.body + s.orelse)
            setattr(s, key, found)
        return found
    if isinstance(s, ast.Return):
        return True
    if isinstance(s, (ast.Break, ast.Continue)):
        return loop_exits
    if isinstance(s, (ast.For, ast.While)):
        return any(may_exit(c, False) for c in s.body + s.orelse)
    if isinstance(s, ast.If):
        return any(may_exit(c, loop_exits) for c in s.body + s.orelse)
    return False


def _always_exits(block: list[ast.stmt]) -> bool:
    """Does every path through the block end in return, break or continue?"""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, (ast.Return, ast.Break, ast.Continue)):
        return True
    return isinstance(last, ast.If) and _always_exits(last.body) and _always_exits(last.orelse)


def restructure(stmts: list[ast.stmt], module, top: bool) -> list[ast.stmt]:
    """The statements with every early exit at the end of its path.

    What follows an `if` that may exit moves into its branches (copied into
    each branch that can fall through), and statements after an exit are
    dropped as unreachable:

        before: if c: continue      after: if c: continue
                s = s + x                  else: s = s + x
    """
    out: list[ast.stmt] = []
    copies = [0]

    def run(block: list[ast.stmt]) -> list[ast.stmt]:
        result: list[ast.stmt] = []
        for k, s in enumerate(block):
            if isinstance(s, (ast.Return, ast.Break, ast.Continue)):
                result.append(s)
                return result
            if isinstance(s, ast.If) and may_exit(s):
                tail = block[k + 1:]
                falls = sum(1 for arm in (s.body, s.orelse) if not _always_exits(arm))
                copies[0] += len(tail) * max(0, falls - 1)  # moving the tail into one branch copies nothing
                if copies[0] > MAX_TAIL_COPIES:
                    raise UnsupportedSyntaxError([module.violation(
                        s, "too many statements follow early exits (return, break, continue) in branches",
                        "use if/else blocks instead of early exits")])
                new = ast.If(s.test, run(s.body + tail), run(s.orelse + tail))
                ast.copy_location(new, s)
                result.append(new)
                return result
            result.append(s)
        return result

    out = run(list(stmts))
    return out


def param_kinds(fn: ast.FunctionDef) -> dict[str, str]:
    """Which parameters are lists (indexed, iterated, summed) and which integers (bounds, indices)."""
    lists: set[str] = set()
    int_exprs: list[ast.expr] = []
    assigns: list[tuple[str, ast.expr]] = []
    for node in walk(fn):
        kind = type(node)
        if kind is ast.Subscript:
            if type(node.value) is ast.Name:  # type: ignore[attr-defined]
                lists.add(node.value.id)  # type: ignore[attr-defined]
            int_exprs.append(node.slice)  # type: ignore[attr-defined]
        elif kind is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            if type(func) is ast.Name:
                if func.id in ("len", "sum", "enumerate") and node.args and type(node.args[0]) is ast.Name:  # type: ignore[attr-defined]
                    lists.add(node.args[0].id)  # type: ignore[attr-defined]
                elif func.id in ("max", "min") and len(node.args) == 1 and type(node.args[0]) is ast.Name:  # type: ignore[attr-defined]
                    lists.add(node.args[0].id)  # type: ignore[attr-defined]  # max(xs): of a list's items
                elif func.id == "range":
                    int_exprs.extend(node.args)  # type: ignore[attr-defined]
            elif type(func) is ast.Attribute and func.attr == "index" and type(func.value) is ast.Name:
                lists.add(func.value.id)  # xs.index(v)
        elif kind is ast.For:
            if type(node.iter) is ast.Name:  # type: ignore[attr-defined]
                lists.add(node.iter.id)  # type: ignore[attr-defined]
        elif kind is ast.BinOp:
            if type(node.op) is ast.Mult:  # type: ignore[attr-defined]
                if type(node.left) is ast.List:  # type: ignore[attr-defined]
                    int_exprs.append(node.right)  # type: ignore[attr-defined]
                elif type(node.right) is ast.List:  # type: ignore[attr-defined]
                    int_exprs.append(node.left)  # type: ignore[attr-defined]
        elif kind is ast.Assign or kind is ast.AugAssign or kind is ast.AnnAssign:
            if node.value is not None:  # type: ignore[attr-defined]
                targets = node.targets if kind is ast.Assign else [node.target]  # type: ignore[attr-defined]
                assigns += [(t.id, node.value) for t in targets if type(t) is ast.Name]  # type: ignore[attr-defined]
    ints: set[str] = set()
    for e in int_exprs:
        ints |= _names_outside_lists(e)
    changed = bool(ints)
    while changed:  # m = n - 1; range(m): n is an integer too
        changed = False
        for target, value in assigns:
            if target in ints:
                new = _names_outside_lists(value) - ints
                if new:
                    ints |= new
                    changed = True
    kinds = {n: "int" for n in ints}
    kinds.update({n: "list" for n in lists})
    for a in fn.args.posonlyargs + fn.args.args:  # `ys: list` says so where no use does (a list returned whole)
        base = a.annotation.value if isinstance(a.annotation, ast.Subscript) else a.annotation
        if isinstance(base, ast.Name) and base.id in ("list", "List", "Sequence"):
            kinds[a.arg] = "list"
        elif isinstance(base, ast.Attribute) and base.attr in ("List", "Sequence"):
            kinds[a.arg] = "list"
    return kinds


def _names_outside_lists(e: ast.expr) -> set[str]:
    """Names whose own value e uses as an integer: not lists, and not arguments of int() or math.

    `xs[n - 1]` and `xs[max(i, 0)]` use n and i as integers; `xs[int(t)]` uses
    int(t), an inactive function of a float t, so t stays a float.
    """
    if isinstance(e, ast.Name):
        return {e.id}
    if isinstance(e, ast.Slice):  # x[k:], x[a:b:c]: the bounds and the step
        return set().union(*(_names_outside_lists(p) for p in (e.lower, e.upper, e.step) if p is not None))
    if isinstance(e, ast.Tuple):  # W[i, k:]: every part of an index
        return set().union(*(_names_outside_lists(p) for p in e.elts))
    if isinstance(e, ast.BinOp):
        return _names_outside_lists(e.left) | _names_outside_lists(e.right)
    if isinstance(e, ast.UnaryOp):
        return _names_outside_lists(e.operand)
    if isinstance(e, ast.IfExp):
        return _names_outside_lists(e.body) | _names_outside_lists(e.orelse)
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id in ("min", "max", "abs"):
        return set().union(*(_names_outside_lists(a) for a in e.args))
    return set()  # constants, list items, len/sum of lists, int(...), other calls


def changed_lists(nodes: list[ast.AST]) -> set[str]:
    """Lists changed anywhere, given the function's nodes (`pyast.walk`)."""
    out = set()
    for node in nodes:
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
            out.add(node.value.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript) \
                and isinstance(node.target.value, ast.Name):
            out.add(node.target.value.id)
        elif isinstance(node, ast.Attribute) and node.attr in ("append", "pop") and isinstance(node.value, ast.Name):
            out.add(node.value.id)
    return out


def rewritten_items(nodes: list[ast.AST]) -> dict[str, set[int] | None]:
    """Per list, the constant non-negative indices stored into; None when any item may change or move
    (a store at a computed or negative index, a pop). Appending keeps the items where they are.
    Given the function's nodes (`pyast.walk`)."""
    out: dict[str, set[int] | None] = {}

    def store(name: str, index: ast.expr | None) -> None:
        k = index.value if isinstance(index, ast.Constant) and type(index.value) is int else -1
        if k < 0:
            out[name] = None
        elif out.get(name, set()) is not None:
            out.setdefault(name, set()).add(k)  # type: ignore[union-attr]

    for node in nodes:
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                and isinstance(node.value, ast.Name):
            store(node.value.id, node.slice)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript) \
                and isinstance(node.target.value, ast.Name):
            store(node.target.value.id, node.target.slice)
        elif isinstance(node, ast.Attribute) and node.attr != "append" and isinstance(node.value, ast.Name):
            out[node.value.id] = None
    return out


def tuple_lists(nodes: list[ast.AST]) -> dict[str, int]:
    """Lists that receive tuples (`tape.append((a, b))`), with the tuples' length, given the function's nodes."""
    out: dict[str, int] = {}
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append" \
                and isinstance(node.func.value, ast.Name) and len(node.args) == 1 \
                and isinstance(node.args[0], ast.Tuple):
            out.setdefault(node.func.value.id, len(node.args[0].elts))
    return out

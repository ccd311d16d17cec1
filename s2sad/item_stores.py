"""First contributions to a list adjoint's items: stores, not additions to zero; a list adjoint
made whole by one reverse loop: a comprehension over the loop's tape.

Guarantees: `first_item_stores(nodes)` returns the statements with the same
effect in which `xs_bar[k] += e`, at the top level of the sweep, with `k` a
non-negative integer literal, becomes `xs_bar[k] = e` where it is the first
write to `xs_bar` since its `[0.0] * len(xs)` start other than stores to other
literal items `0 <= j != k`, and `e` is surely a float (0.0 + e is then e, but
a sign of zero; an int would stay an int). A write at a
negative or computed index, or inside a branch or loop, may be any item, so
later writes to that list stay additions. Unrolled loops read parameter lists
at literal indices, so their adjoints are written as an expert writes them:

Before:  W_bar = [0.0] * len(W); W_bar[3] += a * z1; W_bar[2] += a * z2; W_bar[3] += b
After:   W_bar = [0.0] * len(W); W_bar[3] = a * z1;  W_bar[2] = a * z2;  W_bar[3] += b

`whole_list_comprehensions(forward, reverse)` returns the reverse sweep in
which a top-level reverse loop over a list's items whose body only pops its
tape and adds one float into the item its counter names (the reverse of a
loop over the whole list, e.g. a sum of exponentials read by `log`) makes the
list's adjoint at once, as a comprehension over the tape in the forward
order: each item gets the same single float as before (0.0 + e is e, but a
sign of zero). The other additions into that list made between its start and
the loop move after it, unchanged (one addition each, so each item's sum
rounds as before where it has one of them; with more, in another order):

Before:  z_bar = [0.0] * len(z); z_bar[label] -= 1; s_bar = 1 / s
         for k in reversed(range(n)): z6 = tape.pop(); z_bar[k] += s_bar * z6
After:   s_bar = 1 / s; z_bar = [s_bar * z6 for z6 in tape]; z_bar[label] -= 1

It holds where the forward sweep fills the tape by one append per iteration
of a top-level loop without `break` over all of the list's items
(`for v in z` or `range(n)`, `n = len(z)` bound once), nothing changes the
list, and the tape is read nowhere else. It runs before checkpointing, which
then leaves such a loop as it is: its tape is as long as the list.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace

from . import pyast
from .program import Block, Jump, Node, Stmt, assigned, walk

_ITEM = re.compile(r"^(\w+)\[(\d+)\]$")


def first_item_stores(reverse: tuple[Node, ...], before: tuple[Node, ...] = (),
                      floats: frozenset[str] = frozenset()) -> tuple[Node, ...]:
    """The reverse sweep with first contributions stored; `before`: the statements ahead of it,
    `floats`: names surely bound to floats on entry (float parameters)."""
    known: frozenset[str] | None = None  # surely_floats, computed where first needed (most code has no lists)
    written: dict[str, set[int]] = {}  # zero-started list adjoint -> literal items written so far
    out: list[Node] = []
    for n in reverse:
        m = _ITEM.match(n.target) if isinstance(n, Stmt) and n.augmented else None
        if m and m.group(1) in written:
            lst, k = m.group(1), int(m.group(2))
            if k not in written[lst]:
                known = surely_floats(before + reverse, floats) if known is None else known
                if _float(n.value, known):
                    n = replace(n, augmented=False)
            written[lst].add(k)
        else:
            for name in _touched(n):
                written.pop(name, None)  # any item may have been written: additions from here on
            if isinstance(n, Stmt) and not n.augmented and _zeros(n.value):
                written[n.target] = set()
        out.append(n)
    return tuple(out)


# functions whose value is a float whatever their arguments (abs, min, max and pow keep ints)
_FLOAT_CALLS = frozenset("sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp expm1 log log2 log10 "
                         "log1p sqrt fabs erf erfc atan2 hypot copysign degrees radians float".split())


def surely_floats(nodes: tuple[Node, ...], floats: frozenset[str]) -> frozenset[str]:
    """The names every binding of which in `nodes` is surely a float (given `floats` on entry)."""
    bindings: dict[str, list[ast.expr | None]] = {}
    for n in walk(nodes):
        if isinstance(n, Stmt) and n.target and "[" not in n.target:
            value = ast.BinOp(ast.Name(n.target), ast.Add(), n.value) if n.augmented else n.value
            bindings.setdefault(n.target, []).append(value)
        elif not isinstance(n, Stmt):
            for name in assigned((n,)):
                bindings.setdefault(name, []).append(None)  # a loop variable, a tuple target: unknown
    known = set(floats) - set(bindings)
    more = True
    while more:  # in program order, one pass settles straight-line code; loops may need another
        more = False
        for name, values in bindings.items():
            if name not in known:
                known.add(name)  # assumed, for a value that depends on itself (s = s + 1.0)
                if all(v is not None and _float(v, known) for v in values):
                    more = True
                else:
                    known.discard(name)
    return frozenset(known)


def _float(e: ast.expr, floats: set[str] | frozenset[str]) -> bool:
    """Is e's value surely a float?"""
    if isinstance(e, ast.Constant):
        return type(e.value) is float
    if isinstance(e, ast.Name):
        return e.id in floats
    if isinstance(e, ast.UnaryOp):
        return _float(e.operand, floats)
    if isinstance(e, ast.BinOp):
        if isinstance(e.op, ast.Div):
            return True
        if isinstance(e.op, (ast.Add, ast.Sub, ast.Mult)):
            return _float(e.left, floats) or _float(e.right, floats)
        return isinstance(e.op, ast.Pow) and _float(e.left, floats)
    if isinstance(e, ast.Call):
        f = e.func
        return (f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "") in _FLOAT_CALLS
    return False


def _zeros(value: ast.expr) -> bool:
    """`[0.0] * len(name)`: a list adjoint's start."""
    return isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult) \
        and isinstance(value.left, ast.List) and len(value.left.elts) == 1 \
        and isinstance(value.left.elts[0], ast.Constant) and value.left.elts[0].value == 0.0 \
        and isinstance(value.right, ast.Call) and isinstance(value.right.func, ast.Name) \
        and value.right.func.id == "len"


def _touched(n: Node) -> set[str]:
    """Names a node binds, and lists it may write into by any index."""
    return assigned((n,)) | {s.target.partition("[")[0] for s in walk((n,)) if isinstance(s, Stmt)}


def whole_list_comprehensions(forward: tuple[Node, ...], reverse: tuple[Node, ...],
                              floats: frozenset[str] = frozenset()) -> tuple[Node, ...]:
    """The reverse sweep with each whole-list reverse loop a comprehension (see the module's docstring)."""
    out = list(reverse)
    known: frozenset[str] | None = None
    k = 0
    while k < len(out):
        loop = _whole_list_loop(out[k])
        if loop is None:
            k += 1
            continue
        lst_bar, counter, pop, item = loop
        known = surely_floats(forward + reverse, floats) if known is None else known
        moved = _comprehended(forward, out, k, loop, known)
        if moved is None:
            k += 1
            continue
        start, additions = moved
        tape = pop.value.func.value  # type: ignore[attr-defined]
        target: ast.expr = pyast.name(pop.target)
        if counter in pyast.names_read(item.value):
            target, tape = ast.Tuple([pyast.name(counter), target], ast.Store()), pyast.call("enumerate", [tape])
        made = Stmt(lst_bar, ast.ListComp(item.value, [ast.comprehension(target, tape, [], 0)]),
                    tuple(sorted(set(item.lines) | set(out[k].lines))))
        rest = [n for n in out[start + 1:k] if not any(n is a for a in additions)]
        out[start:k + 1] = rest + [made, *additions]
        k = start + len(rest) + 1 + len(additions)
    return tuple(out)


def _whole_list_loop(n: Node) -> tuple[str, str, Stmt, Stmt] | None:
    """(list adjoint, counter, the pop, the addition) of `for k in reversed(range(n)): t = tape.pop();
    xs_bar[k] += e`, or None."""
    if not isinstance(n, Block) or n.keyword != "for" or len(n.body) != 2 or n.orelse or "," in n.target:
        return None
    test = n.test
    if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "reversed"
            and len(test.args) == 1 and isinstance(test.args[0], ast.Call) and isinstance(test.args[0].func, ast.Name)
            and test.args[0].func.id == "range" and len(test.args[0].args) == 1
            and isinstance(test.args[0].args[0], ast.Name)):
        return None
    pop, item = n.body
    if not isinstance(pop, Stmt) or not _is_pop(pop.value) or not pop.target.isidentifier() or pop.augmented:
        return None  # a record of several values would be a tuple target, which second order does not read back
    if not isinstance(item, Stmt) or not item.augmented or len(item.target_reads) != 2 \
            or item.target != f"{item.target_reads[0]}[{n.target}]" or item.target_reads[1] != n.target:
        return None
    return item.target_reads[0], n.target, pop, item


def _is_pop(e: ast.expr) -> bool:
    return isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "pop" and not e.args \
        and isinstance(e.func.value, ast.Name)


def _comprehended(forward: tuple[Node, ...], out: list[Node], k: int, loop: tuple[str, str, Stmt, Stmt],
                  known: frozenset[str]) -> tuple[int, list[Stmt]] | None:
    """(where the list adjoint starts, the additions into it to move after the loop), if the loop at out[k]
    may become a comprehension; else None."""
    lst_bar, counter, pop, item = loop
    rev = out[k]
    trips = rev.test.args[0].args[0].id  # type: ignore[attr-defined]
    tape = pop.value.func.value.id  # type: ignore[attr-defined]
    popped = set(pop.defines)
    if not _float(item.value, known) or lst_bar in pyast.names_read(item.value) or tape in pyast.names_read(item.value):
        return None
    if set(pyast.names_read(item.value)) & assigned(rev.body) - popped - {counter}:
        return None
    starts = [j for j in range(k) if isinstance(out[j], Stmt) and out[j].target == lst_bar]  # type: ignore[union-attr]
    if len(starts) != 1 or not _zeros(out[starts[0]].value) or out[starts[0]].augmented:  # type: ignore[union-attr]
        return None
    start = starts[0]
    listed = out[start].value.right.args[0]  # type: ignore[union-attr]
    if not isinstance(listed, ast.Name):
        return None
    lst = listed.id
    additions = []
    for j in range(start + 1, k):
        n = out[j]
        touched = [m for m in walk((n,)) if isinstance(m, (Stmt, Block)) and lst_bar in _mentions(m)]
        if not touched:
            continue
        if not isinstance(n, Stmt) or not n.augmented or n.target_reads[:1] != (lst_bar,) \
                or lst_bar in pyast.names_read(n.value) or lst_bar in n.target_reads[1:]:
            return None
        if n.mutates or set(n.reads) - {lst_bar} & _changed(out[j + 1:k + 1]):
            return None  # it reads a name or a list changed before the loop's end: it cannot move after it
        additions.append(n)
    if any(lst_bar in _mentions(m) for m in walk(out[:start]) if isinstance(m, (Stmt, Block))):
        return None
    bound = _bound(forward, trips)
    for m in list(walk(forward)) + list(walk(out)):  # the list keeps its items, n is bound once
        if isinstance(m, Stmt) and (lst in m.changes or trips in m.defines and m is not bound):
            return None
        if isinstance(m, Block) and m.target and {lst, trips, tape} & {t.strip() for t in m.target.split(",")}:
            return None
    for m in walk(out):  # the tape is this loop's alone; the list adjoint is the reverse sweep's
        if isinstance(m, (Stmt, Block)) and tape in _mentions(m) and m is not pop:
            return None
    for m in walk(forward):
        if isinstance(m, (Stmt, Block)) and lst_bar in _mentions(m):
            return None
    return (start, additions) if _fills(forward, tape, lst, trips, bound) else None


def _changed(nodes: list[Node]) -> set[str]:
    """Names the nodes bind, and lists they store into or change in place."""
    return assigned(nodes) | {c for m in walk(nodes) if isinstance(m, Stmt) for c in m.changes}


def _mentions(n: Stmt | Block) -> set[str]:
    return set(n.reads) | (set(n.changes) if isinstance(n, Stmt) else set())


def _appends(n: Stmt, tape: str) -> bool:
    v = n.value
    return not n.target and isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr == "append" \
        and isinstance(v.func.value, ast.Name) and v.func.value.id == tape and len(v.args) == 1


def _bound(forward: tuple[Node, ...], trips: str) -> Stmt | None:
    """The top-level `trips = len(...)` of the forward sweep."""
    found = [n for n in forward if isinstance(n, Stmt) and n.target == trips and not n.augmented]
    return found[0] if len(found) == 1 else None


def _fills(forward: tuple[Node, ...], tape: str, lst: str, trips: str, bound: Stmt | None) -> bool:
    """Does the forward sweep start the tape empty, bind trips to len(lst) (`bound`, its one binding), then
    append to the tape once in each iteration of a top-level loop over lst's items (no break), and nowhere
    else?"""
    if bound is None or pyast.to_source(bound.value) != f"len({lst})":
        return False
    inits = [n for n in forward if isinstance(n, Stmt) and n.target == tape]
    if len(inits) != 1 or not (isinstance(inits[0].value, ast.List) and not inits[0].value.elts):
        return False
    if any(isinstance(m, (Stmt, Block)) and tape in _mentions(m) and m is not inits[0] and not _appends(m, tape)
           for m in walk(forward)):
        return False
    loops = [n for n in forward if isinstance(n, Block) and any(isinstance(m, Stmt) and _appends(m, tape)
                                                                 for m in walk(n.body))]
    if len(loops) != 1 or loops[0].keyword != "for" or forward.index(loops[0]) < forward.index(bound):
        return False
    loop = loops[0]
    header = pyast.to_source(loop.test)
    if header not in (lst, f"range({trips})", f"range(len({lst}))", f"enumerate({lst})"):
        return False
    appends = [m for m in walk(forward) if isinstance(m, Stmt) and _appends(m, tape)]
    return len(appends) == 1 and any(m is appends[0] for m in loop.body) \
        and not any(isinstance(m, Jump) for m in walk(loop.body))

"""Array adjoints accumulated without changing arrays in place, and loops' sums batched.

Guarantees: `functional_accumulation` rewrites `x_bar += v` on array adjoints as `x_bar = x_bar + v`
(an adjoint may be an array another name holds), except into a zeros buffer a loop owns, where
parts of an array read at each step are added in place (`_scatter_add`). A loop-invariant matrix's
adjoint from a product at every step (`W @ h`), and a fixed operand's broadcast at every step (a
bias), are formed once after the loop from the steps' vectors kept in lists.

Before: `for t in ...: W_bar += _matmul_back(g, W, h, 0)`.  After: the loop appends g and h;
`W_bar = W_bar + _matmul_back_sum(gs, W, hs, 0)` after it.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from .. import pyast
from ..naming import Names
from ..program import Block as CodeBlock
from ..program import Node, Stmt, assigned, reads
from ..program import walk as code_walk
from .arrays import _helper

def functional_accumulation(nodes: tuple[Node, ...], arrays: set[str], names: Names,
                            owned: frozenset = frozenset()) -> tuple[Node, ...]:
    """`x_bar += v` as `x_bar = x_bar + v` for array adjoints: `+=` would change an array another name holds.

    An adjoint that starts at zero just before a loop, and receives reads of its array's parts
    inside (`xs[t]` at each step), starts as zeros of the array's shape instead, which the loop
    owns and adds each part into in place (`_scatter_add`): not a new array per step.
    """
    out: list[Node] = []
    for k, n in enumerate(nodes):
        if isinstance(n, Stmt) and n.augmented and not n.target_reads and (n.target in arrays or n.target in owned):
            part = _scattered(n.value)
            if part is not None and n.target in owned:
                g, _, index = part
                value = _helper(names, "_scatter_add", [pyast.name(n.target), index, g])
                out.append(replace(n, value=value, augmented=False))
            else:
                out.append(replace(n, value=pyast.binop(pyast.name(n.target), pyast.ADD, n.value), augmented=False))
        elif isinstance(n, CodeBlock):
            mine = set(owned)
            after: list[Node] = []
            if n.keyword in ("for", "while"):
                n, after = _batched_products(n, out, arrays, names)
                for target, base in _scatter_targets(n, arrays).items():
                    j = _zero_start(out, target)
                    if j is not None:  # zeros of the array's shape, owned by the loop
                        out[j] = replace(out[j], value=_helper(names, "_zeros_like_float", [base]))
                        mine.add(target)
            out.append(replace(n, body=functional_accumulation(n.body, arrays, names, frozenset(mine)),
                               orelse=functional_accumulation(n.orelse, arrays, names, frozenset(mine))))
            out += after
        else:
            out.append(n)
    return tuple(out)


def _batched_products(loop: CodeBlock, out: list[Node], arrays: set[str], names: Names) -> tuple[CodeBlock, list]:
    """A loop-invariant matrix's adjoint, a sum of one product per step (`W_bar += outer(g, h)` of
    `W @ h`), formed after the loop by one product of the steps' vectors kept in two lists, as an
    expert writes it: the loop appends (g, h), and `_matmul_back_sum` multiplies them all at once.
    Likewise a fixed operand broadcast at every step (a bias `+ b`): its steps' adjoints are summed
    once after the loop (`_unbroadcast_sum`), not added one by one."""
    changed = {d for m in code_walk(loop.body + loop.orelse) if isinstance(m, Stmt) for d in m.defines}
    body: list[Node] = []
    after: list[Node] = []
    for n in loop.body:
        batched = _batched(n, loop, out, arrays, changed)
        if batched is None:
            body.append(n)
            continue
        call, which, fixed = batched
        j = _zero_start(out, n.target)  # type: ignore[union-attr,arg-type]
        if which is None:  # T += _unbroadcast(g, x): the steps' g kept, summed once
            gs = names.fresh(n.target + "_steps")  # type: ignore[union-attr]
            out.insert(j + 1, Stmt(gs, ast.List([], pyast.LOAD), n.lines, tape=True))  # type: ignore[union-attr]
            body.append(Stmt("", pyast.method(gs, "append", [call.args[0]]), n.lines, tape=True))  # type: ignore
            total = _helper(names, "_unbroadcast_sum", [pyast.name(gs), fixed])
            after.append(Stmt(n.target, pyast.binop(pyast.name(n.target), pyast.ADD, total), n.lines))  # type: ignore
            continue
        gs, vs = names.fresh(n.target + "_steps"), names.fresh(n.target + "_with")  # type: ignore[union-attr]
        out[j + 1:j + 1] = [Stmt(gs, ast.List([], pyast.LOAD), n.lines, tape=True),  # type: ignore[operator,union-attr]
                            Stmt(vs, ast.List([], pyast.LOAD), n.lines, tape=True)]  # type: ignore[union-attr]
        body.append(Stmt("", pyast.method(gs, "append", [call.args[0]]), n.lines, tape=True))  # type: ignore[union-attr]
        body.append(Stmt("", pyast.method(vs, "append", [call.args[2 - which]]), n.lines, tape=True))  # type: ignore[union-attr]
        total = _helper(names, "_matmul_back_sum", [pyast.name(gs), fixed, pyast.name(vs), pyast.number(which)])
        after.append(Stmt(n.target, pyast.binop(pyast.name(n.target), pyast.ADD, total), n.lines))  # type: ignore[union-attr]
    if not after:
        return loop, []
    return replace(loop, body=tuple(body)), after


def _batched(n: Node, loop: CodeBlock, out: list[Node], arrays: set[str], changed: set[str]) -> tuple | None:
    """(the call, which operand, the fixed matrix) of `T += _matmul_back(g, a, b, which)` that can be batched."""
    if not (isinstance(n, Stmt) and n.augmented and not n.target_reads and n.target in arrays):
        return None
    call = n.value
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_unbroadcast" \
            and len(call.args) == 2:
        which, fixed = None, call.args[1]  # a fixed operand broadcast at every step (a bias)
    elif isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_matmul_back" \
            and len(call.args) == 4 and isinstance(call.args[3], ast.Constant) and call.args[3].value in (0, 1):
        which = call.args[3].value
        fixed = call.args[1 + which]  # the operand whose adjoint this is: the same matrix at every step
    else:
        return None
    if not isinstance(fixed, ast.Name) or fixed.id in changed:
        return None
    others = [m for m in code_walk(loop.body + loop.orelse) if m is not n]
    if n.target in reads(others) or n.target in assigned(others) or _zero_start(out, n.target) is None:
        return None
    return call, which, fixed


def _scattered(value: ast.expr) -> tuple | None:
    """(g, x, index) of `_getitem_back(g, x, index)`, else None."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "_getitem_back" \
            and len(value.args) == 3:
        return tuple(value.args)
    return None


def _scatter_targets(block: CodeBlock, arrays: set[str]) -> dict[str, ast.expr]:
    """Accumulators that a loop adds parts of an array into: target -> the array."""
    found: dict[str, ast.expr] = {}
    for n in code_walk(block.body + block.orelse):  # adjoints, and the sums of a fused loop's terms
        if isinstance(n, Stmt) and n.augmented and not n.target_reads:
            part = _scattered(n.value)
            if part is not None and isinstance(part[1], ast.Name):
                found.setdefault(n.target, part[1])
    inside = assigned(block.body + block.orelse)
    for n in code_walk(block.body + block.orelse):  # only the loop's own additions change it
        if isinstance(n, Stmt) and n.target in found and not n.augmented:
            found.pop(n.target)
    # the array whose shape the buffer takes must be the same one before and throughout the loop
    return {target: base for target, base in found.items() if base.id not in inside}  # type: ignore[attr-defined]


def _zero_start(out: list[Node], target: str) -> int | None:
    """Where `target = 0.0` starts it, with nothing else assigning it since."""
    for j in range(len(out) - 1, -1, -1):
        n = out[j]
        if isinstance(n, Stmt) and n.target == target and not n.target_reads:
            fresh = not n.augmented and isinstance(n.value, ast.Constant) and n.value.value == 0.0
            return j if fresh else None
        if target in assigned([n]) or target in reads([n]):
            return None
    return None

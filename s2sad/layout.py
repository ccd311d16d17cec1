"""Layout of generated branches: what the user wrote as an `elif` chain stays flat.

Guarantees: `flat_chains` returns statements with the same effect in which an
`else:` arm that only computes a condition and tests it is one `elif` away:
the condition's statements are hoisted in front of the chain when they cannot
raise and cost no more than a comparison (names, numbers, comparisons, `and`,
`or`, `not`), as is an adjoint's zero start that every arm above overwrites;
then the arm holds the inner `if` alone, and `render` prints it
as `elif`. A chain of any length keeps one level of indentation, as Python
(at most 100 levels) and black need; the passes walk chains in loops, not
recursion.

Before:  z1 = c < 0; if z1: A else: [z2 = c < 1; if z2: B else: C]
After:   z1 = c < 0; z2 = c < 1; if z1: A elif z2: B else: C
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import replace

from . import pyast
from .program import Block, Node, Stmt, assigned, reads

_CHEAP = (ast.Name, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Load, ast.cmpop, ast.boolop, ast.Not,
          ast.USub, ast.UAdd)


def _plain(s: Node) -> bool:
    return isinstance(s, Stmt) and len(s.defines) == 1 and not s.augmented and not s.tape and not s.target_reads


def _condition(s: Node) -> bool:
    """An s2sad temporary holding a comparison of names and numbers: it may run early (it cannot raise)."""
    return _plain(s) and s.temporary and all(isinstance(n, _CHEAP) for n in ast.walk(s.value))  # type: ignore[union-attr]


def _constant(s: Node) -> bool:
    return _plain(s) and isinstance(s.value, (ast.Constant, ast.UnaryOp)) and not reads([s])  # type: ignore[union-attr]


def _set_first(body: tuple[Node, ...]) -> set[str]:
    """Names the body sets (plainly, at its top level) before anything in it reads them."""
    out: set[str] = set()
    seen: set[str] = set()
    for s in body:
        if not isinstance(s, Stmt):
            seen.update(reads([s]))
            seen |= assigned([s])
            continue
        seen.update(s.reads)
        if _plain(s) and s.defines[0] not in seen:
            out.add(s.defines[0])
        seen.update(s.defines)
    return out


def flat_sections(sections: tuple[tuple[Node, ...], ...], results) -> tuple[tuple[Node, ...], ...]:
    """`flat_chains` of each section (the forward and reverse sweeps), knowing what all of them read."""
    counts: Counter[str] = Counter(reads([n for section in sections for n in section]))
    for r in results:
        counts.update(pyast.names_read(r))
    global _reads
    saved, _reads = _reads, counts
    try:
        return tuple(flat_chains(section) for section in sections)
    finally:
        _reads = saved


_reads: Counter[str] = Counter()  # how often the whole function reads each name (set by flat_sections)


def _ends_setting(arm: tuple[Node, ...], names: set[str]) -> list[tuple[Node, ...]] | None:
    """The arms (down an if/elif chain ending `arm`) whose last statements set `names`, or None.

    Walked in a loop: each arm ends with plain assignments of the names, or with an `if` whose
    arms do (so a chain's values reach one name however long the chain).
    """
    found: list[tuple[Node, ...]] = []
    todo = [arm]
    while todo:
        a = todo.pop()
        tail = a[len(a) - len(names):] if len(a) >= len(names) else ()
        if tail and all(_plain(n) for n in tail) and {n.defines[0] for n in tail} == names:  # type: ignore[union-attr]
            found.append(a)
        elif a and isinstance(a[-1], Block) and a[-1].keyword == "if":
            todo += [a[-1].body, a[-1].orelse]
        else:
            return None
    return found


def _renamed_ends(arm: tuple[Node, ...], rename: dict[str, str], ends: set[int]) -> tuple[Node, ...]:
    """The arm with its ending assignments (in the arms `ends` lists, by id) setting the new names."""
    if id(arm) in ends:
        n = len(rename)
        return arm[:-n] + tuple(replace(s, target=rename[s.defines[0]]) for s in arm[-n:])  # type: ignore[union-attr]
    block = arm[-1]
    return arm[:-1] + (replace(block, body=_renamed_ends(block.body, rename, ends),  # type: ignore[arg-type]
                               orelse=_renamed_ends(block.orelse, rename, ends)),)  # type: ignore[union-attr]


def _copies_pushed(orelse: tuple[Node, ...]) -> tuple[Node, ...]:
    """`...; if c: A; b = e1 else: B; b = e2; a = b` as `...; if c: A; a = e1 else: B; a = e2`.

    This is how a value assigned in an elif arm reaches the variable it is merged into: without the
    copy after the inner `if`, the arm is that `if` alone, an `elif`.
    """
    k = len(orelse)
    while k and _plain(orelse[k - 1]) and isinstance(orelse[k - 1].value, ast.Name):  # type: ignore[union-attr]
        k -= 1
    copies = orelse[k:]
    if not copies or not k or not (isinstance(orelse[k - 1], Block) and orelse[k - 1].keyword == "if"):
        return orelse
    pairs = {c.value.id: c.target for c in copies}  # type: ignore[union-attr]  # b -> a
    if len(pairs) != len(copies) or set(pairs) & set(pairs.values()) or any(_reads[b] != 1 for b in pairs):
        return orelse
    ends = _ends_setting((orelse[k - 1],), set(pairs))
    if ends is None:
        return orelse
    targets = set(pairs.values())
    for arm in ends:  # an arm that reads or sets a target before its end would see the change
        if targets & (assigned(arm[: len(arm) - len(pairs)]) | set(reads(arm[: len(arm) - len(pairs)]))):
            return orelse
        done: set[str] = set()  # so would an ending assignment that reads a target set just before it
        for end in arm[len(arm) - len(pairs):]:  # (`t_2 = 0.5*u; u_2 = t` must not become `t = ...; u_1 = t`)
            if done & set(end.reads):  # type: ignore[union-attr]
                return orelse
            done.add(pairs[end.defines[0]])  # type: ignore[union-attr]
    return orelse[: k - 1] + _renamed_ends((orelse[k - 1],), pairs, {id(a) for a in ends})


def flat_chains(nodes: tuple[Node, ...], unbound: frozenset[str] = frozenset()) -> tuple[Node, ...]:
    """The nodes with every hoistable `else: ...; if` arm turned into an `elif` arm (nested blocks too).

    `unbound`: names that may not be assigned where the nodes start (set in one arm of a branch
    before them); a condition reading one is never hoisted above the arm that reads it.
    """
    out: list[Node] = []
    definite: set[str] = set()
    maybe = set(unbound)
    for n in nodes:
        if isinstance(n, Block) and n.keyword == "if":
            out += _chain(n, frozenset(maybe))
        elif isinstance(n, Block):
            out.append(Block(n.keyword, n.test, flat_chains(n.body, frozenset(maybe)),
                             flat_chains(n.orelse, frozenset(maybe)), n.lines, n.target, n.elementwise))
        else:
            out.append(n)
        if isinstance(n, Stmt):
            definite.update(n.defines)
            maybe -= set(n.defines)
        elif isinstance(n, Block):
            maybe |= assigned((n,)) - definite
    return tuple(out)


def _chain(top: Block, unbound: frozenset[str] = frozenset()) -> list[Node]:
    """One if/elif chain, walked down its else arms in a loop: (hoisted statements..., the block).

    An else arm's statements before its `if` run early only if that changes
    nothing: a condition nothing above reads or sets, or a constant that every
    arm above sets before reading it. `if not c: body` (what pruning leaves of
    `if c: pass else: body`) continues a chain as the else arm of `if c`.
    """
    hoisted: list[Node] = []
    levels: list[Block] = []
    above_reads: set[str] = set()
    above_set: set[str] = set()
    set_first: set[str] | None = None  # names every arm above sets before reading
    block: Block | None = top
    while block is not None:
        if not block.orelse and isinstance(block.test, ast.UnaryOp) and isinstance(block.test.op, ast.Not):
            block = Block("if", block.test.operand, (), block.body, block.lines)
        levels.append(block)
        above_reads.update(reads(block.body))
        above_reads.update(block.reads)
        above_set |= assigned(block.body)
        first = _set_first(block.body)
        set_first = first if set_first is None else set_first & first
        orelse, inner = _copies_pushed(block.orelse), None
        if orelse and isinstance(orelse[-1], Block) and orelse[-1].keyword == "if":
            prefix = orelse[:-1]
            ok = all(
                (_condition(s) and not {*s.defines} & (above_reads | above_set)  # type: ignore[union-attr]
                 and not set(s.reads) & unbound)  # type: ignore[union-attr]
                or (_constant(s) and s.defines[0] in set_first and s.defines[0] not in above_reads)  # type: ignore[union-attr]
                for s in prefix
            )
            if ok:
                hoisted += prefix
                inner = orelse[-1]  # type: ignore[assignment]
        block = inner
    # arms that do nothing in a row test as one: `if a or b: pass`, not `if a: pass elif b: pass`
    merged: list[Block] = []
    for b in levels:
        if merged and not b.body and not merged[-1].body:
            last = merged[-1]
            tests = last.test.values if isinstance(last.test, ast.BoolOp) else [last.test]
            merged[-1] = Block("if", ast.BoolOp(ast.Or(), [*tests, b.test]), (), b.orelse, last.lines)
        else:
            merged.append(b)
    levels = merged
    # rebuild bottom-up: each level's else arm is the next level alone
    rebuilt: Block | None = None
    for k in range(len(levels) - 1, -1, -1):
        b = levels[k]
        body = flat_chains(b.body, unbound)
        orelse = (rebuilt,) if rebuilt is not None else flat_chains(b.orelse, unbound)
        if not body and not orelse:  # reads names only: nothing to do
            rebuilt = None
        elif not body and not is_elif(orelse):
            rebuilt = Block("if", ast.UnaryOp(ast.Not(), b.test), orelse, (), b.lines)
        else:
            rebuilt = Block(b.keyword, b.test, body, orelse, b.lines, b.target, b.elementwise)
    return [*hoisted, *([rebuilt] if rebuilt is not None else [])]


def is_elif(orelse: tuple[Node, ...]) -> bool:
    """Is this else arm printed as `elif`?"""
    return len(orelse) == 1 and isinstance(orelse[0], Block) and orelse[0].keyword == "if"

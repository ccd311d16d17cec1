"""Checkpointing: a long loop's reverse sweep recomputes its iterations from a few snapshots.

Guarantees: `checkpointed(forward, reverse, snapshots, params, returned)` returns the
two sweeps with the same results in which each top-level `for` loop over a
range that fills a tape (and changes no list, and has no `break`) keeps at
most `snapshots` copies of its carried values (what an iteration may read
before it assigns it; each bound before the loop) instead of one tape record
per iteration. Binomial checkpointing (Griewank's revolve, `_revolve` below,
which the module includes): with s snapshots and n iterations, each
iteration runs forward at most r + 1 times where C(s + r, s) >= n, so memory
is O(s) records and the recomputation grows like log n. The tape holds one
iteration's records at a time. A loop is left as it was where recomputing
it could differ or leave something else behind: if what it reads from
outside (a list it indexes, a value) changes between it and its reverse, if
the rest of the reverse sweep or the return reads values it leaves behind
(other than what its records restore), or if a value it carries is not
bound before it.

Before:  for i in range(steps): <body>; tape.append(r)        ...
         for i in reversed(range(steps)): r = tape.pop(); <adjoint body>
After:   for do, at, to in plan (advance, snapshot): <body> | snaps[to] = (y, v)
         i = last: <body>; tape.append(r)   ...   r = tape.pop(); <adjoint body>
         for do, at, to in plan (advance, snapshot, restore, turn) ...
"""

from __future__ import annotations

import ast
from dataclasses import replace

from . import pyast
from .program import Block, Comment, Jump, Node, Stmt, assigned, reads, walk

# Generated modules include this text where a loop is checkpointed: it is standalone Python.
REVOLVE = '''\
def _revolve(n, snapshots):
    """Binomial checkpointing of n steps with `snapshots` snapshots: yields (0, a, b) advance from step a
    to b, (1, a, k) store the state at step a in snapshot k, (2, a, k) restore it, (3, a, 0) record
    step a and reverse it. The steps are reversed from n - 1 down to 0."""
    if n <= 0:
        return
    yield 1, 0, 0
    # (first step, end, the snapshot holding the first step's state, free snapshots)
    todo = [(0, n, 0, snapshots - 1)]
    while todo:
        a, b, k, free = todo.pop()
        if a < 0:  # restore snapshot k, which holds step -a - 1
            yield 2, -a - 1, k
            continue
        if b - a == 1:
            yield 3, a, 0
            continue
        if free == 0:  # no snapshot to spare: from the stored state to each step in turn
            for j in range(b - 1, a - 1, -1):
                if j < b - 1:
                    yield 2, a, k
                if j > a:
                    yield 0, a, j
                yield 3, j, 0
            continue
        r, reach = 0, 1  # the least r with C(free + r, free) >= b - a
        while reach < b - a:
            r += 1
            reach = reach * (free + r) // r
        # the left part gets C(free + r - 1, free) steps: one more repetition, as many snapshots
        m = a + max(min(b - a - 1, reach * r // (free + r)), 1)
        yield 0, a, m
        yield 1, m, k + 1
        todo += [(a, m, k, free), (-a - 1, 0, k, 0), (m, b, k + 1, free - 1)]
'''


def checkpointed(forward: tuple[Node, ...], reverse: tuple[Node, ...], snapshots: int, params: frozenset[str],
                 returned: frozenset[str]) -> tuple[tuple[Node, ...], tuple[Node, ...], bool]:
    """The sweeps with their long loops checkpointed, and whether any was (then `_revolve` is needed).
    `params`: the names bound on entry; `returned`: the names the return statement reads."""
    used, k = False, 0
    while k < len(forward):
        loop, k = forward[k], k + 1
        back = _matching_reverse(loop, reverse)
        if back is None or not _checkpointable(loop, back, reverse, returned):
            continue
        if not set(_carried(loop.body, loop.target)) <= _definitely_assigned(forward[:k - 1], set(params)):
            continue  # a value carried from one iteration to the next but unbound before the first: no snapshot
        if _changed_later(loop, forward[k:], reverse[:reverse.index(back)]):
            continue
        taken = set(assigned(forward + reverse)) | set(reads(forward + reverse))
        grown = len(forward)
        forward, reverse = _rewritten(forward, k - 1, reverse, reverse.index(back), snapshots, taken)
        k += len(forward) - grown  # past the nodes the loop became
        used = True
    return forward, reverse, used


def _is_push(n: Node) -> bool:
    return isinstance(n, Stmt) and n.tape and not n.target


def _matching_reverse(loop: Node, reverse: tuple[Node, ...]) -> Block | None:
    """The reverse sweep's top-level loop that pops what this forward loop pushes."""
    if not (isinstance(loop, Block) and loop.keyword == "for" and not loop.elementwise
            and isinstance(loop.test, ast.Call) and isinstance(loop.test.func, ast.Name)
            and loop.test.func.id == "range" and any(_is_push(n) for n in loop.body)):
        return None
    want = f"reversed({pyast.to_source(loop.test)})"
    for n in reverse:
        if isinstance(n, Block) and n.keyword == "for" and n.lines[:1] == loop.lines[:1] \
                and pyast.to_source(n.test) == want and n.target == loop.target:
            return n
    return None


def _checkpointable(loop: Block, back: Block, reverse: tuple[Node, ...], returned: frozenset[str]) -> bool:
    """No jumps, no list changed (recomputation would change it again), and nothing the loop leaves
    behind that the rest of the reverse sweep or the return reads except what its records restore (a
    recomputed loop ends at its first iteration, not its last)."""
    for n in walk(loop.body):
        if not isinstance(n, (Stmt, Block, Comment)):
            return False
        if isinstance(n, Stmt) and not _is_push(n) and ("[" in n.target or _changes_a_list(n.value)):
            return False
    rest = reverse[reverse.index(back) + 1:]
    left_behind = set(assigned(loop.body)) - set(assigned(back.body))
    return not left_behind & (set(reads(rest)) | returned)


def _changed_later(loop: Block, after: tuple[Node, ...], before_back: tuple[Node, ...]) -> bool:
    """Does a value the loop reads from outside (a list it indexes, a bound) change between the forward
    sweep's loop and the reverse sweep's? Then recomputed iterations would read something else."""
    body = _without_pushes(loop.body)
    outside = set(reads(body)) - set(assigned(body))
    changed: set[str] = set()
    for n in walk(after + before_back):
        if isinstance(n, Stmt):
            changed.update(n.changes)
        elif isinstance(n, Block) and n.target:
            changed.update(t.strip() for t in n.target.split(","))
    return bool(outside & changed)


def _changes_a_list(e: ast.expr) -> bool:
    return any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
               and c.func.attr in ("append", "pop", "extend", "insert") for c in ast.walk(e))


def _definitely_assigned(nodes: tuple[Node, ...], defined: set[str], exposed: list[str] | None = None) -> set[str]:
    """The names bound on every path through `nodes` (given `defined` before them); the names read where
    they may not be bound yet are added to `exposed`."""
    for n in nodes:
        if exposed is not None and isinstance(n, (Stmt, Block)):
            exposed += [name for name in n.reads if name not in defined and name not in exposed]
        if isinstance(n, Stmt):
            defined = defined | set(n.defines)
        elif isinstance(n, Block):
            inner = defined | {t.strip() for t in n.target.split(",") if t.strip()}
            then = _definitely_assigned(n.body, inner, exposed)
            other = _definitely_assigned(n.orelse, defined, exposed)
            if n.keyword == "if":
                defined = then & other
    return defined


def _carried(body: tuple[Node, ...], target: str) -> list[str]:
    """The names an iteration may read before it assigns them, that it assigns: the state between iterations."""
    exposed: list[str] = []
    _definitely_assigned(body, {target}, exposed)
    made = assigned(body)
    return [name for name in exposed if name in made]


def _without_pushes(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    out: list[Node] = []
    for n in nodes:
        if _is_push(n):
            continue
        if isinstance(n, Block):
            n = replace(n, body=_without_pushes(n.body), orelse=_without_pushes(n.orelse))
        out.append(n)
    return tuple(out)


def _fresh(base: str, taken: set[str]) -> str:
    name, k = base, 1
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _rewritten(forward: tuple[Node, ...], k: int, reverse: tuple[Node, ...], j: int, snapshots: int,
               taken: set[str]) -> tuple[tuple[Node, ...], tuple[Node, ...]]:
    loop, back = forward[k], reverse[j]
    assert isinstance(loop, Block) and isinstance(back, Block)
    lines, i = loop.lines, loop.target
    steps, plan, snaps = _fresh("steps", taken), _fresh("plan", taken), _fresh("snapshots", taken)
    do, at, to = _fresh("do", taken), _fresh("at", taken), _fresh("to", taken)
    state = _carried(loop.body, i)
    state_tuple = pyast.name(state[0]) if len(state) == 1 else \
        ast.Tuple([pyast.name(s) for s in state], ast.Load()) if state else pyast.number(0)
    name = pyast.name

    def stmt(target: str, value: ast.expr) -> Stmt:
        return Stmt(target, value, lines)

    def test(op: int) -> ast.expr:
        return ast.Compare(name(do), [ast.Eq()], [pyast.number(op)])

    advance = Block("for", ast.Subscript(name(steps), ast.Slice(name(at), name(to)), ast.Load()),
                    _without_pushes(loop.body), (), lines, i)
    store = stmt(f"{snaps}[{to}]", state_tuple)
    restore = stmt(", ".join(state), ast.Subscript(name(snaps), name(to), ast.Load())) if state else Jump("pass")
    last = ast.Subscript(name(steps), pyast.number(-1), ast.Load())
    turn = (stmt(i, ast.Subscript(name(steps), name(at), ast.Load())), *loop.body, *back.body)
    ahead = (
        Comment(f"line {lines[0]}: at most {snapshots} snapshots of {', '.join(state) or 'nothing'}, "
                "iterations recomputed from them in the reverse sweep (binomial checkpointing)"),
        stmt(steps, loop.test),
        stmt(plan, pyast.call("_revolve", [pyast.call("len", [name(steps)]), pyast.number(snapshots)])),
        stmt(snaps, ast.BinOp(ast.List([pyast.number(0)], ast.Load()), ast.Mult(), pyast.number(snapshots))),
        Block("for", name(plan), (
            Block("if", test(3), (Jump("break"),), (Block("if", test(0), (advance,), (store,), lines),), lines),
        ), (), lines, f"{do}, {at}, {to}"),
        # _revolve's first turn is the last step (the plan reverses steps from the last down): recorded here
        Block("if", name(steps), (stmt(i, last), *loop.body), (), lines),
    )
    behind = (
        Block("if", name(steps), (stmt(i, last), *back.body), (), lines),
        Block("for", name(plan), (
            Block("if", test(0), (advance,), (
                Block("if", test(1), (store,), (
                    Block("if", test(2), (restore,), turn, lines),), lines),), lines),
        ), (), lines, f"{do}, {at}, {to}"),
    )
    return forward[:k] + ahead + forward[k + 1:], reverse[:j] + behind + reverse[j + 1:]

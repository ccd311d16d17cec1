"""Dead-code elimination and inlining, on the trace and on the generated statements.

Guarantees: `drop_dead_ops` keeps exactly the ops, list items, merges and
loop-carried variables the result depends on (a user's unused intermediate
costs nothing), and every branch or loop that may change them;
`needed_forward` drops the top-level forward statements nothing reads, which
is all `f_grad` saves when it does not return the value; `inline_single_use`
folds an s2sad temporary that is read exactly once into its reader in the
same statement list, as a person writes it, without changing any operation or
its order (so values are bit-identical), and never grows a statement past
`MAX_INLINE_OPS` operations.

Before: `z1 = a * x; z2 = z1 + b; y = tanh(z2)`, z1 and z2 read once.
After:  `y = tanh(a * x + b)`.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import replace
from typing import Iterable

from . import pyast
from .program import Block, Comment, Node, Stmt, walk
from .trace import (
    Append,
    Break,
    If,
    ListVar,
    Loop,
    NewList,
    Next,
    Op,
    Pop,
    Return,
    Store,
    Trace,
    Var,
    is_straight,
)

MAX_INLINE_OPS = 12  # keeps each line readable and Python's compiler off deep nesting


def drop_dead_ops(trace: Trace) -> Trace:
    if is_straight(trace.body):  # one backward pass decides it
        result = trace.body[-1]
        straight_live: set = set(result.values)  # type: ignore[union-attr]
        kept: list = [result]
        for op in reversed(trace.body[:-1]):
            if op.out in straight_live:  # type: ignore[union-attr]
                kept.append(op)
                straight_live.update(op.inputs)  # type: ignore[union-attr]
        return replace(trace, body=tuple(reversed(kept)))
    live: set = set()

    def mark(v: object) -> bool:
        if isinstance(v, (Var, ListVar)) and v not in live:
            live.add(v)
            return True
        return False

    # The items in program order, a block as its head, its contents and its end. Read backwards, a
    # branch's merges come before its arms and its condition after them, so liveness flows down an
    # elif chain in one pass (only loops take more, for what the next iteration reads).
    events: list[tuple[bool, object]] = []  # (is the end of a block, item)
    exits_of: dict[int, list] = {}
    parent: dict[int, int | None] = {}  # id of an item -> id of the If or Loop it is in
    stack: list = [(item, None, None, False) for item in reversed(trace.body)]  # walked without recursion
    while stack:
        item, up, loop, end = stack.pop()
        events.append((end, item))
        if end:
            continue
        parent[id(item)] = up
        if isinstance(item, (Next, Break)):
            exits_of.setdefault(id(loop), []).append(item)
        elif isinstance(item, (If, Loop)):
            stack.append((item, up, loop, True))
            children = item.body + item.orelse if isinstance(item, If) else item.body
            inner = item if isinstance(item, Loop) else loop
            stack += [(child, id(item), inner, False) for child in reversed(children)]
    changed = True
    while changed:
        changed = False
        effect: set[int] = set()  # blocks holding something that changes a live value or leaves (`_effect`)

        def carried(item: Loop) -> bool:
            marked = False
            for k, c in enumerate(item.carried):
                if c.out in live or c.param in live:
                    marked |= mark(c.param) | mark(c.out) | mark(c.init)
                    for x in exits_of.get(id(item), []):
                        marked |= mark(x.values[k])
            return marked

        for end, item in reversed(events):
            if isinstance(item, Return):
                for v in item.values:
                    changed |= mark(v)
            elif isinstance(item, Op):
                if item.out in live:
                    for v in (*item.inputs, *item.lists):
                        changed |= mark(v)
            elif isinstance(item, Pop):
                if item.out is not None and item.out in live:
                    changed |= mark(item.lst)
            elif isinstance(item, (Store, Append)):
                if item.lst in live:
                    changed |= mark(item.value)
                    changed |= mark(getattr(item, "index", None))
            elif isinstance(item, NewList):
                if item.out in live:
                    for v in (*item.elements, item.repeat):
                        changed |= mark(v)
            elif isinstance(item, If) and end:
                for m in item.merges:
                    if m.out in live:
                        changed |= mark(m.then) | mark(m.orelse)
                continue  # the arms come next
            elif isinstance(item, If):
                if any(m.out in live for m in item.merges) or id(item) in effect:
                    changed |= mark(item.cond)
            elif isinstance(item, Loop) and end:
                changed |= carried(item)
                continue
            elif isinstance(item, Loop):
                changed |= carried(item)  # a carried value read in the body: the next pass marks its sources
                if id(item) in effect or any(c.out in live for c in item.carried):
                    for v in (*item.bounds, item.counter):
                        changed |= mark(v)
            if _effect(item, live):  # contents come first backwards: a block knows when its head is read
                up = parent[id(item)]
                while up is not None and up not in effect:
                    effect.add(up)
                    up = parent[up]
    return replace(trace, body=_prune(trace.body, live)[0])


def _effect(item, live: set) -> bool:
    """Does the item itself change something live, or leave its block?"""
    if isinstance(item, Op):
        return item.out in live
    if isinstance(item, (Store, Append, Pop)):
        return item.lst in live
    if isinstance(item, (Break, Next, Return)):
        return True
    if isinstance(item, If):
        return any(m.out in live for m in item.merges)
    if isinstance(item, Loop):
        return any(c.out in live or c.param in live for c in item.carried)
    return False


def _prune(block, live: set, keep: tuple = ()) -> tuple[tuple, bool]:
    """The block without dead items, and whether what is left changes something live (or leaves)."""
    out = []
    effect = False
    for item in block:
        kept_item = None
        if isinstance(item, Op):
            kept_item = item if item.out in live else None
        elif isinstance(item, (Store, Append, Pop)):
            kept_item = item if item.lst in live else None
        elif isinstance(item, NewList):
            kept_item = item if item.out in live else None
        elif isinstance(item, If):
            merges = tuple(m for m in item.merges if m.out in live)
            body, in_body = _prune(item.body, live, keep)
            orelse, in_orelse = _prune(item.orelse, live, keep)
            if merges or in_body or in_orelse:
                kept_item = replace(item, body=body, orelse=orelse, merges=merges)
                effect |= in_body or in_orelse
        elif isinstance(item, Loop):
            kept = tuple(k for k, c in enumerate(item.carried) if c.out in live or c.param in live)
            body, in_body = _prune(_select_exits(item.body, kept), live, kept)
            if kept or in_body:
                kept_item = replace(item, carried=tuple(item.carried[k] for k in kept), body=body)
                effect |= in_body
        else:
            kept_item = item
        if kept_item is not None:
            out.append(kept_item)
            effect |= _effect(kept_item, live)
    return tuple(out), effect


def _select_exits(block, kept: tuple) -> tuple:
    """The loop body with each Next/Break reduced to the kept carried variables."""
    out = []
    for item in block:
        if isinstance(item, (Next, Break)):
            out.append(replace(item, values=tuple(item.values[k] for k in kept)))
        elif isinstance(item, If):
            out.append(replace(item, body=_select_exits(item.body, kept), orelse=_select_exits(item.orelse, kept)))
        else:
            out.append(item)  # nested loops have exits of their own
    return tuple(out)


def needed_forward(forward: tuple[Node, ...], reverse: tuple[Node, ...], results: Iterable[ast.expr]
                   ) -> tuple[Node, ...]:
    """The forward sweep without the statements whose names nothing reads (anywhere, in any branch).

    A statement's read of the name it assigns (`s = s + t`) does not count: a value read only to
    compute itself again is dead too.
    """
    def others(n: Stmt | Block) -> list[str]:
        defines = n.defines if isinstance(n, Stmt) else ()
        return [r for r in n.reads if r not in defines] if defines else n.reads

    counted: list[str] = []  # counted at once: Counter.update per statement costs more than the counting
    for n in walk(forward + reverse):
        if isinstance(n, (Stmt, Block)):
            counted += others(n)
    for r in results:
        counted += pyast.names_read(r)
    reads: Counter[str] = Counter(counted)
    live = _live(forward, reverse, results)

    def prune(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        kept: list[Node | None] = list(nodes)
        for i in range(len(kept) - 1, -1, -1):
            s = kept[i]
            if isinstance(s, Block):
                block = replace(s, body=prune(s.body), orelse=prune(s.orelse))
                if block.keyword == "for" and not block.body:  # a loop that computed only what nothing reads
                    reads.subtract(others(block))
                    kept[i] = None
                    continue
                if block.keyword == "if" and not block.body:  # `if c: pass else: ...` is `if not c: ...`
                    block = replace(block, test=ast.UnaryOp(ast.Not(), block.test), body=block.orelse, orelse=())
                    if not block.body:
                        reads.subtract(others(block))
                        block = None  # type: ignore[assignment]
                kept[i] = block
            elif isinstance(s, Stmt) and s.defines and not s.tape and not any(reads[d] and d in live
                                                                                for d in s.defines):
                if s.mutates:  # `v = xs.pop()` with v unread still shortens xs
                    kept[i] = Stmt("", s.value, s.lines)
                    continue
                reads.subtract(others(s))
                kept[i] = None
        return tuple(n for n in kept if n is not None)

    out = prune(forward)
    if not any(isinstance(n, Block) and n.keyword != "if" for n in walk(out)):
        return out  # backwards, straight-line code meets every reader before what it reads
    size = sum(1 for _ in walk(out))
    while True:  # in a loop a statement may be kept for a reader dropped later in the pass (`t = 4 * t` for
        out = prune(out)  # an `if t:` whose arms nothing reads) while its start `t = 0.5` goes: again
        size, before = sum(1 for _ in walk(out)), size
        if size == before:
            return out


def _live(forward: tuple[Node, ...], reverse: tuple[Node, ...], results: Iterable[ast.expr]) -> set[str]:
    """Names whose values reach the results, the reverse sweep, a block's test or a change of a list."""
    live: set[str] = {n for r in results for n in pyast.names_read(r)}
    defining: list[Stmt] = []
    for n in walk(reverse):
        if isinstance(n, (Stmt, Block)):
            live.update(n.reads)
    for n in walk(forward):
        if isinstance(n, Block):
            live.update(n.reads)
        elif isinstance(n, Stmt):
            if n.defines and not n.tape and not n.mutates:
                defining.append(n)
            else:
                live.update(n.reads)
    grew = True
    while grew:
        grew = False
        for s in reversed(defining):  # backwards: straight-line code settles in one pass
            if not live.isdisjoint(s.defines) and not live.issuperset(s.reads):
                live.update(s.reads)
                grew = True
    return live


def coalesce_copies(sections: tuple[tuple[Node, ...], ...], results: Iterable[ast.expr]
                    ) -> tuple[tuple[Node, ...], ...]:
    """`b = e; ...; a = b`, b read only there, becomes `a = e` where nothing between reads or sets a.

    This is how a loop's next value lands in its carried variable: `s = s + x[i]`,
    not `s_1 = s + x[i]; s = s_1`.
    """
    reads: Counter[str] = Counter()
    for section in sections:
        for n in walk(section):
            if isinstance(n, (Stmt, Block)):
                reads.update(n.reads)
    for r in results:
        reads.update(pyast.names_read(r))

    def run(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        out: list[Node] = []
        for n in nodes:
            if isinstance(n, Block):
                n = Block(n.keyword, n.test, run(n.body), run(n.orelse), n.lines, n.target, n.elementwise)
            elif (isinstance(n, Stmt) and isinstance(n.value, ast.Name) and not n.augmented and not n.tape
                  and len(n.defines) == 1 and reads[n.value.id] == 1):
                a, b = n.target, n.value.id
                for k in range(len(out) - 1, -1, -1):
                    d = out[k]
                    if isinstance(d, Stmt) and d.defines == (b,) and not d.augmented and not d.tape:
                        out[k] = Stmt(a, d.value, tuple(sorted(set(d.lines) | set(n.lines))), temporary=False,
                                      target_reads=d.target_reads)
                        n = None  # type: ignore[assignment]
                        break
                    if isinstance(d, Block) and d.keyword == "if" and _merges_into(d, b, a):
                        out[k] = Block(d.keyword, d.test, _renamed_last(d.body, b, a), _renamed_last(d.orelse, b, a),
                                       d.lines, d.target, d.elementwise)
                        n = None  # type: ignore[assignment]
                        break
                    if isinstance(d, Comment):
                        continue
                    if not isinstance(d, Stmt) or a in d.reads or a in d.changes or b in d.changes:
                        break
                if n is None:
                    continue
            out.append(n)
        return tuple(out)

    return tuple(run(section) for section in sections)


def _merges_into(block: Block, b: str, a: str) -> bool:
    """Does each branch end by setting b, with a untouched after that point's reads? (a merge copy)"""
    for arm in (block.body, block.orelse):
        last = [n for n in arm if isinstance(n, Stmt) and b in n.defines]
        if len(last) != 1 or arm[-1] is not last[0] or last[0].augmented or len(last[0].defines) != 1:
            return False
        if any(a in n.defines for n in walk(arm[:-1]) if isinstance(n, Stmt)):
            return False
    return True


def _renamed_last(arm: tuple[Node, ...], b: str, a: str) -> tuple[Node, ...]:
    last = arm[-1]
    assert isinstance(last, Stmt)
    if isinstance(last.value, ast.Name) and last.value.id == a:  # `a = a`
        return arm[:-1]
    return arm[:-1] + (Stmt(a, last.value, last.lines, target_reads=last.target_reads),)


def inline_single_use(
    sections: tuple[tuple[Node, ...], ...], results: Iterable[ast.expr]
) -> tuple[tuple[Node, ...], ...]:
    """The statements of consecutive sections (forward, reverse), with single-use temporaries inlined.

    A temporary the reverse sweep computes again (after a tape pop) is its own
    definition: reads after it count for it, not for the forward one.
    """
    reads: Counter = Counter()
    keys: dict[int, object] = {}  # id of a reverse temporary's statement -> its key in `reads`
    kept_names = {n for r in results for n in pyast.names_read(r)}

    def count(nodes, scope: dict, local: bool) -> None:
        scope = dict(scope)
        for n in nodes:
            if isinstance(n, (Stmt, Block)):
                for r in n.reads:
                    reads[scope.get(r, r)] += 1
            if isinstance(n, Block):
                count(n.body, scope, local)
                count(n.orelse, scope, local)
            elif isinstance(n, Stmt):
                if n.augmented or n.tape:
                    kept_names.add(n.target)  # targets of `+=` stay (their statements are not single expressions)
                kept_names.update(n.target_reads)  # an index in a target is text: it stays a name
                if local and n.temporary:
                    scope[n.target] = keys[id(n)] = ("again", id(n))

    for k, section in enumerate(sections):
        count(section, {}, k > 0)
    return _Inliner(reads, kept_names, keys).sections(sections)


class _Inliner:
    def __init__(self, reads: Counter, kept: set[str], keys: dict[int, object]):
        self.reads = reads
        self.kept = kept
        self.keys = keys

    def sections(self, sections: tuple[tuple[Node, ...], ...]) -> tuple[tuple[Node, ...], ...]:
        values: dict[str, Stmt] = {}  # temporaries waiting for their reader, with their (inlined) value
        ops: dict[str, int] = {}
        outs: list[list[Node]] = []
        for section in sections:
            out: list[Node] = []
            outs.append(out)
            for n in section:
                if not isinstance(n, Stmt) or n.tape:
                    self.release(values, out)  # a block or jump may reassign what they read
                    if isinstance(n, Block):
                        body, orelse = self.sections((n.body,))[0], self.sections((n.orelse,))[0]
                        n = Block(n.keyword, n.test, body, orelse, n.lines, n.target, n.elementwise)
                    out.append(n)
                    continue
                key = self.keys.get(id(n), n.target)
                changes = set(n.changes)
                clobbered = [t for t, s in values.items() if not changes.isdisjoint(s.reads)]
                for t in clobbered:
                    out.append(values.pop(t))
                used = [r for r in n.reads if r in values]
                if used:
                    value = pyast.substitute(n.value, {u: values[u].value for u in used})
                    at = tuple(sorted(set(n.lines).union(*(values[u].lines for u in used))))
                    n_ops = n.ops + sum(ops.pop(u) for u in used)
                    for u in used:
                        del values[u]
                    n = Stmt(n.target, value, at, n.augmented, n.temporary, n.target_reads, n.tape)
                else:
                    n_ops = n.ops
                if n.temporary and not n.mutates and self.reads[key] == 1 and n.target not in self.kept \
                        and n_ops <= MAX_INLINE_OPS:
                    values[n.target] = n
                    ops[n.target] = n_ops
                    continue
                out.append(n)
        if outs:
            self.release(values, outs[-1])
        return tuple(tuple(o) for o in outs)

    @staticmethod
    def release(values: dict[str, Stmt], out: list[Node]) -> None:
        out.extend(values.values())
        values.clear()

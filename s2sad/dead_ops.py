"""Dead-code elimination on the trace: only what the result depends on is differentiated.

Guarantees: `drop_dead_ops` keeps exactly the ops, list items, merges and
loop-carried variables the result depends on (a user's unused intermediate
costs nothing), and every branch or loop that may change them; an exit
(`break`, `continue`, `return`) stays where a kept loop or branch needs it.

Before: `u = x * x; v = sin(x); return u + 1`.
After:  `u = x * x; return u + 1` (v is read by nothing).
"""

from __future__ import annotations

from dataclasses import replace

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


def drop_dead_ops(trace: Trace) -> Trace:
    """The trace with only what its result depends on (see above)."""
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

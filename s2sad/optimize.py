"""Dead statements, copies and single-use temporaries, on the generated statements.

Guarantees: `needed_forward` drops the top-level forward statements nothing
reads, which is all `f_grad` saves when it does not return the value;
`coalesce_copies` turns `b = e; ...; a = b`, b read only there, into `a = e`; `inline_single_use` folds an s2sad temporary that is read exactly
once into its reader in the same statement list, as a person writes it,
without changing any operation or its order (so values are bit-identical),
and never grows a statement past `MAX_INLINE_OPS` operations.

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

MAX_INLINE_OPS = 12  # keeps each line readable and Python's compiler off deep nesting


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

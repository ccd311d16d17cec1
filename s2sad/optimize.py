"""Dead-code elimination and inlining, on the trace and on the generated statements.

Guarantees: `drop_dead_ops` keeps exactly the ops the result depends on (a
user's unused intermediate costs nothing); `needed_forward` keeps exactly the
forward statements that the reverse sweep reads, directly or through other
forward statements, which is all `f_grad` has to compute when it does not
return the value; `inline_single_use` folds an s2sad temporary that is read
exactly once into its reader, as a person writes it, without changing any
operation or its order (so values are bit-identical), and never grows a
statement past `MAX_INLINE_OPS` operations.

Before: `z1 = a * x; z2 = z1 + b; y = tanh(z2)`, z1 and z2 read once.
After:  `y = tanh(a * x + b)`.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import replace
from typing import Iterable

from . import pyast
from .reverse import Stmt
from .trace import Trace, Var

MAX_INLINE_OPS = 12  # keeps each line readable and Python's compiler off deep nesting


def drop_dead_ops(trace: Trace) -> Trace:
    live: set[Var] = {trace.result} if isinstance(trace.result, Var) else set()
    kept = []
    for op in reversed(trace.ops):
        if op.out in live:
            kept.append(op)
            live.update(op.inputs)
    return replace(trace, ops=tuple(reversed(kept)))


def needed_forward(forward: tuple[Stmt, ...], reverse: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
    needed: set[str] = set()
    for s in reverse:
        needed.update(s.reads)
    kept = []
    for s in reversed(forward):
        if s.target in needed:
            kept.append(s)
            needed.update(s.reads)
    return tuple(reversed(kept))


def inline_single_use(
    sections: tuple[tuple[Stmt, ...], ...], results: Iterable[ast.expr]
) -> tuple[tuple[Stmt, ...], ...]:
    """The statements of consecutive sections (forward, reverse), with single-use temporaries inlined."""
    reads: Counter[str] = Counter()
    for section in sections:
        for s in section:
            reads.update(s.reads)
    # returned names stay; so do targets of `+=` (their statements are not single expressions)
    kept_names = {n for r in results for n in pyast.names_read(r)}
    kept_names |= {s.target for section in sections for s in section if s.augmented}
    values: dict[str, ast.expr] = {}
    ops: dict[str, int] = {}
    lines: dict[str, tuple[int, ...]] = {}
    out: list[tuple[Stmt, ...]] = []
    for section in sections:
        kept = []
        for s in section:
            used = [n for n in s.reads if n in values]
            if used:
                value = pyast.substitute(s.value, values)
                at = tuple(sorted(set(s.lines).union(*(lines[n] for n in used))))
            else:
                value, at = s.value, s.lines
            if s.temporary and reads[s.target] == 1 and s.target not in kept_names:
                n_ops = s.ops + sum(ops[n] for n in used)
                if n_ops <= MAX_INLINE_OPS:
                    values[s.target], ops[s.target], lines[s.target] = value, n_ops, at
                    continue
            kept.append(s if not used else Stmt(s.target, value, at, s.augmented, s.temporary))
        out.append(tuple(kept))
    return tuple(out)

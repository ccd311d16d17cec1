"""Dead-code elimination, on the trace and on the generated statements.

Guarantees: `drop_dead_ops` keeps exactly the ops the result depends on (a
user's unused intermediate costs nothing); `needed_forward` keeps exactly the
forward statements that the reverse sweep reads, directly or through other
forward statements, which is all `f_grad` has to compute when it does not
return the value.

Before: `y = exp(x); t = sin(x); return y * x`  ->  after: `t` is gone.
"""

from __future__ import annotations

from dataclasses import replace

from . import pyast
from .reverse import Stmt
from .trace import Trace, Var


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
        needed |= pyast.names_read(s.value)
    kept = []
    for s in reversed(forward):
        if s.target in needed:
            kept.append(s)
            needed |= pyast.names_read(s.value)
    return tuple(reversed(kept))

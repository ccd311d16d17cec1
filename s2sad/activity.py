"""Activity analysis: which values carry an adjoint.

Guarantees: `active(trace, wrt)` is the set of variables and lists that both
depend on a differentiated parameter (*varied*) and influence the returned
value (*useful*), along differentiable data flow only: through ops of the
lecture's three kinds, list loads, stores, appends and sums, branch merges and
loop-carried values. Conditions, loop counters, indices, trip counts and
`Compute` results (comparisons, integer arithmetic, `len`) never carry an
adjoint, so the reverse sweep writes nothing for them. `varied(trace, wrt)`
follows them too (not shape queries such as `len(xs)`): the decisions that
may move with the parameters, for the kink report.

Before: `for i in range(n): s = s + x[i] * c` with wrt (x,).
After:  active = {x, x[i] loads, the products, s (param, next value, out)};
        not active: n, i, c.
"""

from __future__ import annotations

import re
from typing import Union

from .trace import (
    Append,
    Block,
    Break,
    Compute,
    If,
    ListVar,
    Load,
    Loop,
    NewList,
    Next,
    Op,
    Pop,
    Return,
    Store,
    Sum,
    Trace,
    Var,
)

Node = Union[Var, ListVar, str]
_RESULT = "result"
_SHAPE_ONLY = re.compile(r"^(len\(_0\)|_0\.(shape|size|ndim)|np\.(shape|size|ndim)\(_0\))$")


def shape_query(e: object) -> bool:
    """A `Compute` that reads only a shape (`len(x)`, `x.shape`): no value of x changes it."""
    return isinstance(e, Compute) and bool(_SHAPE_ONLY.match(e.template))


def active(trace: Trace, wrt: tuple) -> set:
    """Variables and lists that are varied and useful."""
    edges = _edges(trace, conditions=False)
    varied = _reach(edges, [p for p in wrt])
    backward: dict[Node, list[Node]] = {}
    for src, dsts in edges.items():
        for dst in dsts:
            backward.setdefault(dst, []).append(src)
    useful = _reach(backward, [_RESULT])
    return varied & useful


def varied(trace: Trace, wrt: tuple) -> set:
    """Everything that depends on a differentiated parameter, conditions and integers included
    (`x > 0`, `int(x)`): where a value the function decides by may change with the parameters."""
    return _reach(_edges(trace, conditions=True), [p for p in wrt])


def _edges(trace: Trace, conditions: bool) -> dict:
    """The data flow: value -> the values computed from it (with `Compute` ops where `conditions`)."""
    edges: dict[Node, list[Node]] = {}

    def edge(src: object, dst: Node) -> None:
        if isinstance(src, (Var, ListVar)):
            edges.setdefault(src, []).append(dst)

    def block(items: Block, loop: Loop | None) -> None:
        for item in items:
            if isinstance(item, Op):
                e = item.expr
                if isinstance(e, Compute) and (not conditions or shape_query(e)):
                    continue
                sources = [e.lst] if isinstance(e, (Load, Sum)) else list(item.inputs)
                for src in sources:
                    edge(src, item.out)
            elif isinstance(item, NewList):
                for x in item.elements:
                    edge(x, item.out)
            elif isinstance(item, (Store, Append)):
                edge(item.value, item.lst)
            elif isinstance(item, Pop):
                if item.out is not None:
                    edge(item.lst, item.out)
            elif isinstance(item, If):
                for m in item.merges:
                    edge(m.then, m.out)
                    edge(m.orelse, m.out)
                block(item.body, loop)
                block(item.orelse, loop)
            elif isinstance(item, Loop):
                for c in item.carried:
                    edge(c.init, c.param)
                    edge(c.init, c.out)
                    edge(c.param, c.out)
                block(item.body, item)
            elif isinstance(item, (Next, Break)):
                assert loop is not None
                for c, v in zip(loop.carried, item.values):
                    edge(v, c.param)
                    if isinstance(item, Break):
                        edge(v, c.out)
            elif isinstance(item, Return):
                for v in item.values:
                    edge(v, _RESULT)

    block(trace.body, None)
    return edges


def _reach(edges: dict, start: list) -> set:
    seen = set(start)
    todo = list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen

"""Vector outputs in reverse mode: a VJP is the gradient of a scalar.

Guarantees: `seeded(trace)` is, for a function returning a tuple of scalars
or a list, the same trace with one more parameter, the cotangent `out_bar`
(a list of floats the length of the result), whose every return gives the
scalar <out_bar, result> as `value` and keeps the outputs for the returned
value. Its gradient with respect to the original parameters is the VJP
`out_bar^T J`, and reverse mode needs nothing else: the seed of output k is
`out_bar[k]`. The trace of a scalar function is returned unchanged.

Before: `return a, b`.
After:  `w1 = out_bar[0]; p1 = w1*a; w2 = out_bar[1]; p2 = w2*b; r = p1 + p2; return r (shows a, b)`.
For `return ys`: `r = 0.0; for i in range(len(ys)): r = r + out_bar[i]*ys[i]`, then `return r (shows ys)`.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Iterator

from ..errors import S2sadError
from ..trace import (
    Affine,
    Carried,
    Compute,
    If,
    ListVar,
    Load,
    Loop,
    Next,
    Op,
    Product,
    Return,
    Trace,
    Var,
    walk,
)


def is_vector(trace: Trace) -> bool:
    return any(isinstance(i, Return) and i.form != "scalar" for i in walk(trace.body))


def seeded(trace: Trace) -> Trace:
    """The trace whose gradient is the VJP (unchanged for a scalar function)."""
    if not is_vector(trace):
        return trace
    used = {p.hint for p in trace.params} | {v.hint for v in _variables(trace)}
    hint = next(n for n in itertools.chain(["out_bar"], (f"out_bar_{k}" for k in itertools.count(1)))
                if n not in used)
    vars_ = itertools.count(1 + max((v.id for v in _variables(trace) if isinstance(v, Var)), default=0))
    lists = 1 + max((v.id for v in _variables(trace) if isinstance(v, ListVar)), default=0)
    out_bar = ListVar(lists, hint)
    new = lambda kind="float": Var(next(vars_), None, kind)  # noqa: E731

    def block(items: tuple) -> tuple:
        out: list = []
        for item in items:
            if isinstance(item, Return):
                out += _seed(item, out_bar, new)
            elif isinstance(item, If):
                out.append(dataclasses.replace(item, body=block(item.body), orelse=block(item.orelse)))
            else:
                out.append(item)  # returns are never inside loops
        return tuple(out)

    return dataclasses.replace(trace, params=trace.params + (out_bar,), defaults=trace.defaults + (None,),
                               body=block(trace.body))


def _seed(item: Return, out_bar: ListVar, new) -> list:
    line = item.line
    if item.form == "list":
        (ys,) = item.outputs
        n, i, s, s_out, w, y, p, s1 = new("int"), new("int"), new(), new(), new(), new(), new(), new()
        body = (Op(w, Load(out_bar, i), line), Op(y, Load(ys, i), line),
                Op(p, Product(1, ((w, 1), (y, 1))), line), Op(s1, Affine(0, ((1, s), (1, p))), line),
                Next((s1,), line))
        loop = Loop("range", i, (n,), (Carried(s_out, s, 0.0),), body, None, line)
        return [Op(n, Compute("len(_0)", (ys,)), line), loop, dataclasses.replace(item, value=s_out, seeded=True)]
    if any(isinstance(v, ListVar) for v in item.outputs):
        raise S2sadError(f"line {line}: a VJP of a tuple that holds a list is not supported; return the list "
                         "alone, or its items as scalars (forward mode, s2sad.jvp, takes both)")
    ops: list = []
    terms = []
    for k, a in enumerate(item.outputs):
        if isinstance(a, Var):
            w, p = new(), new()
            ops += [Op(w, Load(out_bar, k), line), Op(p, Product(1, ((w, 1), (a, 1))), line)]
            terms.append((1, p))
    if len(terms) > 1:
        r = new()
        ops.append(Op(r, Affine(0, tuple(terms)), line))
        value: object = r
    else:
        value = terms[0][1] if terms else 0.0
    return ops + [dataclasses.replace(item, value=value, seeded=True)]


def _variables(trace: Trace) -> Iterator[Var | ListVar]:
    """Every variable and list of the trace (parameters, results, loop counters, merges)."""
    stack: list = [trace.params, trace.body]
    while stack:
        x = stack.pop()
        if isinstance(x, (Var, ListVar)):
            yield x
        elif isinstance(x, tuple):
            stack += x
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            stack += [getattr(x, f.name) for f in dataclasses.fields(x)]

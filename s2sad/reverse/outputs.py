"""Vector outputs in reverse mode: a VJP is the gradient of a scalar.

Guarantees: `seeded(trace)` is, for a function returning a tuple (of scalars
and lists) or a list, the same trace with one more parameter, the cotangent
`out_bar` (a flat list of floats: one entry per scalar output, a list
output's entries in order), whose every return gives the
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
    ArrayOp,
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
)


def is_vector(trace: Trace) -> bool:
    return trace.returns_vector


def seeded(trace: Trace) -> Trace:
    """The trace whose gradient is the VJP (unchanged for a scalar function)."""
    if not is_vector(trace):
        return trace
    hint, vars_ = _fresh(trace)
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


def seeded_array(trace: Trace) -> Trace:
    """An array program whose result may be an array: the trace whose gradient is its VJP.

    Each return's `_scalar(a)` (the check that the result is a scalar) becomes
    `np.sum(out_bar * a)`, with `out_bar` (an array of the result's shape) a new
    parameter; the returned value is `a`.
    """
    hint, vars_ = _fresh(trace)
    out_bar = Var(next(vars_), hint, "array")

    def block(items: tuple) -> tuple:
        made = {i.out: i for i in items if isinstance(i, Op)}
        out: list = []
        for item in items:
            if isinstance(item, Return):
                check = made.get(item.value)  # type: ignore[arg-type]
                if check is None or not isinstance(check.expr, ArrayOp) or check.expr.fn != "scalar":
                    raise S2sadError(f"line {item.line}: the VJP of an array result needs an array program")
                (a,) = check.expr.args
                p, s, r = Var(next(vars_), None, "array"), Var(next(vars_), None, "array"), Var(next(vars_), None)
                out.remove(check)
                out += [Op(p, ArrayOp("multiply", (out_bar, a)), item.line), Op(s, ArrayOp("sum", (p,)), item.line),
                        Op(r, ArrayOp("scalar", (s,)), item.line)]
                out.append(dataclasses.replace(item, value=r, outputs=(a,), form="array", seeded=True))
            elif isinstance(item, If):
                out.append(dataclasses.replace(item, body=block(item.body), orelse=block(item.orelse)))
            else:
                out.append(item)
        return tuple(out)

    return dataclasses.replace(trace, params=trace.params + (out_bar,), defaults=trace.defaults + (None,),
                               body=block(trace.body))


def _seed(item: Return, out_bar: ListVar, new) -> list:
    """<out_bar, outputs> for one return: out_bar is flat, a list output's entries in order."""
    line = item.line
    out: list = []
    terms: list = []
    offset: object = 0  # where the next output's entries start in out_bar (an int, or an int variable)

    def plus(a: object, b: object) -> object:
        if isinstance(a, int) and isinstance(b, int):
            return a + b
        v = new("int")
        out.append(Op(v, Compute("_0 + _1", (a, b)), line))
        return v

    for a in item.outputs:
        if isinstance(a, ListVar):  # s = sum of out_bar[offset + i] * a[i], in a loop of its own
            n, i, s, s_out, w, y, p, s1 = new("int"), new("int"), new(), new(), new(), new(), new(), new()
            out.append(Op(n, Compute("len(_0)", (a,)), line))
            body: list = []
            index: object = i
            if offset != 0:
                index = new("int")
                body.append(Op(index, Compute("_0 + _1", (offset, i)), line))  # type: ignore[arg-type]
            body += [Op(w, Load(out_bar, index), line), Op(y, Load(a, i), line),  # type: ignore[arg-type]
                     Op(p, Product(1, ((w, 1), (y, 1))), line), Op(s1, Affine(0, ((1, s), (1, p))), line),
                     Next((s1,), line)]
            out.append(Loop("range", i, (n,), (Carried(s_out, s, 0.0),), tuple(body), None, line))
            terms.append((1, s_out))
            offset = plus(offset, n)
            continue
        if isinstance(a, Var):
            w, p = new(), new()
            out += [Op(w, Load(out_bar, offset), line), Op(p, Product(1, ((w, 1), (a, 1))), line)]  # type: ignore[arg-type]
            terms.append((1, p))
        offset = plus(offset, 1)
    if len(terms) > 1:
        r = new()
        out.append(Op(r, Affine(0, tuple(terms)), line))
        value: object = r
    else:
        value = terms[0][1] if terms else 0.0
    return out + [dataclasses.replace(item, value=value, seeded=True)]


def _fresh(trace: Trace) -> tuple[str, Iterator[int]]:
    """The cotangent parameter's name (`out_bar`, unless the function uses it) and fresh variable ids."""
    used = {p.hint for p in trace.params} | {v.hint for v in _variables(trace)}
    hint = next(n for n in itertools.chain(["out_bar"], (f"out_bar_{k}" for k in itertools.count(1))) if n not in used)
    return hint, itertools.count(1 + max((v.id for v in _variables(trace) if isinstance(v, Var)), default=0))


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

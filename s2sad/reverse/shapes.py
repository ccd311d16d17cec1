"""What the reverse sweep of array ops knows of shapes: which values surely have one shape, and
which adjoints may stay a uniform scalar.

Guarantees: `Shapes(trace, names, act).same(a, b)` only when a and b have the same shape for every
argument the source accepts; `Shapes.uniform` only holds values whose adjoint every reader
broadcasts correctly when it is a scalar standing for an array of their shape.

Before: `z1 = x[1:]; z2 = x[:-1]; z3 = z1 - z2 ** 2; s = np.sum(z3)`.  After: z1, z2, z3 one
shape (no `_unbroadcast` between them); z3 uniform (its adjoint is the sum's: 1, not an array of ones).
"""

from __future__ import annotations

import ast

from .. import pyast
from ..naming import Names
from ..trace import Append, ArrayOp, Break, If, Loop, NewList, Next, Op, Return, Store, Trace, Var, walk

ELEMENTWISE = frozenset({"add", "subtract", "multiply", "divide", "power", "negative", "positive", "asarray", "array_copy", "copy"})


def is_elementwise(fn: str) -> bool:
    return fn in ELEMENTWISE or fn.startswith("numpy.")


class Shapes:
    """Which array values surely have the same shape, and which adjoints may stay a uniform scalar.

    Elementwise results take their operands' shape when those are all one shape; two reads
    of one array whose indexes keep the same lengths (`x[1:]` and `x[:-1]`) have one shape.

    `uniform` holds the values whose adjoint may be a scalar standing for an array of their
    shape filled with it (a full sum's adjoint is its own adjoint, broadcast): where every
    reader of that adjoint broadcasts it anyway. Such a value is a parameter or an op's result
    never passed on through a loop, branch or list, defined by a non-elementwise op (whose
    adjoint is given its shape first) or by an elementwise op whose operands all have its shape
    and may be uniform too.
    """

    def __init__(self, trace: Trace, names: Names, act: set | None = None):
        self.rep: dict[Var, Var] = {}
        reads: dict[tuple, Var] = {}
        counters = {i.counter for i in walk(trace.body) if isinstance(i, Loop) and i.counter is not None}
        for item in walk(trace.body):
            if not (isinstance(item, Op) and isinstance(item.expr, ArrayOp)):
                continue
            e = item.expr
            if is_elementwise(e.fn) or broadcasts(e):
                arrays = {self.of(a) for a in e.args if isinstance(a, Var) and a.kind == "array"}
                if len(arrays) == 1:
                    self.rep[item.out] = arrays.pop()
            elif e.fn == "getitem" and isinstance(e.args[0], Var):
                key = _index_lengths(e, counters)
                if key is not None:
                    self.rep[item.out] = self.of(reads.setdefault((self.of(e.args[0]), key), item.out))
        self.uniform = self._uniform(trace, names, act)

    def of(self, v: Var) -> Var:
        return self.rep.get(v, v)

    def same(self, a: Var, b: Var) -> bool:
        return self.of(a) == self.of(b)

    def _uniform(self, trace: Trace, names: Names, act: set | None) -> set:
        passed = set()  # values whose adjoint comes back through a loop, branch, list or return
        for item in walk(trace.body):
            if isinstance(item, If):
                passed.update(v for m in item.merges for v in (m.then, m.orelse))
            elif isinstance(item, Loop):
                passed.update(c.init for c in item.carried)
            elif isinstance(item, (Next, Break)):
                passed.update(item.values)
            elif isinstance(item, Return):
                passed.update(item.values)
            elif isinstance(item, NewList):
                passed.update(item.elements)
            elif isinstance(item, (Store, Append)):
                passed.add(item.value)
        ok = {p for p in trace.params if isinstance(p, Var) and p.kind == "array"} - passed
        for item in walk(trace.body):  # operands come before their readers
            if not (isinstance(item, Op) and isinstance(item.expr, ArrayOp)) or item.out in passed:
                continue
            e = item.expr
            if e.fn in ("array", "setitem"):  # they index the adjoint
                continue
            if not is_elementwise(e.fn) or all(self._takes_uniform(item, i, ok, names, act) for i in range(len(e.args))):
                ok.add(item.out)
        return ok

    def _takes_uniform(self, op: Op, index: int, ok: set, names: Names, act: set | None) -> bool:
        """Whether operand `index` of an elementwise op can take its share of a uniform adjoint:
        none at all, one of the result's shape (a factor of the partial has it), or one it may
        keep uniform itself (it has the result's shape and may be uniform)."""
        a = op.expr.args[index]  # type: ignore[union-attr]
        if not isinstance(a, Var) or (act is not None and a not in act):
            return True
        if a.kind == "array" and a in ok and self.same(a, op.out):
            return True
        from .arrays import elementwise_partial  # (the partials are the adjoints' own)

        d = elementwise_partial(op, index, names)
        if d is None or d.coef == 0:
            return True
        full = {names.primal[v] for v in (op.out, *op.expr.args)  # type: ignore[union-attr]
                if isinstance(v, Var) and v.kind == "array" and self.same(v, op.out)}
        return any(full.intersection(pyast.names_read(f)) for f in (*d.num, *d.den))


def broadcasts(e: ArrayOp) -> bool:
    """A sheet row whose result has its operands' broadcast shape (`np.maximum`, `np.sin`), its
    operands arrays or numbers (a boolean may be an array of another shape)."""
    from ..array_rules import ARRAY_RULES

    rule = ARRAY_RULES.get(e.fn)
    if rule is None or e.fn == "setitem" or not (rule.shape == "x.shape" or rule.shape.endswith(" broadcast")
                                                  or e.fn in ("clip", "where")):
        return False
    bounds = [v for k, v in e.options if k in ("a_min", "a_max", "min", "max")]
    if any(b is not None and not isinstance(b, (int, float)) for b in bounds):  # a bound that is an array broadcasts too
        return False
    return all(not isinstance(a, Var) or a.kind in ("array", "float", "int") for a in e.args)


def _index_lengths(e: ArrayOp, counters: set) -> tuple | None:
    """What `x[index]`'s shape depends on besides x's: per axis, an int, a new axis, or a slice's
    length as a function of the axis's (n - k: `1:`, `:-1`, `1:-2`; min(n, k): `:k`, `-k:`)."""
    index = pyast.template(f"_0[{e.option['index']}]").slice  # type: ignore[attr-defined]
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    key = []
    for p in parts:
        if isinstance(p, ast.Constant) and p.value is None:
            key.append("new")
        elif isinstance(p, ast.Constant) and type(p.value) is int:
            key.append("int")
        elif isinstance(p, ast.Name) and p.id.startswith("_") and p.id[1:].isdigit() and int(p.id[1:]) < len(e.args) \
                and e.args[int(p.id[1:])] in counters:  # a loop's counter is an int (another name may hold an array)
            key.append("int")
        elif isinstance(p, ast.Slice):
            length = _slice_length(p)
            if length is None:
                return None
            key.append(length)
        else:
            return None
    while key and key[-1] == ("drop", 0):
        key.pop()
    return tuple(key)


def _slice_length(s: ast.Slice) -> tuple | None:
    bounds = []
    for b in (s.lower, s.upper, s.step):
        value = pyast.constant_value(b) if b is not None else None
        if b is not None and type(value) is not int:
            return None
        bounds.append(value)
    lower, upper, step = bounds
    if step not in (None, 1):
        return None
    if (lower is None or lower >= 0) and (upper is None or upper < 0):
        return ("drop", (lower or 0) - (upper or 0))
    if (lower in (None, 0)) and upper is not None and upper > 0:
        return ("take", upper)
    if lower is not None and lower < 0 and upper is None:
        return ("take", -lower)
    return None

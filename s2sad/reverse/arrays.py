"""The reverse sweep of array ops: each operand's vector-Jacobian product, shaped like the operand.

Guarantees: `contributions(op, args, g, names, shapes)` gives, for each
differentiated operand of an `ArrayOp`, its contribution to the operand's
adjoint as a `Term`, with the operand's shape for every shape the source
accepts. Elementwise ops multiply the result's adjoint by the partial of the
rules table (as for scalars, spelled with NumPy) and sum it back over the
axes broadcasting added or stretched (`_unbroadcast`), unless the operand is
known to have the result's shape (`Shapes`), or to be a scalar (a plain sum).
Other ops take their row's template from the array sheet (`array_rules`).
The helpers that generated code calls are recorded in `names.helpers`.

Before: `z3 = x * s` (x an array, s a float).  After: x gets `z3_bar * s`,
s gets `np.sum(z3_bar * x)`.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from .. import pyast
from ..array_code import arrays_of, literal, renamed_numpy, row_values
from ..naming import Names
from ..partials import Term, partial
from ..program import Block as CodeBlock
from ..program import Node, Stmt, assigned, reads
from ..program import walk as code_walk
from ..trace import Append, ArrayOp, Break, Call, If, Loop, NewList, Next, Op, Product, Return, Store, Trace, Var, walk

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
            if is_elementwise(e.fn) or _broadcasts(e):
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
                passed.add(item.value)
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
        d = _elementwise_partial(op, index, names)
        if d is None or d.coef == 0:
            return True
        full = {names.primal[v] for v in (op.out, *op.expr.args)  # type: ignore[union-attr]
                if isinstance(v, Var) and v.kind == "array" and self.same(v, op.out)}
        return any(full.intersection(pyast.names_read(f)) for f in (*d.num, *d.den))


def _broadcasts(e: ArrayOp) -> bool:
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


def contributions(op: Op, index: int, bar: Term, names: Names, shapes: Shapes) -> Term | None:
    """The contribution of `op` to the adjoint of its operand `index`, given its own adjoint `bar`."""
    e = op.expr
    assert isinstance(e, ArrayOp)
    x = e.args[index]
    if is_elementwise(e.fn):
        d = _elementwise_partial(op, index, names)
        if d is None:
            return None
        term = bar * d
        if term.coef == 0:
            return None
        return _shaped(term, x, op.out, names, shapes)  # type: ignore[arg-type]
    g = _value(bar)
    arg = [pyast.name(names.primal[a]) if isinstance(a, Var) else pyast.number(a) for a in e.args]  # type: ignore[index]
    np = names.numpy()
    shaped = shaped_adjoint(op, g, names)
    if shaped is not None:  # a zero adjoint may be the scalar 0.0
        g = shaped
    if e.fn == "getitem":
        return Term(1, (_helper(names, "_getitem_back", [g, arg[0], index_object(e.option["index"], arg, 1)]),))
    if e.fn == "setitem":
        where = index_object(e.option["index"], arg, 2)
        if index == 0:
            return Term(1, (_helper(names, "_setitem", [g, where, pyast.number(0.0)]),))
        if index == 1:
            piece = subscripted(g, e.option["index"], arg, 2)
            return _shaped(Term(1, (piece,)), x, None, names, shapes)  # type: ignore[arg-type]
        return None
    if e.fn == "einsum_n":
        return Term(1, (_helper(names, "_einsum_back", [ast.Constant(e.option["subscripts"]), pyast.number(index),
                                                        g, *arg]),))
    if e.fn == "scalar":
        return Term(1, (_helper(names, "_scalar_seed", [g, arg[0]]),))
    if e.fn == "array":
        return Term(1, (ast.Subscript(g, pyast.number(index), pyast.LOAD),))
    if e.fn in ("sum", "mean") and x in shapes.uniform and (e.option.get("axis") is None or _scalar(bar)):
        # a scalar adjoint, broadcast back: left a scalar where every reader broadcasts it
        if e.fn == "sum":
            return bar
        count = pyast.call(f"{np}.size", [arg[0]]) if e.option.get("axis") is None else \
            _helper(names, "_count", [arg[0], literal(e.option["axis"], arg)])
        return bar * Term(1, (), (count,))
    if e.fn == "builtin_sum":
        return Term(1, (pyast.call(f"{np}.broadcast_to", [g, pyast.call(f"{np}.shape", [arg[0]])]),))
    from ..array_rules import ARRAY_RULES

    rule = ARRAY_RULES[e.fn]
    if index >= arrays_of(e):  # a run-time option (a shape): no derivative
        return None
    if rule.params == ("xs",):  # one adjoint per array of the tuple: the template gives them all
        template, pick = rule.vjps[0], index
    else:
        template, pick = rule.vjps[index], None
    if template is None:
        return None
    values = {"g": g, "z": pyast.name(names.primal[op.out]), **row_values(e, rule, arg)}
    node = _without_identities(pyast.substitute(pyast.template(template), values))
    node = _without_unbroadcast(node, op, names, shapes)
    if pick is not None:
        node = ast.Subscript(node, pyast.number(pick), pyast.LOAD)
    _record_helpers(names, node)
    return Term(1, (renamed_numpy(node, np),))


def _scalar(t: Term) -> bool:
    """Whether the term is surely a scalar: numbers and sizes (a name's kind does not say it surely)."""
    for f in (*t.num, *t.den):
        if isinstance(f, ast.Call) and isinstance(f.func, ast.Attribute) and f.func.attr == "size":
            continue
        if isinstance(f, ast.Call) and isinstance(f.func, ast.Name) and f.func.id == "_count":
            continue
        return False
    return True


def _without_identities(node: ast.expr) -> ast.expr:
    """Helper calls that are the identity for their constant options dropped: a full reduction's
    adjoint needs no axes put back (`_expand_reduced(g, x, None, False)` is g)."""
    if isinstance(node, ast.Call):
        node.args = [_without_identities(a) for a in node.args]
        if isinstance(node.func, ast.Name) and node.func.id == "_expand_reduced" and len(node.args) == 4:
            axis, keep = node.args[2], node.args[3]
            if (isinstance(axis, ast.Constant) and axis.value is None) or (
                    isinstance(keep, ast.Constant) and keep.value is True):
                return node.args[0]
    elif isinstance(node, ast.BinOp):
        node.left, node.right = _without_identities(node.left), _without_identities(node.right)
    return node


def _without_unbroadcast(node: ast.expr, op: Op, names: Names, shapes: Shapes) -> ast.expr:
    """`_unbroadcast(v, a)` of a row's template is v where a is known to have the result's shape."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_unbroadcast"
            and isinstance(node.args[1], ast.Name)):
        return node
    same = {names.primal[a] for a in op.expr.args  # type: ignore[union-attr]
            if isinstance(a, Var) and a.kind == "array" and shapes.same(a, op.out)}
    return node.args[0] if node.args[1].id in same else node


def shaped_adjoint(op: Op, g: ast.expr, names: Names) -> ast.expr | None:
    """`_adjoint_of(g, z)` where the adjoint g of an array op's result must have the result's shape
    (its non-elementwise adjoints index, reshape or multiply it), None where g is surely so already."""
    e = op.expr
    if op.out.kind != "array" or is_elementwise(e.fn) or e.fn in ("getitem", "builtin_sum", "scalar"):  # type: ignore[union-attr]
        return None
    if isinstance(g, ast.Name) and g.id in names.shaped or has_shape_of(g, op, names):
        return None
    if e.fn in ("maximum", "minimum"):  # its adjoints multiply g by a mask of the result's shape
        return None
    return _helper(names, "_adjoint_of", [g, pyast.name(names.primal[op.out])])


# helper -> which argument's shape its result has
_SHAPE_FROM = {"_getitem_back": 1, "_scatter_add": 0, "_setitem": 0, "_adjoint_of": 1, "_unbroadcast": 1}


def has_shape_of(g: ast.expr, op: Op, names: Names) -> bool:
    """Whether the expression g surely has the shape of op's result: a helper given that result."""
    if not isinstance(g, ast.Call) or not isinstance(g.func, ast.Name) or g.func.id not in _SHAPE_FROM:
        return False
    of = g.args[_SHAPE_FROM[g.func.id]]
    if isinstance(of, ast.Call):  # _scatter_add into a _getitem_back buffer
        return has_shape_of(of, op, names)
    return isinstance(of, ast.Name) and of.id == names.primal[op.out]


def merged_scatters(parts: list[Term], names: Names) -> list[Term]:
    """Reads of several parts of one array give its adjoint in one buffer: the first read's zeros
    (`_getitem_back`), the others added into it in place (`_scatter_add`), not one zeros each."""
    out: list[Term] = []
    first: dict[str, int] = {}
    for t in parts:
        call = t.num[0] if t.coef == 1 and len(t.num) == 1 and not t.den else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_getitem_back"
                and isinstance(call.args[1], ast.Name)):
            out.append(t)
            continue
        base = call.args[1].id
        if base not in first:
            first[base] = len(out)
            out.append(t)
            continue
        k = first[base]
        acc = out[k]
        merged = _helper(names, "_scatter_add", [acc.num[0], call.args[2], call.args[0]])
        out[k] = Term(1, (merged,), lines=acc.lines | t.lines)
    return out


def _elementwise_partial(op: Op, index: int, names: Names) -> Term | None:
    e = op.expr
    z = pyast.name(names.primal[op.out])
    a = [pyast.name(names.primal[v]) if isinstance(v, Var) else pyast.number(v) for v in e.args]  # type: ignore[union-attr,index]
    fn = e.fn  # type: ignore[union-attr]
    if fn == "add":
        return Term(1)
    if fn == "subtract":
        return Term(1 if index == 0 else -1)
    if fn == "negative":
        return Term(-1)
    if fn in ("asarray", "array_copy", "copy", "positive"):
        return Term(1)
    if fn == "multiply":
        other = e.args[1 - index]  # type: ignore[union-attr]
        return Term(1, (a[1 - index],)) if isinstance(other, Var) else Term(other)  # a constant factor folds
    if fn == "divide":
        return Term(1, (), (a[1],)) if index == 0 else Term(-1, (z,), (a[1],))
    if fn == "power" and not isinstance(e.args[1], Var):  # type: ignore[union-attr]
        p = e.args[1]  # type: ignore[union-attr]
        return partial(Op(op.out, Product(1, ((e.args[0], p),)), op.line), 0, names)  # type: ignore[union-attr,arg-type]
    if fn == "power":
        fn = "numpy.power"
    return partial(Op(op.out, Call(fn, e.args), op.line), index, names, numpy=True)  # type: ignore[union-attr]


def _shaped(term: Term, x: Var, out: Var | None, names: Names, shapes: Shapes) -> Term:
    """A contribution to x with x's shape: summed over what broadcasting added, unless already so.

    Summing is linear: the constant coefficient stays outside, where it folds with others.
    """
    if x.kind == "array" and out is not None and shapes.same(x, out):
        return term
    value = _value(Term(1, term.num, term.den))
    if x.kind != "array":  # a scalar operand of an array op: the sum of its contributions
        return Term(term.coef, (pyast.call(f"{names.numpy()}.sum", [value]),), lines=term.lines)
    return Term(term.coef, (_helper(names, "_unbroadcast", [value, pyast.name(names.primal[x])]),), lines=term.lines)


def _value(t: Term) -> ast.expr:
    return pyast.product(t.coef, list(t.num), list(t.den)) if t.factors else pyast.number(t.coef)


def _helper(names: Names, name: str, args: list[ast.expr]) -> ast.expr:
    names.helpers.add(name)
    return pyast.call(name, args)


def _record_helpers(names: Names, node: ast.expr) -> None:
    from ..array_helpers import HELPERS

    for n in ast.walk(node):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in HELPERS:
            names.helpers.add(n.func.id)


def subscripted(value: ast.expr, text: str, args: list[ast.expr], first: int) -> ast.expr:
    """`value[text]` as the source writes the index (its operands from `first`)."""
    values = {f"_{k}": args[first + k - 1] for k in range(1, len(args) - first + 1)}
    return pyast.substitute(pyast.template(f"_0[{text}]"), {"_0": value, **values})


def index_object(text: str, args: list[ast.expr], first: int) -> ast.expr:
    """The index of `x[text]` as a value: `1:, _1` -> `(slice(1, None), i)` (operands from `first`)."""
    sub = pyast.template(f"_0[{text}]")
    assert isinstance(sub, ast.Subscript)
    values = {f"_{k}": args[first + k - 1] for k in range(1, len(args) - first + 1)}

    def obj(node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Slice):
            parts = [node.lower, node.upper, node.step]
            return pyast.call("slice", [pyast.substitute(p, values) if p is not None else ast.Constant(None)
                                        for p in parts])
        return pyast.substitute(node, values)

    index = sub.slice
    if isinstance(index, ast.Tuple):
        return ast.Tuple([obj(p) for p in index.elts], pyast.LOAD)
    return obj(index)


def grad_of_array(names: Names, g: ast.expr, x: str) -> ast.expr:
    """The gradient returned for an array parameter: float64 of its shape (a scalar's a float)."""
    return _helper(names, "_as_gradient", [g, pyast.name(x)])


def functional_accumulation(nodes: tuple[Node, ...], arrays: set[str], names: Names,
                            owned: frozenset = frozenset()) -> tuple[Node, ...]:
    """`x_bar += v` as `x_bar = x_bar + v` for array adjoints: `+=` would change an array another name holds.

    An adjoint that starts at zero just before a loop, and receives reads of its array's parts
    inside (`xs[t]` at each step), starts as zeros of the array's shape instead, which the loop
    owns and adds each part into in place (`_scatter_add`): not a new array per step.
    """
    out: list[Node] = []
    for k, n in enumerate(nodes):
        if isinstance(n, Stmt) and n.augmented and not n.target_reads and (n.target in arrays or n.target in owned):
            part = _scattered(n.value)
            if part is not None and n.target in owned:
                g, _, index = part
                value = _helper(names, "_scatter_add", [pyast.name(n.target), index, g])
                out.append(replace(n, value=value, augmented=False))
            else:
                out.append(replace(n, value=pyast.binop(pyast.name(n.target), pyast.ADD, n.value), augmented=False))
        elif isinstance(n, CodeBlock):
            mine = set(owned)
            after: list[Node] = []
            if n.keyword in ("for", "while"):
                n, after = _batched_products(n, out, arrays, names)
                for target, base in _scatter_targets(n, arrays).items():
                    j = _zero_start(out, target)
                    if j is not None:  # zeros of the array's shape, owned by the loop
                        out[j] = replace(out[j], value=_helper(names, "_zeros_like_float", [base]))
                        mine.add(target)
            out.append(replace(n, body=functional_accumulation(n.body, arrays, names, frozenset(mine)),
                               orelse=functional_accumulation(n.orelse, arrays, names, frozenset(mine))))
            out += after
        else:
            out.append(n)
    return tuple(out)


def _batched_products(loop: CodeBlock, out: list[Node], arrays: set[str], names: Names) -> tuple[CodeBlock, list]:
    """A loop-invariant matrix's adjoint, a sum of one product per step (`W_bar += outer(g, h)` of
    `W @ h`), formed after the loop by one product of the steps' vectors kept in two lists, as an
    expert writes it: the loop appends (g, h), and `_matmul_back_sum` multiplies them all at once.
    Likewise a fixed operand broadcast at every step (a bias `+ b`): its steps' adjoints are summed
    once after the loop (`_unbroadcast_sum`), not added one by one."""
    changed = {d for m in code_walk(loop.body + loop.orelse) if isinstance(m, Stmt) for d in m.defines}
    body: list[Node] = []
    after: list[Node] = []
    for n in loop.body:
        batched = _batched(n, loop, out, arrays, changed)
        if batched is None:
            body.append(n)
            continue
        call, which, fixed = batched
        j = _zero_start(out, n.target)  # type: ignore[union-attr,arg-type]
        if which is None:  # T += _unbroadcast(g, x): the steps' g kept, summed once
            gs = names.fresh(n.target + "_steps")  # type: ignore[union-attr]
            out.insert(j + 1, Stmt(gs, ast.List([], pyast.LOAD), n.lines, tape=True))  # type: ignore[union-attr]
            body.append(Stmt("", pyast.method(gs, "append", [call.args[0]]), n.lines, tape=True))  # type: ignore
            total = _helper(names, "_unbroadcast_sum", [pyast.name(gs), fixed])
            after.append(Stmt(n.target, pyast.binop(pyast.name(n.target), pyast.ADD, total), n.lines))  # type: ignore
            continue
        gs, vs = names.fresh(n.target + "_steps"), names.fresh(n.target + "_with")  # type: ignore[union-attr]
        out[j + 1:j + 1] = [Stmt(gs, ast.List([], pyast.LOAD), n.lines, tape=True),  # type: ignore[operator,union-attr]
                            Stmt(vs, ast.List([], pyast.LOAD), n.lines, tape=True)]  # type: ignore[union-attr]
        body.append(Stmt("", pyast.method(gs, "append", [call.args[0]]), n.lines, tape=True))  # type: ignore[union-attr]
        body.append(Stmt("", pyast.method(vs, "append", [call.args[2 - which]]), n.lines, tape=True))  # type: ignore[union-attr]
        total = _helper(names, "_matmul_back_sum", [pyast.name(gs), fixed, pyast.name(vs), pyast.number(which)])
        after.append(Stmt(n.target, pyast.binop(pyast.name(n.target), pyast.ADD, total), n.lines))  # type: ignore[union-attr]
    if not after:
        return loop, []
    return replace(loop, body=tuple(body)), after


def _batched(n: Node, loop: CodeBlock, out: list[Node], arrays: set[str], changed: set[str]) -> tuple | None:
    """(the call, which operand, the fixed matrix) of `T += _matmul_back(g, a, b, which)` that can be batched."""
    if not (isinstance(n, Stmt) and n.augmented and not n.target_reads and n.target in arrays):
        return None
    call = n.value
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_unbroadcast" \
            and len(call.args) == 2:
        which, fixed = None, call.args[1]  # a fixed operand broadcast at every step (a bias)
    elif isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_matmul_back" \
            and len(call.args) == 4 and isinstance(call.args[3], ast.Constant) and call.args[3].value in (0, 1):
        which = call.args[3].value
        fixed = call.args[1 + which]  # the operand whose adjoint this is: the same matrix at every step
    else:
        return None
    if not isinstance(fixed, ast.Name) or fixed.id in changed:
        return None
    others = [m for m in code_walk(loop.body + loop.orelse) if m is not n]
    if n.target in reads(others) or n.target in assigned(others) or _zero_start(out, n.target) is None:
        return None
    return call, which, fixed


def _scattered(value: ast.expr) -> tuple | None:
    """(g, x, index) of `_getitem_back(g, x, index)`, else None."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "_getitem_back" \
            and len(value.args) == 3:
        return tuple(value.args)
    return None


def _scatter_targets(block: CodeBlock, arrays: set[str]) -> dict[str, ast.expr]:
    """Accumulators that a loop adds parts of an array into: target -> the array."""
    found: dict[str, ast.expr] = {}
    for n in code_walk(block.body + block.orelse):  # adjoints, and the sums of a fused loop's terms
        if isinstance(n, Stmt) and n.augmented and not n.target_reads:
            part = _scattered(n.value)
            if part is not None and isinstance(part[1], ast.Name):
                found.setdefault(n.target, part[1])
    inside = assigned(block.body + block.orelse)
    for n in code_walk(block.body + block.orelse):  # only the loop's own additions change it
        if isinstance(n, Stmt) and n.target in found and not n.augmented:
            found.pop(n.target)
    # the array whose shape the buffer takes must be the same one before and throughout the loop
    return {target: base for target, base in found.items() if base.id not in inside}  # type: ignore[attr-defined]


def _zero_start(out: list[Node], target: str) -> int | None:
    """Where `target = 0.0` starts it, with nothing else assigning it since."""
    for j in range(len(out) - 1, -1, -1):
        n = out[j]
        if isinstance(n, Stmt) and n.target == target and not n.target_reads:
            fresh = not n.augmented and isinstance(n.value, ast.Constant) and n.value.value == 0.0
            return j if fresh else None
        if target in assigned([n]) or target in reads([n]):
            return None
    return None

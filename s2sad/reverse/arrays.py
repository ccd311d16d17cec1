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

from .. import pyast
from ..array_code import arrays_of, literal, renamed_numpy, row_values
from ..naming import Names
from ..partials import Term, partial
from ..trace import ArrayOp, Call, Op, Product, Var
from .shapes import Shapes, is_elementwise

def contributions(op: Op, index: int, bar: Term, names: Names, shapes: Shapes) -> Term | None:
    """The contribution of `op` to the adjoint of its operand `index`, given its own adjoint `bar`."""
    e = op.expr
    assert isinstance(e, ArrayOp)
    x = e.args[index]
    if is_elementwise(e.fn):
        d = elementwise_partial(op, index, names)
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
        count = _helper(names, "_count", [arg[0], literal(e.option.get("axis"), arg)])
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


def elementwise_partial(op: Op, index: int, names: Names) -> Term | None:
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
    from ..array_helper_text import HELPERS

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

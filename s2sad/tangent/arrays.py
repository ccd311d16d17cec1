"""Forward mode of array operations: each op's tangent, from the same sheet as reverse mode.

Guarantees: the tangent of an array op has the shape of its result and is
its directional derivative along the operands' tangents:

- elementwise ops: the partials reverse mode uses (`elementwise_partial`, and
  the sheet's templates with `g` the operand's tangent), summed over the
  active operands, broadcast to the result's shape where an inactive operand
  stretched it;
- ops linear in their operands (reductions by sum or mean, reshapes,
  indexing, joins, `_setitem`, ...; the sheet's `linear` rows): the op itself
  on the tangents (zeros for operands no tangent reaches);
- products (`@`, `np.dot`, `np.einsum`, ...): the op with one operand
  replaced by its tangent, summed over the active operands.

- max and min, `np.prod`, `var`, `std`, `np.linalg.solve`, `inv`, `det`,
  `cholesky` and `norm` (ord None or "fro"): a JVP row of their own (`JVPS`),
  one term per active operand.

Anything else (other norms, `slogdet`) is refused with its line: reverse mode
differentiates it.

Before: `z3 = z1 @ w` (z1 and w active).  After: `z3_dot = z1_dot @ w + z1 @ w_dot`.
"""

from __future__ import annotations

import ast

from .. import pyast
from ..array_code import array_expr, arrays_of, renamed_numpy, row_values
from ..errors import S2sadError
from ..reverse.arrays import elementwise_partial
from ..reverse.shapes import is_elementwise
from ..trace import ArrayOp, Op, Var

MULTILINEAR = frozenset({"dot", "matmul", "inner", "outer", "vdot", "einsum", "einsum_n"})
# elementwise rows of the sheet whose VJP template, with g the operand's tangent, is the JVP's term
ELEMENTWISE_ROWS = frozenset({"abs", "absolute", "square", "reciprocal", "maximum", "minimum", "clip", "where",
                              "sign", "floor", "ceil", "trunc", "rint", "round"})

# ops neither elementwise nor linear: per operand, the term of the JVP, `t` that operand's tangent. Ties of
# max and min share the tangent equally, as reverse mode shares the adjoint; det takes the cofactors
# reverse mode takes (exact at a singular a); the solve and inverse terms are those of d(a⁻¹) = −a⁻¹ da a⁻¹.
_HIT = "(x == np.{0}(x, axis=axis, keepdims=True))"
_CHOOSE = ("np.sum(t * " + _HIT + ", axis=axis, keepdims=keepdims) / np.sum(" + _HIT + ", axis=axis, "
           "keepdims=keepdims)")
JVPS: dict[str, tuple[str, ...]] = {
    "max": (_CHOOSE.format("max"),),
    "amax": (_CHOOSE.format("max"),),
    "min": (_CHOOSE.format("min"),),
    "amin": (_CHOOSE.format("min"),),
    "prod": ("np.sum(t * _prod_others(x, axis), axis=axis, keepdims=keepdims)",),
    "linalg.solve": ("-np.linalg.solve(a, np.matmul(t, z))", "np.linalg.solve(a, t)"),
    "linalg.inv": ("-np.matmul(np.matmul(z, t), z)",),
    "linalg.det": ("np.sum(_det_back(1.0, a) * t, axis=(-2, -1))",),
    # the count of entries per result is size(x) / size(z), kept in the subset for second order
    "var": ("np.sum((x - np.mean(x, axis=axis, keepdims=True)) * t, axis=axis, keepdims=keepdims) "
            "* (2.0 / (np.size(x) / np.size(z) - ddof))",),
    "std": ("np.sum((x - np.mean(x, axis=axis, keepdims=True)) * t, axis=axis, keepdims=keepdims) "
            "/ ((np.size(x) / np.size(z) - ddof) * np.where(z == 0, np.inf, z))",),
    # z = cholesky(a) reads a's lower triangle: with S = tril(t) + tril(t, -1)^T and M = z^-1 S z^-T,
    # z_dot = z Φ(M), Φ the lower triangle with the diagonal halved (Murray 2016, forward form)
    "linalg.cholesky": ("np.matmul(z, np.tril(_M) - 0.5 * np.tril(np.triu(_M)))".replace(
        "_M", "np.linalg.solve(z, np.swapaxes(np.linalg.solve(z, np.tril(t) + np.swapaxes(np.tril(t, -1), -1, "
              "-2)), -1, -2))"),),
    # the 2-norm and Frobenius norm only (ord None or "fro"); at a zero norm x is 0, and so is the tangent
    "linalg.norm": ("np.sum(x * t, axis=axis, keepdims=keepdims) / np.where(z == 0, 1.0, z)",),
}


def array_tangent(sweep, op: Op) -> ast.expr:
    """The tangent of an array op (sweep: the tangent sweep, for names and activity)."""
    e = op.expr
    assert isinstance(e, ArrayOp)
    names = sweep.names
    np = names.numpy()
    n = {"getitem": 1, "setitem": 2}.get(e.fn, arrays_of(e))  # the operands; the rest are indices and options
    primal = [pyast.name(names.primal[a]) if isinstance(a, Var) else pyast.number(a) for a in e.args]  # type: ignore[arg-type]
    active = [i for i in range(n) if isinstance(e.args[i], Var) and e.args[i] in sweep.act]
    z = pyast.name(names.primal[op.out])
    stretched = any(isinstance(a, Var) and a not in sweep.act for a in e.args[:n])

    def dot(i: int) -> ast.expr:
        return sweep.dot_of(e.args[i])

    def helper(name: str, args: list[ast.expr]) -> ast.expr:
        names.helpers.add(name)
        return pyast.call(name, args)

    def shaped(t: ast.expr) -> ast.expr:
        return helper("_broadcast_like", [t, z]) if stretched else t

    copies = ("asarray", "array_copy", "copy")  # of a list too: the tangent (a list) is converted alike
    if e.fn == "copy" and 0 in active:  # a new array, as the primal's, of a tangent that may be a float
        return pyast.call(f"{np}.positive", [dot(0)])  # (which has no .copy()) or a list
    if is_elementwise(e.fn) and e.fn not in copies:
        terms = []
        for i in active:
            d = elementwise_partial(op, i, names)
            if d is None or d.coef == 0:
                continue
            t = d * sweep.dot_term(e.args[i])
            terms.append((t.coef, list(t.num), list(t.den)))
        return shaped(pyast.signed_sum(terms)) if terms else helper("_zeros_like_float", [z])
    if e.fn in ("array", "scalar", "builtin_sum", "getitem", "setitem", *copies) or e.fn in MULTILINEAR \
            or _linear(e.fn):
        if e.fn in MULTILINEAR:  # linear in each operand: one term per active operand
            parts = [array_expr(e, [dot(i) if k == i else a for k, a in enumerate(primal)], np) for i in active]
            total = parts[0]
            for p in parts[1:]:
                total = pyast.binop(total, pyast.ADD, p)
            return total
        args = list(primal)
        for i in range(n):
            if i in active:
                args[i] = dot(i)
            elif e.fn == "array" or not isinstance(e.args[i], Var):
                args[i] = pyast.number(0.0)
            else:
                args[i] = helper("_zeros_like_float", [primal[i]])
        if e.fn == "setitem":
            names.helpers.add("_setitem")
        if e.fn == "scalar":
            names.helpers.add("_scalar")
        return array_expr(e, args, np)
    if e.fn == "linalg.norm" and e.option.get("ord") not in (None, "fro"):
        raise S2sadError(f"line {op.line}: forward mode of np.linalg.norm with ord={e.option.get('ord')!r} is not "
                         "supported yet (ord None and 'fro' are): use reverse mode (s2sad gen without --mode, "
                         "s2sad.grad or s2sad.vjp)")
    if e.fn in ELEMENTWISE_ROWS or e.fn in JVPS:
        from ..array_rules import ARRAY_RULES

        rule = ARRAY_RULES[e.fn]
        terms = []
        for i in active:
            own = e.fn in JVPS  # a JVP row of its own (t: the operand's tangent), else the VJP's with g = t
            template = JVPS[e.fn][i] if own else rule.vjps[i]
            if template is None:
                continue
            values = {"t" if own else "g": dot(i), "z": z, **row_values(e, rule, primal)}
            node = pyast.substitute(pyast.template(template), values)
            node = node if own else _no_unbroadcast(node)
            for c in ast.walk(node):
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id.startswith("_"):
                    names.helpers.add(c.func.id)
            terms.append((1, [renamed_numpy(node, np)], []))
        if not terms:
            return helper("_zeros_like_float", [z])
        return pyast.signed_sum(terms) if e.fn in JVPS else shaped(pyast.signed_sum(terms))
    raise S2sadError(f"line {op.line}: forward mode of np.{e.fn} is not supported yet: use reverse mode "
                     "(s2sad gen without --mode, s2sad.grad or s2sad.vjp)")


def _linear(fn: str) -> bool:
    from ..array_rules import ARRAY_RULES

    rule = ARRAY_RULES.get(fn)
    return rule is not None and rule.linear and fn not in ("sum", "mean") or fn in ("sum", "mean")


def _no_unbroadcast(node: ast.expr) -> ast.expr:
    """A VJP template's `_unbroadcast(v, a)` is v in a JVP (the term keeps the result's shape)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_unbroadcast":
        return _no_unbroadcast(node.args[0])
    for field, value in ast.iter_fields(node):
        if isinstance(value, ast.expr):
            setattr(node, field, _no_unbroadcast(value))
        elif isinstance(value, list):
            setattr(node, field, [_no_unbroadcast(v) if isinstance(v, ast.expr) else v for v in value])
    return node

"""THE array calculus sheet: one row per NumPy function, its vector-Jacobian products as templates.

The scalar table (`rules.py`) gives partial derivatives of functions of numbers; a NumPy function maps
arrays to an array, so its row gives, per operand, the vector-Jacobian product (VJP): the operand's
adjoint as a Python expression over the placeholders

- `g`: the adjoint of the result (same shape as the result),
- `z`: the result itself (for tuple results, see TUPLE_RESULTS),
- the row's `params` (its operands, arrays or numbers), and
- the row's `options` (keyword constants known when code is generated: ints, tuples of ints, bools,
  None, floats, strings; substituted as literals, see `option_literal`; `REQUIRED` marks one without a
  default), in NumPy's order of its parameters; those s2sad leaves out (dtype, out) are not options,
  so a positional argument maps to an option only up to the first one left out.

`None` marks an operand whose adjoint is zero (as in the scalar table). Templates call NumPy as `np.`
(Python Array API spellings where NumPy >= 1.22 has them) and small helpers as `_name(...)`, whose source
text is in `array_helper_text.HELPERS` for generated modules to include. Every template is correct for every
shape its forward accepts; where an adjoint depends on shapes, the helper reads them at run time.

Conventions:
- Variadic operands (concatenate, stack, hstack, vstack): one param `xs`, the tuple of arrays; its VJP
  returns a tuple of adjoints, one per array, each with that array's shape (`ArrayRule.variadic`).
- Tuple results (slogdet): `z` is the tuple the forward returns; `g` is the adjoint of its element
  `TUPLE_RESULTS[key]` (the others are piecewise constant, with no adjoint).
- `linear`: the VJP reads neither operand values nor `z`, only shapes (nothing but shapes needs keeping).
- One function at two arities (einsum of one or two operands) has the keys `name` and `name/1`;
  `find_rule(name, nargs)` picks the row.
- A VJP may return `g` itself or a read-only view: accumulate with `a_bar = a_bar + v`, or copy before
  updating in place.

The rows: reductions, products, structure, elementwise functions (the scalar table's rows too, as
ufuncs: x̄ = g times the partial, summed to x's shape), linear algebra. `find_rule(name, nargs)` finds
a row, `validate_options` says why a call's constant options are outside it, `reads` which operands a
VJP needs the values of, `instantiate` fills in a template, `helpers_used` lists the helpers it needs,
and `table_markdown` writes the sheet for the README.

Templates are parsed and checked at import, so a typo fails here, never in user output.
"""

from __future__ import annotations

import ast
import copy
import keyword
import math
from dataclasses import dataclass

from .array_helper_text import HELPERS, helpers_used
from .array_templates import check_template, instantiate, option_literal, value_reads
from .rules import CONSTANTS, LINEAR, RULES


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()  # an option's "default" when the call must give it


@dataclass(frozen=True)
class ArrayRule:
    """One row: a NumPy function, how to call it, each operand's VJP, and its shape rule."""

    name: str  # as written after the numpy module: "sum", "matmul", "linalg.solve", "transpose"
    params: tuple[str, ...]  # positional operands, arrays or numbers ("xs": a tuple of arrays)
    options: dict[str, object]  # keyword options and their defaults (REQUIRED: no default)
    forward: str  # the call, over params and options
    vjps: tuple[str | None, ...]  # per param: its adjoint over g, z, params, options; None: zero
    shape: str  # the shape rule, in words
    linear: bool = False  # the VJPs read only shapes of the operands (not their values, nor z)

    @property
    def variadic(self) -> bool:
        """The single operand is a tuple of arrays, and its VJP a tuple of adjoints."""
        return self.params == ("xs",)


ARRAY_RULES: dict[str, ArrayRule] = {}
IDENTITIES: dict[str, str] = {}  # key -> the VJP as mathematics, for the README table
TUPLE_RESULTS: dict[str, int] = {"linalg.slogdet": 1}  # key -> the element of the result g is for

_R = {"axis": None, "keepdims": False}  # a reduction's options

# key, params, options, forward, vjps, shape, identity, linear
_TABLE: list[tuple] = [
    # ---- reductions: axis None (all), an int, negative, or a tuple; keepdims keeps reduced axes as 1
    ("sum", ("x",), _R, "np.sum(x, axis=axis, keepdims=keepdims)",
     ("np.broadcast_to(_expand_reduced(g, x, axis, keepdims), np.shape(x))",),
     "x.shape without the axes reduced (kept as 1 if keepdims)", "x̄ = g broadcast back over the axes", True),
    ("mean", ("x",), _R, "np.mean(x, axis=axis, keepdims=keepdims)",
     ("np.broadcast_to(_expand_reduced(g, x, axis, keepdims) / _count(x, axis), np.shape(x))",),
     "as sum", "x̄ = g / n broadcast back (n entries per mean)", True),
    ("prod", ("x",), _R, "np.prod(x, axis=axis, keepdims=keepdims)",
     ("_expand_reduced(g, x, axis, keepdims) * _prod_others(x, axis)",),
     "as sum", "x̄ᵢ = g · ∏ⱼ≠ᵢ xⱼ (products before and after i: exact at zeros, never z / x)"),
    ("max", ("x",), _R, "np.max(x, axis=axis, keepdims=keepdims)",
     ("_choose_back(g, x, z, axis, keepdims)",),
     "as sum", "x̄ = g · [x = z] / #{x = z}: ties share g equally"),
    ("min", ("x",), _R, "np.min(x, axis=axis, keepdims=keepdims)",
     ("_choose_back(g, x, z, axis, keepdims)",),
     "as sum", "x̄ = g · [x = z] / #{x = z}: ties share g equally"),
    ("amax", ("x",), _R, "np.max(x, axis=axis, keepdims=keepdims)",
     ("_choose_back(g, x, z, axis, keepdims)",), "as max", "as max"),
    ("amin", ("x",), _R, "np.min(x, axis=axis, keepdims=keepdims)",
     ("_choose_back(g, x, z, axis, keepdims)",), "as min", "as min"),
    ("var", ("x",), {"axis": None, "ddof": 0, "keepdims": False}, "np.var(x, axis=axis, ddof=ddof, keepdims=keepdims)",
     ("_expand_reduced(g, x, axis, keepdims) * (x - np.mean(x, axis=axis, keepdims=True)) "
      "* (2.0 / (_count(x, axis) - ddof))",),
     "as sum", "x̄ = 2 g (x − mean) / (n − ddof)"),
    ("std", ("x",), {"axis": None, "ddof": 0, "keepdims": False}, "np.std(x, axis=axis, ddof=ddof, keepdims=keepdims)",
     ("_expand_reduced(g / np.where(z == 0, np.inf, z), x, axis, keepdims) "
      "* (x - np.mean(x, axis=axis, keepdims=True)) / (_count(x, axis) - ddof)",),
     "as sum", "x̄ = g (x − mean) / ((n − ddof) z); 0 where z = 0 (all entries equal)"),
    ("cumsum", ("x",), {"axis": None}, "np.cumsum(x, axis=axis)", ("_cumsum_back(g, x, axis)",),
     "x.shape (axis None: (x.size,), x flattened)", "x̄ = reversed cumsum of reversed g", True),
    ("diff", ("x",), {"n": 1, "axis": -1}, "np.diff(x, n=n, axis=axis)", ("_diff_back(g, x, n, axis)",),
     "x.shape with n fewer along axis (at least 0); x at least 1-D",
     "x̄ᵢ = gᵢ₋₁ − gᵢ (g padded with 0 at both ends), n times", True),
    ("trace", ("x",), {"offset": 0}, "np.trace(x, offset=offset)",
     ("_trace_back(g, x, offset)",),
     "x.shape[2:] (the diagonals of the first two axes summed)", "x̄ = g · I (the offset diagonal)", True),
    # ---- products
    ("dot", ("a", "b"), {}, "np.dot(a, b)", ("_dot_back(g, a, b, 0)", "_dot_back(g, a, b, 1)"),
     "a 0-D or b 0-D: a * b; else a.shape[:-1] + b.shape without its second-to-last axis (its only one if 1-D)",
     "ā = g · bᵀ, b̄ = aᵀ · g (tensordot over the other axes; 0-D: the product rule, summed)"),
    ("matmul", ("a", "b"), {}, "np.matmul(a, b)", ("_matmul_back(g, a, b, 0)", "_matmul_back(g, a, b, 1)"),
     "broadcast batch + (m, p) from a (..., m, k), b (..., k, p); a 1-D drops m, b 1-D drops p",
     "ā = g bᵀ, b̄ = aᵀ g, summed over broadcast batch axes"),
    ("inner", ("a", "b"), {}, "np.inner(a, b)", ("_inner_back(g, a, b, 0)", "_inner_back(g, a, b, 1)"),
     "a.shape[:-1] + b.shape[:-1] (a 0-D or b 0-D: a * b)", "ā = g · b, b̄ = gᵀ · a, over the last axes"),
    ("outer", ("a", "b"), {}, "np.outer(a, b)",
     ("np.reshape(np.matmul(g, np.reshape(b, (-1,))), np.shape(a))",
      "np.reshape(np.matmul(np.reshape(a, (-1,)), g), np.shape(b))"),
     "(a.size, b.size) (operands flattened)", "ā = g · b, b̄ = gᵀ · a (flattened, reshaped back)"),
    ("vdot", ("a", "b"), {}, "np.vdot(a, b)",
     ("g * np.reshape(b, np.shape(a))", "g * np.reshape(a, np.shape(b))"),
     "() from a, b of equal size (flattened; real operands)", "ā = g · b, b̄ = g · a"),
    ("einsum", ("a", "b"), {"subscripts": REQUIRED}, "np.einsum(subscripts, a, b)",
     ("_einsum_back(subscripts, 0, g, a, b)", "_einsum_back(subscripts, 1, g, a, b)"),
     "the output subscripts' sizes; explicit 'in,in->out', no ellipsis",
     "ā = einsum(out,b->a) of g with b, broadcast over a's own indices, on the diagonals of repeated ones"),
    ("einsum/1", ("a",), {"subscripts": REQUIRED}, "np.einsum(subscripts, a)",
     ("_einsum_back(subscripts, 0, g, a)",),
     "the output subscripts' sizes; explicit 'in->out' ('ii->', 'ij->j', 'ii->i'), no ellipsis",
     "ā = g broadcast to a's indices, on the diagonals of repeated ones", True),
    # ---- structure
    ("transpose", ("x",), {"axes": None}, "np.transpose(x, axes)",
     ("np.transpose(g, _inverse_axes(axes, np.ndim(x)))",),
     "x.shape permuted by axes (None: reversed; x.T is this)", "x̄ = g transposed by the inverse permutation",
     True),
    ("swapaxes", ("x",), {"axis1": REQUIRED, "axis2": REQUIRED}, "np.swapaxes(x, axis1, axis2)",
     ("np.swapaxes(g, axis1, axis2)",), "x.shape with the two axes exchanged", "x̄ = g with them exchanged back",
     True),
    ("moveaxis", ("x",), {"source": REQUIRED, "destination": REQUIRED}, "np.moveaxis(x, source, destination)",
     ("np.moveaxis(g, destination, source)",), "x.shape with source axes moved to destination",
     "x̄ = g with the axes moved back", True),
    ("flip", ("x",), {"axis": None}, "np.flip(x, axis=axis)", ("np.flip(g, axis=axis)",),
     "x.shape (reversed along axis; None: all)", "x̄ = g reversed alike", True),
    ("tril", ("x",), {"k": 0}, "np.tril(x, k)", ("np.tril(g, k)",), "x.shape (at least 2-D)",
     "x̄ = tril(g, k)", True),
    ("triu", ("x",), {"k": 0}, "np.triu(x, k)", ("np.triu(g, k)",), "x.shape (at least 2-D)",
     "x̄ = triu(g, k)", True),
    ("reshape", ("x",), {"shape": REQUIRED}, "np.reshape(x, shape)", ("np.reshape(g, np.shape(x))",),
     "shape (one -1 inferred)", "x̄ = g reshaped to x.shape", True),
    ("ravel", ("x",), {}, "np.reshape(x, (-1,))", ("np.reshape(g, np.shape(x))",),
     "(x.size,)", "x̄ = g reshaped to x.shape", True),
    ("squeeze", ("x",), {"axis": None}, "np.squeeze(x, axis=axis)", ("np.reshape(g, np.shape(x))",),
     "x.shape without the 1s named by axis (None: all 1s)", "x̄ = g reshaped to x.shape", True),
    ("expand_dims", ("x",), {"axis": REQUIRED}, "np.expand_dims(x, axis)", ("np.reshape(g, np.shape(x))",),
     "x.shape with 1s inserted at axis (int or tuple; x[None] is axis 0)", "x̄ = g reshaped to x.shape", True),
    ("broadcast_to", ("x",), {"shape": REQUIRED}, "np.broadcast_to(x, shape)", ("_unbroadcast(g, x)",),
     "shape", "x̄ = g summed over the axes broadcasting added or stretched", True),
    ("concatenate", ("xs",), {"axis": 0}, "np.concatenate(xs, axis=axis)", ("_split_like(g, xs, axis)",),
     "the xs joined along axis (None: flattened first)", "x̄ₖ = the k-th piece of g along axis", True),
    ("stack", ("xs",), {"axis": 0}, "np.stack(xs, axis=axis)", ("_unstack(g, axis)",),
     "xs[0].shape with len(xs) inserted at axis", "x̄ₖ = g[k] along axis", True),
    ("hstack", ("xs",), {}, "np.hstack(xs)", ("_split_like(g, xs, 0 if np.ndim(g) == 1 else 1, 1)",),
     "the xs (numbers as 1-D) joined along axis 1 (axis 0 if 1-D)", "x̄ₖ = the k-th piece of g", True),
    ("vstack", ("xs",), {}, "np.vstack(xs)", ("_split_like(g, xs, 0, 2)",),
     "the xs (as 2-D: (n,) is (1, n)) joined along axis 0", "x̄ₖ = the k-th piece of g", True),
    ("getitem", ("x",), {"index": REQUIRED}, "x[index]", ("_getitem_back(g, x, index)",),
     "x[index].shape (index: a tuple of ints, slices, None, integer or boolean arrays)",
     "x̄ = zeros with g added at index (np.add.at when an integer array may repeat)", True),
    ("setitem", ("x", "v"), {"index": REQUIRED}, "_setitem(x, index, v)",
     ("_setitem(g, index, 0.0)", "_unbroadcast(g[index], v)"),
     "x.shape (a new array; v broadcasts to x[index].shape; index must not repeat an entry)",
     "x̄ = g with zeros at index, v̄ = g[index] summed to v's shape", True),
    # ---- elementwise, beyond the scalar table (whose rows apply entrywise as ufuncs)
    ("add", ("x", "y"), {}, "np.add(x, y)", ("_unbroadcast(g, x)", "_unbroadcast(g, y)"),
     "x and y broadcast (x + y)", "x̄ = g, ȳ = g, each summed to its operand's shape", True),
    ("subtract", ("x", "y"), {}, "np.subtract(x, y)", ("_unbroadcast(g, x)", "_unbroadcast(-g, y)"),
     "x and y broadcast (x - y)", "x̄ = g, ȳ = −g, each summed to its operand's shape", True),
    ("multiply", ("x", "y"), {}, "np.multiply(x, y)", ("_unbroadcast(g * y, x)", "_unbroadcast(g * x, y)"),
     "x and y broadcast (x * y)", "x̄ = g y, ȳ = g x, each summed to its operand's shape"),
    ("divide", ("x", "y"), {}, "np.divide(x, y)", ("_unbroadcast(g / y, x)", "_unbroadcast(-g * z / y, y)"),
     "x and y broadcast (x / y)", "x̄ = g / y, ȳ = −g z / y, each summed to its operand's shape"),
    ("negative", ("x",), {}, "np.negative(x)", ("-g",), "x.shape (-x)", "x̄ = −g", True),
    ("square", ("x",), {}, "np.square(x)", ("g * 2.0 * x",), "x.shape", "x̄ = 2 x g"),
    ("reciprocal", ("x",), {}, "np.reciprocal(x)", ("-g * z * z",), "x.shape", "x̄ = −z² g"),
    ("abs", ("x",), {}, "np.abs(x)", ("g * np.copysign(1.0, x)",), "x.shape",
     "x̄ = g · copysign(1, x): at ±0 the scalar table's one-sided choice (+1 at 0.0, −1 at −0.0)"),
    ("absolute", ("x",), {}, "np.abs(x)", ("g * np.copysign(1.0, x)",), "as abs", "as abs"),
    ("maximum", ("a", "b"), {}, "np.maximum(a, b)",
     ("_unbroadcast(g * (a >= b), a)", "_unbroadcast(g * (a < b), b)"),
     "a and b broadcast", "ā = g [a ≥ b], b̄ = g [a < b]: a tie goes to a, as Python's max(a, b) returns a"),
    ("minimum", ("a", "b"), {}, "np.minimum(a, b)",
     ("_unbroadcast(g * (a <= b), a)", "_unbroadcast(g * (a > b), b)"),
     "a and b broadcast", "ā = g [a ≤ b], b̄ = g [a > b]: a tie goes to a, as Python's min(a, b) returns a"),
    ("clip", ("x",), {"a_min": None, "a_max": None}, "np.clip(x, a_min, a_max)",
     ("_unbroadcast(g * _clip_inside(x, a_min, a_max), x)",),
     "x broadcast with the bounds", "x̄ = g [a_min ≤ x ≤ a_max]: 1 on the closed interval, bounds included"),
    ("where", ("c", "a", "b"), {}, "np.where(c, a, b)",
     (None, "_unbroadcast(np.where(c, g, 0.0), a)", "_unbroadcast(np.where(c, 0.0, g), b)"),
     "c, a and b broadcast (c a boolean: no adjoint)", "ā = g where c, b̄ = g where not c"),
    ("sign", ("x",), {}, "np.sign(x)", (None,), "x.shape", "0 (piecewise constant)"),
    ("floor", ("x",), {}, "np.floor(x)", (None,), "x.shape", "0 (piecewise constant)"),
    ("ceil", ("x",), {}, "np.ceil(x)", (None,), "x.shape", "0 (piecewise constant)"),
    ("trunc", ("x",), {}, "np.trunc(x)", (None,), "x.shape", "0 (piecewise constant)"),
    ("rint", ("x",), {}, "np.rint(x)", (None,), "x.shape", "0 (piecewise constant)"),
    ("round", ("x",), {"decimals": 0}, "np.round(x, decimals)", (None,), "x.shape", "0 (piecewise constant)"),
    # ---- linear algebra: a square (n, n), or a stack (..., n, n) where numpy allows it
    ("linalg.solve", ("a", "b"), {}, "np.linalg.solve(a, b)",
     ("_solve_back_a(g, a, z)", "_unbroadcast(np.linalg.solve(np.swapaxes(a, -1, -2), g), b)"),
     "b.shape, from a (n, n) and b (n,) or (n, k), or stacks a (..., n, n) and b (..., n, k) (a 1-D b "
     "with a stacked a: NumPy 1 and 2 differ)", "b̄ = solve(aᵀ, g), ā = −b̄ zᵀ (no inverse)"),
    ("linalg.inv", ("a",), {}, "np.linalg.inv(a)",
     ("-np.matmul(np.matmul(np.swapaxes(z, -1, -2), g), np.swapaxes(z, -1, -2))",),
     "a.shape (..., n, n)", "ā = −zᵀ g zᵀ"),
    ("linalg.det", ("a",), {}, "np.linalg.det(a)", ("_det_back(g, a)",),
     "a.shape[:-2]", "ā = g · cofactor(a) (= g z a⁻ᵀ where a is invertible; from the SVD: exact when singular)"),
    ("linalg.slogdet", ("a",), {}, "np.linalg.slogdet(a)", ("_slogdet_back(g, a)",),
     "(sign, logabsdet), each a.shape[:-2]; g is logabsdet's adjoint", "ā = g a⁻ᵀ"),
    ("linalg.cholesky", ("a",), {}, "np.linalg.cholesky(a)", ("_cholesky_back(g, z)",),
     "a.shape (..., n, n), z lower triangular; numpy reads only a's lower triangle",
     "ā = tril(S + Sᵀ) − diag S, S = z⁻ᵀ Φ(zᵀ tril(g)) z⁻¹, Φ: lower triangle, diagonal halved "
     "(Murray 2016)"),
    ("linalg.norm", ("x",), {"ord": None, "axis": None, "keepdims": False},
     "np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)",
     ("_norm_back(g, x, z, ord, axis, keepdims)",),
     "as sum over axis (None: all of x for ord None; a 2-tuple: a matrix norm, 'fro' only)",
     "x̄ = g x / z (2-norm, Frobenius; 0 at x = 0), g sign(x) (ord 1), g sign(x) [|x| = z] / #ties (inf), "
     "g sign(x) (|x| / z)^(p−1) (p ≥ 1)"),
]

# Every NumPy name a template may use (checked at import; a test checks NumPy has each).
NUMPY_NAMES = frozenset({
    "abs", "add", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
    "broadcast_to", "ceil", "clip", "concatenate", "copysign", "cos", "cosh", "cumsum", "degrees",
    "diff", "divide", "dot", "e", "einsum", "exp", "expand_dims", "expm1", "eye", "fabs", "flip",
    "floor", "hstack", "hypot", "inf", "inner", "linalg.cholesky", "linalg.det", "linalg.inv",
    "linalg.norm", "linalg.slogdet", "linalg.solve", "log", "log10", "log1p", "log2", "matmul", "max",
    "maximum", "mean", "min", "minimum", "moveaxis", "multiply", "ndim", "negative", "outer", "pi",
    "power", "prod", "radians", "reciprocal", "reshape", "rint", "round", "shape", "sign", "sin",
    "sinh", "size", "sqrt", "square", "squeeze", "stack", "std", "subtract", "sum", "swapaxes", "tan",
    "tanh", "trace", "transpose", "tril", "triu", "trunc", "var", "vdot", "vstack", "where",
})


def _check_rule(key: str, rule: ArrayRule) -> None:
    where = f"array rule {key}"
    placeholders = set(rule.params) | set(rule.options)
    if len(placeholders) != len(rule.params) + len(rule.options):
        raise ValueError(f"{where}: a name is both a param and an option")
    for name in placeholders:
        if keyword.iskeyword(name) or name in ("g", "z", "np") or name.startswith("_"):
            raise ValueError(f"{where}: {name!r} cannot be a placeholder")
    if len(rule.vjps) != len(rule.params):
        raise ValueError(f"{where}: one VJP per param ({len(rule.params)}), got {len(rule.vjps)}")
    if "xs" in rule.params and rule.params != ("xs",):
        raise ValueError(f"{where}: a tuple operand xs is the only param")
    check_template(rule.forward, placeholders, NUMPY_NAMES, where)
    for vjp in rule.vjps:
        if vjp is not None:
            check_template(vjp, placeholders | {"g", "z"}, NUMPY_NAMES, where)


def add_rule(key: str, rule: ArrayRule, identity: str = "") -> ArrayRule:
    """Add (or replace) the row `key`; a bad template raises ValueError and changes nothing."""
    _check_rule(key, rule)
    ARRAY_RULES[key] = rule
    IDENTITIES[key] = identity
    return rule


# The scalar table's rows apply entrywise as NumPy ufuncs. Some ufuncs have other names (the Array API's
# asin ... pow are NumPy >= 2 only: those keys are rows too, spelled the old way); NumPy has no erf.
_UFUNC_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh",
                "acosh": "arccosh", "atanh": "arctanh", "atan2": "arctan2", "pow": "power"}
_NO_UFUNC = {"abs", "erf", "erfc"}  # abs is a row of the sheet


class _OverNumpy(ast.NodeTransformer):
    """A scalar-table partial over NumPy: cos(x) -> np.cos(x), pi -> np.pi."""

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in RULES or node.id in ("pi", "e"):
            return ast.Attribute(ast.Name("np", ast.Load()), _UFUNC_NAMES.get(node.id, node.id), ast.Load())
        return ast.Constant(CONSTANTS[node.id]) if node.id in CONSTANTS else node  # tau: NumPy has none


def _ufunc_rows() -> list[tuple]:
    """Rows for the scalar table as ufuncs: x̄ = g times the partial, summed to x's shape (broadcast)."""
    rows = []
    g = ast.Name("g", ast.Load())
    for key, rule in RULES.items():
        if "." in key or key in _NO_UFUNC:
            continue
        params = ("x", "y")[: rule.arity]
        vjps, identity = [], []
        for partial, param in zip(rule.partials, params):
            if partial is None:
                vjps.append(None)
                continue
            text = ast.unparse(ast.BinOp(g, ast.Mult(), _OverNumpy().visit(copy.deepcopy(partial))))
            vjps.append(text if rule.arity == 1 else f"_unbroadcast({text}, {param})")
            identity.append(f"{param}̄ = g · {ast.unparse(partial)}")
        forward = f"np.{_UFUNC_NAMES.get(key, key)}({', '.join(params)})"
        shape = "x.shape" if rule.arity == 1 else "x and y broadcast"
        rows += [(name, params, {}, forward, tuple(vjps), shape, ", ".join(identity) + " (the scalar table)")
                 for name in dict.fromkeys((_UFUNC_NAMES.get(key, key), key))]
    for key, factor in LINEAR.items():
        rows.append((key, ("x",), {}, f"np.{key}(x)", (f"g * {factor!r}",), "x.shape", f"x̄ = {factor!r} g", True))
    return rows


def _load_table() -> None:
    for key, params, options, forward, vjps, shape, identity, *linear in _TABLE + _ufunc_rows():
        rule = ArrayRule(key.split("/")[0], params, dict(options), forward, vjps, shape, bool(linear and linear[0]))
        add_rule(key, rule, identity)


_load_table()


# Python's spellings of rows: operators on arrays (ast class names), ndarray methods (x.sum(axis=1) is
# np.sum(x, axis=1); x.reshape(3, 4) and x.transpose(1, 0) also take their shape or axes unpacked) and
# attributes (x.T)
OPERATORS: dict[str, str] = {"Add": "add", "Sub": "subtract", "Mult": "multiply", "Div": "divide",
                             "Pow": "power", "MatMult": "matmul", "USub": "negative"}
METHODS: dict[str, str] = {name: name for name in (
    "sum", "mean", "prod", "max", "min", "var", "std", "cumsum", "trace", "dot", "clip", "round", "reshape",
    "ravel", "squeeze", "transpose", "swapaxes")} | {"flatten": "ravel"}
ATTRIBUTES: dict[str, str] = {"T": "transpose"}


def find_rule(name: str, nargs: int) -> ArrayRule | None:
    """The row for np.<name> called with `nargs` operands (variadic rows take one tuple), or None."""
    for rule in ARRAY_RULES.values():
        if rule.name == name and (len(rule.params) == nargs or rule.variadic):
            return rule
    return None


def reads(rule: ArrayRule, i: int) -> frozenset[str]:
    """The placeholders among the params and z whose values the i-th VJP reads (beyond their shapes):
    what must be kept for the reverse sweep."""
    text = rule.vjps[i]
    if text is None or rule.linear:
        return frozenset()
    return value_reads(text, set(rule.params) | {"z"})


def validate_options(key: str, options: dict[str, object]) -> str | None:
    """Why these option values (the call's, constants) are outside what row `key` differentiates, or None."""
    rule = ARRAY_RULES[key]
    for name in options:
        if name not in rule.options:
            return f"{rule.name} has no option {name!r} here (options: {', '.join(rule.options) or 'none'})"
    given = {**rule.options, **options}
    for name, value in given.items():
        if value is REQUIRED:
            return f"{rule.name} needs {name}= (a constant)"
    if rule.name == "einsum":
        s = given["subscripts"]
        if not isinstance(s, str) or "->" not in s or "." in s:
            return "einsum needs explicit subscripts with '->' and no ellipsis, like 'ij,jk->ik'"
        if len(s.split("->")[0].split(",")) != len(rule.params):
            return f"einsum subscripts {s!r} name {len(s.split('->')[0].split(','))} operand(s), not {len(rule.params)}"
    if rule.name == "linalg.norm":
        ord_, axis = given["ord"], given["axis"]
        if ord_ == "nuc" or (isinstance(axis, tuple) and len(axis) == 2 and ord_ not in (None, "fro")):
            return f"the adjoint of the matrix norm ord={ord_!r} is not supported (None or 'fro' is)"
        if isinstance(ord_, (int, float)) and ord_ not in (0, -math.inf) and ord_ < 1:
            return f"the adjoint of norm ord={ord_!r} is supported for ord >= 1, 0 and ±inf"
    if rule.name == "clip" and given["a_min"] is None and given["a_max"] is None:
        return "clip needs a_min or a_max (NumPy < 2.1 requires one)"
    if rule.name == "diff" and not (isinstance(given["n"], int) and given["n"] >= 0):
        return "diff needs n, a constant int >= 0"
    return None


def table_markdown() -> str:
    """The sheet as a Markdown table: function (options and defaults) | VJP identity | shape rule."""
    lines = ["| function | VJP identity | shape rule |", "|---|---|---|"]
    for key, rule in ARRAY_RULES.items():
        options = ", ".join(k if v is REQUIRED else f"{k}={v!r}" for k, v in rule.options.items())
        call = {"getitem": "`x[index]`", "setitem": "`x[index] = v`"}.get(key, f"`np.{rule.name}`")
        if len(rule.params) == 1 and find_rule(rule.name, 2) not in (None, rule):
            call += " of one operand"
        cells = [call + (f" ({options})" if options else ""), IDENTITIES[key], rule.shape]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


__all__ = ["ARRAY_RULES", "ATTRIBUTES", "IDENTITIES", "METHODS", "NUMPY_NAMES", "OPERATORS", "ArrayRule", "HELPERS", "REQUIRED", "TUPLE_RESULTS",
           "add_rule", "find_rule", "helpers_used", "instantiate", "option_literal", "reads", "table_markdown",
           "validate_options"]

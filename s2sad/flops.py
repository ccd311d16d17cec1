"""The flop certificate of an array program: f's flops and a bound on value_and_grad's, in its sizes.

Guarantees: `flop_bound(gradient)` gives, for an array program, f's flops as a sum over the ops of
its trace in the symbolic sizes of their arrays, and a bound of the same form on the flops of
value_and_grad that holds for every size: every op's adjoint costs at most `ratio` times the op
(its row's cost below), plus, for ops that cost nothing themselves (views, reads of parts of an
array), the entries their adjoints add back (`extra`). Loops multiply their body by a trip count
(`T31`: the loop at line 31); both arms of a branch are counted (an upper bound on either path).

What counts as a flop: one per entry for each arithmetic operation or function applied (a
comparison and a sum of broadcast axes too), one per entry a reduction reads, 2mkp for a product
of (m, k) and (k, p) arrays (written 2[W @ h]: [a @ b] is m*k*p), the LAPACK counts for linalg
([solve(A, b)]). Creating arrays (zeros, copies) and views (indexing by slices, reshape, transpose)
cost none: they move memory, not arithmetic.

Before: `z = np.sum(x * x)`.  After: f = 2|x|; value_and_grad <= 2|x| + 4|x| (x_bar = 2 * x * g).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import pyast
from .array_code import array_text
from .trace import ArrayOp, If, Loop, Op, Sum, Var

BOUND = 5  # the lecture's bound on (value and gradient) / (value)

REDUCTIONS = {"sum": 1, "mean": 1, "max": 1, "min": 1, "amax": 1, "amin": 1, "prod": 1, "cumsum": 1, "diff": 1,
              "builtin_sum": 1, "var": 3, "std": 3, "linalg.norm": 2}
# flops of a reduction's adjoint per entry of x: put back over the axes (a view), scaled, accumulated
REDUCTION_ADJOINTS = {"sum": 1, "builtin_sum": 1, "mean": 2, "cumsum": 2, "diff": 2, "max": 5, "min": 5, "amax": 5,
                      "amin": 5, "prod": 8, "var": 5, "std": 6, "linalg.norm": 3}
PRODUCTS = {"matmul", "dot", "inner", "vdot", "einsum", "einsum/1", "einsum_n", "outer"}
# a product's adjoint, per operand: one product of the same size, and its accumulation (|a| <= [a @ b])
# linalg: adjoint / forward flops (the textbook LAPACK counts of the helpers' calls), and the entries of
# the matrix its scaling and accumulation touch. solve: one more solve and a product; inv: two products;
# det: an SVD (21n^3), two dets and a product (2n^3) over (2/3)n^3; slogdet: an inverse; cholesky: a
# product and two triangular solves with n right-hand sides over n^3/3.
LAPACK = {"linalg.solve": (3, 2), "linalg.inv": (2, 2), "linalg.det": (37, 3), "linalg.slogdet": (3, 2),
          "linalg.cholesky": (22, 6)}
# ops that cost no flops; their adjoints add |result| (scatter, split) and accumulate |operand|
VIEWS = {"getitem", "reshape", "ravel", "squeeze", "expand_dims", "transpose", "swapaxes", "moveaxis", "flip",
         "broadcast_to", "concatenate", "stack", "hstack", "vstack", "asarray", "array_copy", "copy", "array",
         "scalar", "setitem", "positive"}


@dataclass
class FlopBound:
    """f's flops and value_and_grad's bound, as sums of symbolic sizes (symbol -> coefficient)."""

    f: dict[str, float] = field(default_factory=dict)
    adjoint: dict[str, float] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)  # adjoints of ops that cost no flops themselves
    ratio: float = 1.0  # the largest (op + its adjoint) / op over the ops that cost flops
    legend: dict[str, str] = field(default_factory=dict)  # size symbol -> what it is the size of

    def lines(self, width: int = 97) -> list[str]:
        total = _add(_add(dict(self.f), self.adjoint), self.extra)
        verdict = "within" if self.ratio <= BOUND else "above"
        extra = f" + {_text(self.extra)}" if self.extra else ""
        out = [
            "The op counts above count an array operation as one op, whatever its size. Flops (one per",
            "entry for each arithmetic operation or function applied, one per entry a reduction reads,",
            "2[a @ b] = 2mkp for a (m, k) @ (k, p) product; views and new arrays cost none), in the sizes",
            "|v| of the arrays (Tn: the trip count of the loop at line n; both arms of a branch counted):",
        ]
        out += _wrapped("  f:               ", _text(self.f) or "0", width)
        out += _wrapped("  value_and_grad:  ", f"at most {_text(total) or '0'}", width)
        out += _wrapped("  for all sizes:   ", f"value_and_grad <= {self.ratio:.2f} x f{extra}, {verdict} the "
                        f"lecture's bound of {BOUND}", width)
        used = " ".join((*self.f, *self.adjoint, *self.extra))
        for symbol, what in self.legend.items():
            if symbol in used:
                out += _wrapped(f"  {symbol}: ", what, width)
        return out


def _wrapped(label: str, text: str, width: int) -> list[str]:
    """label + text, broken at spaces into lines of at most `width`, continued under the text."""
    out: list[str] = []
    line = label
    for word in _words(text):
        if len(line) + len(word) + 1 > width and line.strip():
            out.append(line.rstrip())
            line = " " * len(label)
        line += word + " "
    if line.strip():
        out.append(line.rstrip())
    return out


def _words(text: str) -> list[str]:
    """The text split at its spaces outside brackets: `[solve(A, b)]` stays one word."""
    words, depth, word = [], 0, ""
    for c in text:
        depth += (c in "([") - (c in ")]")
        if c == " " and depth == 0:
            words.append(word)
            word = ""
        else:
            word += c
    return words + [word]


def flop_bound(g) -> FlopBound:  # g: reverse.Gradient
    """The flop certificate of the gradient `g` of an array program."""
    out = FlopBound()
    _block(g.trace.body, (), g, g.act, g.shapes, out)
    return out


def _block(block, trips: tuple[str, ...], g, act: set, shapes, out: FlopBound) -> None:
    for item in block:
        if isinstance(item, Op) and isinstance(item.expr, ArrayOp):
            _op(item, trips, g, act, shapes, out)
        elif isinstance(item, Op) and isinstance(item.expr, Sum) and item.out.kind == "array":
            # the builtin sum of a list of arrays: its additions; its adjoint adds g to each item's
            symbol = f"[sum({g.names.primal[item.expr.lst]})]"
            _put(out.f, trips, symbol, 1)
            if item.out in act:
                _put(out.adjoint, trips, symbol, 1)
                _put(out.extra, trips, _size(item.out, g, shapes, out), 1)
        elif isinstance(item, If):
            _block(item.body, trips, g, act, shapes, out)
            _block(item.orelse, trips, g, act, shapes, out)
        elif isinstance(item, Loop):
            _block(item.body, trips + (f"T{item.line}",), g, act, shapes, out)


def _op(op: Op, trips: tuple[str, ...], g, act: set, shapes, out: FlopBound) -> None:
    from .array_rules import ARRAY_RULES
    from .reverse.arrays import elementwise_partial
    from .reverse.shapes import broadcasts, is_elementwise

    e: ArrayOp = op.expr  # type: ignore[assignment]
    active_args = [i for i, a in enumerate(e.args) if isinstance(a, Var) and a in act] if op.out in act else []
    z = _size(op.out, g, shapes, out)
    first = e.args[0] if e.args and isinstance(e.args[0], Var) else None
    x = _size(first, g, shapes, out) if first is not None and first.kind == "array" else "1"
    if e.fn == "trace":  # the diagonal's sum; its adjoint puts g on the diagonal of zeros: |x| products
        _put(out.f, trips, f"[{array_text(e, [_name(a, g) for a in e.args])}]", 1)
        if active_args:
            _put(out.extra, trips, x, 2)
        return
    if e.fn in VIEWS:
        if active_args:
            _put(out.extra, trips, z, 1)  # the scatter or split of the adjoint
            for i in active_args:
                a = e.args[i]
                _put(out.extra, trips, _size(a, g, shapes, out) if a.kind == "array" else "1", 1)  # type: ignore
        return
    if is_elementwise(e.fn) or broadcasts(e) or e.fn in ("tril", "triu"):
        measure, cost = z, 1.0
        adjoint = 0.0
        for i in active_args:
            d = elementwise_partial(op, i, g.names) if is_elementwise(e.fn) else None
            if d is not None:
                # g times each factor (and the constant), summed over broadcast axes, accumulated
                ops = sum(pyast.count_ops(f) + 1 for f in (*d.num, *d.den)) + (d.coef not in (1, -1)) + 1
                ops += not shapes.same(e.args[i], op.out)  # type: ignore[arg-type]
            else:  # a sheet row: the operators and calls of its template, and the accumulation
                rule = ARRAY_RULES.get(e.fn)
                template = rule.vjps[min(i, len(rule.vjps) - 1)] if rule is not None else None
                ops = pyast.count_ops(pyast.template(template)) + 1 if template else 0
            adjoint += ops
    elif e.fn in REDUCTIONS:
        n = e.option.get("n", 1) if e.fn == "diff" else 1
        measure, cost = x, float(REDUCTIONS[e.fn] * (n if isinstance(n, int) else 1))
        adjoint = float(REDUCTION_ADJOINTS[e.fn] * (n if isinstance(n, int) else 1)) if active_args else 0.0
    elif e.fn in PRODUCTS:
        measure, cost = _product(op, g), 2.0 if e.fn != "outer" else 1.0
        adjoint = (cost + 1) * len(active_args)
    elif e.fn in LAPACK:
        measure, cost = f"[{array_text(e, [_name(a, g) for a in e.args])}]", 1.0
        ratio, touched = LAPACK[e.fn]
        adjoint = float(ratio) if active_args else 0.0
        for i in active_args:
            _put(out.extra, trips, _size(e.args[i], g, shapes, out), touched)  # type: ignore[arg-type]
    else:  # a row without a cost of its own: counted as an op of its first operand's size
        measure, cost, adjoint = x, 1.0, 4.0 * len(active_args)
    _put(out.f, trips, measure, cost)
    if adjoint:
        _put(out.adjoint, trips, measure, adjoint)
        out.ratio = max(out.ratio, (cost + adjoint) / cost)


def _product(op: Op, g) -> str:
    e: ArrayOp = op.expr  # type: ignore[assignment]
    return f"[{array_text(e, [_name(a, g) for a in e.args])}]"


def _name(a: object, g) -> str:
    return g.names.primal[a] if isinstance(a, Var) else repr(a)


def _size(v: Var, g, shapes, out: FlopBound) -> str:
    """The size symbol of v: of its shape's representative, as the source or the listing writes it."""
    rep = shapes.of(v)
    name = g.names.primal.get(rep, "?")
    if rep in g.trace.params:
        return f"|{name}|"
    symbol = f"|{name}|"
    if symbol not in out.legend:
        text = _listing(rep, g)
        if text is not None:
            out.legend[symbol] = text
    return symbol


def _listing(v: Var, g) -> str | None:
    from .trace import walk

    for item in walk(g.trace.body):
        if isinstance(item, Op) and item.out is v and isinstance(item.expr, ArrayOp):
            args = [_name(a, g) for a in item.expr.args]
            return f"{array_text(item.expr, args)} (line {item.line})"
    return None


def _put(poly: dict[str, float], trips: tuple[str, ...], symbol: str, coef: float) -> None:
    key = "·".join(trips + (symbol,)) if symbol != "1" or not trips else "·".join(trips)
    poly[key] = poly.get(key, 0.0) + coef


def _add(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    for k, v in b.items():
        a[k] = a.get(k, 0.0) + v
    return a


def _text(poly: dict[str, float]) -> str:
    parts = []
    for symbol, coef in poly.items():
        c = f"{coef:g}"
        parts.append(symbol if c == "1" else f"{c}{symbol}" if not symbol[0].isdigit() else f"{c}·{symbol}")
    return " + ".join(parts)


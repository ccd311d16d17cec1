"""Random NumPy array programs, every supported construct composed with every other.

`program(seed, size)` returns `(text, args)`: the text of a module (`import
numpy as np`, sometimes a data table `DATA = np.array([...])`) defining
`f(x, W, a, ...)` that returns a scalar, and the arguments to check it at. The
same seed always gives the same text and the same arguments.

Every value the program makes has a shape the generator knows (it builds each
expression for a shape it wants), so every program runs: elementwise operators
and ufuncs broadcast operands of shapes (), (n,), (1, n), (m, 1), (m, n) into
one another; reductions (np.sum/mean/prod/max/min and the method forms, axis
None / int / negative / tuple, keepdims, full reductions keeping every axis,
builtin sum), products (@, np.dot, np.outer, np.einsum, np.trace of a matrix
and of a stack), lists of arrays summed by the builtin sum, structure (.T, np.transpose, reshape, ravel,
np.concatenate, np.stack, expand_dims, squeeze, None), indexing (integers,
slices with steps and negative bounds, several axes), creation used as
constants, np.array of scalars, local arrays updated in place (inside loops
and branches too), loops `for t in range(k)` carrying arrays and scalars with
break, branches on reductions, conditional expressions, np.where / maximum /
minimum / clip (a bound per entry of the last axis too), and np.linalg norm / solve / inv / det of well-conditioned
matrices (M @ M.T + p I with M = np.tanh(...)).

Values stay bounded (tanh before powers and exponentials, bounded increments
in loops) and in their functions' domains (logs and square roots of 1 + e**2,
divisions by 2 + cos(e)). Kinks and ties (abs, max, where, branches) are left
to chance at random points; the checker skips a program whose oracle sees one.

NumPy arrays alias: a slice, `.T` or reshape of a local array is a view of
it, and an in-place update of the array changes the view. The generator
tracks which names may share memory and updates in place only arrays that own
theirs and that no live view reads, unless `aliasing=True` asks for programs
that read a view after its base changed.
"""

from __future__ import annotations

import ast
import itertools
import re
import random

Shape = tuple

UNARY = [
    "np.sin({})", "np.cos({})", "np.tanh({})", "np.exp(np.tanh({}))", "np.log(1.5 + np.sin({}))",
    "np.log(1 + ({0}) ** 2)", "np.sqrt(1 + np.square({}))", "np.sqrt(0.5 + ({0}) * ({0}))", "np.abs({})",
    "np.square({})", "np.reciprocal(2 + np.cos({}))", "-({})", "({}) ** 2", "np.tanh({}) ** 3",
    "(1.5 + np.tanh({})) ** 2.5", "1.5 ** np.tanh({})", "np.arctan2({}, 1.5)", "np.clip({}, -0.5, 0.5)",
    "+({})", "np.exp(-np.square({}))",
]
BINARY = [
    "({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (2 + np.cos({}))", "({}) / (1 + ({}) ** 2)",
    "(2 + np.sin({})) ** np.tanh({})", "np.arctan2({}, 1.5 + np.square({}))", "np.arctan2({}, {})",
    "np.hypot({}, 0.5 + np.abs({}))", "np.hypot({}, {})", "np.maximum({}, {})", "np.minimum({}, {})",
    "np.where(({}) > 0.1, {}, {})", "({}) * 2.0 - ({}) / 4",
]
# constructs that can be left out (`avoid`): each is a known failure class pinned by a regression file
FEATURES = {
    "axis_none": "axis=None written out in a reduction",
    "np_reshape_tuple": "np.reshape(a, (p, q)): the shape as a tuple argument",
    "store_into_rebound_parameter": "x = x.copy() (or another new array), then x[i] = ...",
    "early_return": "if ...: return ... after arrays were computed",
    "array_overwritten_in_loop": "an array made before a loop bound anew in it without reading itself",
    "list_parameter": "a list-of-floats parameter xs read as np.array(xs) / np.asarray(xs)",
    "where_of_scalars": "np.where(c, a, b) of scalars (a 0-d array)",
    "data_table_method": "a method or attribute of the data table itself (DATA.sum(), DATA.T)",
    "singular_partials": "np.arctan2(e1, e2) and np.hypot(e1, e2) of values that may both be an exact 0",
}
_SINGULAR = ("np.arctan2({}, {})", "np.hypot({}, {})")
SCALARS = ["0.5", "1.5", "-0.75", "2.0", "0.25", "np.pi / 4", "3"]


def broadcast(s: Shape, t: Shape) -> Shape | None:
    """NumPy's broadcast of two shapes, or None."""
    out = []
    for i in range(1, max(len(s), len(t)) + 1):
        p = s[-i] if i <= len(s) else 1
        q = t[-i] if i <= len(t) else 1
        if p != q and 1 not in (p, q):
            return None
        out.append(max(p, q) if 1 in (p, q) else p)
    return tuple(reversed(out))


def into(s: Shape) -> list[Shape]:
    """The shapes that broadcast into s without changing it (s included)."""
    found = []
    for k in range(len(s) + 1):
        tail = s[len(s) - k:]
        for mask in itertools.product([False, True], repeat=k):
            t = tuple(1 if ones else d for d, ones in zip(tail, mask))
            if t not in found:
                found.append(t)
    return found


def slice_length(q: int, sl: tuple) -> int:
    return len(range(q)[slice(*sl)])


def slice_text(sl: tuple) -> str:
    start, stop, step = sl
    text = f"{'' if start is None else start}:{'' if stop is None else stop}"
    return text + (f":{step}" if step is not None else "")


def _slices(q: int) -> list[tuple]:
    bounds = [None, 0, 1, 2, -1, -2, -q, q]
    return [(a, b, c) for a in bounds for b in bounds for c in (None, 1, 2, -1, -2)]


_VIEWS = {"reshape", "ravel", "squeeze", "transpose", "expand_dims", "asarray"}


def view_roots(text: str) -> set[str]:
    """The names whose memory the value of expression `text` may share (NumPy views)."""
    def roots(node: ast.expr) -> set[str]:
        if isinstance(node, ast.Name):
            return {node.id}
        if isinstance(node, ast.Attribute) and node.attr == "T":
            return roots(node.value)
        if isinstance(node, ast.Subscript):
            return roots(node.value)
        if isinstance(node, ast.IfExp):
            return roots(node.body) | roots(node.orelse)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _VIEWS:
            if isinstance(node.func.value, ast.Name) and node.func.value.id == "np":
                return roots(node.args[0]) if node.args else set()
            return roots(node.func.value)
        return set()

    return roots(ast.parse(text, mode="eval").body)


class _Scope:
    """The names readable at a point (name -> shape), the loop counters, and where the point is."""

    def __init__(self, names: dict, counters: list, depth: int, in_loop: bool, carried: frozenset = frozenset()):
        self.names, self.counters, self.depth, self.in_loop = dict(names), list(counters), depth, in_loop
        self.carried = carried  # the names defined before the innermost loop around the point

    def inner(self, counter: str | None = None) -> "_Scope":
        carried = self.carried | set(self.names) if counter else self.carried
        return _Scope(self.names, self.counters + ([counter] if counter else []), self.depth + 1,
                      self.in_loop or counter is not None, frozenset(carried))


class ArrayGenerator:
    def __init__(self, seed: int, size: int = 6, aliasing: bool = False, avoid: frozenset = frozenset()):
        self.rng = random.Random(seed)
        self.avoid = avoid
        self.size, self.aliasing = size, aliasing
        self.m, self.n = self.rng.choice([2, 3]), self.rng.choice([2, 3, 4])
        self.names = 0
        self.pending: list[str] = []  # statements the expression being generated needs before it
        self.roots: dict[str, set[str]] = {}  # name -> the names whose memory it may share
        self.params: dict[str, Shape] = {}
        self.data: Shape | None = None
        self.returned_early = False  # after `if ...: return`, the rest is not the top level

    def pick(self, options):
        return self.rng.choice(options)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def fresh(self, prefix: str = "v") -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def size_of(self) -> int:
        return self.pick([1, 2, 3, self.m, self.n])

    # --- expressions of a given shape ---------------------------------------------------------------

    def expr(self, scope: _Scope, s: Shape, depth: int = 2) -> str:
        if depth <= 0 or self.chance(0.2):
            return self.leaf(scope, s)
        r = self.rng.random()
        if r < 0.2:
            bound = tuple(round(-0.5 + 0.2 * i, 1) for i in range(s[-1])) if s else ()
            extra = ["({}).clip(-0.75, 0.25)", f"np.cumsum({{}}, axis={self.rng.randrange(len(s))})",
                     "np.power(1.5 + np.tanh({}), 1.5)",  # a float has no methods
                     f"np.clip({{}}, {bound!r}, 0.6)"] if s else []  # a bound per entry of the last axis
            unary = self.pick(UNARY + extra)
            return unary.format(self.expr(scope, s, depth - 1))
        if r < 0.45:
            return self.binary(scope, s, depth)
        if r < 0.5:
            return f"({self.expr(scope, s, depth - 1)} if {self.condition(scope)} else {self.expr(scope, s, depth - 1)})"
        makers = [self.reduction, self.product, self.structure, self.indexing]
        self.rng.shuffle(makers)
        for make in makers:
            text = make(scope, s, depth - 1)
            if text is not None:
                return text
        return self.leaf(scope, s)

    def binary(self, scope: _Scope, s: Shape, depth: int) -> str:
        template = self.pick(BINARY)
        while (s == () and "np.where" in template and "where_of_scalars" in self.avoid) \
                or (template in _SINGULAR and "singular_partials" in self.avoid):
            template = self.pick(BINARY)
        k = template.count("{}")
        shapes = [self.pick(into(s)) for _ in range(k)]
        total: Shape | None = ()
        for t in shapes:
            total = broadcast(total, t)
        if total != s:
            shapes[self.rng.randrange(k)] = s
        return template.format(*[self.expr(scope, t, depth - 1) for t in shapes])

    def leaf(self, scope: _Scope, s: Shape) -> str:
        named = [name for name, shape in scope.names.items() if shape == s]
        scalars = [name for name, shape in scope.names.items() if shape == ()]
        if named and self.chance(0.7):
            return self.pick(named)
        if s == ():
            return self.pick(SCALARS + [f"(0.5 * {c})" for c in scope.counters])
        if scalars and self.chance(0.5):  # an active array that no name of this shape need hold
            return f"{self.pick(scalars)} * np.ones({_shape_text(s)})"
        size = _size(s)
        options = [f"np.ones({_shape_text(s)})", f"np.full({s!r}, 0.5)",
                   f"np.linspace(-1.0, 1.5, {size}).reshape({s!r})" if len(s) > 1 else f"np.linspace(-1.0, 1.5, {size})",
                   f"0.25 * np.arange({size}).reshape({s!r})" if len(s) > 1 else f"np.arange({size}) * 0.25"]
        options += [f"np.zeros_like({name})" for name in named[:1]]
        if len(s) == 2 and s[0] == s[1]:
            options.append(f"np.eye({s[0]})")
        if self.data == s:
            options += ["DATA"] * 3
        return self.pick(options)

    def condition(self, scope: _Scope) -> str:
        t = self.pick([(), (self.n,), (self.m, self.n), (self.m,)])
        e = self.expr(scope, t, 1)
        value = e if t == () else f"{self.pick(['np.sum', 'np.mean', 'np.max', 'np.min'])}({e})"
        return f"{value} {self.pick(['>', '<', '>=', '<='])} {self.pick(['0', '0.1', '-0.2', '0.5'])}"

    def reduction(self, scope: _Scope, s: Shape, depth: int) -> str | None:
        op = self.pick(["sum", "sum", "mean", "max", "min", "prod"])
        if s == ():
            t = self.pick([(self.n,), (self.m, self.n), (self.m,), (1, self.n), (self.m, 1), (2, self.m, 2)])
            axis = self.pick([None, None, tuple(range(len(t)))] + ([0, -1] if len(t) == 1 else []))
            keepdims = False
        elif s and all(d == 1 for d in s) and self.chance(0.3):  # a full reduction that keeps every axis
            t = tuple(self.size_of() for _ in s)
            axis, keepdims = None, True
        elif len(s) < 3 and self.chance(0.3) and 1 in s:  # keepdims: the reduced axis stays as a 1
            i = s.index(1)
            t = s[:i] + (self.size_of(),) + s[i + 1:]
            axis, keepdims = self.pick([i, i - len(t)]), True
        elif len(s) == 1 and self.chance(0.3):  # two axes at once
            q, r = self.size_of(), self.size_of()
            t, axis = self.pick([((q, r) + s, (0, 1)), ((q,) + s + (r,), (0, 2)), (s + (q, r), (-1, -2))])
            keepdims = False
        elif len(s) < 3:
            i = self.rng.randint(0, len(s))
            t = s[:i] + (self.size_of(),) + s[i:]
            axis, keepdims = self.pick([i, i - len(t)]), False
            if i == 0 and self.chance(0.3):
                return f"sum({self.expr(scope, t, depth)})"  # builtin sum: over the first axis
        else:
            return None
        e = self.expr(scope, t, depth)
        if op == "prod":
            e = f"np.cos({e})"  # a bounded product
        explicit = axis is not None or ("axis_none" not in self.avoid and self.chance(0.3) and not keepdims)
        options = [f"axis={axis!r}"] if explicit else []
        options += ["keepdims=True"] if keepdims else (["keepdims=False"] if self.chance(0.1) else [])
        if self.chance(0.35):
            return f"({e}).{op}({', '.join(options)})"
        return f"np.{op}({', '.join([e] + options)})"

    def spd(self, scope: _Scope, p: int) -> str:
        """A well-conditioned symmetric positive definite p x p matrix (eigenvalues in [p, p + p q])."""
        name = self.fresh("M")
        self.pending.append(f"{name} = np.tanh({self.expr(scope, (p, self.size_of()), 1)})")
        self.roots[name] = set()
        return f"({name} @ {name}.T + {p} * np.eye({p}))"

    def product(self, scope: _Scope, s: Shape, depth: int) -> str | None:
        q = self.size_of()
        if s == ():
            t = self.pick([(q,), (self.m, self.n)])
            choices = [
                lambda: f"({self.expr(scope, (q,), depth)}) @ ({self.expr(scope, (q,), depth)})",
                lambda: f"np.dot({self.expr(scope, (q,), depth)}, {self.expr(scope, (q,), depth)})",
                lambda: f"np.einsum('i,i->', {self.expr(scope, (q,), depth)}, {self.expr(scope, (q,), depth)})",
                lambda: f"np.einsum('ij,ij->', {self.expr(scope, (self.m, q), depth)}, {self.expr(scope, (self.m, q), depth)})",
                lambda: f"np.linalg.norm({self.expr(scope, t, depth)})",
                lambda: f"np.linalg.det({self.spd(scope, self.pick([1, 2, 3]))})",
                lambda: f"np.inner({self.expr(scope, (q,), depth)}, {self.expr(scope, (q,), depth)})",
                lambda: f"np.vdot({self.expr(scope, (self.m, q), depth)}, {self.expr(scope, (self.m, q), depth)})",
                lambda: f"np.trace({self.expr(scope, (q, q), depth)})",
            ]
        elif len(s) == 1:
            p = s[0]
            choices = [
                lambda: f"np.trace({self.expr(scope, (q, q, p), depth)})",  # of a stack: one trace per p
                lambda: f"({self.expr(scope, (p, q), depth)}) @ ({self.expr(scope, (q,), depth)})",
                lambda: f"({self.expr(scope, (q,), depth)}) @ ({self.expr(scope, (q, p), depth)})",
                lambda: f"np.dot({self.expr(scope, (p, q), depth)}, {self.expr(scope, (q,), depth)})",
                lambda: f"np.einsum('ij,j->i', {self.expr(scope, (p, q), depth)}, {self.expr(scope, (q,), depth)})",
                lambda: f"np.matmul({self.expr(scope, (p, q), depth)}, {self.expr(scope, (q,), depth)})",
                lambda: f"np.einsum('ji,j->i', {self.expr(scope, (q, p), depth)}, {self.expr(scope, (q,), depth)})",
                lambda: f"np.linalg.solve({self.spd(scope, p)}, {self.expr(scope, (p,), depth)})",
                lambda: f"np.linalg.inv({self.spd(scope, p)}) @ ({self.expr(scope, (p,), depth)})",
            ]
        elif len(s) == 2:
            p, r = s
            choices = [
                lambda: f"({self.expr(scope, (p, q), depth)}) @ ({self.expr(scope, (q, r), depth)})",
                lambda: f"np.dot({self.expr(scope, (p, q), depth)}, {self.expr(scope, (q, r), depth)})",
                lambda: f"np.einsum('ik,kj->ij', {self.expr(scope, (p, q), depth)}, {self.expr(scope, (q, r), depth)})",
                lambda: f"np.outer({self.expr(scope, (p,), depth)}, {self.expr(scope, (r,), depth)})",
                lambda: f"np.matmul({self.expr(scope, (p, q), depth)}, {self.expr(scope, (q, r), depth)})",
                lambda: f"np.einsum('i,j->ij', {self.expr(scope, (p,), depth)}, {self.expr(scope, (r,), depth)})",
                lambda: f"np.linalg.solve({self.spd(scope, p)}, {self.expr(scope, (p, r), depth)})",
            ]
            if p == r:
                choices.append(lambda: f"np.linalg.inv({self.spd(scope, p)})")
        else:
            return None
        return self.pick(choices)()

    def structure(self, scope: _Scope, s: Shape, depth: int) -> str | None:
        e = lambda t: self.expr(scope, t, depth)  # noqa: E731
        choices = []
        if len(s) == 2:
            tr = (s[1], s[0])
            choices += [lambda: f"({e(tr)}).T", lambda: f"np.transpose({e(tr)})", lambda: f"({e(tr)}).transpose()"]
        size = _size(s)
        if s:
            sources = [(size,)] + [(a, size // a) for a in range(1, size + 1) if size % a == 0]
            sources = [t for t in sources if t != s]
            if sources:
                src = self.pick(sources)
                target = repr(s) if len(s) > 1 else str(s[0])
                choices += [lambda: f"({e(src)}).reshape({target})"]
                if "np_reshape_tuple" not in self.avoid:
                    choices.append(lambda: f"np.reshape({e(src)}, {s!r})")
                elif len(s) == 1:
                    choices.append(lambda: f"np.reshape({e(src)}, {s[0]})")
                if len(s) == 1:
                    choices += [lambda: f"({e(src)}).ravel()", lambda: f"np.ravel({e(src)})",
                                lambda: f"({e(src)}).reshape(-1)"]
        if 1 in s:  # a new axis of length 1
            one = s.index(1)
            less = s[:one] + s[one + 1:]
            choices.append(lambda: f"np.expand_dims({e(less)}, {self.pick([one, one - len(s)])})")
            if len(s) == 2:
                index = "None, :" if one == 0 else self.pick([":, None", ":, np.newaxis"])
                choices.append(lambda: f"({e(less)})[{index}]")
        if len(s) < 3:  # squeeze a length-1 axis away
            at = self.rng.randint(0, len(s))
            more = s[:at] + (1,) + s[at:]
            choices.append(lambda: f"np.squeeze({e(more)}, axis={at})")
            if 1 not in s:
                choices += [lambda: f"np.squeeze({e(more)})", lambda: f"({e(more)}).squeeze()"]
        long = [i for i, d in enumerate(s) if d >= 2]
        if long:  # concatenate along an axis
            ci = self.pick(long)
            first = self.rng.randint(1, s[ci] - 1)
            t1, t2 = s[:ci] + (first,) + s[ci + 1:], s[:ci] + (s[ci] - first,) + s[ci + 1:]
            caxis = "" if ci == 0 and self.chance(0.5) else f", axis={self.pick([ci, ci - len(s)])}"
            choices.append(lambda: f"np.concatenate([{e(t1)}, {e(t2)}]{caxis})")
        stackable = [i for i, d in enumerate(s) if 2 <= d <= 3]
        if stackable:
            si = self.pick(stackable)
            part = s[:si] + s[si + 1:]
            saxis = "" if si == 0 and self.chance(0.5) else f", axis={self.pick([si, si - len(s)])}"
            choices.append(lambda: f"np.stack([{', '.join(e(part) for _ in range(s[si]))}]{saxis})")
        if len(s) == 1 and s[0] <= 4:
            choices.append(lambda: f"np.array([{', '.join(e(()) for _ in range(s[0]))}])")
        if len(s) == 1 and s[0] >= 2:
            h = self.rng.randint(1, s[0] - 1)
            choices.append(lambda: f"np.hstack([{e((h,))}, {e((s[0] - h,))}])")
        if len(s) == 2 and s[0] >= 2:
            h = self.rng.randint(1, s[0] - 1)
            choices.append(lambda: f"np.vstack([{e((h, s[1]))}, {e((s[0] - h, s[1]))}])")
        if s:  # a difference along an axis one longer
            di = self.rng.randrange(len(s))
            longer = s[:di] + (s[di] + 1,) + s[di + 1:]
            last = di == len(s) - 1 and self.chance(0.5)  # np.diff's default axis is the last
            choices.append(lambda: f"np.diff({e(longer)})" if last else f"np.diff({e(longer)}, axis={di})")
        return self.pick(choices)() if choices else None

    def index_text(self, scope: _Scope, q: int) -> str:
        options = [str(j) for j in range(-q, q)] + [f"{c} % {q}" for c in scope.counters] * 2
        return self.pick(options)

    def indexing(self, scope: _Scope, s: Shape, depth: int) -> str | None:
        if len(s) >= 2 or self.chance(0.5):  # slices on every axis
            if len(s) == 0 or len(s) > 2:
                return None
            parts, t = [], []
            for d in s:
                q = self.pick([d, d, d + 1, 2 * d, self.n, self.m])
                options = [sl for sl in _slices(q) if slice_length(q, sl) == d]
                if not options:
                    q, options = d, [(None, None, None)]
                t.append(q)
                parts.append(slice_text(self.pick(options)))
            if len(s) == 1 and self.chance(0.5):
                return f"({self.expr(scope, tuple(t), depth)})[{parts[0]}]"
            return f"({self.expr(scope, tuple(t), depth)})[{', '.join(parts)}]"
        q = self.size_of()
        if s == () and self.chance(0.5):
            r = self.size_of()
            j, k = self.index_text(scope, q), self.index_text(scope, r)
            e = self.expr(scope, (q, r), depth)
            return self.pick([f"({e})[{j}, {k}]", f"({e})[{j}][{k}]"])
        i = self.rng.randint(0, len(s))
        t = s[:i] + (q,) + s[i:]
        j = self.index_text(scope, q)
        return f"({self.expr(scope, t, depth)})[{j}]" if i == 0 else f"({self.expr(scope, t, depth)})[:, {j}]"

    # --- statements ------------------------------------------------------------------------------

    def shape_choice(self) -> Shape:
        m, n = self.m, self.n
        return self.pick([(), (), (n,), (n,), (m,), (m, n), (m, n), (1, n), (m, 1), (n, m)])

    def block(self, scope: _Scope, count: int) -> list[str]:
        out: list[str] = []
        for _ in range(count):
            out += self.statement(scope)
        return out or ["pass"]

    def statement(self, scope: _Scope) -> list[str]:
        kinds = ["new"] * 4 + ["reassign"] * 2 + ["augment"] * 2 + ["local_array"]
        if scope.depth == 0 and not self.returned_early:  # (lists are made at the top level only)
            kinds += ["list_sum"]
        if self.storable(scope):
            kinds += ["store"] * 4
        if scope.depth < 2:
            kinds += ["if", "for", "for"]
        if scope.in_loop:
            kinds += ["exit"]
        if scope.depth < 2 and not scope.in_loop and self.chance(0.3) and "early_return" not in self.avoid:
            kinds += ["early_return"]  # (a return inside a loop is documented as unsupported)
        saved, self.pending = self.pending, []
        lines = getattr(self, "s_" + self.pick(kinds))(scope)
        out, self.pending = self.pending + lines, saved
        return out

    def bind(self, scope: _Scope, name: str, shape: Shape, text: str) -> str:
        """Record that `name = text` (of `shape`) ran: its shape here, and which memory it may share."""
        direct = view_roots(text)  # (a 0-d array, np.squeeze of a (1,) array, is mutable too)
        if direct and name in scope.carried:
            # a carried view would see its base change in the next iteration before it is bound again
            text, direct = (f"np.copy({text})" if shape != () else f"({text}) + 0.0"), set()
        found = set()
        for r in direct:
            found |= {r} | self.roots.get(r, set())
        if scope.depth == 0 or name not in self.roots:
            self.roots[name] = found
        else:  # on some paths only: it may share either
            self.roots[name] = self.roots[name] | found
        scope.names[name] = shape
        return text

    def mutable(self, scope: _Scope, name: str) -> bool:
        """Can `name` change in place without changing another live name (or a parameter)?"""
        if self.roots.get(name):
            return False
        if self.aliasing:
            return True
        return not any(name in self.roots.get(other, set()) for other in scope.names if other != name)

    def storable(self, scope: _Scope) -> list[str]:
        rebound = "store_into_rebound_parameter" not in self.avoid and self.chance(0.2)
        return [name for name in scope.names if scope.names[name] != () and self.mutable(scope, name)
                and (name not in self.params or rebound)]

    def s_list_sum(self, scope: _Scope) -> list[str]:
        """A list of arrays, read by item and summed by the builtin sum."""
        items, name, s = self.fresh("L"), self.fresh(), self.shape_choice()
        first = f"{items} = [{', '.join(self.expr(scope, s, 1) for _ in range(self.rng.randint(1, 3)))}]"
        text = self.bind(scope, name, s, f"sum({items}) * {items}[0]")
        return [first, f"{name} = {text}"]

    def s_new(self, scope: _Scope) -> list[str]:
        name, s = self.fresh(), self.shape_choice()
        text = self.bind(scope, name, s, self.expr(scope, s))
        return [f"{name} = {text}"]

    def s_reassign(self, scope: _Scope) -> list[str]:
        names = [k for k in scope.names if k not in self.params or scope.depth == 0]
        if not names:
            return self.s_new(scope)
        name = self.pick(names)
        s = scope.names[name]
        if name in self.params and scope.depth == 0 and self.chance(0.3):  # a parameter rebound to a new shape
            s = self.shape_choice()
        elif scope.in_loop:  # bounded however many times it runs
            forms = [f"0.5 * {name} + 0.5 * np.sin({self.expr(scope, s)})"]
            if not (s != () and name in scope.carried and "array_overwritten_in_loop" in self.avoid):
                forms.append(f"np.tanh({self.expr(scope, s)})")
            text = self.pick(forms)
            return [f"{name} = {self.bind(scope, name, s, text)}"]
        return [f"{name} = {self.bind(scope, name, s, self.expr(scope, s))}"]

    def s_augment(self, scope: _Scope) -> list[str]:
        name = self.pick(list(scope.names))
        s = scope.names[name]
        op = self.pick(["+=", "-=", "*=", "/="])
        value = self.expr(scope, self.pick(into(s)))
        value = {"+=": f"np.tanh({value})" if scope.in_loop else value, "-=": f"np.sin({value})",
                 "*=": f"np.tanh({value})", "/=": f"(2 + np.cos({value}))"}[op]
        if not self.mutable(scope, name):  # in place would change what another name sees
            return [f"{name} = {self.bind(scope, name, s, f'{name} {op[0]} {value}')}"]
        return [f"{name} {op} {value}"]

    def s_local_array(self, scope: _Scope) -> list[str]:
        name, s = self.fresh("A"), self.pick([(self.n,), (self.m,), (self.m, self.n), (self.n, self.m), (3,)])
        same = [k for k, shape in scope.names.items() if shape == s]
        text = self.pick([f"np.zeros({s!r})", f"np.ones({s!r})", f"np.full({s!r}, 0.25)"]
                         + [f"np.zeros_like({k})" for k in same] + [f"{k}.copy()" for k in same]
                         + [f"np.copy({k})" for k in same] + [f"np.array({k})" for k in same])
        return [f"{name} = {self.bind(scope, name, s, text)}"]

    def s_store(self, scope: _Scope) -> list[str]:
        names = self.storable(scope)
        if not names:
            return self.s_new(scope)
        name = self.pick(names)
        s = scope.names[name]
        kinds = [self.pick(["int", "slice", "all"]) for _ in s]
        if all(k == "all" for k in kinds):
            kinds[0] = "int"
        parts, shape = [], []
        for kind, d in zip(kinds, s):
            if kind == "int":
                parts.append(self.index_text(scope, d))
            elif kind == "slice":
                sl = self.pick([sl for sl in _slices(d) if slice_length(d, sl) >= 1])
                parts.append(slice_text(sl))
                shape.append(slice_length(d, sl))
            else:
                parts.append(":")
                shape.append(d)
        if len(parts) > 1 and parts[-1] == ":" and self.chance(0.5):
            parts.pop()  # A[i] for A[i, :]
        op = self.pick(["=", "=", "+=", "-=", "*="])
        value = self.expr(scope, self.pick(into(tuple(shape))))
        if op == "*=" or (op == "+=" and scope.in_loop):
            value = f"np.tanh({value})"
        return [f"{name}[{', '.join(parts)}] {op} {value}"]

    def s_if(self, scope: _Scope) -> list[str]:
        lines = [f"if {self.condition(scope)}:"] + _indent(self.block(scope.inner(), self.rng.randint(1, 3)))
        if self.chance(0.2):
            lines += [f"elif {self.condition(scope)}:"] + _indent(self.block(scope.inner(), self.rng.randint(1, 2)))
        if self.chance(0.6):
            lines += ["else:"] + _indent(self.block(scope.inner(), self.rng.randint(1, 2)))
        return lines

    def s_for(self, scope: _Scope) -> list[str]:
        counter = "tuvw"[len(scope.counters)]
        sized = [name for name, shape in scope.names.items() if shape and shape[0] <= 4]
        bounds = ["2", "3"] + (["k"] if "k" in self.params else [])
        if sized and self.chance(0.3):
            name = self.pick(sized)
            bounds = [f"len({name})", f"{name}.shape[0]"] + ([f"{name}.size"] if len(scope.names[name]) == 1 else [])
        bound = self.pick(bounds)
        body = self.block(scope.inner(counter), self.rng.randint(1, 3))
        return [f"for {counter} in range({bound}):"] + _indent(body)

    def s_exit(self, scope: _Scope) -> list[str]:
        return [f"if {self.condition(scope)}:", f"    {self.pick(['break', 'break', 'continue'])}"]

    def s_early_return(self, scope: _Scope) -> list[str]:
        self.returned_early = True  # (a list made after a return in any branch is not at the top level)
        return [f"if {self.condition(scope)}:", f"    return {self.expr(scope, ())}"]

    # --- the module ------------------------------------------------------------------------------

    def module(self) -> tuple[str, tuple]:
        m, n = self.m, self.n
        self.params = {"x": (n,), "W": (m, n), "a": ()}
        if self.chance(0.3):
            self.params["r"] = (1, n)
        if self.chance(0.3):
            self.params["c"] = (m, 1)
        if self.chance(0.15) and "list_parameter" not in self.avoid:
            self.params["xs"] = (n,)  # a list of floats
        if self.chance(0.4):
            self.params["k"] = None  # an integer: a loop bound
        head = ["import numpy as np", ""]
        if self.chance(0.35):
            self.data = self.pick([(m, n), (n,)])
            table = [round(self.rng.uniform(-1.5, 1.5), 2) for _ in range(m * n if len(self.data) == 2 else n)]
            rows = [table[i * n:(i + 1) * n] for i in range(m)] if len(self.data) == 2 else table
            head += ["", f"DATA = np.array({rows!r})", ""]
        names = {k: s for k, s in self.params.items() if s is not None and k != "xs"}
        for k, shape in names.items():
            self.roots[k] = {"(parameter)"} if shape != () else set()  # a float parameter is immutable
        scope = _Scope(names, [], 0, False)
        body = []
        if "xs" in self.params:
            body.append(f"z = np.{self.pick(['asarray', 'array'])}(xs)")
            self.bind(scope, "z", (n,), "xs")
        body += self.block(scope, self.size)
        saved, self.pending = self.pending, []
        terms = [self.expr(scope, (), 2)]
        arrays = [k for k, s in scope.names.items() if s != () and k not in self.params]
        for k in self.rng.sample(arrays, min(3, len(arrays))):
            terms.append(f"{self.pick(['np.sum', 'np.mean', 'np.max'])}({k})")
        scalars = [k for k, s in scope.names.items() if s == () and k not in self.params]
        terms += self.rng.sample(scalars, min(2, len(scalars)))
        result = " + ".join(terms)
        body += self.pending + [f"return {result}"]
        self.pending = saved
        params = ", ".join(self.params)
        text = "\n".join(head + ["", f"def f({params}):", *_indent(body)]) + "\n"
        if "data_table_method" in self.avoid:
            text = re.sub(r"\(DATA\)\.", "np.asarray(DATA).", text)
        return text, self.point()

    def point(self) -> tuple:
        """Arguments off round numbers (where ties and kinks sit)."""
        rng = random.Random(self.rng.random())
        out = []
        for name, s in self.params.items():
            if s is None:
                out.append(rng.randint(1, 3))
                continue
            values = [rng.uniform(-1.2, 1.2) + 0.0137 * (j + 1) for j in range(max(1, _size(s)))]
            if s == ():
                out.append(values[0])
            elif name == "xs":
                out.append(values)
            else:
                import numpy as np
                out.append(np.array(values).reshape(s))
        return tuple(out)


def _size(s: Shape) -> int:
    size = 1
    for d in s:
        size *= d
    return size


def _shape_text(s: Shape) -> str:
    return repr(s) if len(s) != 1 else str(s[0])


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def program(seed: int, size: int = 6, aliasing: bool = False, avoid: frozenset = frozenset()) -> tuple[str, tuple]:
    """The module text of random array program `seed`, and the arguments to check it at."""
    unknown = set(avoid) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown features {sorted(unknown)}: known {sorted(FEATURES)}")
    return ArrayGenerator(seed, size, aliasing, frozenset(avoid)).module()

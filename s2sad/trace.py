"""The IR: the lecture's evaluation trace, in structured SSA form.

A `Trace` is the program `z_1 = h_1(...); ...; z_T = h_T(...); return z_T`
with inputs `w_1..w_d`. Every op assigns one fresh variable (SSA), its operands
are variables or numeric constants (never nested expressions), and its
expression is one of the lecture's three kinds of elementary operation:

1. `Affine`:  z = c0 + c1*a1 + ... + cM*aM
2. `Product`: z = c * a1**p1 * a2**p2       (kept binary: see `lower`)
3. `Call`:    z = h(a*x), a one-dimensional function of a scaled variable,
              or, as the extension Python needs, z = h(x, y) for the
              two-argument rows of the rules table (atan2, hypot, pow, ...).

Control flow and lists extend the straight-line trace (DESIGN.md, "Growth
path") with a few *items* beside ops, nested in blocks:

- `If(cond, body, orelse, merges)`: a branch; `merges` are the phi values
  (`out` is `then` on one path, `orelse` on the other);
- `Loop(...)`: a range or while loop whose `carried` variables enter as
  `param` (from `init`) and leave as `out`; every path through its body ends
  in `Next(values)` (the next iteration's values) or `Break(values)`;
- `Return(value)` ends each path of the function body;
- lists: `NewList`, `Store`, `Append`, `Pop` items and the `Load`, `Sum` ops;
- `Compute`: an inactive operation (comparisons, integer index arithmetic,
  `len`) that never carries an adjoint.

Every value is still assigned once (SSA); a loop's `param` and `out` are
distinct variables that generated code keeps in one Python name. Each op
and item records the source line it came from. Printing is separate from the
data: `trace_text.format_trace` renders the textbook listing given the display names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Union



@dataclass(frozen=True, eq=False)
class Var:
    """A scalar variable of the trace: a parameter (an input) or an op's result.

    `id` is unique within a trace and is its identity; `hint` is the user's
    name for it, if any.
    """

    id: int
    hint: str | None = None
    kind: str = "float"  # "float", or "int"/"bool" for inactive values (indices, counters, conditions)

    # Identity is the id alone (a renamed variable is the same variable); hashed
    # constantly during lowering and reverse mode, hence written out.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Var) and other.id == self.id

    def __hash__(self) -> int:
        return self.id


@dataclass(frozen=True, eq=False)
class ListVar:
    """A list of floats: a parameter or a list built in the function (mutable, not SSA)."""

    id: int
    hint: str | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ListVar) and other.id == self.id

    def __hash__(self) -> int:
        return self.id


Operand = Union[Var, float]


@dataclass(frozen=True)
class Affine:
    const: float
    terms: tuple[tuple[float, Var], ...]


def absent(c: float) -> bool:
    """Does the constant c of an `Affine` (or a pending `Lin`) add nothing? 0 (an int) is how a form says
    it has none, and x + -0.0 is x for every x; a float 0.0 is added, as -0.0 + 0.0 is 0.0."""
    return c == 0 and (type(c) is not float or math.copysign(1.0, c) < 0)


@dataclass(frozen=True)
class Product:
    """coef * a1**p1 * a2**p2 / div, multiplied left to right, positive powers first, divided last."""

    coef: float
    factors: tuple[tuple[Var, float], ...]  # (variable, power), at most two
    div: float = 1  # a constant divisor: x / 3 is not x * 0.333... in floating point


@dataclass(frozen=True)
class Call:
    fn: str  # a row of the rules table
    args: tuple[Operand, ...]
    scale: float = 1.0  # unary rows only: fn(scale * args[0])


@dataclass(frozen=True)
class Load:
    """xs[index]."""

    lst: ListVar
    index: Operand


@dataclass(frozen=True)
class Sum:
    """sum(xs): an affine op over every element of a list."""

    lst: ListVar


@dataclass(frozen=True)
class Compute:
    """An inactive operation: `template` is a Python expression over `_0`, `_1`, ... = args."""

    template: str
    args: tuple[Union[Operand, ListVar], ...]


@dataclass(frozen=True)
class ArgRef:
    """An option computed at run time (`x.reshape(m, n)`): the ArrayOp's argument `index`."""

    index: int


@dataclass(frozen=True)
class ArrayOp:
    """An operation on arrays (values of kind "array": arrays of any shape, scalars included).

    `fn` names its row: an operator ("add", "subtract", "multiply", "divide",
    "power", "negative", "matmul"), a NumPy ufunc of the rules table
    ("numpy.sin"), "getitem" (`args[0][index]`, the index a template over
    `_1`, `_2`, ... = the other args), "array" (`np.array([a, b, ...])`), or a
    row of the array sheet (`array_rules`). `options` are its keyword options,
    constants known when the code is generated.
    """

    fn: str
    args: tuple[Operand, ...]
    options: tuple[tuple[str, object], ...] = ()

    @property
    def option(self) -> dict[str, object]:
        return dict(self.options)


Expr = Union[Affine, Product, Call, Load, Sum, Compute, ArrayOp]


@dataclass(frozen=True)
class Op:
    out: Var
    expr: Expr
    line: int

    @property
    def inputs(self) -> tuple[Var, ...]:
        """The variables this op reads, in order, without repeats."""
        e = self.expr
        if isinstance(e, Affine):
            vs = [v for _, v in e.terms]
        elif isinstance(e, Product):
            vs = [v for v, _ in e.factors]
        elif isinstance(e, Load):
            vs = [e.index] if isinstance(e.index, Var) else []
        elif isinstance(e, Sum):
            vs = []
        else:
            vs = [a for a in e.args if isinstance(a, Var)]
        return tuple(dict.fromkeys(vs))

    @property
    def lists(self) -> tuple[ListVar, ...]:
        """The lists this op reads."""
        e = self.expr
        if isinstance(e, (Load, Sum)):
            return (e.lst,)
        if isinstance(e, Compute):
            return tuple(a for a in e.args if isinstance(a, ListVar))
        return ()


@dataclass(frozen=True)
class NewList:
    """out = [e1, e2, ...] * repeat (repeat None: a plain list display)."""

    out: ListVar
    elements: tuple[Operand, ...]
    repeat: Operand | None
    line: int


@dataclass(frozen=True)
class Store:
    """lst[index] = value."""

    lst: ListVar
    index: Operand
    value: Operand
    line: int


@dataclass(frozen=True)
class Append:
    """lst.append(value)."""

    lst: ListVar
    value: Operand
    line: int


@dataclass(frozen=True)
class Pop:
    """out = lst.pop() (out None: the item is dropped)."""

    out: "Var | None"
    lst: ListVar
    line: int


@dataclass(frozen=True)
class Merge:
    """A phi after an `If`: out is `then` where the branch was taken, else `orelse`."""

    out: Var
    then: Operand
    orelse: Operand


@dataclass(frozen=True)
class If:
    cond: Var
    body: "Block"
    orelse: "Block"
    merges: tuple[Merge, ...]
    line: int


@dataclass(frozen=True)
class Carried:
    """A loop-carried variable: `param` in the body (first `init`), `out` after the loop."""

    out: Var
    param: Var
    init: Operand


@dataclass(frozen=True)
class Loop:
    """`for counter in range(*bounds)` (kind "range") or `while test` (kind "while").

    A while loop's body starts by computing its test and breaking when it is
    false. `trips` counts iterations where the reverse sweep needs it: every
    while loop, and a range loop left by `break`.
    """

    kind: str
    counter: Var | None
    bounds: tuple[Operand, ...]
    carried: tuple[Carried, ...]
    body: "Block"
    trips: Var | None
    line: int


@dataclass(frozen=True)
class Next:
    """End of an iteration on this path: the carried variables' next values."""

    values: tuple[Operand, ...]
    line: int


@dataclass(frozen=True)
class Break:
    """Leave the loop on this path, with the carried variables' values."""

    values: tuple[Operand, ...]
    line: int


@dataclass(frozen=True)
class Return:
    """End the function with `value`; or, for a vector function, with `outputs`.

    `form` is "scalar" (`return v`), "tuple" (`return a, b`: `outputs` holds
    scalars and lists), "list" (`return ys`: `outputs` is `(ys,)`) or "array"
    (an array program's VJP of an array result, `outputs` is `(a,)`). Only a
    scalar function has a gradient; a vector function has a JVP, and a VJP as
    the gradient of the scalar `value` its seeded trace returns (`reverse.outputs`).
    """

    value: Operand
    line: int
    outputs: tuple = ()
    form: str = "scalar"
    seeded: bool = False  # a VJP's trace: `value` is <out_bar, outputs>, the scalar reverse mode differentiates

    @property
    def values(self) -> tuple:
        """What the result reads: the value, or a vector function's outputs."""
        return self.outputs if self.form != "scalar" and not self.seeded else (self.value,)


Item = Union[Op, NewList, Store, Append, Pop, If, Loop, Next, Break, Return]
Block = tuple[Item, ...]
EXITS = (Next, Break, Return)


def walk(block: Block):
    """Every item of the block and its nested blocks, in program order."""
    # an explicit stack: nested generators cost each item the depth of its block, and recursion
    stack = [iter(block)]
    while stack:
        for item in stack[-1]:
            yield item
            if isinstance(item, If):
                stack += (iter(item.orelse), iter(item.body))
                break
            if isinstance(item, Loop):
                stack.append(iter(item.body))
                break
        else:
            stack.pop()


def simple_while(loop: Loop) -> tuple[tuple[Op, ...], If] | None:
    """(test ops, the If on the test) of a `while test:` loop whose test only decides whether to go on.

    Lowering writes `while test: body` as a loop whose body computes the test
    and breaks, with the carried values unchanged, when it is false.
    """
    if loop.kind != "while" or not loop.body or not isinstance(loop.body[-1], If):
        return None
    test, branch = loop.body[:-1], loop.body[-1]
    stop = branch.orelse
    if branch.merges or not all(isinstance(i, Op) for i in test) or len(stop) != 1 or not isinstance(stop[0], Break):
        return None
    if tuple(stop[0].values) != tuple(c.param for c in loop.carried):
        return None
    return test, branch  # type: ignore[return-value]


def loop_exits(body: Block) -> list:
    """A loop body's own `Next` and `Break` items: in its branches, not in the loops nested in it."""
    out: list = []
    for item in body:
        if isinstance(item, (Next, Break)):
            out.append(item)
        elif isinstance(item, If):
            out += loop_exits(item.body) + loop_exits(item.orelse)
    return out


def is_straight(block: Block) -> bool:
    """Only ops and the final return: the lecture's straight-line trace."""
    return all(isinstance(i, Op) for i in block[:-1]) and bool(block) and isinstance(block[-1], Return)


@dataclass(frozen=True)
class Trace:
    """A function as a (structured) evaluation trace."""

    name: str
    params: tuple[Union[Var, ListVar], ...]
    defaults: tuple[float | None, ...]  # per parameter: its numeric default, if any
    body: Block
    filename: str
    line: int  # of the `def`
    tables: tuple[tuple[str, str], ...] = ()  # module-level data tables read: (name, source text)
    positional_only: int = 0  # how many leading parameters are positional-only (before a `/`)

    @property
    def ops(self) -> tuple[Op, ...]:
        """Every op, in program order."""
        return tuple(i for i in walk(self.body) if isinstance(i, Op))

    @cached_property
    def returns_vector(self) -> bool:
        """Does it return a tuple or a list? Several stages ask: the body is walked once."""
        return any(isinstance(i, Return) and i.form != "scalar" for i in walk(self.body))

    @property
    def result(self) -> Operand:
        """The returned value of a straight-line trace."""
        assert is_straight(self.body), "only a straight-line trace has a single result"
        return self.body[-1].value  # type: ignore[union-attr]

    def __str__(self) -> str:
        from .naming import primal_names  # printing needs display names only
        from .trace_text import format_trace

        return format_trace(self, primal_names(self).__getitem__)

"""Lowering: checked `ast.FunctionDef` -> `Trace` (the lecture's evaluation trace, structured).

Guarantees: every op of the result is one elementary operation of the
lecture's three kinds (see `trace`), or an inactive `Compute`, a list `Load`
or `Sum`; its operands are variables or numeric constants; every op and item
records its source line. Straight-line code lowers as the lecture lowers it
(pending values, folding, CSE, flattening: see `algebra`), in Python's order
of evaluation, so each op rounds as Python's evaluation of the source does:

    before:  return (sin(2*pi*w1/w2) + 3*w1/w2 - exp(2*w2)) * (3*w1/w2 - exp(2*w2))
    after:   z1 = 2*pi*w1/w2; z2 = sin(z1); z3 = 3*w1/w2; z4 = exp(2*w2);
             z5 = z2 + z3 - z4; z6 = z3 - z4; z7 = z5*z6

Control flow becomes structured SSA. A branch is an `If` whose merged
variables are phis; a loop is a `Loop` whose reassigned variables are carried
(`param` in the body, `out` after it). Exits are restructured first, so every
path through a loop body ends in one `Next` or `Break`, and every path through
the function in one `Return`:

    before:  for i in range(n):              after:  for i in range(n):   carried s
                 if x[i] < 0: continue                   z1 = x[i]; c = z1 < 0
                 s = s + x[i]                            if c: next s
                                                         else: s_1 = s + z1; next s_1

Parameters are typed by use: subscripted or iterated ones are lists, those
used as range bounds or indices are integers (inactive).
"""

from __future__ import annotations

import ast

from ..algebra import Builder
from ..errors import UnsupportedSyntaxError, Violation
from ..frontend import Source
from ..prepare import (
    changed_lists,
    param_kinds,
    restructure,
    rewritten_items,
    tuple_lists,
)
from ..pyast import walk
from ..trace import ListVar, Trace, Var
from ..unroll import unrolled
from .arrays import ArrayLowering, is_array_program
from .common import Binding, _Abandon, _LoopContext, _Retype, _without_docstring
from .conditions import Conditions
from .expressions import Expressions
from .flow import Flow
from .lists import Lists
from .statements import Statements


def lower(src: Source) -> Trace:
    """Lower a checked function to its evaluation trace."""
    untyped: set[tuple] = set()
    while True:
        try:
            return _Lowering(src.module, untyped).function(src.node, src.arrays, src.unroll)
        except _Retype as retype:  # a pop typed as an int, from a list that gets a float later
            untyped.add(retype.key)


# text without which no parameter is typed as a list or an integer (`prepare.param_kinds`)
_TYPED_BY = ("[", "range", "len", "sum", "max(", "min(", ".index(", "for", "list", "List", "Sequence")


class _Lowering(Statements, Lists, Flow, Conditions, Expressions, ArrayLowering, Builder):
    """The lowering of one function: the passes by construct are its mixins, sharing the builder's state."""

    def __init__(self, module, untyped: set[tuple] = frozenset()):  # type: ignore[assignment]
        super().__init__(module)
        self.list_keys: dict[int, tuple] = {}  # a list's id -> (its name, position in a tape of tuples)
        self.item_kinds: dict[tuple, set[str]] = {}  # a list's key -> the kinds of the items put in it so far
        self.int_pops: set[tuple] = set()  # lists whose pops were typed as ints
        self.untyped = untyped  # lists whose pops are never typed as ints (they get a float after a pop)
        self.array_params: set[str] = set()
        self.array_program = False  # a function that uses values as arrays: its local lists may hold arrays
        self.param_vars: set = set()  # the parameters' own values (an update in place would change the caller's)
        self.views: dict = {}  # array value -> the array it may be a view of
        self.reads: list[tuple[int, str]] = []  # (line, name) of every name the function reads
        self.tables: dict[str, str] = {}  # data tables read: name -> source text
        self.constants: dict[str, float] = {}
        self.loops: list[_LoopContext] = []
        self.depth = 0  # of nested blocks: lists are built at depth 0 only
        self.param_lists: set[int] = set()
        self.displays: dict[ListVar, tuple] = {}  # lists nothing changes -> their items
        self.errors: list[Violation] = []  # user errors found so far: lowering goes on after one
        self.failed: set[str] = set()  # names bound by statements that failed
        self.path: list[tuple] = []  # (condition, side taken) of every arm around the statement being lowered
        self.aliases: dict = {}  # a merge's value -> the value it equals wherever a read of it is allowed
        self.merged: dict = {}  # a merge's value -> (its if's condition, its value on the true side, on the false)
        self.logic: dict = {}  # a truth value -> (`not`/`and`/`or` template, operands) it was computed by
        self.returns: tuple | None = None  # (kind of result, line) of the first return: every one gives that kind

    # --- the function ------------------------------------------------------------

    def function(self, fn: ast.FunctionDef, arrays: bool = False, unroll: int = 0) -> Trace:
        args = fn.args.posonlyargs + fn.args.args
        text = "".join(self.module.lines[fn.lineno - 1 : fn.end_lineno])
        # typing parameters walks the whole function: skip it where no list or integer use can appear
        kinds = param_kinds(fn) if any(k in text for k in _TYPED_BY) else {}
        self.array_program = arrays or is_array_program(fn, self.module)
        if self.array_program:  # a parameter not used as an integer may be an array
            self.array_params = {a.arg for a in args if kinds.get(a.arg) != "int"}
            kinds.update(dict.fromkeys(self.array_params, "array"))
        params: list[Var | ListVar] = []
        for a in args:
            if kinds.get(a.arg) == "list":
                lst = ListVar(next(self.ids), a.arg)
                self.param_lists.add(lst.id)
                params.append(lst)
            else:
                params.append(self.var(a.arg, kinds.get(a.arg, "float")))
        self.param_vars = {p for p in params if isinstance(p, Var)}
        nodes = walk(fn)  # once, for the passes below
        self.reads = [(n.lineno, n.id) for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
        defaults: list[float | None] = [None] * (len(args) - len(fn.args.defaults))
        defaults += [self.fold(d, "a parameter default") for d in fn.args.defaults]
        env: dict[str, Binding] = {p.hint: p for p in params}  # type: ignore[misc]
        # a list changed anywhere (a loop may change it after a read) is read afresh each time
        self.mutated = changed_lists(nodes)
        self.changed_in_place = self.mutated | {n.target.id for n in nodes if isinstance(n, ast.AugAssign)
                                                and isinstance(n.target, ast.Name)}  # arrays: x[...] = v, x += v
        self.rewritten = rewritten_items(nodes)  # items stored into; the others stay as they were made
        self.tuple_lists = tuple_lists(nodes)
        body = _without_docstring(fn.body)
        if not self.array_program:  # an array program's loops batch work across iterations
            body = unrolled(fn, body, unroll)
        body = restructure(body, self.module, top=True)
        self.top_level(body, env)
        return Trace(fn.name, tuple(params), tuple(defaults), tuple(self.items), self.module.filename, fn.lineno,
                     tuple(sorted(self.tables.items())), len(fn.args.posonlyargs))

    # --- statements ----------------------------------------------------------------

    def top_level(self, body: list[ast.stmt], env: dict[str, Binding]) -> None:
        """The function's statements, raising every error found in them together."""
        try:
            self.statements(body, env, None)
        except _Abandon:
            pass
        if self.errors:
            raise UnsupportedSyntaxError(list(dict.fromkeys(self.errors)))


"""The reverse sweep of one trace: its state, and the mixins that walk it by construct.

Guarantees: `sweep(wrt)` gives the reverse statements and the gradient expressions of `wrt`.
"""

from __future__ import annotations

import ast

from .. import pyast
from ..integers import maybe_integers
from ..naming import Names
from ..program import Node, Stmt
from ..trace import (
    Append,
    Carried,
    ListVar,
    Load,
    Loop,
    NewList,
    Op,
    Pop,
    Store,
    Trace,
    Var,
    walk,
)
from .adjoints import Adjoints
from .arrays import grad_of_array
from .shapes import Shapes
from .blocks import Blocks
from .common import FusedLoop
from .items import Items


class _ReverseSweep(Adjoints, Items, Blocks):
    """Walks the trace backwards; writes each adjoint once, or accumulates it across a block.

    Within straight-line code an adjoint is one statement, written when all
    its children have contributed (equation 1). A variable defined outside a
    branch or loop that receives contributions inside it is an *accumulator*
    there: its adjoint is stored before the block and grows by `+=` inside.
    """

    def __init__(self, trace: Trace, names: Names, act: set):
        self.trace = trace
        self.names = names
        self.act = act
        self.defined_memo: dict = {}  # by id of a branch or loop (see `defined`)
        self.given_memo: dict = {}  # by id of a branch or loop: (it, what its contents contribute to)
        self.pending: dict = {}
        self.accum: dict = {}  # variable -> (target, names the target reads) its adjoint accumulates in
        self.fresh: set = set()  # accumulators entered at zero for the block being reversed
        self.mutated = {i.lst for i in walk(trace.body) if isinstance(i, (Store, Append, Pop))}
        self.loads = {i.out: i for i in walk(trace.body) if isinstance(i, Op) and isinstance(i.expr, Load)
                      and i.expr.lst not in self.mutated}
        self.out: list[Node] = []
        self.ints = frozenset(names.primal[v] for v in maybe_integers(trace))
        self.loops: list[Loop] = []
        self.carried_active: dict[int, list[Carried]] = {}
        self.def_line: dict = {i.out: i.line for i in walk(trace.body) if isinstance(i, Op)}
        self.depth = 0  # of nested reverse blocks being written
        self.fused: dict[tuple, FusedLoop] = {}  # loop key -> its adjoint code, run inside it
        self.exit_constants: dict[int, dict] = {}  # fused loop -> carried variable -> its constant adjoint
        self.list_inits: dict = {}  # list -> the statement making its adjoint (moved before a fused loop)
        self.summed: set = set()  # (id of an op, operand index): a contribution a loop's sum gives at once
        self.shapes = Shapes(trace, names, act)

    def sweep(self, wrt: tuple) -> tuple[tuple[Node, ...], tuple[ast.expr, ...]]:
        names = self.names
        lists = [p for p in wrt if isinstance(p, ListVar) and p in self.act]
        lists += [i.out for i in walk(self.trace.body) if isinstance(i, NewList) and i.out in self.act]
        for lst in lists:  # list adjoints start as zeros of the list's final length
            zeros = pyast.binop(ast.List([pyast.number(0.0)], pyast.LOAD), pyast.MULT,
                                pyast.call("len", [pyast.name(names.primal[lst])]))
            self.list_inits[lst] = Stmt(names.adjoint(lst), zeros, (self.trace.line,))
            self.out.append(self.list_inits[lst])
        self.block(self.trace.body)
        grads = []
        for p in wrt:
            if isinstance(p, ListVar):
                if p in self.act:
                    grads.append(pyast.name(names.adjoint(p)))
                else:
                    grads.append(pyast.binop(ast.List([pyast.number(0.0)], pyast.LOAD), pyast.MULT,
                                             pyast.call("len", [pyast.name(names.primal[p])])))
            elif p.kind == "array":
                parts = self.pending.get(p, [])
                bare = len(parts) == 1 and parts[0].factors == 1 and parts[0].coef == 1 and not parts[0].den \
                    and isinstance(parts[0].num[0], ast.Name) \
                    and parts[0].num[0].id in {names.primal.get(q) for q in self.trace.params}
                g = self.settle_parameter(p)
                if bare:  # another parameter itself (the gradient of x . y is y): a copy, not the argument
                    g = pyast.call(f"{names.numpy()}.array", [g, pyast.name("float")])
                grads.append(grad_of_array(names, g, names.primal[p]))
            else:
                grads.append(self.settle_parameter(p))
        if several_arrays(wrt):
            names.helpers.add("_apart")
        return tuple(self.out), tuple(grads)


def several_arrays(wrt: tuple) -> bool:
    """Whether the gradient holds two arrays or more, which must not share memory (`_apart`)."""
    return sum(1 for p in wrt if isinstance(p, Var) and p.kind == "array") >= 2

"""Reverse mode: `Trace` -> forward and reverse statements (the lecture's equation 1).

Guarantees: the reverse statements compute, for every requested parameter,
dz_T/dw by walking the ops backwards and summing over each variable's children

    v_bar = sum over children c of v:  c_bar * dc/dv

with each partial taken from the rules table (affine: the coefficient;
product: the power rule on the other factor, never a division by a factor
that may be zero; call: the row's template). Only *active* variables (see
`activity`) get adjoints, so no dead adjoint code is produced. Within
straight-line code each adjoint is one assignment written once, when all its
children are done; an adjoint that is a constant, a name, or a short product
read only once is not stored but substituted where it is used, so `*1`, `+0`
and `--` never appear.

Blocks are reversed as blocks: a branch as an `if` on the same condition, a
loop as a `for` over its iterations backwards (a range reversed, or the
recorded trip count). A variable from outside a block that receives
contributions inside it accumulates there (`+=`); a loop's carried adjoints
pass from each reverse iteration to the one before; a list item's adjoint
goes to its slot of the list's adjoint, which an overwrite moves to the
overwriting value and clears. `differentiate` reads as the list of its
stages: names, activity, forward sweep, reverse sweep, tapes.

Before (trace):  z1 = w1/w2 ; z2 = sin(2*pi*z1) ; ... ; z6 = z4*z5
After (reverse): z4_bar = z5 + z4                                          # from lines 13, 14
                 z1_bar = 3 * z4_bar + 6.28... * z4 * cos(6.28... * z1)    # from lines 10, 12, 13, 14
                 w1_bar = z1_bar / w2                                      # from line 9
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Any

from .. import pyast
from ..activity import active
from ..forward import Forward
from ..naming import Names
from ..program import Block as CodeBlock
from ..program import Comment, Fused, Node, Stmt, assigned
from ..tapes import record_tapes
from ..trace import Trace, Var
from ..optimize import needed_forward
from .accumulation import functional_accumulation
from .outputs import is_vector
from .sweep import _ReverseSweep


@dataclass(frozen=True)
class Gradient:
    """Everything the emitted module holds: forward sweep, reverse sweep, results."""

    trace: Trace
    wrt: tuple
    names: Names
    forward: tuple[Node, ...]
    reverse: tuple[Node, ...]
    value: ast.expr
    grads: tuple[ast.expr, ...]
    records: dict = field(default_factory=dict)  # recording block key -> names recorded per execution
    act: set = field(default_factory=set)  # the active values (activity analysis)
    shapes: Any = None  # what the sweep knew of array shapes (`shapes.Shapes`; the flop certificate reads it)


def differentiate(trace: Trace, wrt: tuple) -> Gradient:
    """The gradient of `trace` with respect to the parameters `wrt`."""
    names = Names(trace)
    act = active(trace, wrt)
    fwd = Forward(trace, names)
    forward = fwd.sweep()
    rev = _ReverseSweep(trace, names, act)
    reverse, grads = rev.sweep(wrt)
    forward = _place_fused(forward, rev.fused)
    forward, reverse, records = record_tapes(trace, names, forward, reverse)
    arrays = {names.adjoint(v) for v in act if isinstance(v, Var) and v.kind == "array"}
    if arrays:
        forward = functional_accumulation(forward, arrays, names)
        reverse = functional_accumulation(reverse, arrays, names)
    value = fwd.value()
    if set(pyast.names_read(value)) & assigned(reverse):  # the reverse sweep restores it: keep a copy
        kept = names.fresh("value")
        forward += (Stmt(kept, value, (trace.body[-1].line,)),)
        value = pyast.name(kept)
    if is_vector(trace):  # <out_bar, result> is only the seed: the sweeps never read it
        forward = needed_forward(forward, reverse, [value, *grads])
    return Gradient(trace, wrt, names, forward, reverse, value, grads, records, act, rev.shapes)


def _place_fused(nodes: tuple[Node, ...], fused: dict) -> tuple[Node, ...]:
    """The forward sweep with each fused loop's adjoint code in place (other placeholders dropped)."""
    out: list[Node] = []
    for n in nodes:
        if isinstance(n, Fused):
            if n.key in fused and n.setup:
                out += fused[n.key].setup
            elif n.key in fused and fused[n.key].body:
                out += [Comment(fused[n.key].note), *fused[n.key].body]
        elif isinstance(n, CodeBlock):
            keys = [m.key for m in n.body if isinstance(m, Fused) and not m.setup and m.key in fused]
            block = replace(n, body=_place_fused(n.body, fused), orelse=_place_fused(n.orelse, fused))
            if keys and isinstance(n.test, ast.Name):  # `for v in xs` whose adjoint code needs the index
                counter = fused[keys[0]].counter
                block = replace(block, test=pyast.call("enumerate", [n.test]), target=f"{counter}, {n.target}")
            out.append(block)
        else:
            out.append(n)
    return tuple(out)

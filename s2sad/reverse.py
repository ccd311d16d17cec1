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
from typing import Callable

from . import pyast
from .activity import active
from .array_reverse import Shapes, functional_accumulation, grad_of_array
from .array_reverse import contributions as array_contribution
from .forward import Forward, arm_key, fusable_shape, loop_key, operand, while_test
from .integers import as_float, float_of, maybe_integers
from .naming import Names
from .program import Block as CodeBlock, Comment, Fused, Node, Restore, Stmt, assigned, parallel_copies
from .program import walk as code_walk
from .partials import Term, partial
from .tapes import record_tapes
from .trace import (
    ArrayOp, Affine, Append, Block, Break, Carried, Compute, If, ListVar, Load, Loop, NewList, Next, Op, Pop, Product, Return,
    Store, Sum, Trace, Var, simple_while, walk,
)

MAX_SUM = 64  # terms per statement; longer sums continue with += (Python nests binops)
MAX_OPEN_FACTORS = 4  # a product adjoint read once is substituted up to this size, then stored


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
        forward, reverse = functional_accumulation(forward, arrays), functional_accumulation(reverse, arrays)
    value = fwd.value()
    if set(pyast.names_read(value)) & assigned(reverse):  # the reverse sweep restores it: keep a copy
        kept = names.fresh("value")
        forward += (Stmt(kept, value, (trace.body[-1].line,)),)
        value = pyast.name(kept)
    return Gradient(trace, wrt, names, forward, reverse, value, grads, records)


def _place_fused(nodes: tuple[Node, ...], fused: dict) -> tuple[Node, ...]:
    """The forward sweep with each fused loop's adjoint code in place (other placeholders dropped)."""
    out: list[Node] = []
    for n in nodes:
        if isinstance(n, Fused):
            if n.key in fused and n.setup:
                out += fused[n.key][0]
            elif n.key in fused:
                out += [Comment("this iteration's adjoint: its terms are independent of the others'"),
                        *fused[n.key][1]]
        elif isinstance(n, CodeBlock):
            keys = [m.key for m in n.body if isinstance(m, Fused) and not m.setup and m.key in fused]
            block = replace(n, body=_place_fused(n.body, fused), orelse=_place_fused(n.orelse, fused))
            if keys and isinstance(n.test, ast.Name):  # `for v in xs` whose adjoint code needs the index
                counter = fused[keys[0]][2]
                block = replace(block, test=pyast.call("enumerate", [n.test]), target=f"{counter}, {n.target}")
            out.append(block)
        else:
            out.append(n)
    return tuple(out)


def _operands(op: Op) -> list[object]:
    e = op.expr
    if isinstance(e, Affine):
        return [v for _, v in e.terms]
    if isinstance(e, Product):
        return [v for v, _ in e.factors]
    return list(e.args)  # type: ignore[union-attr]


def _value(parts: list[Term], ints: frozenset | None = None) -> ast.expr:
    """The sum of parts; given the names that may hold integers, a float even where every part is one."""
    value = pyast.signed_sum([(t.coef, list(t.num), list(t.den)) for t in parts])
    return value if ints is None else as_float(value, [(t.coef, t.num, t.den) for t in parts], ints)


def _lines(parts: list[Term]) -> tuple[int, ...]:
    return tuple(sorted(frozenset().union(*(t.lines for t in parts))))


def defined(block: Block, memo: dict | None = None) -> set:
    """Variables and lists a block (with its nested blocks) defines.

    `memo` (by id of a branch or loop, for as long as the trace lives) keeps an elif chain linear.
    """
    out: set = set()
    for item in block:
        if isinstance(item, (If, Loop)):
            out |= _defined_in(item, memo)
        elif isinstance(item, (Op, NewList)) or isinstance(item, Pop) and item.out is not None:
            out.add(item.out)
    return out


def _defined_in(item: If | Loop, memo: dict | None) -> set:
    """What a branch or loop defines (its merges or carried variables, and everything inside)."""
    held = memo.get(id(item)) if memo is not None else None
    if held is not None and held[0] is item:  # the item is held: ids stay unique
        return held[1]
    if isinstance(item, If):
        inner = {m.out for m in item.merges} | defined(item.body, memo) | defined(item.orelse, memo)
    else:
        inner = {c.param for c in item.carried} | {c.out for c in item.carried}
        inner.update(v for v in (item.counter, item.trips) if v is not None)
        inner |= defined(item.body, memo)
    if memo is not None:
        memo[id(item)] = (item, inner)
    return inner


def _given(item: object) -> tuple:
    """The operands an item passes contributions to (before asking which are active)."""
    if isinstance(item, Op):
        return () if isinstance(item.expr, (Compute, Load, Sum)) else item.inputs
    if isinstance(item, (Store, Append)):
        return (item.value,)
    if isinstance(item, NewList):
        return item.elements
    if isinstance(item, If):
        return tuple(v for m in item.merges for v in (m.then, m.orelse))
    if isinstance(item, Loop):
        return tuple(c.init for c in item.carried)
    if isinstance(item, (Next, Break)):
        return item.values
    if isinstance(item, Return):
        return (item.value,)
    return ()


class _ReverseSweep:
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
        self.fused: dict[tuple, tuple] = {}  # loop key -> (setup, body, counter)
        self.exit_constants: dict[int, dict] = {}  # fused loop -> carried variable -> its constant adjoint
        self.list_inits: dict = {}  # list -> the statement making its adjoint (moved before a fused loop)
        self.shapes = Shapes(trace)

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
                    and isinstance(parts[0].num[0], ast.Name) and not parts[0].num[0].id.endswith("_bar")
                g = self.settle_parameter(p)
                if bare:  # another parameter itself (the gradient of x . y is y): a copy, not the argument
                    grads.append(pyast.call(f"{names.numpy()}.array", [g, pyast.name("float")]))
                else:
                    grads.append(grad_of_array(names, g, names.primal[p]))
            else:
                grads.append(self.settle_parameter(p))
        return tuple(self.out), tuple(grads)

    # --- adjoint bookkeeping ----------------------------------------------------------

    def contribute(self, v: object, term: Term, line: int) -> None:
        if not isinstance(v, Var) or v not in self.act or term.coef == 0:
            return
        term = Term(term.coef, term.num, term.den, term.lines | {line})
        if v in self.accum:
            target, reads = self.accum[v]
            self.out.append(Stmt(target, _value([term]), _lines([term]), augmented=True, target_reads=reads))
        else:
            self.pending.setdefault(v, []).append(term)

    def settle(self, v: Var, uses: int) -> Term:
        """v's adjoint, once every child has contributed: stored, or kept open if free.

        Kept open (substituted into its `uses` readers, so constants and signs
        fold into theirs): a constant; a name, or a scaled name read once; a
        product of up to MAX_OPEN_FACTORS factors read once. Anything else
        would cost a statement for nothing, or be computed twice.
        """
        parts = self.pending.pop(v, [])
        if not parts:
            return Term(0)
        if len(parts) == 1:
            t = parts[0]
            if t.factors == 0:
                return t
            if t.factors == 1 and not t.den and isinstance(t.num[0], ast.Name) and t.coef in (1, -1):
                return t
            if uses <= 1 and t.factors <= MAX_OPEN_FACTORS:
                return t
        return Term(1, (pyast.name(self.write(v, parts)),))

    def settle_parameter(self, p: Var) -> ast.expr:
        parts = self.pending.pop(p, [])
        if not parts:
            return pyast.number(0.0)
        if _is_name(parts, self.names.adjoint(p)):  # accumulated under its own name already
            return parts[0].num[0]
        return pyast.name(self.write(p, parts))

    def write(self, v: Var, parts: list[Term], out: list[Node] | None = None) -> str:
        """`v_bar = sum of parts`, one statement per MAX_SUM terms; kept as written (not inlined)."""
        target = self.names.adjoint(v)
        out = self.out if out is None else out
        for start in range(0, len(parts), MAX_SUM):
            chunk = parts[start : start + MAX_SUM]
            out.append(Stmt(target, _value(chunk, self.ints), _lines(chunk), augmented=start > 0))
        return target

    def stored(self, v: Var) -> str:
        """v's adjoint as a name (or a constant's text), written now."""
        t = self.settle(v, 2)
        if t.factors == 1 and t.coef == 1 and not t.den and isinstance(t.num[0], ast.Name):
            return t.num[0].id
        return self.write(v, [t])

    # --- blocks --------------------------------------------------------------------------

    def block(self, items: Block) -> None:
        for item in reversed(items):
            if isinstance(item, Op):
                self.op(item)
            elif isinstance(item, NewList):
                self.new_list(item)
            elif isinstance(item, Store):
                self.store(item)
            elif isinstance(item, Append):
                self.append(item)
            elif isinstance(item, Pop):
                self.pop(item)
            elif isinstance(item, If):
                self.branch(item)
            elif isinstance(item, Loop):
                self.loop(item)
            elif isinstance(item, (Next, Break)):
                loop = self.loops[-1]
                constants = self.exit_constants.get(id(loop), {})
                for c, v in zip(loop.carried, item.values):
                    if c in self.carried_active[id(loop)]:
                        bar = Term(constants[c]) if c in constants else Term(1, (pyast.name(self.names.adjoint(c.out)),))
                        self.contribute(v, bar, item.line)
            elif isinstance(item, Return):
                self.contribute(item.value, Term(1), self.def_line.get(item.value, item.line))

    def receivers(self, block: Block, own: tuple = ()) -> list[Var]:
        """Active variables defined outside `block` (and not in `own`) that receive contributions inside it."""
        return sorted(self.given(block) - set(own), key=lambda v: v.id)

    def given(self, block: Block) -> set:
        """Active variables defined outside the block that its items (nested ones too) contribute to.

        What a branch or loop passes out is remembered per item, and each level tests its candidates
        against the (remembered) definitions of its own items: an elif chain costs linear time.
        """
        found: set = set()
        nested = []
        for item in block:
            if isinstance(item, Op) and item.out not in self.act:
                continue
            found.update(v for v in _given(item) if isinstance(v, Var) and v in self.act)
            if isinstance(item, (If, Loop)):
                nested.append(item)
                held = self.given_memo.get(id(item))
                inner = held[1] if held is not None and held[0] is item else None
                if inner is None:
                    inner = self.given(item.body + item.orelse if isinstance(item, If) else item.body)
                    self.given_memo[id(item)] = (item, inner)
                found |= inner
        if not found:
            return found
        own = {i.out for i in block if isinstance(i, (Op, NewList, Pop))}
        inside = [_defined_in(n, self.defined_memo) for n in nested]
        return {v for v in found if v not in own and not any(v in d for d in inside)}

    def enter(self, receivers: list[Var]) -> list[Var]:
        """Make each receiver an accumulator: its adjoint so far is stored under its name.

        An item loaded from a list that nothing changes accumulates straight into
        the list's adjoint (`x_bar[i] += ...`), which is where its adjoint goes anyway.
        """
        entered = []
        for v in receivers:
            if v in self.accum:
                continue
            parts = self.pending.pop(v, [])
            load = self.loads.get(v)
            if load is not None and load.expr.lst in self.act:  # type: ignore[union-attr]
                lst_bar = self.names.adjoint(load.expr.lst)  # type: ignore[union-attr]
                index = operand(load.expr.index, self.names)  # type: ignore[union-attr]
                target = (f"{lst_bar}[{pyast.to_source(index)}]", (lst_bar, *pyast.names_read(index)))
                if parts:
                    self.out.append(Stmt(target[0], _value(parts), _lines(parts), augmented=True,
                                         target_reads=target[1]))
                self.accum[v] = target
                entered.append(v)
                continue
            name = self.names.adjoint(v)
            if not parts:
                self.out.append(Stmt(name, pyast.number(0.0), (self.def_line.get(v, self.trace.line),)))
                self.fresh.add(v)
            elif not _is_name(parts, name):
                self.write(v, parts)
            self.accum[v] = (name, ())
            entered.append(v)
        return entered

    def leave(self, entered: list[Var]) -> None:
        for v in entered:
            name, reads = self.accum.pop(v)
            self.fresh.discard(v)
            if not reads:  # a list item's adjoint is in the list already
                self.pending[v] = [Term(1, (pyast.name(name),))]

    def nested(self, run: Callable[[], None], key: tuple) -> list[Node]:
        """The reverse of a nested block, into a list of its own (starting with its tape pop)."""
        saved = self.out
        self.out = [Restore(key, self.names.tapes[id(self.loops[-1])])] if self.loops else []
        self.depth += 1
        try:
            run()
            return self.out
        finally:
            self.out = saved
            self.depth -= 1

    def flush(self, nodes: list[Node], inner: Block) -> None:
        """Store pending adjoints that read a name the nested reverse code is about to change."""
        if not self.pending:  # nothing to store (and an elif chain is not walked again at each level)
            return
        changed = assigned(nodes) | {self.names.primal[v] for v in defined(inner, self.defined_memo)}
        for v, parts in list(self.pending.items()):
            read = {n for t in parts for e in (*t.num, *t.den) for n in pyast.names_read(e)}
            if read & changed:
                self.pending[v] = [Term(1, (pyast.name(self.write(v, parts)),))]

    # --- items ---------------------------------------------------------------------------

    def op(self, op: Op) -> None:
        if op.out not in self.act:
            return
        e = op.expr
        names = self.names
        if isinstance(e, Compute):
            return
        if isinstance(e, ArrayOp):
            act = [(i, a) for i, a in enumerate(e.args) if isinstance(a, Var) and a in self.act]
            bar = self.settle(op.out, len(act))
            if bar.coef == 0:
                return
            for i, arg in act:
                term = array_contribution(op, i, bar, names, self.shapes)
                if term is not None:
                    self.contribute(arg, term, op.line)
            return
        if isinstance(e, Load):
            bar = self.settle(op.out, 1)
            if bar.coef != 0 and e.lst in self.act:
                lst_bar, index = names.adjoint(e.lst), operand(e.index, names)
                lines = _lines([replace(bar, lines=bar.lines | {op.line})])
                self.out.append(Stmt(f"{lst_bar}[{pyast.to_source(index)}]", _value([bar]), lines, augmented=True,
                                     target_reads=(lst_bar, *pyast.names_read(index))))
            return
        if isinstance(e, Sum):
            bar = self.settle(op.out, 2)
            if bar.coef == 0:
                return
            value = _value([bar])
            if not isinstance(value, (ast.Name, ast.Constant)):
                value = pyast.name(self.write(op.out, [bar]))
            lst_bar = names.adjoint(e.lst)
            k = names.fresh("k")
            body = Stmt(f"{lst_bar}[{k}]", value, (op.line,), augmented=True, target_reads=(lst_bar, k))
            self.out.append(CodeBlock("for", pyast.call("range", [pyast.call("len", [pyast.name(lst_bar)])]), (body,),
                                      (), (op.line,), k, elementwise=True))
            return
        operands = _operands(op)
        act = [(i, a) for i, a in enumerate(operands) if isinstance(a, Var) and a in self.act]
        out_bar = self.settle(op.out, len(act))
        for i, arg in act:
            d = partial(op, i, names)
            if d is not None:  # None: the row says this partial is zero
                self.contribute(arg, out_bar * d, op.line)

    def new_list(self, item: NewList) -> None:
        if item.out not in self.act:
            return
        lst_bar = pyast.name(self.names.adjoint(item.out))
        for k, e in enumerate(item.elements):
            if item.repeat is not None:
                self.contribute(e, Term(1, (pyast.call("sum", [lst_bar]),)), item.line)
            else:
                self.contribute(e, Term(1, (pyast.subscript(lst_bar, pyast.number(k)),)), item.line)

    def store(self, item: Store) -> None:
        if item.lst not in self.act:
            return
        names = self.names
        lst_bar, index = names.adjoint(item.lst), operand(item.index, names)
        slot = pyast.subscript(pyast.name(lst_bar), index)
        reads = (lst_bar, *pyast.names_read(index))
        v = item.value
        if isinstance(v, Var) and v in self.act:  # the item's adjoint moves to the value, which it overwrote
            if v in self.accum:
                target, reads = self.accum[v]
                self.out.append(Stmt(target, slot, (item.line,), augmented=True, target_reads=reads))
            else:
                part = names.fresh(names.adjoint(v) + "_part")
                self.out.append(Stmt(part, slot, (item.line,)))
                self.contribute(v, Term(1, (pyast.name(part),)), item.line)
        self.out.append(Stmt(f"{lst_bar}[{pyast.to_source(index)}]", pyast.number(0.0), (item.line,),
                             target_reads=reads))

    def pop(self, item: Pop) -> None:
        """v = xs.pop() is undone by putting v's adjoint back: xs_bar.append(v_bar)."""
        if item.lst not in self.act:
            return
        bar = self.settle(item.out, 1) if item.out is not None and item.out in self.act else Term(0)
        value = _value([bar], self.ints) if bar.coef != 0 else pyast.number(0.0)
        self.out.append(Stmt("", pyast.method(self.names.adjoint(item.lst), "append", [value]), (item.line,)))

    def append(self, item: Append) -> None:
        if item.lst not in self.act:
            return
        names = self.names
        popped = pyast.method(names.adjoint(item.lst), "pop", [])
        v = item.value
        if isinstance(v, Var) and v in self.act:
            part = names.fresh(names.adjoint(v) + "_part")
            self.out.append(Stmt(part, popped, (item.line,)))
            self.contribute(v, Term(1, (pyast.name(part),)), item.line)
        else:
            self.out.append(Stmt("", popped, (item.line,)))

    def branch(self, item: If) -> None:
        arms = item.body + item.orelse
        if not any(m.out in self.act for m in item.merges) and not any(
                isinstance(i, Op) and i.out in self.act or isinstance(i, (Store, Append, Pop, Return, Next, Break, Loop))
                for i in walk(arms)):
            return
        seeds = []  # (merge, its adjoint's terms): stored once when both arms read it, else moved into the arm
        for m in item.merges:
            if m.out not in self.act:
                continue
            sides = [v for v in (m.then, m.orelse) if isinstance(v, Var) and v in self.act]
            if len(sides) > 1:
                seeds.append((m, [Term(1, (pyast.name(self.stored(m.out)),))]))
            else:  # computed only where it is used: a partial singular where the value is a constant never runs
                seeds.append((m, self.pending.pop(m.out, [])))
        receivers = self.receivers(arms)
        inside = defined(arms, self.defined_memo)
        for m, _ in seeds:  # each merged value receives its adjoint only where its branch ran
            for v in (m.then, m.orelse):
                if isinstance(v, Var) and v in self.act and v not in inside and v not in receivers:
                    receivers.append(v)
        entered = self.enter(sorted(receivers, key=lambda v: v.id))
        bodies = []
        for arm, side in ((item.body, "then"), (item.orelse, "orelse")):
            def run(arm=arm, side=side) -> None:
                for m, parts in seeds:
                    for bar in parts:
                        self.contribute(getattr(m, side), bar, item.line)
                self.block(arm)
            bodies.append(self.nested(run, arm_key(item, side)))
        fresh = [v for v in entered if v in self.fresh]
        if fresh:  # `x_bar = 0.0; if c: x_bar += t` is `if c: x_bar = t else: x_bar = 0.0`
            zeros = {self.accum[v][0] for v in fresh}
            inits = [n for n in self.out[-len(entered) - 1:] if isinstance(n, Stmt) and n.target in zeros
                     and isinstance(n.value, ast.Constant) and n.value.value == 0.0 and not n.augmented]
            if len(inits) == len(fresh):
                for n in inits:
                    self.out.remove(n)
                bodies = [_first_assigns(b, zeros, inits, self.ints) for b in bodies]
        if any(isinstance(n, (Stmt, CodeBlock)) for n in code_walk(bodies[0] + bodies[1])):
            self.flush(bodies[0] + bodies[1], arms)
            cond = pyast.name(self.names.primal[item.cond])
            self.out.append(CodeBlock("if", cond, tuple(bodies[0]), tuple(bodies[1]), (item.line,)))
        self.leave(entered)

    def fuse(self, item: Loop, carried: list[Carried]) -> bool:
        """Write the loop's reverse inside the loop itself, when the iterations' adjoints are independent.

        That is so when the loop is at the top of the function, its body is
        straight-line code, each carried variable only adds to itself (`s = s +
        ...`, so its adjoint passes through unchanged) and the adjoints of its
        results are constants: then each iteration's adjoint code needs only
        that iteration's values, and runs right after them. Nothing is recorded.
        """
        if self.depth or self.loops or not fusable_shape(item) or not _passes_through(item, carried, self.act):
            return False
        constants = {}
        for c in carried:
            parts = self.pending.get(c.out, [])
            if any(t.factors for t in parts):
                return False
            constants[c] = sum(t.coef for t in parts)
        receivers = self.receivers(item.body, tuple(c.param for c in item.carried))
        lists = {self.loads[v].expr.lst for v in receivers if v in self.loads}  # type: ignore[union-attr]
        lists |= {i.expr.lst for i in item.body if isinstance(i, Op) and isinstance(i.expr, (Load, Sum))}  # type: ignore[union-attr]
        lists &= self.act
        if not all(lst in self.list_inits and lst not in self.mutated for lst in lists):
            return False  # a list that changes has its final length only at the end
        names = self.names
        for c in carried:
            self.pending.pop(c.out, None)
        setup: list[Node] = []
        for lst in sorted(lists, key=lambda v: v.id):  # list adjoints the loop adds to: made before it
            init = self.list_inits[lst]
            for earlier in [self.out] + [f[0] for f in self.fused.values()]:  # made before the earliest loop
                if init in earlier:
                    earlier.remove(init)
            self.list_inits[lst] = init = replace(init, adjoint=True)
            setup.append(init)
        sums: list[tuple[Var, str]] = []
        for v in receivers:
            load = self.loads.get(v)
            if load is not None:  # straight into the list's adjoint
                lst = load.expr.lst  # type: ignore[union-attr]
                lst_bar = names.adjoint(lst)
                index = operand(load.expr.index, names)  # type: ignore[union-attr]
                self.accum[v] = (f"{lst_bar}[{pyast.to_source(index)}]", (lst_bar, *pyast.names_read(index)))
            else:
                total = names.fresh(names.adjoint(v) + "_sum")
                setup.append(Stmt(total, pyast.number(0.0), (item.line,), adjoint=True))
                self.accum[v] = (total, ())
                sums.append((v, total))
        self.exit_constants[id(item)] = constants
        self.carried_active[id(item)] = carried
        saved, self.out = self.out, []
        self.loops.append(item)
        try:
            self.block(item.body)
        finally:
            self.loops.pop()
            body, self.out = self.out, saved
        for c in carried:
            self.pending.pop(c.param, None)  # its adjoint is the constant, passed through
        for v in receivers:
            del self.accum[v]
        body = [replace(n, adjoint=True) if isinstance(n, Stmt) else n for n in body]
        self.fused[loop_key(item)] = (setup, body, names.primal[item.counter])  # type: ignore[index]
        for v, total in sums:
            self.contribute(v, Term(1, (pyast.name(total),)), item.line)
        for c in carried:
            if constants[c]:
                self.contribute(c.init, Term(constants[c]), item.line)
        return True

    def loop(self, item: Loop) -> None:
        names = self.names
        carried = [c for c in item.carried if c.out in self.act or c.param in self.act]
        self.carried_active[id(item)] = carried
        if not carried and not any(isinstance(i, Op) and i.out in self.act or isinstance(i, (Store, Append, Pop))
                                   for i in walk(item.body)):
            return
        if self.fuse(item, carried):
            return
        for c in carried:  # the carried adjoints start as the adjoints of the loop's results
            bar = names.adjoint(c.out)
            parts = self.pending.pop(c.out, [])
            if not parts:
                self.out.append(Stmt(bar, pyast.number(0.0), (item.line,)))
            elif not _is_name(parts, bar):
                self.write(c.out, parts)
        entered = self.enter(self.receivers(item.body, tuple(c.param for c in item.carried)))
        self.loops.append(item)

        simple = simple_while(item)
        folded = simple is not None and all(op.out not in self.act for op in simple[0]) \
            and while_test(simple, names) is not None

        def run() -> None:
            if folded:  # `while test:` ran the body `trips` times: reverse just those runs
                branch = simple[1]  # type: ignore[index]
                self.out.extend(self.nested(lambda: self.block(branch.body), arm_key(branch, "then")))
            else:
                self.block(item.body)
            pairs = []
            for c in carried:  # this iteration's carried adjoints become the previous iteration's
                parts = self.pending.pop(c.param, [])
                pairs.append((names.adjoint(c.out), _value(parts, self.ints) if parts else pyast.number(0.0)))
            self.out.extend(parallel_copies(pairs, (item.line,), names.fresh))

        body = self.nested(run, loop_key(item))
        self.loops.pop()
        if item.kind == "range":
            rng = pyast.call("range", [operand(b, names) for b in item.bounds])
            if item.trips is not None:
                rng = pyast.subscript(rng, ast.Slice(None, pyast.name(names.primal[item.trips]), None))
            header, target = pyast.call("reversed", [rng]), names.primal[item.counter]  # type: ignore[index]
        else:
            header, target = pyast.call("range", [pyast.name(names.primal[item.trips])]), names.fresh("_")  # type: ignore[index]
        block = CodeBlock("for", header, tuple(body), (), (item.line,), target)
        self.flush([block], [item])  # the reverse loop restores the carried variables and the counter too
        self.out.append(block)
        self.leave(entered)
        for c in carried:
            self.contribute(c.init, Term(1, (pyast.name(names.adjoint(c.out)),)), item.line)


def _passes_through(item: Loop, carried: list[Carried], act: set) -> bool:
    """Does each carried variable only add to itself (s = s + ...), so its adjoint is the same every iteration?"""
    readers: dict = {}
    for op in item.body:
        if isinstance(op, Op) and op.out in act and not isinstance(op.expr, (Compute, Load, Sum)):
            for v in op.inputs:
                readers.setdefault(v, []).append(op)
    nexts = [i for i in item.body if isinstance(i, Next)]
    if len(nexts) != 1:
        return False
    for c in carried:
        nxt = nexts[0].values[item.carried.index(c)]
        ops = readers.get(c.param, [])
        if len(ops) != 1 or ops[0].out != nxt or not isinstance(ops[0].expr, Affine):
            return False
        if [k for k, v in ops[0].expr.terms if v == c.param] != [1] or readers.get(nxt):
            return False
        if list(nexts[0].values).count(nxt) != 1:
            return False
    return True


def _first_assigns(body: list[Node], names: set[str], inits: list[Stmt], ints: frozenset) -> list[Node]:
    """The branch with each accumulator's first `+=` an `=`, or `= 0.0` first where there is none."""
    out = list(body)
    start = 1 if out and isinstance(out[0], Restore) else 0
    for init in inits:
        name = init.target
        for k in range(start, len(out)):
            n = out[k]
            if isinstance(n, Stmt) and n.target == name and n.augmented and name not in pyast.names_read(n.value):
                out[k] = replace(n, value=float_of(n.value, ints), augmented=False)  # no longer added to 0.0
                break
            if not isinstance(n, Stmt) or name in n.reads or name in n.defines:
                out.insert(start, init)
                break
        else:  # no contribution in this branch
            out.append(init)
    return out


def _is_name(parts: list[Term], name: str) -> bool:
    return len(parts) == 1 and parts[0].coef == 1 and not parts[0].den and len(parts[0].num) == 1 \
        and isinstance(parts[0].num[0], ast.Name) and parts[0].num[0].id == name


# --- forward expressions -------------------------------------------------------



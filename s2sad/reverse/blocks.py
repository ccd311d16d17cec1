"""The reverse of blocks: a branch as an `if` on the same condition, a loop backwards over its iterations.

Guarantees: a loop's carried adjoints pass from each reverse iteration to the one before; loops whose
iterations contribute independent terms are fused into the forward sweep.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from .. import pyast
from ..forward import arm_key, fusable_shape, loop_key, operand, while_test
from ..partials import Term
from ..program import Block as CodeBlock
from ..program import Node, Stmt, parallel_copies
from ..program import walk as code_walk
from ..trace import (
    Append,
    Block,
    Break,
    Carried,
    If,
    Load,
    Loop,
    NewList,
    Next,
    Op,
    Pop,
    Return,
    Store,
    Sum,
    Var,
    simple_while,
    walk,
)
from .common import (
    FusedLoop,
    _first_assigns,
    _is_name,
    _operands,
    _passes_through,
    _value,
    defined,
    still_given,
    summed_exponentials,
)


class Blocks:
    """Blocks, branches and loops, backwards (a mixin of `_ReverseSweep`)."""

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
        straight-line code and each carried variable only adds to itself (`s =
        s + ...`, so its adjoint passes through unchanged): then each
        iteration's adjoint code needs only that iteration's values, and runs
        right after them. Nothing is recorded. If the adjoints of the loop's
        results are constants, the terms are final. If one carried variable's
        adjoint is known only later (`log(s)` after the loop: `s_bar = 1 / s`)
        and the loop adds only into scalars, it sums the terms for an adjoint
        of 1 and one scaling by `s_bar` follows in the reverse sweep: no
        reverse loop. (Into a list, scaling would be a loop over its items
        again: no cheaper than the reverse loop it replaces.)
        """
        if self.depth or self.loops or not fusable_shape(item) or not _passes_through(item, carried, self.act):
            return False
        scaled = [self.pending[c.out] for c in carried if any(t.factors for t in self.pending.get(c.out, []))]
        scale = scaled[0] if scaled else None  # the one carried adjoint that is not a constant
        if scaled and (len(carried) > 1 or any(i.out.kind == "array" for i in item.body if isinstance(i, Op))):
            return False  # one scaling per carried variable would not be one scaling; arrays add in place
        constants = {c: 1 if scaled else sum(t.coef for t in self.pending.get(c.out, [])) for c in carried}
        shortcuts = summed_exponentials(item, carried)
        summed = {(id(op), i) for op, i, _, _ in shortcuts}
        receivers = [v for v in self.receivers(item.body, tuple(c.param for c in item.carried))
                     if not summed or still_given(item.body, v, summed)]
        lists = {self.loads[v].expr.lst for v in receivers if v in self.loads}  # type: ignore[union-attr]
        lists |= {i.expr.lst for i in item.body if isinstance(i, Op) and isinstance(i.expr, (Load, Sum))}  # type: ignore[union-attr]
        lists &= self.act
        if not all(lst in self.list_inits and lst not in self.mutated for lst in lists) or scaled and lists:
            return False  # a list that changes has its final length only at the end
        names = self.names
        self.summed |= summed
        for c in carried:
            self.pending.pop(c.out, None)
        setup: list[Node] = []
        for lst in sorted(lists, key=lambda v: v.id):  # list adjoints the loop adds to: made before it
            init = self.list_inits[lst]
            for earlier in [self.out] + [f.setup for f in self.fused.values()]:  # made before the earliest loop
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
        factor: tuple[ast.expr, ...] = ()
        if scale is not None:
            bar = names.adjoint(carried[0].out)
            if not _is_name(scale, bar):
                self.write(carried[0].out, scale)
            factor = (pyast.name(bar),)
            note = f"this iteration's adjoint for {bar} = 1: its terms are scaled by {bar} after the loop"
        else:
            note = "this iteration's adjoint: its terms are independent of the others'"
        self.fused[loop_key(item)] = FusedLoop(setup, body, names.primal[item.counter], note)  # type: ignore[index]
        for v, total in sums:
            self.contribute(v, Term(1, (pyast.name(total), *factor)), item.line)
        for c in carried:
            if constants[c]:
                self.contribute(c.init, Term(constants[c], factor), item.line)
        for op, i, c, coef in shortcuts:  # m's terms of `s += exp(v - m)`: coef * s_bar * s, s the sum of the terms
            if constants[c]:
                term = Term(coef * constants[c], (*factor, pyast.name(names.primal[c.out])),
                            lines=frozenset({item.line}))
                self.contribute(_operands(op)[i], term, op.line)
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
        shortcuts = summed_exponentials(item, carried)
        summed = {(id(op), i) for op, i, _, _ in shortcuts}
        self.summed |= summed
        for op, i, c, coef in shortcuts:  # m's terms of `s += exp(v - m)`, at once
            term = Term(coef, (pyast.name(names.adjoint(c.out)), pyast.name(names.primal[c.out])),
                        lines=frozenset({item.line}))
            self.contribute(_operands(op)[i], term, op.line)
        receivers = self.receivers(item.body, tuple(c.param for c in item.carried))
        entered = self.enter([v for v in receivers if not summed or still_given(item.body, v, summed)],
                             repeated=True)
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

"""The forward sweep: `Trace` -> statements computing the function's value.

Guarantees: one statement per op, in order, each tied to its source line;
branches and loops as Python `if` and `for`/`while` blocks. A loop's carried
variable lives in one name: it is set from its initial value before the loop
and from each path's next value at the end of the path (all at once, so
`a, b = b, a + b` stays right). Every loop whose reverse needs a trip count
counts its iterations. Where the reverse sweep may need a value that a later
iteration overwrites, a `Record` placeholder marks the push: at the end of
each branch inside a loop and at each exit from a loop body, innermost first.

Before: `for i in range(n): s = s + x[i]` (s carried, from 0.0).
After:  s = 0.0 ; for i in range(n): [s_1 = s + x[i]] ; [record] ; s = s_1
"""

from __future__ import annotations

import ast

from . import pyast
from .array_code import array_expr, renamed_numpy
from .naming import Names
from .program import Block, Fused, Jump, Node, Record, Stmt, parallel_copies
from .program import walk as walk_code
from .trace import (
    Affine,
    Append,
    ArrayOp,
    Break,
    Call,
    Compute,
    If,
    ListVar,
    Load,
    Loop,
    NewList,
    Next,
    Op,
    Pop,
    Product,
    Return,
    Store,
    Sum,
    Trace,
    Var,
    simple_while,
    walk,
)


class Forward:
    def __init__(self, trace: Trace, names: Names):
        self.trace = trace
        self.names = names
        self.loops: list[Loop] = []
        self.open: list[tuple[int, str]] = []  # recording blocks entered, innermost last: (key, tape)
        returns = [i for i in walk(trace.body) if isinstance(i, Return)]
        self.value_name = None if returns == [trace.body[-1]] else names.fresh("value")
        self.tapes: list[str] = []
        self.recording = True  # tapes, trip counts and fused-loop markers, for a reverse sweep to come

    def copies(self, pairs: list[tuple[Var, object]], lines: tuple[int, ...]) -> list[Node]:
        """Assign each (variable, operand) pair at once: a merge, a loop's start or its next values."""
        names = self.names
        return parallel_copies([(names.primal[v], operand(a, names)) for v, a in pairs], lines, names.fresh)

    def sweep(self) -> tuple[Node, ...]:
        body = self.block(self.trace.body)
        setup = [Stmt(t, ast.List([], pyast.LOAD), (self.trace.line,), tape=True) for t in self.tapes]
        return tuple(setup + body)

    def value(self) -> ast.expr:
        if self.value_name is not None:
            return pyast.name(self.value_name)
        return self.returned(self.trace.body[-1])  # type: ignore[arg-type]

    def returned(self, item: Return) -> ast.expr:
        """What a return gives back: the value, a tuple of values and lists, or a list."""
        if item.form == "scalar":
            return operand(item.value, self.names)
        if item.form in ("list", "array"):
            return operand(item.outputs[0], self.names)
        return ast.Tuple([operand(v, self.names) for v in item.outputs], pyast.LOAD)

    def block(self, items) -> list[Node]:
        out: list[Node] = []
        names = self.names
        for item in items:
            if isinstance(item, Op):
                out.append(Stmt(names.primal[item.out], forward_expr(item, names), (item.line,),
                                temporary=item.out.hint is None))
            elif isinstance(item, NewList):
                value: ast.expr = ast.List([operand(e, names) for e in item.elements], pyast.LOAD)
                if item.repeat is not None:
                    value = pyast.binop(value, pyast.MULT, operand(item.repeat, names))
                out.append(Stmt(names.primal[item.out], value, (item.line,)))
            elif isinstance(item, Store):
                lst, index = names.primal[item.lst], operand(item.index, names)
                out.append(Stmt(f"{lst}[{pyast.to_source(index)}]", operand(item.value, names), (item.line,),
                                target_reads=(lst, *pyast.names_read(index))))
            elif isinstance(item, Append):
                out.append(Stmt("", pyast.method(names.primal[item.lst], "append", [operand(item.value, names)]),
                                (item.line,)))
            elif isinstance(item, Pop):
                target = names.primal[item.out] if item.out is not None else ""
                out.append(Stmt(target, pyast.method(names.primal[item.lst], "pop", []), (item.line,)))
            elif isinstance(item, If):
                out.append(self.branch(item))
            elif isinstance(item, Loop):
                out += self.loop(item)
            elif isinstance(item, (Next, Break)):
                out += self.exit(item)
            elif isinstance(item, Return):
                if self.value_name is not None:  # one of several returns
                    out.append(Stmt(self.value_name, self.returned(item), (item.line,)))
        return out

    def branch(self, item: If) -> Block:
        arms = []
        for arm, side in ((item.body, "then"), (item.orelse, "orelse")):
            recording = bool(self.loops) and self.recording
            key = arm_key(item, side)
            if recording:
                self.open.append((key, self.names.tapes[id(self.loops[-1])]))
            stmts = self.block(arm)
            if recording:
                self.open.pop()
                if not _ends(arm):
                    stmts.append(Record(key, self.names.tapes[id(self.loops[-1])]))
            stmts += self.copies([(m.out, getattr(m, side)) for m in item.merges], (item.line,))
            arms.append(tuple(stmts))
        return Block("if", pyast.name(self.names.primal[item.cond]), arms[0], arms[1], (item.line,))

    def loop(self, item: Loop) -> list[Node]:
        names = self.names
        out: list[Node] = self.copies([(c.param, c.init) for c in item.carried], (item.line,))
        if fusable_shape(item) and not self.loops and not self.open and self.recording:
            out.append(Fused(loop_key(item), True))
        tape = names.tapes[id(item)]
        if self.recording:
            self.tapes.append(tape)
        counted = item.trips is not None and self.recording
        if counted:
            out.append(Stmt(names.primal[item.trips], pyast.number(0), (item.line,)))
        self.loops.append(item)
        saved, self.open = self.open, [(loop_key(item), tape)] if self.recording else []
        body: list[Node] = []
        count = [Stmt(names.primal[item.trips], pyast.number(1), (item.line,), augmented=True)] if counted else []
        simple = simple_while(item)
        test = None
        if simple is not None:
            test = while_test(simple, names)
        if test is not None:  # while test: ... ; the reverse loops over the body's runs only
            branch = simple[1]  # type: ignore[index]
            if self.recording:
                self.open.append((arm_key(branch, "then"), tape))
            body = count + self.block(branch.body)
        else:
            body = count + self.block(item.body)
        self.open = saved
        self.loops.pop()
        if test is not None:
            out.append(Block("while", test, tuple(body), (), (item.line,)))
            return out
        element = _element_loop(item, body, names)
        if element is not None:  # for v in xs: the forward sweep needs no index
            target, lst, body = element
            out.append(Block("for", pyast.name(lst), tuple(body), (), (item.line,), target))
        elif item.kind == "range":
            bounds = [operand(b, names) for b in item.bounds]
            out.append(Block("for", pyast.call("range", bounds), tuple(body), (), (item.line,),
                             names.primal[item.counter]))  # type: ignore[index]
        else:
            out.append(Block("while", ast.Constant(True), tuple(body), (), (item.line,)))
        return out

    def exit(self, item: Next | Break) -> list[Node]:
        loop = self.loops[-1]
        fused = len(self.loops) == 1 and fusable_shape(loop) and self.recording
        out: list[Node] = [Fused(loop_key(loop), False)] if fused else []
        out += [Record(key, tape) for key, tape in reversed(self.open)]
        out += self.copies([(c.param, v) for c, v in zip(loop.carried, item.values)], (item.line,))
        if isinstance(item, Break):
            out.append(Jump("break"))
        return out


def fusable_shape(loop: Loop) -> bool:
    """A range loop whose body is straight-line code: its reverse may run inside it (see reverse)."""
    return loop.kind == "range" and loop.trips is None and all(isinstance(i, (Op, Next)) for i in loop.body)


def while_test(simple: tuple, names: Names) -> ast.expr | None:
    """A while loop's test as one expression, if its ops fold into it (else None)."""
    ops, branch = simple
    values: dict[str, ast.expr] = {}
    for op in ops:
        if op.out.hint is not None:
            return None
        values[names.primal[op.out]] = pyast.substitute(forward_expr(op, names), values)
    cond = names.primal[branch.cond]
    reads = [n for v in values.values() for n in pyast.names_read(v)]
    if any(reads.count(n) > 1 for n in values):
        return None
    return values.get(cond, pyast.name(cond))


def _element_loop(item: Loop, body: list[Node], names: Names):
    """(v, xs, body without `v = xs[k]`) for a loop over a list's items that reads k nowhere else."""
    first = item.body[0] if item.body else None
    if item.counter is None or item.counter.hint != ".k" or item.trips is not None or not isinstance(first, Op) \
            or not isinstance(first.expr, Load) or first.expr.index != item.counter:
        return None
    k, v = names.primal[item.counter], names.primal[first.out]
    load = next((i for i, n in enumerate(body) if isinstance(n, Stmt) and n.defines == (v,)), None)
    if load is None or any(k in n.reads for n in walk_code(body[load + 1:]) if isinstance(n, (Stmt, Block))):
        return None
    return v, names.primal[first.expr.lst], body[:load] + body[load + 1:]


def arm_key(item: If, side: str) -> tuple:
    """The key of a branch's record (arms may be equal empty tuples: identity is the If's)."""
    return ("arm", id(item), side)


def loop_key(item: Loop) -> tuple:
    return ("loop", id(item))


def _ends(block) -> bool:
    """Does every path through the block end in an exit (so records are pushed there)?"""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, (Next, Break, Return)):
        return True
    return isinstance(last, If) and _ends(last.body) and _ends(last.orelse)


def operand(a: object, names: Names) -> ast.expr:
    return pyast.name(names.primal[a]) if isinstance(a, (Var, ListVar)) else pyast.number(a)  # type: ignore[index,arg-type]


def _scaled(scale: float, x: ast.expr) -> ast.expr:
    return x if scale == 1 else pyast.product(scale, [x])


def _float_unit(c: float, first: Var, p: float) -> bool:
    """Is c 1.0 or -1.0, multiplying an integer first? Then it is written: 1.0 * n is a float, n an int,
    and -1.0 * n * x is -0.0 at n = 0 (x > 0), -n * x is 0.0."""
    return type(c) is float and abs(c) == 1 and first.kind in ("int", "bool") and type(p) is int


def forward_expr(op: Op, names: Names) -> ast.expr:
    """The Python expression computing an op's value."""
    e = op.expr
    if isinstance(e, Affine):
        terms = [(int(c), [pyast.binop(pyast.number(1.0), pyast.MULT, operand(v, names))], [])
                 if _float_unit(c, v, 1) else (c, [operand(v, names)], []) for c, v in e.terms]
        return pyast.signed_sum(terms, e.const)
    if isinstance(e, Product):
        num = [pyast.power(operand(v, names), p) for v, p in e.factors if p > 0]
        den = [pyast.power(operand(v, names), -p) for v, p in e.factors if p < 0]
        if e.div != 1:
            den.append(pyast.number(e.div))
        if not num:
            return pyast.product(1, [pyast.number(e.coef)], den)
        if _float_unit(e.coef, *next((v, p) for v, p in e.factors if p > 0)):
            return pyast.product(1, [pyast.number(e.coef), *num], den)
        return pyast.product(e.coef, num, den)
    if isinstance(e, Load):
        return pyast.subscript(operand(e.lst, names), operand(e.index, names))
    if isinstance(e, Sum):
        return pyast.call("sum", [operand(e.lst, names)])
    if isinstance(e, Compute):
        args = {f"_{i}": operand(a, names) for i, a in enumerate(e.args)}
        node = pyast.substitute(pyast.template(e.template), args)
        return renamed_numpy(node, names.numpy()) if "np." in e.template else node
    if isinstance(e, ArrayOp):
        if e.fn in ("setitem", "scalar"):
            names.helpers.add("_" + e.fn)
        return array_expr(e, [operand(a, names) for a in e.args], names.numpy())
    assert isinstance(e, Call)
    args = [operand(a, names) for a in e.args]
    if e.fn == "pow":
        return pyast.binop(args[0], pyast.POW, args[1])
    if len(args) == 1:
        unit = isinstance(e.args[0], Var) and _float_unit(e.scale, e.args[0], 1)  # abs(1.0 * n) is a float
        args = [pyast.product(1, [pyast.number(e.scale), args[0]]) if unit else _scaled(e.scale, args[0])]
    return pyast.call(names.function(e.fn), args)

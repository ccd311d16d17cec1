"""Lowering of control flow: branches (merges as phis) and loops (carried values).

Guarantees: every path through a loop body ends in one `Next` or `Break`; a value assigned on some
paths only is undefined after the branch, except where a later path of conditions implies the ones it
was set under (`implies`); arrays stored into are carried and merged like names.

Before: `if not (z1 or z4): z = x + y` ... `if z1: ... elif z4: ... else: z_bar = 2 * z`.
After:  z leaves its branch as `z = merge(x + y, 0.0)`, and the else arm, whose path (not z1, not z4)
        implies `not (z1 or z4)`, reads it.
"""

from __future__ import annotations

import ast
from typing import Callable

from ..pending import Lin, Mono, Value
from ..prepare import may_exit, restructure
from ..trace import (
    ArrayOp,
    Break,
    Carried,
    Compute,
    If,
    ListVar,
    Load,
    Loop,
    Merge,
    Next,
    Operand,
    Var,
)
from .common import (
    Binding,
    _assigned,
    _assigned_in_if,
    _is_call,
    _kind_of,
    _LoopContext,
    _merged_kind,
    _merged_kinds,
    _read,
    _stored,
    _stored_lists,
    _Undefined,
)


class Flow:
    """Branches and loops (a mixin of `_Lowering`; conditions are `Conditions`')."""

    def branch(self, s: ast.If, env: dict[str, Binding], at_end: Callable | None) -> bool:
        cond = self.condition(s.test, env)
        exits = may_exit(s)
        if not isinstance(cond, Var):  # decided by constants alone
            return self.statements(s.body if cond else s.orelse, env, at_end if exits else None)
        assigned = _assigned_in_if(s)
        aliases, path = self.aliases, self.path
        # an array stored into is a new value (assignment into a copy): merged like a name assigned
        if any(self.is_array(v) for v in env.values()):  # only where arrays are: walking each elif again is quadratic
            assigned = assigned + [n for n in _stored(s.body + s.orelse) if self.is_array(env.get(n))
                                   and n not in assigned]
        envs = []
        blocks = []
        for arm, taken in ((s.body, True), (s.orelse, False)):
            arm_env = dict(env)
            path.append((cond, taken))
            for n, b in env.items():  # defined wherever the conditions on this arm's path hold
                if isinstance(b, _Undefined) and b.conds and self.implies(path, b.conds):
                    arm_env[n] = self.where_read(b)  # type: ignore[assignment]
            self.depth += 1
            with self.block() as items:
                falls = self.statements(arm, arm_env, at_end if exits else None)
                if falls:  # values leave the arm as variables or constants
                    for n in assigned:
                        v = arm_env.get(n)
                        if v is not None and not isinstance(v, (ListVar, _Undefined)):
                            arm_env[n] = self.materialize(v)  # type: ignore[arg-type]
            self.depth -= 1
            path.pop()
            envs.append(arm_env if falls else None)
            blocks.append(tuple(items))
        merges = []
        then_env, else_env = envs
        if then_env is None and else_env is None:
            self.items.append(If(cond, blocks[0], blocks[1], (), s.lineno))
            return False
        for n in assigned:
            values = [e.get(n) if e is not None else None for e in envs]
            live = [v for v, e in zip(values, envs) if e is not None]
            if any(v is None or isinstance(v, _Undefined) for v in live):
                why = f"{n} is not assigned on every path through the if at line {s.lineno}"
                defined = [(v, side) for v, side in zip(values, (True, False))
                           if v is not None and not isinstance(v, ListVar) and (not isinstance(v, _Undefined) or v.conds)]
                if len(live) == 2 and len(defined) == 1:  # defined on one side: a branch on cond may read it
                    v, side = defined[0]
                    inner = v.conds if isinstance(v, _Undefined) else ()
                    value = v.value if isinstance(v, _Undefined) else v
                    # merged with 0.0 from the other side, which no read on the same condition ever sees:
                    # so the value leaves the branch as every value does, and its adjoint flows back through it
                    kind = _kind_of(value)  # type: ignore[arg-type]
                    zero: object = 0.0 if kind in ("float", "array") else 0  # an integer stays an integer
                    out = self.var(n, kind)
                    merges.append(Merge(out, *((value, zero) if side else (zero, value))))  # type: ignore[arg-type]
                    aliases[out] = aliases.get(value, value)  # a branch on out is a branch on value
                    env[n] = _Undefined(why, ((cond, side),) + inner, out)
                else:
                    env[n] = _Undefined(why)
            elif len(live) == 1 or all(v is live[0] or v == live[0] and type(v) is type(live[0]) for v in live):
                env[n] = live[0]  # type: ignore[assignment]
            elif any(isinstance(v, ListVar) for v in live):
                raise self.fail(s, f"the list {n} is rebound in a branch", "create lists once, before the if")
            else:
                out = self.var(n, _merged_kind(live))  # type: ignore[arg-type]
                merges.append(Merge(out, values[0], values[1]))  # type: ignore[arg-type]
                self.merged[out] = (cond, values[0], values[1])
                self.may_share(out, values)
                env[n] = out
        self.items.append(If(cond, blocks[0], blocks[1], tuple(merges), s.lineno))
        return True

    def select(self, cond: Operand, a: Callable[[], Value], b: Callable[[], Value], hint: str | None = None) -> Value:
        """`a() if cond else b()`, each side computed only in its branch."""
        if not isinstance(cond, Var):
            return a() if cond else b()
        operands = []
        blocks = []
        for side, taken in ((a, True), (b, False)):
            self.depth += 1
            self.path.append((cond, taken))
            with self.block() as items:
                operands.append(self.materialize(side()))
            self.path.pop()
            self.depth -= 1
            blocks.append(tuple(items))
        if operands[0] is operands[1] or (not blocks[0] and not blocks[1] and operands[0] == operands[1]
                                          and type(operands[0]) is type(operands[1])):
            return operands[0]
        out = self.var(hint, _merged_kind(operands))
        self.items.append(If(cond, blocks[0], blocks[1], (Merge(out, operands[0], operands[1]),), self.line))
        self.merged[out] = (cond, operands[0], operands[1])
        self.may_share(out, operands)
        return out

    # --- loops -----------------------------------------------------------------------------

    def for_loop(self, s: ast.For, env: dict[str, Binding]) -> None:
        if s.orelse:
            raise self.fail(s.orelse[0], "for-else is not supported", "use a flag variable set before break")
        it = s.iter
        pair = _is_call(it, "enumerate") and isinstance(s.target, ast.Tuple) and len(s.target.elts) == 2 \
            and all(isinstance(t, ast.Name) for t in s.target.elts)
        if not isinstance(s.target, ast.Name) and not pair:
            raise self.fail(s.target, "only a plain name can be a loop variable", "write for i in range(n)")
        element: ListVar | None = None
        rows: Var | None = None  # an array iterated over: its rows (x[i] along the first axis)
        source = it.args[0] if pair and len(it.args) == 1 else it  # type: ignore[attr-defined]
        if (pair or not _is_call(it, "range")) and isinstance(source, ast.Name) and self.is_array(env.get(source.id)):
            if source.id in _stored(s.body):
                raise self.fail(it, f"the loop changes the array {source.id} it iterates over",
                                "iterate over range(len(...)) and index the array")
            rows = env[source.id]  # type: ignore[assignment]
            bounds = (self.emit(Compute("len(_0)", (rows,)), None, "int"),)
        elif pair:  # for k, v in enumerate(xs)
            if len(it.args) != 1 or not isinstance(it.args[0], ast.Name) \
                    or not isinstance(env.get(it.args[0].id), ListVar):  # type: ignore[attr-defined]
                raise self.fail(it, "enumerate takes one list here", "write for k, v in enumerate(xs)")
            element = env[it.args[0].id]  # type: ignore[assignment,attr-defined]
            bounds = (self.emit(Compute("len(_0)", (element,)), None, "int"),)  # type: ignore[arg-type]
        elif _is_call(it, "reversed") and len(it.args) == 1:  # type: ignore[attr-defined]
            bounds = self.reversed_range(it.args[0], env)  # type: ignore[attr-defined]
        elif _is_call(it, "range") and env.get("range") is None:
            if not 1 <= len(it.args) <= 3 or it.keywords:  # type: ignore[attr-defined]
                raise self.fail(it, "range takes one to three arguments", "write range(stop), range(start, stop) "
                                "or range(start, stop, step)")
            bounds = tuple(self.index(a, env, "a range bound") for a in it.args)  # type: ignore[attr-defined]
            if len(bounds) == 3 and bounds[2] == 0:
                raise self.fail(it, "range step is zero", "use a nonzero step")
        elif isinstance(it, ast.Name) and isinstance(env.get(it.id), ListVar):
            element = env[it.id]  # type: ignore[assignment]
            if element.id in _stored_lists(s.body, env):  # type: ignore[union-attr]
                raise self.fail(it, f"the loop changes the list {it.id} it iterates over",
                                "iterate over range(len(...)) and index the list")
            bounds = (self.emit(Compute("len(_0)", (element,)), None, "int"),)  # type: ignore[arg-type]
        else:
            raise self.fail(it, f"iterating over {ast.unparse(it)} is not supported",
                            "loop over range(...) or over a list of floats")
        names = [t.id for t in s.target.elts] if pair else [s.target.id]  # type: ignore[attr-defined]
        counter_hint = names[0] if pair or (element is None and rows is None) else ".k"

        def enter(body_env: dict[str, Binding]) -> None:
            counter = body_env[".counter"]
            if element is not None:
                body_env[names[-1]] = self.emit(Load(element, counter), names[-1],  # type: ignore[arg-type]
                                                kind=self.item_kind(element))  # type: ignore[arg-type]
            if rows is not None:
                row = ArrayOp("getitem", (rows, counter), (("index", "_1"),))
                body_env[names[-1]] = self.emit(row, names[-1], "array")
            if (element is None and rows is None) or pair:
                body_env[names[0]] = counter

        self.loop("range", s, s.body, env, bounds, counter_hint, enter, None)

    def reversed_range(self, e: ast.expr, env: dict[str, Binding]) -> tuple:
        """Bounds of reversed(range(a, b, c)) or reversed(range(a, b, c)[:t]), as a forward range."""
        limit = None
        if isinstance(e, ast.Subscript) and isinstance(e.slice, ast.Slice) and e.slice.lower is None \
                and e.slice.step is None and e.slice.upper is not None:
            limit, e = self.index(e.slice.upper, env, "a slice bound"), e.value
        if not _is_call(e, "range") or not 1 <= len(e.args) <= 3:  # type: ignore[attr-defined]
            raise self.fail(e, f"reversed({ast.unparse(e)}) is not supported", "write reversed(range(...))")
        args = [self.index(a, env, "a range bound") for a in e.args]  # type: ignore[attr-defined]
        a, b, c = (0, args[0], 1) if len(args) == 1 else (args[0], args[1], args[2] if len(args) == 3 else 1)
        if limit is None:
            n = self.compute("len(range(_0, _1, _2))", (a, b, c), "int")
        else:
            n = self.compute("len(range(_0, _1, _2)[:_3])", (a, b, c, limit), "int")
        start = self.compute("_0 + (_1 - 1) * _2", (a, n, c), "int")
        return start, self.compute("_0 - _1", (a, c), "int"), self.compute("-_0", (c,), "int")

    def while_loop(self, s: ast.While, env: dict[str, Binding]) -> None:
        if s.orelse:
            raise self.fail(s.orelse[0], "while-else is not supported", "use a flag variable set before break")
        self.loop("while", s, s.body, env, (), None, None, s.test)

    def loop(self, kind: str, s: ast.stmt, body: list[ast.stmt], env: dict[str, Binding], bounds: tuple,
             counter_hint: str | None, enter: Callable | None, test: ast.expr | None) -> None:
        targets = {n.id for n in ast.walk(s.target) if isinstance(n, ast.Name)} if isinstance(s, ast.For) else set()
        assigned = [n for n in _assigned(body) if n not in targets]
        for n in assigned:
            if isinstance(env.get(n), ListVar):
                raise self.fail(s, f"the list {n} is rebound inside the loop", "create lists once, before the loop")
        assigned += [n for n in _stored(body) if self.is_array(env.get(n)) and n not in assigned]
        for n in assigned:  # set on some paths only, and changed by the loop: not a value a branch may read
            b = env.get(n)
            if isinstance(b, _Undefined) and b.conds:
                env[n] = _Undefined(b.why)
        carried = [n for n in assigned if n in env and not isinstance(env[n], _Undefined)]
        for n in _read(s):  # what the body reads from outside enters as variables
            v = env.get(n)
            if isinstance(v, (Lin, Mono)):
                env[n] = self.materialize(v)
        inits = tuple(self.materialize(env[n]) for n in carried)  # type: ignore[arg-type]
        kinds = [_kind_of(v) for v in inits]
        body = restructure(body, self.module, top=False)
        for _attempt in range(4):  # a carried integer that becomes a float is lowered again as a float
            ctx = _LoopContext(carried)
            params = tuple(self.var(n, k) for n, k in zip(carried, kinds))
            for p, init in zip(params, inits):  # the first iteration's value is the value before the loop
                self.may_share(p, (init,))
            counter = self.var(counter_hint, "int") if kind == "range" else None
            body_env = dict(env)
            body_env.update(zip(carried, params))
            if counter is not None:
                body_env[".counter"] = counter
            self.loops.append(ctx)
            self.depth += 1
            with self.block() as items:
                if test is not None:
                    with self.block() as test_items:  # the test's values are not reused by the body
                        cond = self.condition(test, body_env)
                    if not isinstance(cond, Var) and not cond:
                        items.clear()
                    else:
                        items.extend(test_items)
                        self.depth += 1
                        with self.block() as stop:
                            ctx.has_break = True
                            stop.append(Break(params, s.lineno))
                        with self.block() as inner:
                            self.line = s.lineno
                            self.statements(body, body_env, lambda e: self.next_exit(ctx, e))
                        self.depth -= 1
                        if isinstance(cond, Var):
                            items.append(If(cond, tuple(inner), tuple(stop), (), s.lineno))
                        else:
                            items.extend(inner)
                else:
                    if enter is not None:
                        enter(body_env)
                    self.statements(body, body_env, lambda e: self.next_exit(ctx, e))
            self.depth -= 1
            self.loops.pop()
            new_kinds = [_merged_kinds({k, *(_kind_of(x[i]) for x in ctx.exits)}) for i, k in enumerate(kinds)]
            if new_kinds == kinds:
                break
            kinds = new_kinds
        if test is not None and not items:  # `while False`: nothing runs
            for n in assigned:
                if n not in carried:
                    env[n] = _Undefined(f"{n} is assigned only inside the loop at line {s.lineno}")
            return
        outs = tuple(self.var(n, k) for n, k in zip(carried, kinds))
        for o, init in zip(outs, inits):  # after no iteration, the value before the loop
            self.may_share(o, (init,))
        trips = self.var(".trips", "int") if kind == "while" or ctx.has_break else None
        loop = Loop(kind, counter, bounds, tuple(Carried(o, p, i) for o, p, i in zip(outs, params, inits)),
                    tuple(items), trips, s.lineno)
        self.items.append(loop)
        env.update(zip(carried, outs))
        for n in assigned:
            if n not in carried:
                env[n] = _Undefined(f"{n} is assigned only inside the loop at line {s.lineno}")
        for n in sorted(targets):
            env[n] = _Undefined(f"the loop variable {n} is used after its loop (line {s.lineno})")

    def next_exit(self, ctx: _LoopContext, env: dict[str, Binding]) -> None:
        self.items.append(Next(self.exit_values(ctx, env), self.line))

    def exit_values(self, ctx: _LoopContext, env: dict[str, Binding]) -> tuple[Operand, ...]:
        values = tuple(self.materialize(env[n]) for n in ctx.carried)  # type: ignore[arg-type]
        ctx.exits.append(values)
        return values

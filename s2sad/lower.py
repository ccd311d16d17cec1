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
import math
import re
from dataclasses import dataclass, field
from typing import Callable, Union

from .algebra import Builder, Lin, Mono, Value, _is_const
from .errors import UnsupportedSyntaxError, Violation
from .frontend import Elementary, Helper, MathConstant, MathModule, ModuleConstant, NumpyModule, NumpyName, Source
from .hints import bound_names
from . import numpy_names as npn
from .lower_arrays import ArrayLowering, is_array_program
from .prepare import changed_lists, may_exit, param_kinds, restructure, rewritten_items, tuple_lists
from .rules import CONSTANTS, LINEAR, RULES
from .trace import (
    ArrayOp,
    Append, Break, Call, Carried, Compute, If, ListVar, Load, Loop, Merge, NewList, Next, Op, Operand, Pop,
    Return, Store, Sum, Trace, Var, fill_template,
)


class _Abandon(Exception):
    """Lowering stops after an error left a state it cannot go on from: report the errors found."""


@dataclass(frozen=True)
class _Undefined:
    """A name that is not defined on every path to this point."""

    why: str


@dataclass(frozen=True)
class _Tuples:
    """A list of equal-length tuples (a tape in generated code), held as one list per position."""

    parts: tuple[ListVar, ...]


Binding = Union[Value, ListVar, _Undefined, _Tuples]


@dataclass
class _LoopContext:
    carried: list[str]
    has_break: bool = False
    exits: list[tuple[Operand, ...]] = field(default_factory=list)


def lower(src: Source) -> Trace:
    """Lower a checked function to its evaluation trace."""
    return _Lowering(src.module).function(src.node)


class _Lowering(ArrayLowering, Builder):
    def __init__(self, module):
        super().__init__(module)
        self.array_params: set[str] = set()
        self.tables: dict[str, str] = {}  # data tables read: name -> source text
        self.constants: dict[str, float] = {}
        self.loops: list[_LoopContext] = []
        self.depth = 0  # of nested blocks: lists are built at depth 0 only
        self.param_lists: set[int] = set()
        self.displays: dict[ListVar, tuple] = {}  # lists nothing changes -> their items
        self.errors: list[Violation] = []  # user errors found so far: lowering goes on after one
        self.failed: set[str] = set()  # names bound by statements that failed

    # --- the function ------------------------------------------------------------

    def function(self, fn: ast.FunctionDef) -> Trace:
        args = fn.args.posonlyargs + fn.args.args
        text = "".join(self.module.lines[fn.lineno - 1 : fn.end_lineno])
        # typing parameters walks the whole function: skip it where no list or integer use can appear
        kinds = param_kinds(fn) if any(k in text for k in ("[", "range", "len", "sum", "for")) else {}
        if is_array_program(fn, self.module):  # a parameter not used as an integer may be an array
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
        defaults: list[float | None] = [None] * (len(args) - len(fn.args.defaults))
        defaults += [self.fold(d, "a parameter default") for d in fn.args.defaults]
        env: dict[str, Binding] = {p.hint: p for p in params}  # type: ignore[misc]
        # a list changed anywhere (a loop may change it after a read) is read afresh each time
        self.mutated = changed_lists(fn)
        self.rewritten = rewritten_items(fn)  # items stored into; the others stay as they were made
        self.tuple_lists = tuple_lists(fn)
        body = restructure(_without_docstring(fn.body), self.module, top=True)
        self.top_level(body, env)
        return Trace(fn.name, tuple(params), tuple(defaults), tuple(self.items), self.module.filename, fn.lineno,
                     tuple(sorted(self.tables.items())))

    # --- statements ----------------------------------------------------------------

    def top_level(self, body: list[ast.stmt], env: dict[str, Binding]) -> None:
        """The function's statements, raising every error found in them together."""
        try:
            self.statements(body, env, None)
        except _Abandon:
            pass
        if self.errors:
            raise UnsupportedSyntaxError(list(dict.fromkeys(self.errors)))

    def statements(self, stmts: list[ast.stmt], env: dict[str, Binding], at_end: Callable | None) -> bool:
        """Lower stmts; False when every path has left (returned, broken, continued).

        An error in one statement does not hide the errors of the next ones: it
        is recorded, and lowering goes on. A statement that reads a name bound by
        a failed one is skipped, and a compound statement's own error after an
        error inside it is not recorded: those would only follow from the first.
        """
        for s in stmts:
            if self.errors and self.failed & _reads(s):
                self.failed |= bound_names(s)
                continue
            self.line = s.lineno
            before, depth, loops = len(self.errors), self.depth, list(self.loops)
            try:
                if not self.statement(s, env, at_end):
                    return False
            except UnsupportedSyntaxError as exc:
                if len(self.errors) == before:
                    self.errors.extend(exc.violations)
                self.failed |= bound_names(s)
                self.depth, self.loops = depth, loops
            except _Abandon:
                raise
            except Exception:
                if not self.errors:
                    raise
                raise _Abandon from None  # after an error, the state is not worth lowering on
        if at_end is not None:
            at_end(env)
            return False
        return True

    def statement(self, s: ast.stmt, env: dict[str, Binding], at_end: Callable | None) -> bool:
        if isinstance(s, ast.Return):
            if self.loops:
                raise self.fail(s, "return inside a loop is not supported",
                                "assign the result to a variable, break, and return after the loop")
            value = self.value(s.value, env)  # type: ignore[arg-type]
            if self.is_array(value):  # checked to be a scalar when it runs
                value = self.array_op(ArrayOp("scalar", (value,)), "float")
            self.items.append(Return(self.materialize(value), s.lineno))
            return False
        if isinstance(s, (ast.Break, ast.Continue)):
            ctx = self.loops[-1]
            values = self.exit_values(ctx, env)
            if isinstance(s, ast.Break):
                ctx.has_break = True
                self.items.append(Break(values, s.lineno))
            else:
                self.items.append(Next(values, s.lineno))
            return False
        if isinstance(s, ast.Assign) and _is_pop(s.value):  # v = xs.pop(), or a, b = tape.pop()
            self.pop(s, s.targets[0], s.value, env)  # type: ignore[arg-type]
            return True
        if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Tuple) \
                and not isinstance(s.value, ast.Tuple):  # m, n = x.shape
            if isinstance(s.value, ast.Call) and self.numpy_path(s.value.func, env) == "linalg.slogdet" \
                    and len(s.targets[0].elts) == 2 and len(s.value.args) == 1:  # sign, logdet = slogdet(a)
                a = self.materialize(self.value(s.value.args[0], env))
                sign, logdet = s.targets[0].elts
                self.assign_to(sign, self.emit(Compute("np.linalg.slogdet(_0)[0]", (a,)), None, "float"), env,
                               len(self.items))
                self.assign_to(logdet, self.sheet_op(s.value, "linalg.slogdet", [a], {}), env, len(self.items))
                return True
            value = self.materialize(self.value(s.value, env))
            if not (isinstance(value, Var) and value.kind == "shape"):
                raise self.fail(s, "unpacking assignment is not supported here (only of tuples, shapes and "
                                "np.linalg.slogdet)", "assign each value on its own line")
            self.unpack_shape(s.targets[0].elts, value, env)
            return True
        if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Tuple):  # a, b = b, a + b: all at once
            values = [self.value(v, env) for v in s.value.elts]  # type: ignore[attr-defined]
            values = [self.materialize(v) for v in values]
            for t, v in zip(s.targets[0].elts, values):
                self.assign_to(t, v, env, len(self.items))
            return True
        if isinstance(s, (ast.Assign, ast.AnnAssign)):
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            if isinstance(s.value, (ast.List, ast.ListComp)) or _is_list_repeat(s.value):
                if len(targets) > 1:
                    raise self.fail(s, "one list assigned to two names is not supported", "assign it to one name")
                for t in targets:
                    self.new_list(t, s.value, env)  # type: ignore[arg-type]
                return True
            start = len(self.items)
            value = self.value(s.value, env)  # type: ignore[arg-type]
            for t in targets:
                self.assign_to(t, value, env, start)
            return True
        if isinstance(s, ast.AugAssign):
            t = s.target
            if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and self.is_array(env.get(t.value.id)):
                self.array_store(t, self.value(s.value, env), env, s.op)
                return True
            if isinstance(t, ast.Subscript):
                lst, index = self.subscript(t, env, store=True)
                old = self.emit(Load(lst, index))
                self.store(t, lst, index, self.arith(s, s.op, old, self.value(s.value, env)))
                return True
            start = len(self.items)
            current = self.read(t, env)  # type: ignore[arg-type]
            if isinstance(current, ListVar):
                raise self.fail(s, f"{t.id} is a list; augmented assignment to a whole list is not supported",  # type: ignore[attr-defined]
                                "change its items: ys[i] += value, or grow it with ys.append(value)")
            value = self.arith(s, s.op, current, self.value(s.value, env))
            self.assign_to(t, value, env, start)
            return True
        if isinstance(s, ast.Expr):
            self.expression_statement(s, env)
            return True
        if isinstance(s, ast.If):
            return self.branch(s, env, at_end)
        if isinstance(s, ast.For):
            self.for_loop(s, env)
            return True
        if isinstance(s, ast.While):
            self.while_loop(s, env)
            return True
        return True  # pass

    def assign_to(self, t: ast.expr, value: Value, env: dict[str, Binding], start: int) -> None:
        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and self.is_array(env.get(t.value.id)):
            self.array_store(t, value, env)
            return
        if isinstance(t, ast.Subscript):
            lst, index = self.subscript(t, env, store=True)
            self.store(t, lst, index, value)
            return
        name = t.id  # type: ignore[attr-defined]
        if isinstance(env.get(name), ListVar):
            raise self.fail(t, f"{name} is a list; assigning another value to it is not supported",
                            "use a new name for the new value")
        env[name] = self.assign(value, name, start)

    def assign(self, value: Value, target: str, start: int) -> Operand:
        """Materialize an assigned value; the op made for this statement takes the user's name."""
        result = self.materialize(value, hint=target)
        if isinstance(result, Var) and result.hint is None:
            for i in range(len(self.items) - 1, start - 1, -1):
                item = self.items[i]
                if isinstance(item, Op) and item.out == result:
                    named = Var(result.id, target, result.kind)
                    self.items[i] = Op(named, item.expr, item.line)
                    return named
        return result

    def expression_statement(self, s: ast.Expr, env: dict[str, Binding]) -> None:
        call = s.value
        if isinstance(call, ast.Constant) and isinstance(call.value, str):
            return  # a string as a comment
        if _is_pop(call):
            self.pop(s, None, call, env)  # type: ignore[arg-type]
            return
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "append"
                and isinstance(call.func.value, ast.Name) and len(call.args) == 1 and not call.keywords):
            found = env.get(call.func.value.id)
            if isinstance(found, _Tuples) and isinstance(call.args[0], ast.Tuple) \
                    and len(call.args[0].elts) == len(found.parts):
                values = [self.materialize(self.value(x, env)) for x in call.args[0].elts]
                for lst, value in zip(found.parts, values):
                    self.items.append(Append(lst, value, s.lineno))
                return
            lst = self.local_list(call.func.value, env)
            value = self.materialize(self.value(call.args[0], env))
            self.items.append(Append(lst, value, s.lineno))
            return
        raise self.fail(s, "an expression statement has no effect on the result",
                        "remove it (lists grow with xs.append(value))")

    # --- lists -------------------------------------------------------------------------

    def new_list(self, t: ast.expr, e: ast.expr, env: dict[str, Binding]) -> None:
        if not isinstance(t, ast.Name):
            raise self.fail(t, "a list can only be assigned to a plain name", "write ys = [...]")
        if self.depth:
            raise self.fail(e, "lists can only be created at the top level of the function",
                            "create the list before the loop or branch, e.g. ys = [0.0] * n, and assign its items")
        if isinstance(e, ast.ListComp):
            raise self.fail(e, "list comprehensions are not supported",
                            "create the list with ys = [0.0] * n and fill it in a for loop")
        if t.id in self.tuple_lists and isinstance(e, ast.List) and not e.elts:  # a tape of tuples
            parts = tuple(ListVar(next(self.ids), t.id) for _ in range(self.tuple_lists[t.id]))
            for lst in parts:
                self.items.append(NewList(lst, (), None, self.line))
            env[t.id] = _Tuples(parts)
            return
        repeat: Operand | None = None
        if isinstance(e, ast.BinOp):
            display, count = (e.left, e.right) if isinstance(e.left, ast.List) else (e.right, e.left)
            repeat = self.index(count, env, "a list repetition count")
            e = display
        elements = tuple(self.materialize(self.value(x, env)) for x in e.elts)  # type: ignore[attr-defined]
        if repeat is not None and len(elements) > 1 and any(isinstance(x, Var) for x in elements):
            raise self.fail(e, "repeating a list of several computed values is not supported",
                            "write ys = [0.0] * n and assign the items in a loop")
        out = ListVar(next(self.ids), t.id)
        env[t.id] = out
        if repeat is None and (t.id not in self.rewritten or self.rewritten[t.id] is not None):
            self.displays[out] = elements
        self.items.append(NewList(out, elements, repeat, self.line))

    def pop(self, s: ast.stmt, target: ast.expr | None, call: ast.Call, env: dict[str, Binding]) -> None:
        """v = xs.pop() (target None: the item is dropped); a tuple list pops one item per position."""
        found = env.get(call.func.value.id)  # type: ignore[attr-defined]
        parts = found.parts if isinstance(found, _Tuples) else (self.local_list(call.func.value, env),)  # type: ignore[arg-type]
        names: list[str | None]
        if target is None:
            names = [None] * len(parts)
        elif isinstance(target, ast.Name) and len(parts) == 1:
            names = [target.id]
        elif isinstance(target, ast.Tuple) and len(target.elts) == len(parts) and \
                all(isinstance(t, ast.Name) for t in target.elts):
            names = [t.id for t in target.elts]  # type: ignore[attr-defined]
        else:
            raise self.fail(s, "the items popped do not match the names assigned", "write v = xs.pop()")
        for lst, name in zip(parts, names):
            out = self.var(name, "any") if name is not None else None
            self.items.append(Pop(out, lst, s.lineno))
            if name is not None:
                if isinstance(env.get(name), (ListVar, _Tuples)):
                    raise self.fail(s, f"{name} is a list; assigning another value to it is not supported",
                                    "use a new name for the new value")
                env[name] = out  # type: ignore[assignment]

    def local_list(self, node: ast.Name, env: dict[str, Binding]) -> ListVar:
        lst = env.get(node.id)
        if not isinstance(lst, ListVar):
            raise self.fail(node, f"{node.id} is not a list", "only lists built in this function can be changed")
        if lst.id in self.param_lists:
            raise self.fail(node, f"changing the parameter list {node.id} is not supported",
                            f"copy it first: ys = [0.0] * len({node.id}), then fill ys in a loop")
        return lst

    def subscript(self, e: ast.Subscript, env: dict[str, Binding], store: bool = False) -> tuple[ListVar, Operand]:
        if not isinstance(e.value, ast.Name) or not isinstance(env.get(e.value.id), ListVar):
            raise self.fail(e.value, f"{ast.unparse(e.value)} is not a list", "index lists of floats only")
        if isinstance(e.slice, ast.Slice):
            raise self.fail(e.slice, "slices are not supported", "index one item at a time in a loop")
        lst = self.local_list(e.value, env) if store else env[e.value.id]
        return lst, self.index(e.slice, env, "an index")  # type: ignore[return-value]

    def store(self, node: ast.AST, lst: ListVar, index: Operand, value: Value) -> None:
        self.items.append(Store(lst, index, self.materialize(value), self.line))

    def index(self, e: ast.expr, env: dict[str, Binding], what: str) -> Operand:
        v = self.materialize(self.value(e, env))
        if isinstance(v, bool) or not (isinstance(v, int) or (isinstance(v, Var) and v.kind in ("int", "any"))):
            raise self.fail(e, f"{what} must be an integer", "compute indices from loop counters, len() and "
                            "integer parameters with + - * // %")
        return v

    # --- branches ------------------------------------------------------------------------

    def branch(self, s: ast.If, env: dict[str, Binding], at_end: Callable | None) -> bool:
        cond = self.condition(s.test, env)
        exits = may_exit(s)
        if not isinstance(cond, Var):  # decided by constants alone
            return self.statements(s.body if cond else s.orelse, env, at_end if exits else None)
        assigned = _assigned_in_if(s)
        # an array stored into is a new value (assignment into a copy): merged like a name assigned
        assigned = assigned + [n for n in _stored(s.body + s.orelse) if self.is_array(env.get(n)) and n not in assigned]
        envs = []
        blocks = []
        for arm in (s.body, s.orelse):
            arm_env = dict(env)
            self.depth += 1
            with self.block() as items:
                falls = self.statements(arm, arm_env, at_end if exits else None)
                if falls:  # values leave the arm as variables or constants
                    for n in assigned:
                        v = arm_env.get(n)
                        if v is not None and not isinstance(v, (ListVar, _Undefined)):
                            arm_env[n] = self.materialize(v)  # type: ignore[arg-type]
            self.depth -= 1
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
                env[n] = _Undefined(f"{n} is not assigned on every path through the if at line {s.lineno}")
            elif len(live) == 1 or all(v is live[0] or v == live[0] and type(v) is type(live[0]) for v in live):
                env[n] = live[0]  # type: ignore[assignment]
            elif any(isinstance(v, ListVar) for v in live):
                raise self.fail(s, f"the list {n} is rebound in a branch", "create lists once, before the if")
            else:
                out = self.var(n, _merged_kind(live))  # type: ignore[arg-type]
                merges.append(Merge(out, values[0], values[1]))  # type: ignore[arg-type]
                env[n] = out
        self.items.append(If(cond, blocks[0], blocks[1], tuple(merges), s.lineno))
        return True

    def select(self, cond: Operand, a: Callable[[], Value], b: Callable[[], Value], hint: str | None = None) -> Value:
        """`a() if cond else b()`, each side computed only in its branch."""
        if not isinstance(cond, Var):
            return a() if cond else b()
        operands = []
        blocks = []
        for side in (a, b):
            self.depth += 1
            with self.block() as items:
                operands.append(self.materialize(side()))
            self.depth -= 1
            blocks.append(tuple(items))
        if operands[0] is operands[1] or (not blocks[0] and not blocks[1] and operands[0] == operands[1]
                                          and type(operands[0]) is type(operands[1])):
            return operands[0]
        out = self.var(hint, _merged_kind(operands))
        self.items.append(If(cond, blocks[0], blocks[1], (Merge(out, operands[0], operands[1]),), self.line))
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
        if pair:  # for k, v in enumerate(xs)
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
        counter_hint = names[0] if pair or element is None else ".k"

        def enter(body_env: dict[str, Binding]) -> None:
            counter = body_env[".counter"]
            if element is not None:
                body_env[names[-1]] = self.emit(Load(element, counter), names[-1])  # type: ignore[arg-type]
            if element is None or pair:
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

    # --- conditions ----------------------------------------------------------------------

    def condition(self, e: ast.expr, env: dict[str, Binding]) -> Operand:
        """A truth value: a constant, or an inactive variable."""
        if isinstance(e, ast.Compare):
            operands = [self.materialize(self.value(x, env)) for x in [e.left, *e.comparators]]
            result: Operand = True
            for op, a, b in zip(e.ops, operands, operands[1:]):
                symbol = _COMPARE.get(type(op))
                if symbol is None:
                    raise self.fail(e, f"the comparison {type(op).__name__} is not supported", "compare numbers "
                                    "with < <= > >= == !=")
                test = self.compute(f"_0 {symbol} _1", (a, b), "bool")
                result = self.both(result, lambda test=test: test)
            return result
        if isinstance(e, ast.BoolOp):
            result = self.condition(e.values[0], env)
            for rest in e.values[1:]:
                if isinstance(e.op, ast.And):
                    result = self.both(result, lambda rest=rest: self.condition(rest, env))
                else:
                    first = result
                    result = self.select_bool(first, lambda: first, lambda rest=rest: self.condition(rest, env))
            return result
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            return self.compute("not _0", (self.condition(e.operand, env),), "bool")
        return self.materialize(self.value(e, env))

    def bool_value(self, e: ast.BoolOp, env: dict[str, Binding]) -> Value:
        """`a or b` / `a and b` as a value: the operand Python returns, `a if a else b` / `b if a else a`.

        The later operands are computed only where Python computes them (short circuit).
        """
        result: Value = self.value(e.values[0], env)
        for rest in e.values[1:]:
            first = self.materialize(result)
            later = lambda rest=rest: self.value(rest, env)  # noqa: E731
            if isinstance(e.op, ast.Or):
                result = self.select(first, lambda first=first: first, later)
            else:
                result = self.select(first, later, lambda first=first: first)
        return result

    def both(self, a: Operand, b: Callable[[], Operand]) -> Operand:
        return self.select_bool(a, b, lambda: a)

    def select_bool(self, cond: Operand, a: Callable[[], Operand], b: Callable[[], Operand]) -> Operand:
        """`a() if cond else b()` on truth values: one Compute when a() needs no new op."""
        if not isinstance(cond, Var):
            return a() if cond else b()
        with self.block() as items:
            first = a()
        with self.block() as other:
            second = b()
        if not items and not other:
            if second is cond:  # cond and first
                return self.compute("_0 and _1", (cond, first), "bool")
            if first is cond:  # cond or second
                return self.compute("_0 or _1", (cond, second), "bool")
        return self.select(cond, a, b)  # type: ignore[arg-type,return-value]

    def compute(self, template: str, args: tuple, kind: str) -> Operand:
        if all(isinstance(a, (int, float)) for a in args):  # constants alone: decide now
            names = {"__builtins__": {}, "inf": math.inf, "nan": math.nan, "abs": abs, "min": min, "max": max,
                     "float": float, "int": int, "len": len, "range": range}
            try:
                return eval(fill_template(template, [repr(a) for a in args]), names)  # noqa: S307
            except (OverflowError, ValueError, ZeroDivisionError) as exc:  # int(1e309), as Python fails
                here = ast.Pass(lineno=self.line, col_offset=0, end_lineno=self.line, end_col_offset=0)
                raise self.fail(here, f"Python raises {type(exc).__name__} here: {exc}", "check the constants") \
                    from None
        return self.emit(Compute(template, args), None, kind)

    # --- expressions ---------------------------------------------------------------------------

    def value(self, e: ast.expr, env: dict[str, Binding]) -> Value:
        v = self.expr(e, env)
        if isinstance(v, (ListVar, _Tuples)):
            raise self.fail(e, f"the list {ast.unparse(e)} is not a number here",
                            "index it (xs[i]) or sum it (sum(xs)); lists are not copied or aliased")
        return v

    def read(self, e: ast.Name, env: dict[str, Binding]) -> Binding:
        v = env[e.id]
        if isinstance(v, _Undefined):
            raise self.fail(e, v.why, f"assign {e.id} before the loop or branch, on every path")
        return v

    def expr(self, e: ast.expr, env: dict[str, Binding]) -> Binding:  # type: ignore[override]
        if isinstance(e, ast.Constant):
            if type(e.value) not in (int, float, bool):  # a string is only einsum's subscripts
                raise self.fail(e, f"the constant {e.value!r} is not a number", "use int or float constants only")
            return self.constant(e.value)
        if isinstance(e, ast.Tuple):  # tuples are shapes and axes, read where a call takes them
            raise self.fail(e, "tuples are not supported here", "pass each scalar as its own float parameter, "
                            "or an array")
        if isinstance(e, ast.Name):
            if e.id in env:
                return self.read(e, env)
            return self.global_value(e.id, e)
        if isinstance(e, ast.Attribute):
            path = self.numpy_path(e, env)
            if path is not None:
                return npn.CONSTANTS[path]
            if isinstance(e.value, ast.Name) and isinstance(self.module.resolve(e.value.id), MathModule) \
                    and e.value.id not in env:
                return CONSTANTS[e.attr]
            return self.array_attribute(e, env)
        if isinstance(e, ast.UnaryOp):
            if isinstance(e.op, ast.Not):
                return self.condition(e, env)
            v = self.value(e.operand, env)
            if self.is_array(v) and isinstance(e.op, ast.USub):
                return self.array_negative(v)
            return self.mul(-1, v) if isinstance(e.op, ast.USub) else v
        if isinstance(e, ast.BinOp):
            return self.arith(e, e.op, self.value(e.left, env), self.value(e.right, env))
        if isinstance(e, ast.Call):
            return self.call(e, env)
        if isinstance(e, ast.BoolOp):
            return self.bool_value(e, env)
        if isinstance(e, ast.Compare):
            return self.condition(e, env)
        if isinstance(e, ast.IfExp):
            cond = self.condition(e.test, env)
            return self.select(cond, lambda: self.value(e.body, env), lambda: self.value(e.orelse, env))
        if isinstance(e, ast.Subscript) and not (isinstance(e.value, ast.Name)
                                                 and isinstance(env.get(e.value.id), ListVar)):
            return self.array_subscript(e, env)
        if isinstance(e, ast.Subscript):
            lst, index = self.subscript(e, env)
            items = self.displays.get(lst)
            if items is not None and isinstance(index, int) and not isinstance(index, bool) \
                    and (0 <= index < len(items) and index not in (self.rewritten.get(lst.hint) or ())
                         or -len(items) <= index < 0 and lst.hint not in self.mutated):
                return items[index]  # an item of a list nothing changes is the value it was made from
            return self.emit(Load(lst, index))
        if isinstance(e, (ast.List, ast.ListComp)):
            raise self.fail(e, "a list can only be created by assigning it to a name",
                            "write ys = [...] on a line of its own")
        raise AssertionError(f"unchecked node {type(e).__name__}")

    def arith(self, node: ast.AST, op: ast.operator, a: Value, b: Value) -> Value:
        if isinstance(op, (ast.FloorDiv, ast.Mod)):
            symbol = "//" if isinstance(op, ast.FloorDiv) else "%"
            ia, ib = self.materialize(a), self.materialize(b)
            if all((isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, Var) and x.kind == "int")
                   for x in (ia, ib)):
                if ib == 0:
                    raise self.fail(node, f"{symbol} by the constant zero", "check the expression")
                return self.compute(f"_0 {symbol} _1", (ia, ib), "int")  # type: ignore[return-value]
            hint = ("x % y is x - y*floor(x/y): compute the floor outside, pass it in, write x - y*k"
                    if symbol == "%" else "floor division is piecewise constant: compute it outside and pass it in")
            raise self.fail(node, f"the {symbol} operator is not supported on floats", hint)
        if isinstance(op, ast.MatMult) or self.is_array(a) or self.is_array(b):
            return self.array_arith(node, op, a, b)
        return self.binop(node, op, a, b)

    def global_value(self, name: str, node: ast.AST) -> float:
        b = self.module.resolve(name)
        if isinstance(b, MathConstant):
            return b.value
        if isinstance(b, NumpyName):
            return npn.CONSTANTS[b.path]
        assert isinstance(b, ModuleConstant)
        numpy = {n for n, m in self.module.bindings.items() if isinstance(m, NumpyModule) and not m.path}
        if name not in self.constants and npn.is_table(b.node, numpy):
            text = ast.unparse(b.node)
            for alias in numpy:  # spelled with the name generated code imports NumPy as
                text = re.sub(rf"\b{alias}\.", "np.", text)
            self.tables[name] = text
            self.module.tables[name] = text
            return self.emit(Compute(name, ()), None, "array")  # type: ignore[return-value]
        if name not in self.constants:
            self.constants[name] = self.module.folded[name] = self.fold(b.node, f"the module-level value {name}")
        return self.constants[name]

    def fold(self, node: ast.expr, what: str) -> float:
        value = self.expr(node, {})
        if not _is_const(value):  # pragma: no cover - the frontend admits constants only
            raise self.fail(node, f"{what} is not constant")
        return value  # type: ignore[return-value]

    def call(self, e: ast.Call, env: dict[str, Binding]) -> Binding:
        f = e.func
        if isinstance(f, ast.Name) and f.id in _BUILTINS and self.module.resolve(f.id) is None:
            return self.builtin(e, f.id, env)
        path = self.numpy_path(f, env)
        if path is not None:
            return self.numpy_call(e, path, env)
        if isinstance(f, ast.Attribute) and not (isinstance(f.value, ast.Name) and f.value.id not in env):
            return self.method_call(e, env)
        args = [self.value(a, env) for a in e.args]
        if isinstance(f, ast.Attribute):
            key = f.attr  # math.<name>, checked by the frontend
            b = self.module.resolve(f.value.id) if isinstance(f.value, ast.Name) else None  # type: ignore[union-attr]
            if isinstance(b, MathModule) and key == "pow":
                key = "math.pow"
            elif not isinstance(b, MathModule):
                key = f"{b.qualname}.{f.attr}"  # type: ignore[union-attr]
        else:
            b = self.module.resolve(f.id)  # type: ignore[union-attr]
            if isinstance(b, Helper):
                return self.inline(e, b.node, args, env)
            assert isinstance(b, Elementary)
            key = b.key
        if key in ("abs", "fabs") and len(args) == 1:
            arg = self.materialize(args[0])
            if isinstance(arg, Var) and arg.kind in ("int", "bool") and key == "abs":  # piecewise constant
                return self.compute("abs(_0)", (arg,), "int")
        return self.elementary(e, key, args)

    def builtin(self, e: ast.Call, name: str, env: dict[str, Binding]) -> Binding:
        if e.keywords:
            raise self.fail(e, f"keyword arguments of {name} are not supported", "pass arguments by position")
        if name in ("len", "sum"):
            if len(e.args) != 1:
                raise self.fail(e, f"{name} takes one list here", f"write {name}(xs)")
            lst = self.expr(e.args[0], env)
            if self.is_array(lst):
                if name == "len":
                    return self.compute("len(_0)", (lst,), "int")
                return self.array_op(ArrayOp("builtin_sum", (lst,)), "array")
            if not isinstance(lst, ListVar):
                raise self.fail(e.args[0], f"{name} needs a list of floats", f"write {name}(xs) for a list xs")
            if name == "len":
                return self.compute("len(_0)", (lst,), "int")
            return self.emit(Sum(lst))
        if name in ("float", "int"):
            if len(e.args) != 1:
                raise self.fail(e, f"{name} takes one argument here", f"write {name}(x)")
            v = self.materialize(self.value(e.args[0], env))
            if name == "float":
                # float() of an integer or a truth value is inactive; of anything else (a popped item), the value
                if isinstance(v, Var):
                    return self.compute("float(_0)", (v,), "float") if v.kind in ("int", "bool") else v
                try:
                    return float(v)
                except OverflowError as exc:
                    raise self.fail(e, f"Python raises OverflowError here: {exc}", "check the constants") from None
            return self.compute("int(_0)", (v,), "int")  # piecewise constant: no adjoint, which is exact
        # min / max of numbers
        if len(e.args) == 1:
            raise self.fail(e, f"{name} of a list is not supported", f"compute it in a loop: m = xs[0], then "
                            f"m = {name}(m, xs[i]) for each i")
        if len(e.args) < 2:
            raise self.fail(e, f"{name} needs at least two numbers", f"write {name}(a, b)")
        values = [self.materialize(self.value(a, env)) for a in e.args]
        if all((isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, Var) and v.kind == "int")
               for v in values):
            return self.compute(f"{name}({', '.join(f'_{i}' for i in range(len(values)))})", tuple(values), "int")
        best: Operand = values[0]
        symbol = "<" if name == "min" else ">"
        for v in values[1:]:  # Python's rule: the first extreme argument wins ties
            cond = self.compute(f"_0 {symbol} _1", (v, best), "bool")
            prev = best
            best = self.materialize(self.select(cond, lambda v=v: v, lambda prev=prev: prev))  # type: ignore[misc]
        return best

    def elementary(self, node: ast.AST, key: str, args: list[Value]) -> Value:
        if key in LINEAR:
            try:
                return self.mul(LINEAR[key], args[0])
            except OverflowError as exc:  # math.degrees(10 ** 400): Python fails alike
                raise self.fail(node, f"Python raises OverflowError here: {exc}", "check the constants") from None
        if key == "log" and len(args) == 2:
            # math.log(x, b) is log(x) / log(b), computed so
            return self.div(node, self.elementary(node, "log", args[:1]), self.elementary(node, "log", args[1:]))
        if key == "pow":
            return self.power(node, args[0], args[1])
        rule = RULES[key]
        if rule.evaluate is not None and all(_is_const(a) for a in args):
            try:
                return rule.evaluate(*args)
            except (ValueError, OverflowError, ZeroDivisionError) as exc:
                raise self.fail(node, f"{rule.name} of constant arguments fails: {exc}", "check the constants") from None
        if rule.arity == 1:
            scale, var = self.scaled_var(args[0])
            return self.emit(Call(key, (var,), scale))
        return self.emit(Call(key, tuple(self.materialize(a) for a in args)))

    def inline(self, e: ast.Call, fn: ast.FunctionDef, args: list[Value], env: dict[str, Binding]) -> Value:
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        bound: dict[str, Binding] = dict(zip(params, args))
        for kw in e.keywords:
            bound[kw.arg] = self.value(kw.value, env)  # type: ignore[index]
        first_default = len(params) - len(fn.args.defaults)
        for i, p in enumerate(params):
            if p not in bound:
                bound[p] = self.fold(fn.args.defaults[i - first_default], "a parameter default")
        line = self.line
        try:
            return self.helper_body(fn, bound)
        finally:
            self.line = line

    def helper_body(self, fn: ast.FunctionDef, env: dict[str, Binding]) -> Value:
        """A helper's straight-line body, inlined: its return value, pending."""
        for stmt in _without_docstring(fn.body):
            self.line = stmt.lineno
            start = len(self.items)
            if isinstance(stmt, ast.Return):
                return self.value(stmt.value, env)  # type: ignore[arg-type]
            if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Tuple) and all(isinstance(n, ast.Name)
                                                    for n in t.elts) for t in stmt.targets) \
                    and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Tuple):
                self.statement(stmt, env, None)  # p, q = q, p: all at once
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and isinstance(
                    stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target, ast.Name):
                if isinstance(stmt, ast.AugAssign):
                    value = self.arith(stmt, stmt.op, self.read(stmt.target, env), self.value(stmt.value, env))  # type: ignore[arg-type]
                    targets = [stmt.target.id]  # type: ignore[union-attr]
                else:
                    value = self.value(stmt.value, env)  # type: ignore[arg-type]
                    targets = [t.id for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])]  # type: ignore[union-attr]
                for target in targets:
                    env[target] = self.assign(value, target, start)
            elif not isinstance(stmt, ast.Pass):
                raise self.fail(stmt, f"the helper {fn.name} is inlined, and helpers must be straight-line code",
                                "move branches and loops into the differentiated function")
        raise self.fail(fn, f"the helper {fn.name} must end with a return", "add `return <expression>`")


_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_BUILTINS = ("len", "sum", "min", "max", "float", "int")


def _reads(s: ast.stmt) -> set[str]:
    reads = {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
        reads.add(s.target.id)
    return reads


def _kind_of(v: object) -> str:
    if isinstance(v, Var):
        return v.kind
    if isinstance(v, bool):
        return "bool"
    return "int" if isinstance(v, int) else "float"


def _merged_kind(values: list) -> str:
    return _merged_kinds({_kind_of(v) for v in values})


def _merged_kinds(kinds: set[str]) -> str:
    if "array" in kinds:  # a value that is an array on some path may be one
        return "array"
    return kinds.pop() if len(kinds) == 1 else "float"


def _is_pop(e: ast.expr) -> bool:
    return isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "pop" \
        and isinstance(e.func.value, ast.Name) and not e.args and not e.keywords


def _is_call(e: ast.expr, name: str) -> bool:
    return isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == name


def _is_list_repeat(e: ast.expr) -> bool:
    return isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mult) and (
        isinstance(e.left, ast.List) or isinstance(e.right, ast.List))


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return body[1:]
    return body


def _assigned(stmts: list[ast.stmt]) -> list[str]:
    """Names (re)bound anywhere in stmts, in order of first assignment."""
    seen: dict[str, None] = {}
    for s in stmts:
        for node in ast.walk(s):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                seen.setdefault(node.id)
    return list(seen)  # type: ignore[return-value]


def _stored(stmts: list[ast.stmt]) -> list[str]:
    """Names stored into by subscript anywhere in stmts (`a[i] = v`, `a[:, j] += v`)."""
    seen: dict[str, None] = {}
    for s in stmts:
        for node in ast.walk(s):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
                seen.setdefault(node.value.id)
    return list(seen)


def _assigned_in_if(s: ast.If) -> list[str]:
    """Names (re)bound in the if, in the order its statements bind them first.

    Remembered on each `if` (an elif chain nests them: walking each one's whole tree again is quadratic).
    """
    cached = getattr(s, "_s2sad_assigned", None)
    if cached is None:
        seen: dict[str, None] = {}
        for part in (s.body, s.orelse):
            for c in part:
                seen.update(dict.fromkeys(_assigned_in_if(c) if isinstance(c, ast.If) else _assigned([c])))
        cached = s._s2sad_assigned = list(seen)  # type: ignore[attr-defined]
    return cached


def _read(s: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _stored_lists(stmts: list[ast.stmt], env: dict) -> set[int]:
    ids = set()
    for s in stmts:
        for node in ast.walk(s):
            target = None
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                target = node.value
            elif isinstance(node, ast.Attribute) and node.attr == "append":
                target = node.value
            if isinstance(target, ast.Name) and isinstance(env.get(target.id), ListVar):
                ids.add(env[target.id].id)
    return ids

"""Lowering of statements: assignments (plain, augmented, tuple), returns, breaks, expression statements.

Guarantees: each statement appends its items to the current block and binds its names in `env`;
`statements` reports whether the path goes on after them.
"""

from __future__ import annotations

import ast
from typing import Callable

from ..pending import Value
from ..errors import UnsupportedSyntaxError
from ..hints import bound_names
from ..trace import (
    Append,
    ArrayOp,
    Break,
    Compute,
    ListVar,
    Load,
    Next,
    Op,
    Operand,
    Return,
    Var,
)
from .common import (
    Binding,
    _Abandon,
    _is_list_repeat,
    _is_pop,
    _reads,
    _Tuples,
)


class Statements:
    """Statements of the function body (a mixin of `_Lowering`)."""

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
            before, depth, loops, path = len(self.errors), self.depth, list(self.loops), list(self.path)
            try:
                if not self.statement(s, env, at_end):
                    return False
            except UnsupportedSyntaxError as exc:
                if len(self.errors) == before:
                    self.errors.extend(exc.violations)
                self.failed |= bound_names(s)
                self.depth, self.loops, self.path[:] = depth, loops, path
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

    def names_list(self, e: ast.expr | None, env: dict[str, Binding]) -> bool:
        return isinstance(e, ast.Name) and isinstance(env.get(e.id), ListVar)

    def output(self, e: ast.expr, env: dict[str, Binding]) -> Operand | ListVar:
        """One item of a returned tuple: a scalar, or a list returned whole."""
        if self.names_list(e, env):
            return env[e.id]  # type: ignore[return-value,index]
        if isinstance(e, (ast.Tuple, ast.Starred)):
            raise self.fail(e, "a returned tuple holds scalars and lists only", "return a, b with a, b floats")
        value = self.value(e, env)
        if self.is_array(value):
            raise self.fail(e, "returning arrays in a tuple is not supported",
                            "return one scalar, or return floats and lists")
        return self.materialize(value)  # type: ignore[return-value]

    def statement(self, s: ast.stmt, env: dict[str, Binding], at_end: Callable | None) -> bool:
        if isinstance(s, ast.Return):
            if self.loops:
                raise self.fail(s, "return inside a loop is not supported",
                                "assign the result to a variable, break, and return after the loop")
            vector = isinstance(s.value, ast.Tuple) or self.names_list(s.value, env)
            shape: tuple = ("list" if vector else "scalar",)
            if isinstance(s.value, ast.Tuple):
                shape = ("tuple", ", ".join("a list" if self.names_list(e, env) else "a scalar" for e in s.value.elts))
            if self.returns is None:
                self.returns = (shape, s.lineno)
            first = self.returns
            if first[0] != shape:  # one function, one kind of result: a Jacobian needs one structure
                said = {"tuple": "a tuple of ({})", "list": "a list", "scalar": "a scalar"}
                raise self.fail(s, f"this return gives {said[shape[0]].format(*shape[1:])}, the return at line "
                                f"{first[1]} {said[first[0][0]].format(*first[0][1:])}",
                                "return values of one kind on every path")
            if vector:  # a vector function
                elements = s.value.elts if isinstance(s.value, ast.Tuple) else [s.value]
                outputs = tuple(self.output(e, env) for e in elements)
                form = "tuple" if isinstance(s.value, ast.Tuple) else "list"
                self.items.append(Return(0.0, s.lineno, outputs, form))
                return False
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
                before = env.get(t.id) if isinstance(t, ast.Name) else None
                self.assign_to(t, value, env, start)
                # `a = a if c else b` taking the `a` arm rebinds a to its own value: nothing new to share
                if self.array_program and isinstance(t, ast.Name) and not isinstance(s.value, ast.Name) \
                        and env[t.id] != before:
                    env[t.id] = self.own_array(env[t.id], t.id, start)  # type: ignore[attr-defined]
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
            if self.is_array(current):  # a += b changes the array in place
                self.check_in_place(t.id, s, env)  # type: ignore[attr-defined]
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
        if isinstance(env.get(name), ListVar) and (self.depth or self.loops):
            raise self.fail(t, f"{name} is a list; assigning another value to it is not supported",
                            "use a new name for the new value")
        # at the top level a list's name may take a new value (x = x[0]): the list is not read by it again
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
                    self.put(lst, value)
                    self.items.append(Append(lst, value, s.lineno))
                return
            lst = self.local_list(call.func.value, env)
            value = self.materialize(self.value(call.args[0], env))
            self.put(lst, value)
            self.items.append(Append(lst, value, s.lineno))
            return
        raise self.fail(s, "an expression statement has no effect on the result",
                        "remove it (lists grow with xs.append(value))")

    # --- lists -------------------------------------------------------------------------

"""Checking statements: assignments, loops, branches, returns; what each binds.

Guarantees: every statement outside the subset is reported once, with what to write instead; the
names a rejected construct binds are not reported again where they are used.
"""

from __future__ import annotations

import ast

from ..hints import (
    STRAIGHT,
    SUGGEST,
    bound_names,
)


class Statements:
    """Statements (a mixin of `_FunctionChecker`)."""

    def statements(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Return):
            if self.loop_depth:
                self.bad(s, "return inside a loop is not supported",
                         "assign the result to a variable, break, and return after the loop")
            if s.value is None:
                self.bad(s, "return needs a value", "return the scalar result")
            elif isinstance(s.value, ast.Tuple):  # a vector function: `return a, b`
                for e in s.value.elts:
                    self.expr(e)
            else:
                self.expr(s.value)
        elif isinstance(s, ast.Assign) and len(s.targets) == 1 and self.is_pop(s.value):  # v = xs.pop()
            targets = s.targets[0].elts if isinstance(s.targets[0], ast.Tuple) else [s.targets[0]]
            for t in targets:
                self.target(t)
        elif isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Tuple) \
                and isinstance(s.value, ast.Tuple) and len(s.value.elts) == len(s.targets[0].elts) \
                and all(isinstance(t, ast.Name) for t in s.targets[0].elts):
            for v in s.value.elts:  # a, b = b, a + b
                self.expr(v)
            for t in s.targets[0].elts:
                self.target(t)
        elif isinstance(s, ast.Assign):
            self.expr(s.value)
            for t in s.targets:
                self.target(t)
        elif isinstance(s, ast.AnnAssign):
            if s.value is None:
                self.bad(s, "a bare annotation assigns nothing", "write `name: float = <expression>`")
            else:
                self.expr(s.value)
            self.target(s.target)
        elif isinstance(s, ast.AugAssign):
            self.binop(s, s.op)
            if isinstance(s.op, (ast.Mod, ast.FloorDiv)):
                self.integer_op(s, (s.target, s.value))
            if isinstance(s.target, ast.Name):
                self.name(s.target)
            self.expr(s.value)
            self.target(s.target)
        elif isinstance(s, (ast.Break, ast.Continue)):
            if not self.loop_depth:
                word = "break" if isinstance(s, ast.Break) else "continue"
                self.bad(s, f"{word} outside a loop", "use it inside a for or while loop, or use if/else")
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.If):
            self.expr(s.test)
            self.statements(s.body)
            self.statements(s.orelse)
        elif isinstance(s, (ast.For, ast.While)):
            self.loop(s)
        elif isinstance(s, ast.Expr):
            v = s.value
            if self.is_pop(v):
                pass
            elif (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr == "append"
                    and isinstance(v.func.value, ast.Name) and v.func.value.id in self.locals):
                if len(v.args) != 1 or v.keywords:
                    self.bad(v, "append takes one value", "write ys.append(value)")
                for a in v.args:
                    for x in (a.elts if isinstance(a, ast.Tuple) else [a]):  # a tape appends tuples
                        self.expr(x)
            elif not (isinstance(v, ast.Constant) and isinstance(v.value, str)):
                self.bad(s, "an expression statement has no effect on the result",
                         "remove it (lists grow with ys.append(value))")
        else:
            self.unsupported(s)

    def is_pop(self, e: ast.expr) -> bool:
        return isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "pop" \
            and isinstance(e.func.value, ast.Name) and e.func.value.id in self.locals and not e.args \
            and not e.keywords

    def loop(self, s: ast.For | ast.While) -> None:
        if s.orelse:
            word = "for" if isinstance(s, ast.For) else "while"
            self.bad(s.orelse[0], f"{word}-else is not supported", "set a flag variable before break and test it")
        if isinstance(s, ast.For):
            it = s.iter
            for node in ast.walk(it):  # the builtins a loop header calls
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                        and node.func.id in ("range", "reversed", "enumerate") and node.func.id not in self.locals:
                    self.rebound(node.func, node.func.id, builtin=node.func.id not in self.module.bindings)
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" \
                    and self.module.resolve("range") is None and "range" not in self.locals:
                if not 1 <= len(it.args) <= 3 or it.keywords:
                    self.bad(it, "range takes one to three arguments",
                             "write range(stop), range(start, stop) or range(start, stop, step)")
                for a in it.args:
                    self.expr(a)
            elif isinstance(it, ast.Name):
                self.name(it)
            elif isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in ("reversed", "enumerate") \
                    and len(it.args) == 1 and not it.keywords and self.module.resolve(it.func.id) is None \
                    and it.func.id not in self.locals:
                inner = it.args[0]  # reversed(range(...)), reversed(range(...)[:t]), enumerate(xs)
                if isinstance(inner, ast.Subscript) and isinstance(inner.slice, ast.Slice):
                    for bound in (inner.slice.lower, inner.slice.upper, inner.slice.step):
                        if bound is not None:
                            self.expr(bound)
                    inner = inner.value
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "range":
                    for a in inner.args:
                        self.expr(a)
                else:
                    self.expr(inner)
            elif isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in self.locals | \
                    self.assigned_later and it.func.id in ("range", "reversed", "enumerate"):
                self.bad(it.func, f"{it.func.id} is a variable of {self.node.name} here, not the builtin",
                         f"give the variable another name than {it.func.id}")
            else:
                self.bad(it, f"iterating over {ast.unparse(it)} is not supported",
                         "loop over range(...) or over a list of floats")
            if isinstance(s.target, ast.Tuple) and all(isinstance(t, ast.Name) for t in s.target.elts) \
                    and isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate":
                self.locals.update(t.id for t in s.target.elts)  # type: ignore[attr-defined]
            elif isinstance(s.target, ast.Name):
                self.locals.add(s.target.id)
            else:
                self.bad(s.target, "only a plain name can be a loop variable", "write for i in range(n)")
                self.reject(s.target)
        else:
            self.expr(s.test)
        self.loop_depth += 1
        self.statements(s.body)
        self.loop_depth -= 1

    def target(self, t: ast.expr) -> None:
        if isinstance(t, ast.Name):
            self.locals.add(t.id)
        elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and self.numpy:
            self.name(t.value)
            self.index_parts(t.slice)
        elif isinstance(t, ast.Tuple) and self.numpy and all(isinstance(n, ast.Name) for n in t.elts):
            self.locals |= {n.id for n in t.elts}  # type: ignore[attr-defined]
        elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
            self.name(t.value)
            self.expr(t.slice)
        elif isinstance(t, (ast.Tuple, ast.List)):
            self.bad(t, "unpacking assignment is not supported", "assign names from a tuple of the same length "
                     "(a, b = b, a + b), or one name per line")
            self.reject(t)
        else:
            self.bad(t, f"assignment to {ast.unparse(t)} is not supported", "assign to a plain local name")

    def reject(self, node: ast.AST) -> None:
        """What a rejected construct binds counts as bound: one error, not one more per later use."""
        names = bound_names(node)
        self.locals |= names
        self.rejected |= names

    def unsupported(self, node: ast.AST) -> None:
        self.reject(node)
        kind = type(node)
        if kind in SUGGEST:
            msg, hint = SUGGEST[kind]
        else:
            msg, hint = f"{kind.__name__} is not supported", STRAIGHT
        self.bad(node, msg, hint)

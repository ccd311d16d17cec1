"""Lowering of conditions: comparisons, `not`/`and`/`or`, and what the path to a statement implies.

Guarantees: a condition is a constant or an inactive truth value, computed only where Python computes
it (short circuit); `a or b` as a value is the operand Python returns; `implies` answers whether the
arms taken on a path imply given sides of conditions, seeing through `not`/`and`/`or` and merges.

Before: `if x > 0 and y > 0:`.
After:  `z1 = x > 0`, then `z2 = y > 0` only on z1's true side; the test is z2 there, False otherwise.
"""

from __future__ import annotations

import ast
import itertools
from typing import Callable

from ..pending import Value
from ..trace import Operand, Var
from .common import _COMPARE, Binding, _Undefined


class Conditions:
    """Truth values and the implications between them (a mixin of `_Lowering`)."""

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
                kind = "array" if self.is_array(a) or self.is_array(b) else "bool"  # an array of truth values
                test = self.compute(f"_0 {symbol} _1", (a, b), kind)
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
            return self.logical("not _0", (self.condition(e.operand, env),))
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

    def logical(self, template: str, operands: tuple) -> Operand:
        """`not a`, `a and b` or `a or b` on truth values, remembered so that `implies` can see through it."""
        out = self.compute(template, operands, "bool")
        if isinstance(out, Var):
            self.logic[out] = (template, operands)
        return out

    def where_read(self, b: _Undefined) -> object:
        """The value of a name read where its conditions hold: the merge that carries it out of its branch,
        or the constant that merge stands for (so branches on it are decided as they were where it was set)."""
        base = self.aliases.get(b.value, b.value)
        return base if isinstance(base, (bool, int, float)) else b.value

    def implies(self, path: list, conds: tuple) -> bool:
        """Whether the arms taken on `path` imply the sides `conds` of their conditions.

        Conditions are expanded through `not`/`and`/`or` to the comparisons they combine (and through merges
        that stand for a value where it is read, or for one side's value where the path took that side of
        the merge's if), then every assignment of those is tried: at most 2**10.
        """
        aliases, logic, merged = self.aliases, self.logic, self.merged
        taken_sides = {id(p): taken for p, taken in path}

        def base(v: Operand) -> Operand:
            while True:
                if v in aliases:
                    v = aliases[v]
                elif v in merged and id(merged[v][0]) in taken_sides:  # the path took a side of its if
                    cond, then, orelse = merged[v]
                    v = then if taken_sides[id(cond)] else orelse
                else:
                    return v

        if all(any(base(c) is base(p) and side == taken for p, taken in path) for c, side in conds):
            return True
        atoms: list = []

        def collect(v: Operand) -> None:
            v = base(v)
            if v in logic:
                for a in logic[v][1]:
                    collect(a)
            elif isinstance(v, Var) and v not in atoms:
                atoms.append(v)

        for v, _ in [*path, *conds]:
            collect(v)
        if len(atoms) > 10:
            return False

        def truth(v: Operand, world: dict) -> bool:
            v = base(v)
            if v in logic:
                template, args = logic[v]
                a = [truth(x, world) for x in args]
                return not a[0] if template == "not _0" else (a[0] and a[1]) if "and" in template else (a[0] or a[1])
            return world[v] if isinstance(v, Var) else bool(v)

        for bits in itertools.product((False, True), repeat=len(atoms)):
            world = dict(zip(atoms, bits))
            if all(truth(p, world) == taken for p, taken in path) and \
                    not all(truth(c, world) == side for c, side in conds):
                return False
        return True

    def both(self, a: Operand, b: Callable[[], Operand]) -> Operand:
        return self.select_bool(a, b, lambda: a)

    def select_bool(self, cond: Operand, a: Callable[[], Operand], b: Callable[[], Operand]) -> Operand:
        """`a() if cond else b()` on truth values: one Compute when a() needs no new op."""
        if not isinstance(cond, Var):
            return a() if cond else b()
        self.path.append((cond, True))
        with self.block() as items:
            first = a()
        self.path[-1] = (cond, False)
        with self.block() as other:
            second = b()
        self.path.pop()
        if not items and not other:
            if second is cond:  # cond and first
                return self.logical("_0 and _1", (cond, first))
            if first is cond:  # cond or second
                return self.logical("_0 or _1", (cond, second))
        return self.select(cond, a, b)  # type: ignore[arg-type,return-value]

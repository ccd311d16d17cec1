"""Lowering of lists of floats: displays, appends, pops, loads and stores by index.

Guarantees: a list parameter is read only; local lists are made at the top level; an index is an integer.
"""

from __future__ import annotations

import ast

from ..pending import Value
from ..trace import (
    ListVar,
    NewList,
    Operand,
    Pop,
    Store,
    Var,
)
from .common import (
    Binding,
    _kind_of,
    _Retype,
    _Tuples,
)


class Lists:
    """Lists of floats (a mixin of `_Lowering`)."""

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
            for k, lst in enumerate(parts):
                self.list_keys[lst.id] = (t.id, k)
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
        self.list_keys[out.id] = (t.id, 0)
        for x in elements:
            self.put(out, x)
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
            key = self.list_keys.get(lst.id)
            ints = self.item_kinds.get(key) == {"int"} and key not in self.untyped  # type: ignore[arg-type]
            if ints:
                self.int_pops.add(key)
            out = self.var(name, "int" if ints else "any") if name is not None else None
            self.items.append(Pop(out, lst, s.lineno))
            if name is not None:
                if isinstance(env.get(name), (ListVar, _Tuples)):
                    raise self.fail(s, f"{name} is a list; assigning another value to it is not supported",
                                    "use a new name for the new value")
                env[name] = out  # type: ignore[assignment]

    def put(self, lst: ListVar, value: Operand) -> None:
        """Note the kind of an item put into lst: a pop from a list that only ever holds ints is an int (so
        a popped counter indexes, bounds a range and takes %). A pop typed so, followed by a non-int put
        (in a later iteration), has the function lowered again with that list's pops untyped."""
        key = self.list_keys.get(lst.id)
        kind = _kind_of(value)
        self.item_kinds.setdefault(key, set()).add(kind)
        if kind != "int" and key in self.int_pops:
            raise _Retype(key)

    def item_kind(self, lst: ListVar) -> str | None:
        """The kind of an item of lst (or of its sum): an array program's own lists may hold arrays."""
        return "array" if self.array_program and lst.id not in self.param_lists else None

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
        stored = self.materialize(value)
        self.put(lst, stored)
        self.items.append(Store(lst, index, stored, self.line))

    def index(self, e: ast.expr, env: dict[str, Binding], what: str) -> Operand:
        v = self.materialize(self.value(e, env))
        if isinstance(v, bool) or not (isinstance(v, int) or (isinstance(v, Var) and v.kind in ("int", "any"))):
            raise self.fail(e, f"{what} must be an integer", "compute indices from loop counters, len() and "
                            "integer parameters with + - * // %")
        return v

    # --- branches ------------------------------------------------------------------------

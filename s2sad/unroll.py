"""Unrolling: `for` loops of literal trip counts become straight-line code, where they stay small.

Guarantees: `unrolled(stmts, budget)` returns statements with the same
meaning in which every `for` over `range(...)` (or `reversed(range(...))`) of
integer literals, whose body has no `break`, `continue` or other loop once its
own inner loops are unrolled, and whose unrolled body holds at most `budget`
operations, is replaced by one copy of its body per iteration, in which the
loop variable is the iteration's value (the body never binds it; read after
the loop, it keeps the loop: s2sad rejects that, unrolled or not). Every
line of a copy is a `Line`: the source line, which still names it, and the
iteration it stands for, which the generated comments add (`# line 10 [j=3]`).
Inner loops are unrolled first, so a nest unrolls as a whole or from inside.

Before:  for j in range(2):          After:  s = s + w[0] * x[0]     # line 2 [j=0]
             s = s + w[j] * x[j]              s = s + w[1] * x[1]     # line 2 [j=1]

The loads are then of constant indices and every straight-line optimisation
applies (no tape, no carried values). Array programs are left as written: their loops batch work
across iterations that unrolled copies would repeat.
"""

from __future__ import annotations

import ast
import copy
import re


UNROLL_BUDGET = 256  # operations (operators, calls, loads) of a loop's unrolled body, at most


class Line(int):
    """A source line inside an unrolled loop, with the iteration it stands for (outermost loop first).

    It orders and hashes as the line, so lines sort and group as before; it equals only the same
    line in the same iteration, so a statement's lines keep every iteration it comes from.
    """

    iteration: tuple[tuple[str, int], ...]

    def __new__(cls, line: int, iteration: tuple[tuple[str, int], ...]) -> "Line":
        out = super().__new__(cls, line)
        out.iteration = iteration
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, int) and int(self) == int(other) and \
            self.iteration == getattr(other, "iteration", ())

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = int.__hash__

    def __reduce__(self):  # copies and pickles keep the iteration
        return (Line, (int(self), self.iteration))


def lines_text(lines: tuple[int, ...]) -> str:
    """Lines as generated comments name them: `9, 10`, with the iterations of lines inside unrolled
    loops (`10 [j=3, i=1]`; one line in several iterations: `11 [j=3; j=4]`)."""
    if all(type(line) is int for line in lines):  # no iterations: the common case, once per generated line
        return ", ".join(map(str, dict.fromkeys(lines)))
    grouped: dict[int, set[tuple]] = {}
    for line in lines:
        grouped.setdefault(int(line), set()).add(getattr(line, "iteration", ()))
    parts = []
    for line, its in grouped.items():
        named = _iterations([it for it in its if it])
        parts.append(f"{line} [{named}]" if named else str(line))
    return ", ".join(parts)


def _iterations(its: list[tuple]) -> str:
    """`j=3, i=0..3; j=4, i=1`: iterations that differ in the innermost value only, as runs."""
    runs: dict[tuple, list[int]] = {}
    for it in sorted(its, key=lambda it: [k for _, k in it]):
        runs.setdefault(it[:-1] + ((it[-1][0], None),), []).append(it[-1][1])
    out = []
    for head, ks in runs.items():
        spans = [[ks[0], ks[0]]]
        for k in ks[1:]:
            if abs(k - spans[-1][1]) == 1:
                spans[-1][1] = k
            else:
                spans.append([k, k])
        inner = ", ".join(f"{a}" if a == b else f"{a}..{b}" for a, b in spans)
        out.append(", ".join([f"{n}={k}" for n, k in head[:-1]] + [f"{head[-1][0]}={inner}"]))
    return "; ".join(out)


def without_iterations(comment: str) -> str:
    """A generated line with the iterations its comment names left out (`# line 10 [j=3]` -> `# line 10`)."""
    return re.sub(r" \[[a-zA-Z_0-9=,;. -]*\]", "", comment) if "[" in comment else comment


def unrolled(fn: ast.FunctionDef, stmts: list[ast.stmt], budget: int = UNROLL_BUDGET) -> list[ast.stmt]:
    """fn's statements `stmts` with every small loop of literal trip count unrolled (budget 0: none).

    What s2sad accepts does not depend on unrolling: a loop is kept where a name it binds is read
    after it but not bound before it (an error of the loop as written), or where its body makes a list.
    """
    if budget <= 0 or not _has_for(stmts):
        return stmts
    args = fn.args.posonlyargs + fn.args.args
    names = [(n.lineno, n.id, isinstance(n.ctx, ast.Store)) for n in ast.walk(fn) if isinstance(n, ast.Name)]
    names += [(fn.lineno, a.arg, True) for a in args]
    return _unrolled(stmts, budget, names)


def _has_for(stmts: list[ast.stmt]) -> bool:
    """Is there a `for` among the statements, nested ones included? (Statements only: an expression
    holds none, and walking every expression of a long function costs more than the rest of this.)"""
    todo = list(stmts)
    while todo:
        s = todo.pop()
        if isinstance(s, ast.For):
            return True
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            todo += [c for c in getattr(s, field, ()) if isinstance(c, ast.AST)]
    return False


def _unrolled(stmts: list[ast.stmt], budget: int, names: list[tuple[int, str, bool]]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for s in stmts:
        if isinstance(s, (ast.For, ast.While)):
            s = copy.copy(s)
            s.body = _unrolled(s.body, budget, names)
            trips = _trips(s) if isinstance(s, ast.For) else None
            if trips is not None and _straight(s.body) and len(trips) * _cost(s.body) <= budget \
                    and _self_contained(s, names):
                for k in trips:
                    where = ((s.target.id, k),)  # type: ignore[attr-defined]
                    out += [_relocated(b, where) for b in s.body]
                continue
        elif isinstance(s, ast.If):
            s = copy.copy(s)
            s.body, s.orelse = _unrolled(s.body, budget, names), _unrolled(s.orelse, budget, names)
        out.append(s)
    return out


def _trips(s: ast.For) -> list[int] | None:
    """The loop variable's values, where the loop is over a range of integer literals into a name."""
    if not isinstance(s.target, ast.Name) or s.orelse:
        return None
    it, backwards = s.iter, False
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "reversed" \
            and len(it.args) == 1 and not it.keywords:
        it, backwards = it.args[0], True
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
            and 1 <= len(it.args) <= 3 and not it.keywords):
        return None
    bounds = [_literal(a) for a in it.args]
    if any(b is None for b in bounds) or (len(bounds) == 3 and bounds[2] == 0):
        return None
    values = list(range(*bounds))  # type: ignore[arg-type]
    return values[::-1] if backwards else values


def _literal(node: ast.expr) -> int | None:
    """An integer literal, possibly negated."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _straight(body: list[ast.stmt]) -> bool:
    """No loop, break, continue or return anywhere in the body (nested functions are not in the subset)."""
    return not any(isinstance(n, (ast.For, ast.While, ast.Break, ast.Continue, ast.Return))
                   for s in body for n in ast.walk(s))


def _self_contained(s: ast.For, names: list[tuple[int, str, bool]]) -> bool:
    """Does the loop make no list, is its variable not read after it, and is every name its body binds
    that is read after it bound before it?"""
    if any(isinstance(n, (ast.List, ast.ListComp)) for n in ast.walk(s)):
        return False
    bound = {n.id for b in s.body for n in ast.walk(b) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if s.target.id in bound:  # type: ignore[attr-defined]
        return False  # the body rebinds the loop variable: it is not one value per copy
    before = {name for line, name, store in names if store and line < s.lineno}
    after = {name for line, name, store in names if not store and line > s.end_lineno}  # type: ignore[operator]
    return s.target.id not in after and not (bound & after) - before  # type: ignore[attr-defined]


def _cost(body: list[ast.stmt]) -> int:
    """Operations in one copy of the body: operators, calls, subscripts, augmented assignments."""
    return sum(isinstance(n, (ast.BinOp, ast.UnaryOp, ast.Call, ast.Subscript, ast.AugAssign, ast.BoolOp,
                              ast.Compare))
               for s in body for n in ast.walk(s)) or 1


class _Iteration(ast.NodeTransformer):
    """A copy of the body for one iteration: the loop variable read as its value, every line naming
    the iteration (inner iterations after `where`)."""

    def __init__(self, where: tuple[tuple[str, int], ...]):
        self.where = where
        (self.target, self.value), = where

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == self.target:  # only ever read: a body that binds it is not unrolled
            return self.generic_visit(ast.copy_location(ast.Constant(self.value), node))
        return self.generic_visit(node)  # type: ignore[return-value]

    def generic_visit(self, node: ast.AST) -> ast.AST:
        line = getattr(node, "lineno", None)
        if line is not None:
            node.lineno = Line(line, self.where + getattr(line, "iteration", ()))
        return super().generic_visit(node)


def _relocated(s: ast.stmt, where: tuple[tuple[str, int], ...]) -> ast.stmt:
    return _Iteration(where).visit(copy.deepcopy(s))

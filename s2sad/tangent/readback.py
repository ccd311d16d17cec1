"""Forward-mode text of an array program, read back: `<f>_jvp` as `<f>_along`, a function of the subset.

Guarantees: the function returned computes exactly what `<f>_jvp` computes for
its tangent, op for op, with the helper calls below spelled as the subset
spells them (the helpers themselves stay in the text, unread):
- `_setitem(x, index, v)` (a float copy of x with x[index] = v) becomes
  `name = np.asarray(x) * 1.0` and `name[index] = v` before the statement that
  called it, and `name` in the call's place; `slice(a, b, c)` in the index
  becomes `a:b:c`;
- `_clip_inside(x, lo, hi)` (1.0 where lo <= x <= hi, a bound of None left out)
  becomes `1.0 * (x >= lo) * (x <= hi)`;
- `_det_back(g, a)` (g times the cofactors of a, from the SVD) becomes
  `g det(a) a⁻ᵀ` (so the Hessian through a determinant needs a invertible);
- `_prod_others` (np.prod's tangent) is refused by name.
Reverse mode of `<f>_along` is then the Hessian times the dots (reverse over forward).

Before: `z9_dot = r * _setitem(_zeros_like_float(lap), slice(1, -1, None), u_dot[2:])`; `return z9, z9_dot`.
After:  `_set1 = np.asarray(_zeros_like_float(lap)) * 1.0`; `_set1[1:-1] = u_dot[2:]`; `z9_dot = r * _set1`;
        `return z9_dot`.
"""

from __future__ import annotations

import ast
import copy
import itertools
import re

from ..errors import S2sadError


_NOTE = re.compile(r"\s*#\s*(?:from\s+)?lines?\s+[\d,\s]+$")


def along_text(text: str, name: str) -> str:
    """The module `text` with its `<name>_jvp` renamed `<name>_along`, returning the tangent alone; each
    statement keeps the comment naming its source lines."""
    tree = ast.parse(text)
    lines = text.split("\n")
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == f"{name}_jvp":
            notes: dict[int, str] = {}
            for s in ast.walk(node):
                if isinstance(s, ast.stmt) and s is not node:
                    found = _NOTE.search(lines[s.lineno - 1])
                    notes[id(s)] = found.group(0) if found else ""
            node.name = f"{name}_along"
            doc = ast.Expr(ast.Constant(f"Return the derivative of {name} along the dots."))
            first = node.body[0]
            has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            node.body[: 1 if has_doc else 0] = [doc]
            for ret in ast.walk(node):
                if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Tuple):
                    ret.value = ret.value.elts[1]
            taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {a.arg for a in ast.walk(tree)
                                                                                 if isinstance(a, ast.arg)}
            fresh = (f"_set{k}" for k in itertools.count(1) if f"_set{k}" not in taken)
            numpy = next((a.asname or a.name for i in tree.body if isinstance(i, ast.Import) for a in i.names
                          if a.name == "numpy"), "np")
            node.body = _block(node.body, fresh, numpy, notes)
            ast.fix_missing_locations(node)
            head = f"def {node.name}({ast.unparse(node.args)}):"
            lines[node.lineno - 1: node.end_lineno] = [head, *_printed(node.body, 1, notes)]
    if not any(isinstance(i, ast.Import) and any(a.name == "numpy" for a in i.names) for i in tree.body):
        lines.append("import numpy as np")  # an array program's code, though no NumPy call was left in it
    return "\n".join(lines)


def _printed(body: list[ast.stmt], depth: int, notes: dict[int, str]) -> list[str]:
    """Statements as text, one per line, each with its comment."""
    pad, out = "    " * depth, []
    for s in body:
        note = notes.get(id(s), "")
        if isinstance(s, (ast.For, ast.While, ast.If)):
            head = copy.copy(s)
            head.body, head.orelse = [ast.Pass()], []
            out.append(pad + ast.unparse(head).split("\n")[0] + note)
            out += _printed(s.body, depth + 1, notes)
            if s.orelse:
                out += [pad + "else:", *_printed(s.orelse, depth + 1, notes)]
        else:
            out.append(pad + ast.unparse(s) + note)
    return out


def _block(body: list[ast.stmt], fresh, numpy: str, notes: dict[int, str]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for s in body:
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, _block(getattr(s, field), fresh, numpy, notes))
        before: list[ast.stmt] = []
        if not isinstance(s, ast.While):  # its test is evaluated again each time round: left as it is
            _Calls(before, fresh, numpy).visit(s)
        for b in before:  # named by the line of the statement they came from
            notes[id(b)] = notes.get(id(s), "")
        out += before + [s]
    return out


class _Calls(ast.NodeTransformer):
    """The helper calls of one statement (not of its nested blocks), rewritten; the statements they need go
    to `before`."""

    def __init__(self, before: list[ast.stmt], fresh, numpy: str) -> None:
        self.before = before
        self.fresh = fresh
        self.numpy = numpy

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, (ast.IfExp, ast.BoolOp, ast.Lambda)):
            return node  # evaluated on some paths only: not moved before the statement
        for field, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                continue  # a nested block: rewritten as a block of its own
            if isinstance(value, list):
                setattr(node, field, [self.visit(v) if isinstance(v, ast.AST) else v for v in value])
            elif isinstance(value, ast.AST):
                setattr(node, field, self.visit(value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            if node.func.id == "_setitem" and len(node.args) == 3:
                x, index, v = node.args
                target = next(self.fresh)
                copy = ast.BinOp(self.np_call("asarray", [x]), ast.Mult(), ast.Constant(1.0))
                self.before += [ast.Assign([ast.Name(target, ast.Store())], copy),
                                ast.Assign([ast.Subscript(ast.Name(target, ast.Load()), _index(index), ast.Store())], v)]
                return ast.Name(target, ast.Load())
            if node.func.id == "_det_back" and len(node.args) == 2:  # g times the cofactors: g det(a) a^-T
                g, a = node.args
                scaled = self.np_call("expand_dims", [ast.BinOp(g, ast.Mult(), self.np_call("linalg.det", [a])),
                                                      ast.Tuple([ast.Constant(-1), ast.Constant(-2)], ast.Load())])
                inverse = self.np_call("linalg.inv", [a])
                return ast.BinOp(scaled, ast.Mult(), self.np_call("swapaxes", [inverse, ast.Constant(-1),
                                                                               ast.Constant(-2)]))
            if node.func.id == "_prod_others":
                raise S2sadError("second derivatives through np.prod are not supported yet (its tangent takes "
                                 "products of the other entries, which s2sad does not read back): jvp and "
                                 "reverse mode work")
            if node.func.id == "_clip_inside" and len(node.args) == 3:
                x, lo, hi = node.args
                inside: ast.expr = ast.Constant(1.0)
                for bound, op in ((lo, ast.GtE()), (hi, ast.LtE())):
                    if isinstance(bound, (ast.Tuple, ast.List)):  # bounds per entry, as an array
                        bound = self.np_call("array", [ast.List(bound.elts, ast.Load())])
                    if not (isinstance(bound, ast.Constant) and bound.value is None):
                        inside = ast.BinOp(inside, ast.Mult(), ast.Compare(x, [op], [bound]))
                return inside if not isinstance(inside, ast.Constant) else \
                    self.np_call("ones", [self.np_call("shape", [x])])
        return node

    def np_call(self, fn: str, args: list[ast.expr]) -> ast.Call:
        func: ast.expr = ast.Name(self.numpy, ast.Load())
        for part in fn.split("."):
            func = ast.Attribute(func, part, ast.Load())
        return ast.Call(func, args, [])


def _index(index: ast.expr) -> ast.expr:
    """An index value as subscript syntax: `slice(a, b, c)` as `a:b:c`, inside a tuple too."""
    if isinstance(index, ast.Tuple):
        return ast.Tuple([_index(e) for e in index.elts], ast.Load())
    if isinstance(index, ast.Call) and isinstance(index.func, ast.Name) and index.func.id == "slice" \
            and not index.keywords and 1 <= len(index.args) <= 3:
        args = [None if isinstance(a, ast.Constant) and a.value is None else a for a in index.args]
        lower, upper, step = ([None] + args + [None])[:3] if len(args) == 1 else (args + [None])[:3]
        return ast.Slice(lower, upper, step)
    return index

"""The computational graph of a trace, as the lecture draws it (its Figure 1), in Graphviz's DOT.

Guarantees: `graph_dot(trace)` has one node per input, per op (labelled as `s2sad trace` prints it,
`z4 = 3*z1 - z3`, with its line), per list, per branch merge (phi) and loop-carried value, and one
for the returned value; an edge from each value to each op (or merge, list, carried value) that
reads it; branches and loops as labelled clusters. With `adjoints`, each active value's node (one
that depends on a parameter and reaches the result) also shows its adjoint as the chain rule over
its children (`z1_bar = z4_bar*3 + z2_bar*cos(...)`), built from
the partials the reverse sweep uses. Printing only: the trace is not changed.

Before: `z1 = w1 / w2; z2 = sin(2*pi*z1); return z2`.
After:  nodes w1, w2, z1, z2, return; edges w1 -> z1, w2 -> z1, z1 -> z2, z2 -> return.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Callable

from . import pyast
from .activity import active
from .errors import S2sadError
from .naming import Names
from .partials import partial
from .reverse.common import _operands
from .trace import (
    Append,
    ArrayOp,
    Block,
    Break,
    Compute,
    If,
    ListVar,
    Load,
    Loop,
    NewList,
    Next,
    Op,
    Pop,
    Return,
    Store,
    Sum,
    Trace,
    Var,
    walk,
)
from .trace_text import format_expr, format_number


def graph_dot(trace: Trace, adjoints: bool = False) -> str:
    """The graph as DOT text (deterministic: nodes and edges in program order)."""
    return _Graph(trace, adjoints).text()


def render(dot: str, path: str) -> bytes:
    """The graph drawn by Graphviz's `dot` in the format path's suffix names (svg, png, pdf)."""
    fmt = path.rsplit(".", 1)[-1].lower()
    if shutil.which("dot") is None:
        raise S2sadError(f"drawing .{fmt} needs Graphviz's dot program, which is not installed: install it "
                         "(Debian/Ubuntu: apt install graphviz; macOS: brew install graphviz), or write -o FILE.dot")
    run = subprocess.run(["dot", f"-T{fmt}"], input=dot.encode("utf-8"), capture_output=True)
    if run.returncode != 0:
        raise S2sadError(f"dot could not draw .{fmt}: {run.stderr.decode(errors='replace').strip()}")
    return run.stdout


class _Graph:
    def __init__(self, trace: Trace, adjoints: bool):
        self.trace = trace
        self.names = Names(trace, merge_names=False)
        self.lines: list[str] = []
        self.clusters = 0
        self.returns = 0
        self.readers: dict[object, list[tuple[object, int | None]]] = {}  # value -> (reader, operand index)
        self.after = {c.out for i in walk(trace.body) if isinstance(i, Loop) for c in i.carried}
        self.act: set = set()
        if adjoints:
            self._collect_readers(trace.body, None)
            self.act = active(trace, tuple(p for p in trace.params if isinstance(p, ListVar) or p.kind != "int"))
        self.adjoints = adjoints

    def text(self) -> str:
        t = self.trace
        out = [f"digraph {_quote(t.name)} {{", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];',
               '  edge [fontname="Helvetica", fontsize=10];']
        for p in t.params:
            out.append(f"  {_id(p)} [shape=ellipse, label={_quote(self._label(p, f'{self._name(p)} (input)'))}];")
        self.lines = out
        self.edges: list[str] = []
        self.drawn: set[tuple[str, str]] = set()
        self._block(t.body, "  ", None)
        # edges at the top level: an edge inside a cluster would pull both its ends into the cluster
        return "\n".join(self.lines + self.edges + ["}"]) + "\n"

    # --- items -------------------------------------------------------------------------------

    def _block(self, items: Block, indent: str, loop: Loop | None) -> None:
        for item in items:
            if isinstance(item, Op):
                text = f"{self._name(item.out)} = {format_expr(item.expr, self._name)}"
                self._node(item.out, f"{text}\n(line {item.line})", indent)
                sources = [item.expr.lst] if isinstance(item.expr, (Load, Sum)) else list(item.inputs)
                for src in sources:
                    self._edge(src, item.out, indent)
            elif isinstance(item, NewList):
                self._node(item.out, f"{self._name(item.out)} = [...]\n(line {item.line})", indent)
                for e in item.elements:
                    self._edge(e, item.out, indent)
            elif isinstance(item, (Store, Append)):
                what = "append" if isinstance(item, Append) else f"[{_text(item.index, self._name)}] ="
                self._edge(item.value, item.lst, indent, what)
            elif isinstance(item, Pop):
                if item.out is not None:
                    self._node(item.out, f"{self._name(item.out)} = {self._name(item.lst)}.pop()\n(line {item.line})",
                               indent)
                    self._edge(item.lst, item.out, indent)
            elif isinstance(item, If):
                self._branch(item, indent, loop)
            elif isinstance(item, Loop):
                self._loop(item, indent)
            elif isinstance(item, (Next, Break)):
                assert loop is not None
                for c, v in zip(loop.carried, item.values):
                    self._edge(v, c.param if isinstance(item, Next) else c.out, indent,
                               "next" if isinstance(item, Next) else "break", dashed=True)
            elif isinstance(item, Return):
                self.returns += 1
                self.lines.append(f'{indent}return_{self.returns} [shape=doublecircle, label="return"];')
                for v in item.values:
                    self._edge(v, f"return_{self.returns}", indent)

    def _branch(self, item: If, indent: str, loop: Loop | None) -> None:
        cond = self._name(item.cond)
        for arm, word in ((item.body, f"if {cond}"), (item.orelse, f"else (not {cond})")):
            self.clusters += 1
            self.lines.append(f"{indent}subgraph cluster_{self.clusters} {{")
            self.lines.append(f"{indent}  label={_quote(f'{word}  (line {item.line})')}; style=rounded;")
            self._block(arm, indent + "  ", loop)
            self.lines.append(f"{indent}}}")
        for m in item.merges:
            self._node(m.out, f"{self._name(m.out)} = phi({_text(m.then, self._name)}, "
                              f"{_text(m.orelse, self._name)})\n(line {item.line})", indent, shape="diamond")
            self._edge(m.then, m.out, indent, "then")
            self._edge(m.orelse, m.out, indent, "else")
            self._edge(item.cond, m.out, indent, "decides", dashed=True)

    def _loop(self, item: Loop, indent: str) -> None:
        self.clusters += 1
        if item.kind == "range":
            bounds = ", ".join(_text(b, self._name) for b in item.bounds)
            head = f"for {self._name(item.counter)} in range({bounds})"  # type: ignore[arg-type]
        else:
            head = "while"
        self.lines.append(f"{indent}subgraph cluster_{self.clusters} {{")
        self.lines.append(f"{indent}  label={_quote(f'{head}  (line {item.line})')}; style=dashed;")
        if item.counter is not None:
            self._node(item.counter, f"{self._name(item.counter)} (counter)", indent + "  ", shape="plaintext")
        for c in item.carried:
            self._node(c.param, f"{self._name(c.param)} = carried", indent + "  ", shape="ellipse")
            self._edge(c.init, c.param, indent + "  ", "first")
        self._block(item.body, indent + "  ", item)
        self.lines.append(f"{indent}}}")
        for c in item.carried:
            self._node(c.out, f"{self._name(c.out)} after the loop", indent, shape="ellipse")
            self._edge(c.param, c.out, indent, dashed=True)

    # --- nodes, edges, labels ----------------------------------------------------------------

    def _node(self, v: object, text: str, indent: str, shape: str | None = None) -> None:
        label = self._label(v, text)
        style = f"shape={shape}, " if shape else ""
        self.lines.append(f"{indent}{_id(v)} [{style}label={_quote(label)}];")

    def _edge(self, src: object, dst: object, indent: str, label: str | None = None, dashed: bool = False) -> None:
        if not isinstance(src, (Var, ListVar)):
            return  # a constant operand is part of the op's label
        attrs = []
        if label:
            attrs.append(f"label={_quote(label)}")
        if dashed:
            attrs.append("style=dashed")
        target = dst if isinstance(dst, str) else _id(dst)
        if (_id(src), target) in self.drawn:  # one edge per pair (a break's value is also the carried one)
            return
        self.drawn.add((_id(src), target))
        self.edges.append(f"  {_id(src)} -> {target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")

    def _name(self, v: object) -> str:
        return self.names.primal[v] if isinstance(v, (Var, ListVar)) else _text(v, str)

    def _bar(self, v: object) -> str:
        """The adjoint's name: a carried value after its loop shares the carried name, not its adjoint."""
        return f"{self._name(v)}{'_after' if v in self.after else ''}_bar"

    def _label(self, v: object, text: str) -> str:
        if not self.adjoints or not isinstance(v, Var) or v not in self.act:  # no adjoint: none shown
            return text
        return f"{text}\n{self._bar(v)} = {self._adjoint(v)}"

    def _adjoint(self, v: Var) -> str:
        """The chain rule over v's children: each child's adjoint times d child / d v."""
        terms = []
        for reader, i in self.readers.get(v, []):
            if isinstance(reader, Op) and i is not None:
                bar = self._bar(reader.out)
                if isinstance(reader.expr, Compute):  # a condition: no derivative flows through it
                    continue
                if isinstance(reader.expr, ArrayOp):
                    terms.append(f"vjp_{reader.expr.fn.removeprefix('numpy.')}({bar})")
                    continue
                d = partial(reader, i, self.names)
                if d is None:
                    continue
                factor = pyast.to_source(pyast.signed_sum([(d.coef, list(d.num), list(d.den))]))
                if factor in ("1", "-1"):
                    terms.append(bar if factor == "1" else f"-{bar}")
                else:
                    terms.append(f"{bar}*({factor})" if " " in factor or factor.startswith("-") else f"{bar}*{factor}")
            elif isinstance(reader, Return):
                terms.append("1")
            elif isinstance(reader, (Var, ListVar)):
                terms.append(self._bar(reader))
        return " + ".join(dict.fromkeys(terms)) or "0"

    def _collect_readers(self, items: Block, loop: Loop | None) -> None:
        """Who reads each value (for the adjoints): ops with the operand's index, merges, lists,
        carried values (a loop's next values feed its carried values), the return."""

        def read(value: object, reader: object, i: int | None = None) -> None:
            if isinstance(value, (Var, ListVar)):
                self.readers.setdefault(value, []).append((reader, i))

        for item in items:
            if isinstance(item, Op):
                if isinstance(item.expr, (Load, Sum)):
                    read(item.expr.lst, item.out)
                else:
                    for i, a in enumerate(_operands(item)):
                        read(a, item, i)
            elif isinstance(item, NewList):
                for e in item.elements:
                    read(e, item.out)
            elif isinstance(item, (Store, Append)):
                read(item.value, item.lst)
            elif isinstance(item, Pop) and item.out is not None:
                read(item.lst, item.out)
            elif isinstance(item, If):
                self._collect_readers(item.body, loop)
                self._collect_readers(item.orelse, loop)
                for m in item.merges:
                    read(m.then, m.out)
                    read(m.orelse, m.out)
            elif isinstance(item, Loop):
                for c in item.carried:
                    read(c.init, c.param)
                    read(c.param, c.out)
                self._collect_readers(item.body, item)
            elif isinstance(item, (Next, Break)) and loop is not None:
                for c, v in zip(loop.carried, item.values):
                    read(v, c.param if isinstance(item, Next) else c.out)
            elif isinstance(item, Return):
                for v in item.values:
                    read(v, item)


def _id(v: object) -> str:
    return f"l{v.id}" if isinstance(v, ListVar) else f"v{v.id}"  # type: ignore[attr-defined]


def _text(a: object, name: Callable[[object], str]) -> str:
    return format_number(a) if isinstance(a, (int, float)) else name(a)


def _quote(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, line breaks as DOT's centred \\n."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

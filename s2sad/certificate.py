"""The op-count certificate of a gradient: the lecture's cost bound, checked on the generated code.

Guarantees: `certificate(g)` counts arithmetic operators and calls in the
forward sweep (the function) and the reverse sweep as emitted (adjoint code a
fused loop runs in the forward sweep counts as reverse); with loops, per part:
the code outside loops and one iteration of each loop, with the values each
iteration records, so that the largest part's ratio bounds the whole function
for any trip counts.

Before: a `Gradient`. After::

    Op count (arithmetic operators and calls, counted in this file):
      primal trace:    9 ops in 6 elementary steps
      value_and_grad:  22 ops (forward 9 + reverse 13)
      ...
"""

from __future__ import annotations

from dataclasses import dataclass

from .flops import FlopBound, flop_bound
from .forward import arm_key, loop_key
from .optimize import needed_forward
from .program import Block, Stmt, walk
from .reverse import Gradient
from .trace import If, Loop, Var, is_straight

BOUND = 5  # the lecture's bound on (value and gradient) / (value)


@dataclass(frozen=True)
class Part:
    """Op counts of one piece of the function: its straight-line code, or one iteration of a loop."""

    label: str
    forward: int
    reverse: int
    tape: int = 0  # values recorded per iteration (at most: branches counted together)

    @property
    def ratio(self) -> float:
        return (self.forward + self.reverse) / self.forward if self.forward else 1.0


@dataclass(frozen=True)
class Certificate:
    """Op counts (operators and calls) of the primal trace and the generated code."""

    steps: int  # elementary ops in the trace
    primal: int  # operations of the forward sweep (the function itself)
    reverse: int  # operations of the reverse sweep
    grad_only: int  # operations of <f>_grad (forward pruned to what the reverse reads)
    parts: tuple[Part, ...] = ()  # for code with loops: the straight-line part and each loop, per iteration
    arrays: bool = False  # an array program: each op is an array operation (its cost scales with the sizes)
    flops: FlopBound | None = None  # an array program's flop certificate, in the sizes of its arrays

    @property
    def value_and_grad(self) -> int:
        return self.primal + self.reverse

    @property
    def ratio(self) -> float:
        """(value and gradient) / value; with loops, the largest part's, which bounds any trip counts."""
        if self.parts:
            return max(p.ratio for p in self.parts)
        return self.value_and_grad / self.primal if self.primal else 1.0

    def lines(self) -> list[str]:
        return self._counts() + (self.flops.lines() if self.flops is not None else [])

    def _counts(self) -> list[str]:
        verdict = "within" if self.ratio <= BOUND else "ABOVE"
        if not self.parts:
            return [
                "Op count (arithmetic operators and calls, counted in this file):",
                f"  primal trace:    {self.primal} ops in {self.steps} elementary steps",
                f"  value_and_grad:  {self.value_and_grad} ops (forward {self.primal} + reverse {self.reverse})",
                f"  grad:            {self.grad_only} ops (the forward sweep pruned to what the reverse reads)",
                f"  ratio:           {self.ratio:.2f}, {verdict} the lecture's bound of {BOUND}",
            ]
        rows = []
        for p in self.parts:
            tape = f"; tape {p.tape} value{'s' if p.tape != 1 else ''} per iteration" if p.label != MAIN else ""
            rows.append((p.label, f"forward {p.forward}, reverse {p.reverse}, ratio {p.ratio:.2f}{tape}"))
        return lines_per_part(rows, self.ratio, f"{verdict} the lecture's bound of {BOUND}")


MAIN = "outside loops:"  # the part of a function with loops that is outside them


def lines_per_part(rows: list[tuple[str, str]], ratio: float, verdict: str) -> list[str]:
    """A certificate of code with loops: a line of counts per part (label, counts), then the bound on
    the whole function that the largest part's ratio gives."""
    width = max(len(label) for label, _ in rows)
    return ["Op count (arithmetic operators and calls, counted in this file; loops per iteration):",
            *(f"  {label.ljust(width)}  {counts}" for label, counts in rows),
            f"  whole function: ratio at most {ratio:.2f} for any trip counts, {verdict}"]


def certificate(g: Gradient) -> Certificate:
    grad_forward = needed_forward(g.forward, g.reverse, g.grads)
    fused = sum(n.ops for n in walk(g.forward) if isinstance(n, Stmt) and n.adjoint)
    fwd = _count(g.forward) - fused
    rev = _count(g.reverse) + fused
    steps = len(g.trace.ops)
    arrays = any(isinstance(p, Var) and p.kind == "array" for p in g.trace.params)
    flops = flop_bound(g) if arrays else None
    if is_straight(g.trace.body):
        return Certificate(steps, fwd, rev, _count(grad_forward) + rev, arrays=arrays, flops=flops)
    forward_parts: dict[str, int] = {}
    reverse_parts: dict[str, int] = {}
    _count_parts(g.forward, MAIN, forward_parts, reverse_parts)
    _count_parts(g.reverse, MAIN, reverse_parts, reverse_parts)
    tapes = _tape_sizes(g)
    labels = [MAIN] + [k for k in forward_parts if k != MAIN]
    labels += [k for k in reverse_parts if k not in labels]
    parts = tuple(Part(k, forward_parts.get(k, 0), reverse_parts.get(k, 0), tapes.get(k, 0)) for k in labels)
    return Certificate(steps, fwd, rev, _count(grad_forward) + rev, parts, arrays, flops)


def _count(nodes) -> int:
    return sum(n.ops for n in walk(nodes) if isinstance(n, Stmt))


def _count_parts(nodes, part: str, out: dict[str, int], adjoint: dict[str, int]) -> None:
    """Ops per part; adjoint code placed in the forward sweep (fused loops) counts as reverse."""
    out.setdefault(part, 0)
    adjoint.setdefault(part, 0)
    for n in nodes:
        if isinstance(n, Stmt):
            (adjoint if n.adjoint else out)[part] += n.ops
        elif isinstance(n, Block):
            inner = part
            if n.keyword in ("for", "while") and not n.elementwise:
                inner = f"loop at line {n.lines[0]}:"
            _count_parts(n.body, inner, out, adjoint)
            _count_parts(n.orelse, inner, out, adjoint)


def _tape_sizes(g: Gradient) -> dict[str, int]:
    sizes: dict[str, int] = {}

    def visit(items, loop: Loop | None) -> None:
        for item in items:
            if isinstance(item, Loop):
                label = f"loop at line {item.line}:"
                sizes[label] = sizes.get(label, 0) + len(g.records.get(loop_key(item), ()))
                visit(item.body, item)
            elif isinstance(item, If):
                if loop is not None:
                    label = f"loop at line {loop.line}:"
                    for side in ("then", "orelse"):
                        sizes[label] += len(g.records.get(arm_key(item, side), ()))
                visit(item.body, loop)
                visit(item.orelse, loop)

    visit(g.trace.body, None)
    return sizes

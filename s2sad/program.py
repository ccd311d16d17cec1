"""Generated code as data: the statements the sweeps produce and emission prints.

A sweep is a tuple of nodes: `Stmt` (one assignment, or an expression
statement such as `tape.append(...)`), `Block` (`if`/`else`, `for`, `while`
with nested bodies) and `Jump` (`break`). `Record` and `Restore` mark where a
block's tape record is pushed in the forward sweep and popped in the reverse
sweep; `tapes` fills them in once the reverse sweep is known.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator, Union

from . import pyast
from .util import cached


@dataclass(frozen=True)
class Stmt:
    """`target = value` (or `+=`; or just `value` when target is empty), tied to source lines.

    `temporary`: the target is an intermediate of s2sad's own (not a user
    variable, not an adjoint), so emission may inline it where it is read once.
    `tape`: bookkeeping (a push or pop), not counted as arithmetic.
    """

    target: str
    value: ast.expr
    lines: tuple[int, ...]
    augmented: bool = False
    temporary: bool = False
    target_reads: tuple[str, ...] = ()  # names an indexed target reads: `xs_bar[i]` reads xs_bar, i
    tape: bool = False
    adjoint: bool = False  # reverse-sweep work placed in the forward sweep (a fused loop)

    @cached
    def ops(self) -> int:
        return 0 if self.tape else pyast.count_ops(self.subtracted or self.value) + self.augmented

    @property
    def subtracted(self) -> ast.expr | None:
        """y in `x += -y`, written `x -= y`: the same IEEE operation, without the negation."""
        v = self.value
        if self.augmented and isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.USub):
            return v.operand
        return None

    @cached
    def reads(self) -> list[str]:
        """Names read, once per occurrence."""
        out = pyast.names_read(self.value) + list(self.target_reads)
        if self.augmented and not self.target_reads:
            out.append(self.target)
        return out

    @cached
    def defines(self) -> tuple[str, ...]:
        """Names this statement binds."""
        if not self.target or self.target_reads:
            return ()
        return tuple(t.strip() for t in self.target.split(","))

    @cached
    def changes(self) -> tuple[str, ...]:
        """Names whose value this statement changes: what it binds, and a list it stores into or mutates."""
        out = list(self.defines)
        if self.target_reads:  # `xs_bar[i] = ...` changes xs_bar
            out.append(self.target_reads[0])
        out += self._mutated
        return tuple(out)

    @cached
    def mutates(self) -> bool:
        """Does evaluating the value change a list (`xs.pop()`, `xs.append(v)`)? Then it cannot be dropped."""
        return bool(self._mutated)

    @cached
    def _mutated(self) -> list[str]:  # walks the value: once for both of the above
        return pyast.mutated(self.value)


@dataclass(frozen=True)
class Block:
    """`keyword header:` body, with `else:` orelse for an `if`.

    keyword is "if", "for" (header `target in iterable`) or "while".
    """

    keyword: str
    test: ast.expr  # the condition, or the iterable of a for
    body: tuple["Node", ...]
    orelse: tuple["Node", ...] = ()
    lines: tuple[int, ...] = ()
    target: str = ""  # the for loop's variable
    elementwise: bool = False  # a loop over a list's items that stands for one op (the reverse of sum)

    @property
    def header(self) -> str:
        if self.keyword == "for":
            return f"for {self.target} in {pyast.to_source(self.test)}"
        return f"{self.keyword} {pyast.to_source(self.test)}"

    @cached
    def reads(self) -> list[str]:
        return pyast.names_read(self.test)


@dataclass(frozen=True)
class Jump:
    word: str  # "break"


@dataclass(frozen=True)
class Record:
    """Placeholder: push the record of block `key` on `tape`."""

    key: tuple
    tape: str


@dataclass(frozen=True)
class Restore:
    """Placeholder: pop the record of block `key` from `tape`."""

    key: tuple
    tape: str


@dataclass(frozen=True)
class Fused:
    """Placeholder: where a loop's own adjoint code goes if the loop is fused (see reverse)."""

    key: tuple
    setup: bool  # before the loop (accumulators), or at the end of an iteration


@dataclass(frozen=True)
class Comment:
    """A comment line of its own in the generated code."""

    text: str


Node = Union[Stmt, Block, Jump, Record, Restore, Fused, Comment]


def walk(nodes: tuple[Node, ...] | list[Node]) -> Iterator[Node]:
    """Every node, nested blocks' too, in program order (an explicit stack: chains may be long)."""
    stack = [iter(nodes)]
    while stack:
        for n in stack[-1]:
            yield n
            if isinstance(n, Block):
                stack += (iter(n.orelse), iter(n.body))
                break
        else:
            stack.pop()


def assigned(nodes: tuple[Node, ...] | list[Node]) -> set[str]:
    """Every name the nodes bind, nested blocks included."""
    out: set[str] = set()
    for n in walk(nodes):
        if isinstance(n, Stmt):
            out.update(n.defines)
        elif isinstance(n, Block) and n.target:
            out.update(t.strip() for t in n.target.split(","))
    return out


def reads(nodes: tuple[Node, ...] | list[Node]) -> list[str]:
    out: list[str] = []
    for n in walk(nodes):
        if isinstance(n, (Stmt, Block)):
            out += n.reads
    return out


def parallel_copies(pairs: list[tuple[str, ast.expr]], lines: tuple[int, ...], fresh) -> list[Stmt]:
    """Assignments with the effect of assigning every pair at once (a, b = b, a needs a temporary)."""
    todo = [(d, e) for d, e in pairs if not (isinstance(e, ast.Name) and e.id == d)]
    out: list[Stmt] = []
    while todo:
        for k, (dst, value) in enumerate(todo):
            later = [n for j, (_, e) in enumerate(todo) if j != k for n in pyast.names_read(e)]
            if dst not in later:
                out.append(Stmt(dst, value, lines))
                del todo[k]
                break
        else:  # a cycle: save one target first
            dst = todo[0][0]
            keep = fresh(dst + "_old")
            out.append(Stmt(keep, pyast.name(dst), lines))
            todo = [(d, pyast.substitute(e, {dst: pyast.name(keep)})) for d, e in todo]
    return out

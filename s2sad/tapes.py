"""Tapes: what the forward sweep records for the reverse sweep (a "to be recorded" analysis).

Guarantees: inside a loop, the reverse sweep reads a value computed in the
loop only after the forward sweep has overwritten it (the next iteration
reassigns every name). So each recording block (a loop body, or a branch
inside a loop) pushes, once per execution, exactly the names that its
reverse code reads and that it assigns itself; the reverse block pops them
first. Nothing else is recorded: not values from outside the loop (never
overwritten), not the loop counter (the reverse loop regenerates it by
iterating the range backwards), and not inactive integer or boolean values or
loads from lists that are never changed, whose inputs are at hand: those are
recomputed after the pop. A tape is a plain local list.

Before: forward `... [record] ...`, reverse `[restore] x_bar[i] += s_bar * z2`.
After:  forward `tape.append(z2)`, reverse `z2 = tape.pop()` (z2 = s * x[i], overwritten each iteration).
"""

from __future__ import annotations

import ast

from . import pyast
from .forward import arm_key, forward_expr, loop_key
from .naming import Names
from .program import Block, Node, Record, Restore, Stmt, reads
from .program import walk as code_walk
from .trace import (
    Affine,
    Append,
    Compute,
    If,
    Load,
    Loop,
    Op,
    Pop,
    Product,
    Store,
    Trace,
    walk,
)


def record_tapes(trace: Trace, names: Names, forward: tuple[Node, ...], reverse: tuple[Node, ...]):
    """The sweeps with every Record and Restore placeholder replaced; and what each block records."""
    blocks: dict[tuple, tuple] = {}  # key -> (items, carried params or ())
    def collect(items, in_loop: bool) -> None:
        for item in items:
            if isinstance(item, Loop):
                blocks[loop_key(item)] = (item.body, tuple(c.param for c in item.carried), item.line)
                collect(item.body, True)
            elif isinstance(item, If):
                if in_loop:
                    blocks[arm_key(item, "then")] = (item.body, (), item.line)
                    blocks[arm_key(item, "orelse")] = (item.orelse, (), item.line)
                collect(item.body, in_loop)
                collect(item.orelse, in_loop)

    collect(trace.body, False)
    reverse_blocks: dict[tuple, list[Node]] = {}

    def scan(nodes) -> None:
        for n in nodes:
            if isinstance(n, Restore):
                reverse_blocks[n.key] = nodes
            elif isinstance(n, Block):
                scan(n.body)
                scan(n.orelse)

    scan(reverse)
    mutated = {i.lst for i in walk(trace.body) if isinstance(i, (Store, Append, Pop))}
    nested = {key: [n.key for n in code_walk(rev) if isinstance(n, Restore) and n.key != key]
              for key, rev in reverse_blocks.items()}
    records: dict[tuple, tuple[str, ...]] = {}
    recomputed: dict[tuple, list[Stmt]] = {}
    for _round in range(len(blocks) + 1):  # recomputing in an inner block reads names an outer block keeps
        before = (dict(records), {k: [s.reads for s in v] for k, v in recomputed.items()})
        for key, (items, params, line) in blocks.items():
            rev = reverse_blocks.get(key)
            if rev is None:
                records[key] = ()
                continue
            extra = [r for k in nested[key] for s in recomputed.get(k, []) for r in s.reads]
            records[key], recomputed[key] = _record(items, params, names, set(reads(rev)) | set(extra), mutated)
        if (records, {k: [s.reads for s in v] for k, v in recomputed.items()}) == before:
            break  # nothing recorded or recomputed changed: every inner recomputation's inputs are kept
    used_tapes: set[str] = set()
    own_tapes = _tapes_of_one_shape(forward, records, names)

    def fill(nodes) -> tuple[Node, ...]:
        out: list[Node] = []
        for n in nodes:
            if isinstance(n, Record):
                rec = records.get(n.key, ())
                if rec:
                    tape = own_tapes.get(n.key, n.tape)
                    used_tapes.add(tape)
                    out.append(Stmt("", pyast.method(tape, "append", [_packed(rec)]), (blocks[n.key][2],), tape=True))
            elif isinstance(n, Restore):
                rec = records.get(n.key, ())
                if rec:
                    tape = own_tapes.get(n.key, n.tape)
                    used_tapes.add(tape)
                    out.append(Stmt(", ".join(rec), pyast.method(tape, "pop", []), (blocks[n.key][2],), tape=True))
                out += recomputed.get(n.key, [])
            elif isinstance(n, Block):
                out.append(Block(n.keyword, n.test, fill(n.body), fill(n.orelse),
                                 n.lines, n.target, n.elementwise))
            else:
                out.append(n)
        return tuple(out)

    forward, reverse = fill(forward), fill(reverse)
    setup = [Stmt(t, ast.List([], pyast.LOAD), (trace.line,), tape=True) for t in dict.fromkeys(own_tapes.values())]
    lead = next((k for k, n in enumerate(forward) if not (isinstance(n, Stmt) and n.tape)), len(forward))
    forward = forward[:lead] + tuple(setup) + forward[lead:]  # after the loops' own tapes
    forward = tuple(n for n in forward if not (isinstance(n, Stmt) and n.tape and n.target
                                               and n.target not in used_tapes))
    return forward, reverse, records


def _record(items, params, names: Names, read: set[str], mutated: set):
    """What one block records (names) and recomputes (statements) for its reverse code."""
    own: list[tuple[str, Op | None]] = [(names.primal[p], None) for p in params]
    for item in items:
        if isinstance(item, Op):
            own.append((names.primal[item.out], item))
        elif isinstance(item, If):
            own += [(names.primal[m.out], None) for m in item.merges]
        elif isinstance(item, Pop) and item.out is not None:
            own.append((names.primal[item.out], None))
        elif isinstance(item, Loop):
            own += [(names.primal[c.out], None) for c in item.carried]
            if item.trips is not None:
                own.append((names.primal[item.trips], None))
    own_names = {n for n, _ in own}
    # recomputed: cheap inactive values and loads of unchanged lists, from what is at hand (values from
    # outside the block, the counter, other recomputed values); a value that would need its inputs
    # recorded is recorded itself
    at_hand: set[str] = set()
    for name, op in own:
        if op is not None and not (set(op.lists) & mutated) and (
                op.out.kind not in ("float", "array") or isinstance(op.expr, (Compute, Affine, Product, Load))):
            if all(n in at_hand or n not in own_names for n in pyast.names_read(forward_expr(op, names))):
                at_hand.add(name)
    needed = read & own_names
    recorded: list[str] = []
    again: list[Stmt] = []
    for name, op in reversed(own):
        if name not in needed or name in recorded:
            continue
        if op is not None and name in at_hand:
            stmt = Stmt(name, forward_expr(op, names), (op.line,), temporary=op.out.hint is None)
            again.insert(0, stmt)
            needed |= set(stmt.reads) & own_names
        else:
            recorded.insert(0, name)
    return tuple(dict.fromkeys(recorded)), again


def _packed(names: tuple[str, ...]) -> ast.expr:
    if len(names) == 1:
        return pyast.name(names[0])
    return ast.Tuple([pyast.name(n) for n in names], pyast.LOAD)


def _tapes_of_one_shape(forward: tuple[Node, ...], records: dict, names: Names) -> dict[tuple, str]:
    """A tape of its own for each branch record whose shape differs from the others on its loop's tape.

    One tape holds records of one shape (a value, or tuples of one length, each
    position an integer on every record or on none), so that the generated code
    stays in the supported subset (a list of floats, or of equal-length tuples)
    and s2sad reads it back, knowing which popped items are integers.
    """
    kinds: dict[str, set[str]] = {}
    for v, name in names.primal.items():
        kinds.setdefault(name, set()).add(getattr(v, "kind", "list"))

    def shape(key: tuple) -> tuple[bool, ...]:
        return tuple(kinds.get(name) == {"int"} for name in records[key])

    keys: dict[str, list[tuple]] = {}
    for n in code_walk(forward):
        if isinstance(n, Record) and records.get(n.key) and n.key not in keys.setdefault(n.tape, []):
            keys[n.tape].append(n.key)
    own: dict[tuple, str] = {}
    for tape, ks in keys.items():
        if len({shape(k) for k in ks}) > 1:
            for k in ks:
                if k[0] == "arm":
                    own[k] = names.fresh("tape")
    return own

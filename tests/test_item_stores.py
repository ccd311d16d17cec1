"""Whole list adjoints written as comprehensions (`item_stores.whole_list_comprehensions`): where the rewrite
holds, the reverse sweep runs as before item for item; where one of its conditions fails, nothing changes.

Each case is a forward and a reverse sweep written as Python, turned into the generated-code nodes the pass
reads; both versions run, and the list adjoint they return is compared (the rewritten one must equal the loop's).
"""

import ast
import random

import pytest

from s2sad import pyast
from s2sad.item_stores import whole_list_comprehensions
from s2sad.program import Block, Jump, Stmt

SOFTMAX_FORWARD = """
tape = []
m = max(z)
s = 0.0
n = len(z)
for v in z:
    t = exp(v - m)
    s = s + t
    tape.append(t)
"""

SOFTMAX_REVERSE = """
z_bar = [0.0] * len(z)
z_bar[label] -= 1
s_bar = 1 / s
for k in reversed(range(n)):
    t = tape.pop()
    z_bar[k] += s_bar * t
z_bar[0] += 0.5
"""


def nodes(text: str) -> tuple:
    """Generated-code nodes of Python statements (assignments, calls, `for`, `if`, `break`)."""
    def one(s: ast.stmt):
        if isinstance(s, ast.Assign):
            target = s.targets[0]
            reads = (target.value.id, *pyast.names_read(target.slice)) if isinstance(target, ast.Subscript) else ()
            return Stmt(ast.unparse(target), s.value, (s.lineno,), target_reads=reads)
        if isinstance(s, ast.AugAssign):
            target = s.target
            reads = (target.value.id, *pyast.names_read(target.slice)) if isinstance(target, ast.Subscript) else ()
            value = s.value if isinstance(s.op, ast.Add) else ast.UnaryOp(ast.USub(), s.value)
            return Stmt(ast.unparse(target), value, (s.lineno,), augmented=True, target_reads=reads)
        if isinstance(s, ast.Expr):
            return Stmt("", s.value, (s.lineno,))
        if isinstance(s, ast.For):
            return Block("for", s.iter, tuple(one(b) for b in s.body), (), (s.lineno,), ast.unparse(s.target))
        if isinstance(s, ast.If):
            return Block("if", s.test, tuple(one(b) for b in s.body), tuple(one(b) for b in s.orelse), (s.lineno,))
        if isinstance(s, ast.Break):
            return Jump("break")
        raise TypeError(type(s).__name__)

    return tuple(one(s) for s in ast.parse(text).body)


def text_of(ns: tuple, indent: str = "") -> str:
    out = []
    for n in ns:
        if isinstance(n, Stmt):
            op = "+=" if n.augmented else "="
            out.append(f"{indent}{n.target} {op} {pyast.to_source(n.value)}" if n.target
                       else f"{indent}{pyast.to_source(n.value)}")
        elif isinstance(n, Block):
            out.append(f"{indent}{n.header}:")
            out.append(text_of(n.body, indent + "    "))
            if n.orelse:
                out.append(f"{indent}else:\n" + text_of(n.orelse, indent + "    "))
        else:
            out.append(f"{indent}{n.word}")
    return "\n".join(out)


def run(forward: tuple, reverse: tuple, z: list, label: int = 1) -> list:
    namespace = {"z": list(z), "label": label, "exp": __import__("math").exp}
    exec(text_of(forward) + "\n" + text_of(reverse), namespace)
    return namespace["z_bar"]


def rewritten(forward_text: str, reverse_text: str) -> tuple[tuple, tuple, tuple]:
    forward, reverse = nodes(forward_text), nodes(reverse_text)
    return forward, reverse, whole_list_comprehensions(forward, reverse)


def test_a_softmax_adjoint_is_one_comprehension_and_keeps_each_item():
    forward, reverse, after = rewritten(SOFTMAX_FORWARD, SOFTMAX_REVERSE)
    assert text_of(after).splitlines() == [
        "s_bar = 1 / s", "z_bar = [s_bar * t for t in tape]", "z_bar[label] += -1", "z_bar[0] += 0.5"]
    rng = random.Random(5)
    for size in (1, 2, 5, 40):
        z = [rng.uniform(-3, 3) for _ in range(size)]
        assert run(forward, after, z, size - 1) == run(forward, reverse, z, size - 1)


def test_a_counter_read_by_the_item_enumerates_the_tape():
    forward, reverse, after = rewritten(SOFTMAX_FORWARD, SOFTMAX_REVERSE.replace("s_bar * t", "s_bar * t * k"))
    assert "z_bar = [s_bar * t * k for k, t in enumerate(tape)]" in text_of(after)
    assert run(forward, after, [0.5, -1.0, 2.0]) == run(forward, reverse, [0.5, -1.0, 2.0])


@pytest.mark.parametrize("forward,reverse,why", [
    (SOFTMAX_FORWARD.replace("    tape.append(t)", "    if t > 0.5:\n        tape.append(t)"), SOFTMAX_REVERSE,
     "the tape is not appended to once per iteration"),
    (SOFTMAX_FORWARD.replace("    tape.append(t)", "    tape.append(t)\n    if t > 5:\n        break"), SOFTMAX_REVERSE,
     "the loop may stop early"),
    (SOFTMAX_FORWARD.replace("for v in z:", "for v in z[1:]:"), SOFTMAX_REVERSE, "the loop is not over the list"),
    (SOFTMAX_FORWARD.replace("n = len(z)", "n = len(z) - 1"), SOFTMAX_REVERSE, "the trip count is not the length"),
    (SOFTMAX_FORWARD + "tape.append(s)\n", SOFTMAX_REVERSE, "the tape holds another value"),
    (SOFTMAX_FORWARD.replace("tape = []", "tape = []\nz = [2 * v for v in z]").replace("m = max(z)", "m = 0.0"),
     SOFTMAX_REVERSE, "the list is bound again"),
    (SOFTMAX_FORWARD, SOFTMAX_REVERSE.replace("z_bar[label] -= 1", "z_bar[label] -= s_bar\ns_bar = 1 / s"),
     "an addition reads a name assigned before the loop"),
    (SOFTMAX_FORWARD, SOFTMAX_REVERSE.replace("z_bar[label] -= 1", "z_bar[label] = 1.0"),
     "an item is stored, not added to"),
    (SOFTMAX_FORWARD, SOFTMAX_REVERSE.replace("s_bar * t", "s_bar * t + z_bar[0]"), "the item reads the list adjoint"),
    (SOFTMAX_FORWARD, SOFTMAX_REVERSE.replace("s_bar * t", "k * 2"), "the item may be an int"),
    (SOFTMAX_FORWARD, SOFTMAX_REVERSE.replace("    t = tape.pop()\n", "    t = tape.pop()\n    t = 2 * t\n"),
     "the loop does more than pop and add"),
    (SOFTMAX_FORWARD, SOFTMAX_REVERSE.replace("z_bar[k] += s_bar * t", "z_bar[k - 1] += s_bar * t"),
     "the item is not the counter's"),
    (SOFTMAX_FORWARD, SOFTMAX_REVERSE + "t = tape.pop()\n", "the tape is read again"),
    (SOFTMAX_FORWARD.replace("tape.append(t)", "tape.append((t, s))"),
     SOFTMAX_REVERSE.replace("t = tape.pop()", "t, u = tape.pop()"), "a record of two values"),
    (SOFTMAX_FORWARD, SOFTMAX_REVERSE.replace("z_bar[label] -= 1", "z_bar[label] += y_bar[1]\ny_bar[1] = 0.0"),
     "an addition reads an item stored into before the loop"),
    (SOFTMAX_FORWARD, SOFTMAX_REVERSE.replace("z_bar[label] -= 1", "z_bar[label] += ys.pop()"),
     "an addition changes a list"),
])
def test_nothing_changes_where_a_condition_fails(forward, reverse, why):
    before = nodes(reverse)
    assert whole_list_comprehensions(nodes(forward), before) == before, why

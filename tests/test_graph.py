"""`s2sad graph`: the computational graph against the trace it draws (every op a node labelled as
the trace prints it, every data-flow edge), the lecture's Figure 1 exactly, the chain-rule labels of
`--adjoints`, clusters for branches and loops, and the pictures Graphviz draws."""

import html
import os
import re
import shutil
import subprocess
import sys

import pytest

from s2sad.api import trace_source
from s2sad.loading import load_spec
from s2sad.graph import graph_dot
from s2sad.naming import primal_names
from s2sad.trace import If, Load, Loop, Op, Sum, walk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE = re.compile(r'^\s*(\w+) \[(?:shape=\w+, )?label="((?:[^"\\]|\\.)*)"\];$')
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[.*\])?;$")


def parse(dot: str) -> tuple[dict[str, str], set[tuple[str, str]], list[str]]:
    """Nodes (id -> label), edges, cluster labels."""
    nodes, edges, clusters = {}, set(), []
    for line in dot.splitlines():
        if m := NODE.match(line):
            nodes[m.group(1)] = m.group(2).replace("\\n", "\n").replace('\\"', '"')
        elif m := EDGE.match(line):
            edges.add((m.group(1), m.group(2)))
        elif m := re.match(r'^\s*label="(.*)"; style=\w+;$', line):
            clusters.append(m.group(1))
    return nodes, edges, clusters


def trace_of(spec: str):
    return trace_source(load_spec(os.path.join(ROOT, spec)))


def test_the_lectures_figure():
    nodes, edges, clusters = parse(graph_dot(trace_of("examples/lecture.py:f")))
    names = {i: label.split(" ")[0] for i, label in nodes.items()}
    named = {(names.get(a, a), names.get(b, b)) for a, b in edges}
    assert named == {("w1", "z1"), ("w2", "z1"), ("z1", "z2"), ("w2", "z3"), ("z1", "z4"), ("z3", "z4"),
                     ("z2", "z5"), ("z4", "z5"), ("z4", "z6"), ("z5", "z6"), ("z6", "return")}
    assert nodes["v5"] == "z4 = 3*z1 - z3\n(line 12)" and not clusters


def test_the_adjoints_are_the_chain_rule_over_children():
    nodes, _, _ = parse(graph_dot(trace_of("examples/lecture.py:f"), adjoints=True))
    bars = {label.split("\n")[0].split(" ")[0]: label.split("\n")[-1] for label in nodes.values()}
    assert bars["z6"] == "z6_bar = 1"
    assert bars["z5"] == "z5_bar = z6_bar*z4"
    assert bars["z4"] == "z4_bar = z5_bar + z6_bar*z5"
    assert bars["z3"] == "z3_bar = -z4_bar"
    assert bars["w1"] == "w1_bar = z1_bar*(1 / w2)"


@pytest.mark.parametrize("spec", ["examples/lecture.py:f", "examples/loops.py:huber", "examples/loops.py:halvings",
                                  "examples/loops.py:oscillator", "examples/loops.py:softmax_cross_entropy",
                                  "examples/arrays.py:rnn", "examples/arrays.py:heat", "examples/optim.py:wood"])
def test_every_op_and_every_edge_of_the_trace(spec):
    trace = trace_of(spec)
    nodes, edges, clusters = parse(graph_dot(trace))
    names = primal_names(trace)
    for item in walk(trace.body):
        if isinstance(item, Op):
            node = f"v{item.out.id}"
            assert nodes[node].startswith(f"{names[item.out]} = ") and f"(line {item.line})" in nodes[node]
            sources = [item.expr.lst] if isinstance(item.expr, (Load, Sum)) else item.inputs
            for src in sources:
                assert (f"{'l' if not hasattr(src, 'kind') else 'v'}{src.id}", node) in edges, (spec, src, item)
    loops = [i for i in walk(trace.body) if isinstance(i, Loop)]
    branches = [i for i in walk(trace.body) if isinstance(i, If)]
    assert sum(c.startswith(("for ", "while")) for c in clusters) == len(loops)
    assert sum(c.startswith("if ") for c in clusters) == len(branches)
    assert graph_dot(trace) == graph_dot(trace_of(spec))  # deterministic


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "s2sad", *args], cwd=ROOT, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt install graphviz)")
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG")])
def test_pictures(tmp_path, suffix, magic):
    out = tmp_path / f"f{suffix}"
    run = cli("graph", "examples/lecture.py:f", "-o", str(out), "--adjoints")
    assert run.returncode == 0, run.stderr
    assert out.read_bytes().startswith(magic)
    if suffix == ".svg":
        assert "z4 = 3*z1 - z3" in html.unescape(out.read_text())


def test_dot_text_needs_nothing_and_a_missing_dot_is_explained(tmp_path):
    out = tmp_path / "f.dot"
    assert cli("graph", "examples/lecture.py:f", "-o", str(out)).returncode == 0
    assert out.read_text() == cli("graph", "examples/lecture.py:f").stdout.decode()
    env = {**os.environ, "PATH": os.path.dirname(sys.executable)}  # no dot on this PATH
    run = cli("graph", "examples/lecture.py:f", "-o", str(tmp_path / "f.svg"), env=env)
    assert run.returncode == 2 and b"apt install graphviz" in run.stderr and b"FILE.dot" in run.stderr
    assert not (tmp_path / "f.svg").exists()
    run = cli("graph", "examples/lecture.py:f", "-o", str(tmp_path / "f.txt"))
    assert run.returncode == 2 and b"name it .dot, .svg, .png or .pdf" in run.stderr


def test_the_readme_picture_is_the_lectures_graph():
    svg = html.unescape(open(os.path.join(ROOT, "docs", "lecture_graph.svg"), encoding="utf-8").read())
    assert "z4 = 3*z1 - z3" in svg and "z4_bar = z5_bar + z6_bar*z5" in svg
    assert "docs/lecture_graph.svg" in open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def test_nodes_sit_in_the_clusters_of_their_blocks():
    """Inputs and values after a loop at the top; a loop's carried values and body inside its cluster;
    every edge at the top level (an edge inside a cluster would pull its ends into it)."""
    dot = graph_dot(trace_of("examples/loops.py:halvings"), adjoints=True)
    depth, where = 0, {}
    for line in dot.splitlines()[1:-1]:
        if line.strip().startswith("subgraph cluster_"):
            depth += 1
        elif line.strip() == "}":
            depth -= 1
        elif m := NODE.match(line):
            where[m.group(2).split("\\n")[0]] = depth
        elif EDGE.match(line):
            assert depth == 0, line
    assert where["x (input)"] == 0 and where["x_1 after the loop"] == 0
    assert where["x_1 = carried"] == 1 and where["x_2 = 0.5*x_1"] == 2  # the while, then its if
    nodes, _, _ = parse(dot)
    assert "x_1_bar = x_1_after_bar + x_2_bar*0.5" in nodes["v1"]  # not x_1_bar in its own sum
    assert len(set(parse(dot)[1])) == sum(1 for line in dot.splitlines() if EDGE.match(line))  # no repeats

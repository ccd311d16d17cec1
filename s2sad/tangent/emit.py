"""Emission of forward mode: `Tangent` -> `<f>_jvp`, its module text and its certificate.

Guarantees: `<f>_jvp(params..., dots...)` takes the parameters of `<f>` and
then one tangent per differentiated parameter (`x_dot`, a list for a list),
and returns `(value, value_dot)`: the value is `f`'s (a tuple or a list for a
vector function) and the tangent has its shape. Statements carry their
source lines as in reverse mode; the header's certificate counts the
primal's ops and the tangent's, per loop iteration where there are loops,
against the forward-mode bound (`BOUND`).

Before: a `Tangent`. After::

    def f_jvp(w1, w2, w1_dot, w2_dot):
        z1 = w1 / w2  # line 9
        z1_dot = (w1_dot - z1 * w2_dot) / w2  # line 9
        ...
        return z6, z6_dot
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .. import pyast
from ..certificate import MAIN, lines_per_part
from ..emit import _helpers, _imports, _number, _render, _renamed, _tables, generated_from, parameters
from ..layout import flat_sections
from ..optimize import coalesce_copies, inline_single_use
from ..program import Block, Node, Stmt
from ..pyast import to_source
from ..trace import is_straight
from . import Tangent

BOUND = 3  # forward mode: value and one directional derivative cost at most about 3x the value


@dataclass(frozen=True)
class TangentCertificate:
    """Op counts of the function and of its JVP: overall, or per loop iteration and outside loops."""

    parts: tuple[tuple[str, int, int], ...]  # (label, primal ops, jvp ops)

    @property
    def primal(self) -> int:
        return sum(p for _, p, _ in self.parts)

    @property
    def jvp(self) -> int:
        return sum(j for _, _, j in self.parts)

    @property
    def ratio(self) -> float:
        return max((j / p if p else 1.0) for _, p, j in self.parts) if self.parts else 1.0

    def lines(self) -> list[str]:
        verdict = "within" if self.ratio <= BOUND else "ABOVE"
        if len(self.parts) == 1:
            return ["Op count (arithmetic operators and calls, counted in this file):",
                    f"  primal:  {self.primal} ops",
                    f"  jvp:     {self.jvp} ops " + (f"(primal {self.primal} + tangent {self.jvp - self.primal})"
                                                     if self.jvp >= self.primal else "(what no result reads pruned)"),
                    f"  ratio:   {self.ratio:.2f}, {verdict} forward mode's bound of {BOUND}"]
        rows = [(label, f"primal {p}, jvp {j}, ratio {(j / p if p else 1.0):.2f}") for label, p, j in self.parts]
        return lines_per_part(rows, self.ratio, f"{verdict} forward mode's bound of {BOUND}")


def tangent_certificate(t: Tangent) -> TangentCertificate:
    primal: dict[str, int] = {}
    jvp: dict[str, int] = {}
    _count(t.primal, MAIN, primal)
    _count(t.body, MAIN, jvp)
    labels = list(dict.fromkeys([*jvp, *primal]))
    if is_straight(t.trace.body):
        labels = [MAIN]
    return TangentCertificate(tuple((k, primal.get(k, 0), jvp.get(k, 0)) for k in labels))


def _signs_folded(nodes: tuple[Node, ...], tangents: frozenset[str]) -> tuple[Node, ...]:
    """The tangent statements with `a + -k*x` written `a - k*x` (inlining a negative tangent into a sum
    makes them); the function's own statements stay as it writes them."""
    out: list[Node] = []
    for n in nodes:
        if isinstance(n, Stmt) and n.target in tangents and not n.target_reads:
            n = replace(n, value=pyast.signs_folded(n.value))
        elif isinstance(n, Block):
            n = replace(n, body=_signs_folded(n.body, tangents), orelse=_signs_folded(n.orelse, tangents))
        out.append(n)
    return tuple(out)


def _count(nodes: tuple[Node, ...], part: str, out: dict[str, int]) -> None:
    out.setdefault(part, 0)
    for n in nodes:
        if isinstance(n, Stmt):
            out[part] += n.ops
        elif isinstance(n, Block):
            inner = f"loop at line {n.lines[0]}:" if n.keyword in ("for", "while") else part
            _count(n.body, inner, out)
            _count(n.orelse, inner, out)


def tangent_module_text(t: Tangent, origin: str) -> str:
    """The forward-mode module, before formatting."""
    along = ", ".join(t.dots) or "nothing"
    header = [
        generated_from(t.trace, origin),
        f"Forward-mode derivative (JVP) of {t.trace.name} along {along}. Do not edit: regenerate.",
        *tangent_certificate(t).lines(),
    ]
    return forward_module(t, header, [jvp_lines(t)])


def tangent_runtime_text(t: Tangent) -> str:
    return forward_runtime(t, jvp_lines(t))


def forward_module(t: Tangent, header: list[str], functions: list[list[str]]) -> str:
    """A module of forward-mode functions: the header as comments, the imports, helpers and tables they
    need, then the functions."""
    out = ["# " + h for h in header]
    helpers, tables = _helpers(t), _tables(t)  # type: ignore[arg-type]
    imports = _imports(t)  # type: ignore[arg-type]
    if imports:
        out += [""] + imports
    for helper in helpers:
        out += ["", ""] + helper.splitlines()
    out += tables
    for lines in functions:
        out += ["", ""] + lines
    return "\n".join(out) + "\n"


def forward_runtime(t: Tangent, function: list[str]) -> str:
    """Just what one forward-mode function needs to run: its imports, helpers and tables, and itself."""
    helpers = [line for h in _helpers(t) for line in ["", *h.splitlines()]]  # type: ignore[arg-type]
    return "\n".join(_imports(t) + helpers + _tables(t) + function) + "\n"  # type: ignore[arg-type]


def jvp_lines(t: Tangent) -> list[str]:
    """`<f>_jvp`: the forward sweep with tangents, returning (value, value_dot)."""
    tr = t.trace
    body = jvp_body(t)
    params = [t.names.primal[p] for p in tr.params]
    # a tangent parameter follows them all, so defaults are kept only where no tangent follows
    defaults = [] if t.dots else [f"{n}={_number(d)}" if d is not None else n for n, d in zip(params, tr.defaults)]
    signature = parameters(defaults or params + list(t.dots), tr.positional_only)
    along = f"({', '.join(t.dots)})" if len(t.dots) != 1 else t.dots[0]
    doc = f"Return {tr.name}({', '.join(params)}) and its derivative along {along}."
    lines = [f"def {tr.name}_jvp({signature}):", f'    """{doc}"""']
    _render(body, "    ", "line", lines)
    lines.append(f"    return {to_source(t.value)}, {to_source(t.value_dot)}")
    return lines


def jvp_body(t: Tangent) -> tuple[Node, ...]:
    """The statements of `<f>_jvp`, laid out as emission lays out every sweep."""
    tr = t.trace
    results = [t.value, t.value_dot]
    sections: tuple[tuple[Node, ...], ...] = (t.body,)
    if not is_straight(tr.body):
        sections = coalesce_copies(sections, results)
    (body,) = flat_sections(inline_single_use(sections, results), results)
    if not any(getattr(p, "kind", None) == "array" for p in tr.params):  # NumPy integers wrap when negated
        body = _signs_folded(body, t.tangents)
    if t.names.builtins:
        body = _renamed(body, t.names.builtins)
    return body



def both_modes_text(reverse: str, forward: str) -> str:
    """One module with both modes' functions: both headers, the imports merged, reverse mode first."""
    r_head, r_imports, r_body = _parts(reverse)
    f_head, f_imports, f_body = _parts(forward)
    imports = merged_imports(r_imports + f_imports)
    f_head = [h for h in f_head if not h.startswith("# Generated by")]
    helpers = r_body  # the reverse module's helpers and tables come first; the forward module's are the same
    jvp = f_body[f_body.index(next(line for line in f_body if line.startswith("def "))):]
    out = r_head + f_head + ([""] + imports if imports else []) + helpers + ["", ""] + jvp
    return "\n".join(out).rstrip("\n") + "\n"


def merged_imports(lines: list[str]) -> list[str]:
    """Import lines with one `from module import ...` per module (names sorted), plain imports first."""
    names: dict[str, set[str]] = {}
    plain: list[str] = []
    for line in lines:
        if line.startswith("from "):
            module, _, what = line[5:].partition(" import ")
            names.setdefault(module, set()).update(w.strip() for w in what.split(","))
        elif line not in plain:
            plain.append(line)
    return plain + [f"from {m} import {', '.join(sorted(ns))}" for m, ns in sorted(names.items())]


def _parts(text: str) -> tuple[list[str], list[str], list[str]]:
    """(header comments, import lines, the rest) of a generated module."""
    lines = text.rstrip("\n").split("\n")
    k = 0
    while k < len(lines) and lines[k].startswith("#"):
        k += 1
    head, rest = lines[:k], lines[k:]
    imports = [line for line in rest if line.startswith(("from ", "import "))]
    body = [line for line in rest if not line.startswith(("from ", "import "))]
    while body and not body[0]:
        body.pop(0)
    return head, imports, [""] * 2 + body if body else []

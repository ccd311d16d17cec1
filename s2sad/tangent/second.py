"""Second order by closure: `s2sad gen --order 2` writes `<f>_hvp` and `<f>_hessian`.

Guarantees: the module holds reverse mode's `<f>_grad` (and `<f>_value_and_grad`)
as `s2sad gen` writes it, forward mode's `<f>_grad_jvp` derived from that very
text read back (forward over reverse), and two small functions over them:
`<f>_hvp(params..., dots...)`, the Hessian times a direction, and
`<f>_hessian(params...)`, one Hessian-vector product per scalar entry of the
differentiated parameters. Nothing in it imports s2sad.

Before: `def f(x, y): return x * x * y`.
After:  `f_grad(x, y)`, `f_grad_jvp(x, y, x_dot, y_dot)`, `f_hvp(x, y, x_dot, y_dot)`, `f_hessian(x, y)`.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Callable, Sequence

from .. import __version__
from ..api import Derivative, deeply, derive_source
from ..util import collector_paused
from ..errors import S2sadError, printable
from ..frontend import Source, read_module
from ..loading import find_def
from ..emit import parameters, signature
from ..program import Block, Node, Stmt
from ..trace import ListVar
from ..unroll import without_iterations
from . import Tangent, linearize
from .readback import along_text
from .emit import _parts, both_modes_text, merged_imports, tangent_certificate, tangent_module_text

HVP_BOUND = 15  # forward mode (3x) of the gradient (5x): an HVP costs at most about 15x the function


def derive_text(text: str, name: str, origin: str, wrt: Sequence[str], arrays: bool = False) -> Derivative:
    """The derivation of function `name` of a module given as text (generated code, read back; `arrays`: of
    an array program)."""
    filename = f"<s2sad generated {os.path.splitext(origin)[0]}>"
    module, tree = read_module(text, "s2sad_generated", filename)
    return derive_source(Source(module, find_def(tree, name, module), arrays), tuple(wrt))


def gradient_derivation(d: Derivative) -> Derivative:
    """The derivation of d's generated `<f>_grad`, with respect to the same parameters."""
    if d.trace_is_vector:
        raise S2sadError(f"{d.trace.name} returns a vector: second derivatives are of scalar functions "
                         "(differentiate one output)")
    if d.gradient.names.builtins:
        shadowed = ", ".join(sorted(d.gradient.names.builtins))
        raise S2sadError(f"{d.trace.name}: a parameter or variable is named like a builtin the generated gradient "
                         f"calls ({shadowed}), which it imports under another name that s2sad does not read back: "
                         "rename it for second derivatives")
    if any(getattr(p, "kind", None) == "array" for p in d.trace.params):
        raise S2sadError(f"{d.trace.name}: the generated gradient of an array program calls helpers that s2sad "
                         "does not read back; its second derivatives are reverse over forward (tangent_derivation: "
                         "s2sad.hessian, s2sad.hvp and s2sad gen --order 2 take that way)")
    return derive_text(d.reverse_text, f"{d.trace.name}_grad", d.origin, [p.hint for p in d.wrt])


def tangent_derivation(d: Derivative) -> Derivative:
    """Reverse over forward, for array programs: the derivation of d's generated `<f>_jvp` (whose array code
    stays inside the subset) with its result narrowed to the tangent, renamed `<f>_along`, with respect to
    f's differentiated parameters. Its gradient at (x, v) is the Hessian times v.

    Before: `def f_jvp(x, x_dot): ... return z10, z10_dot`.
    After:  `def f_along(x, x_dot): ... return z10_dot`, and its derivation (`f_along_grad(x, x_dot)`).
    """
    if d.trace_is_vector:
        raise S2sadError(f"{d.trace.name} returns a vector: second derivatives are of scalar functions "
                         "(differentiate one output)")
    return derive_text(along_text(unguarded_forward_text(d), d.trace.name), f"{d.trace.name}_along", d.origin,
                       [p.hint for p in d.wrt], True)


def unguarded_forward_text(d: Derivative) -> str:
    """d's forward-mode module without the guards on exact zero tangents (`linearize`), for reading back;
    an op forward mode refuses is named as what second derivatives of an array program need."""
    try:
        with collector_paused():
            t = deeply(d.levels, lambda: linearize(d.trace, d.wrt, guard_zeros=False))
        return deeply(d.levels, lambda: tangent_module_text(t, d.origin))
    except S2sadError as exc:
        message = str(exc)
        if "forward mode of np." not in message:
            raise
        raise S2sadError(message.split(": use reverse mode")[0] + ": second derivatives of an array program "
                         "are reverse over forward, so they need forward mode of every op (s2sad.grad and "
                         "s2sad.vjp take it)") from None


def second_order_text(d: Derivative) -> str:
    """The --order 2 module, before formatting."""
    d2 = gradient_derivation(d)
    name = d.trace.name
    t = _relined(d2.tangent, lines_named(d.reverse_text))  # its comments name f's lines, as f_grad's do
    cert = tangent_certificate(t)
    primal = d.certificate.primal
    ratio = cert.jvp / primal if primal else 1.0
    verdict = "within" if ratio <= HVP_BOUND else "ABOVE"
    head = [
        f"# Generated by s2sad {__version__} from {printable(d.origin)}, function {name} (line {d.trace.line}).",
        f"# Second derivatives of {name}, forward over reverse: {name}_hvp and {name}_hessian. "
        "Do not edit: regenerate.",
        f"# {name}_grad_jvp is forward mode of {name}_grad, read back from its text; comments name lines of "
        f"{printable(d.origin)}.",
    ]
    counts = [f"# Op count: {name} {primal} ops; {name}_hvp {cert.jvp} ops; ratio {ratio:.2f} "
              f"({name}_grad_jvp at most {cert.ratio:.2f} x {name}_grad), {verdict} {HVP_BOUND} "
              "(forward mode's 3 times reverse mode's 5)"]
    wrappers, builtins = _wrappers(d, t)
    merged = both_modes_text(d.reverse_text, tangent_module_text(t, d.origin))
    heads, imports, body = _parts(merged)
    if builtins:
        imports = merged_imports(imports + [f"from builtins import {', '.join(builtins)}"])
    out = head + counts + [h for h in heads if not h.startswith("# Generated by")]
    if imports:
        out += [""] + imports
    out += body + ["", ""] + wrappers
    return "\n".join(out) + "\n"


_COMMENT = re.compile(r"#\s*(?:from\s+)?lines?\s+([\d,\s]+)$")


def lines_named(text: str) -> dict[int, tuple[int, ...]]:
    """Line of the generated text -> the source lines its comment names (`# line 9`, `# from lines 13, 14`),
    the comment at the end of the line or, for a long statement, on the line above it."""
    lines = text.splitlines()
    out: dict[int, tuple[int, ...]] = {}
    for k, line in enumerate(lines, start=1):
        code, sep, comment = without_iterations(line).partition("#")
        m = _COMMENT.search("#" + comment) if sep else None
        if m is None and k > 1 and lines[k - 2].lstrip().startswith("#"):
            m = _COMMENT.search(without_iterations(lines[k - 2]).strip())
        if m is not None and code.strip():
            out[k] = tuple(int(n) for n in re.findall(r"\d+", m.group(1)))
    return out


def relined(ns: tuple[Node, ...], mapping: dict[int, tuple[int, ...]]) -> tuple[Node, ...]:
    """Nodes whose lines (of a generated text) are replaced by the source lines `mapping` gives for them."""
    out: list[Node] = []
    for n in ns:
        if isinstance(n, (Stmt, Block)):
            lines = tuple(sorted({m for line in n.lines for m in mapping.get(line, ())}))
            n = replace(n, lines=lines)
            if isinstance(n, Block):
                n = replace(n, body=relined(n.body, mapping), orelse=relined(n.orelse, mapping))
        out.append(n)
    return tuple(out)


def _relined(t: Tangent, mapping: dict[int, tuple[int, ...]]) -> Tangent:
    return replace(t, body=relined(t.body, mapping), primal=relined(t.primal, mapping))


def fresh_names(taken: set[str]) -> Callable[[str], str]:
    """A namer for wrapper locals: `base`, or `base_1`, `base_2`, ... where that is taken; each name it
    gives is taken from then on."""
    def fresh(base: str) -> str:
        k, candidate = 0, base
        while candidate in taken:
            k += 1
            candidate = f"{base}_{k}"
        taken.add(candidate)
        return candidate
    return fresh


def _wrappers(d: Derivative, t: Tangent) -> tuple[list[str], list[str]]:
    """`<f>_hvp` and `<f>_hessian` (keeping f's defaults), and the builtins they import under an alias."""
    name = d.trace.name
    params = [d.names_of(p) for p in d.trace.params]
    dots = list(t.dots)
    fresh = fresh_names(set(params) | set(dots))
    aliases = {b: fresh(b) for b in ("len", "range") if b in params}
    length, span = aliases.get("len", "len"), aliases.get("range", "range")
    args = ", ".join(params)
    with_defaults = signature(params, d.trace.defaults, d.trace.positional_only)
    lines = [f"def {name}_hvp({parameters(params + dots, d.trace.positional_only)}):",
             f'    """Return the Hessian of {name} at ({args}) times ({", ".join(dots)})."""',
             f"    return {name}_grad_jvp({', '.join(params + dots)})[1]", "", ""]
    lines.append(f"def {name}_hessian({with_defaults}):")
    if len(d.wrt) == 1 and not isinstance(d.wrt[0], ListVar):
        lines += [f'    """Return the second derivative of {name} in {d.names_of(d.wrt[0])}."""',
                  f"    return {name}_grad_jvp({args}, 1.0)[1]"]
        return lines, [f"{b} as {a}" for b, a in aliases.items()]
    rows, k = fresh("rows"), fresh("k")
    lines += [f'    """Return the Hessian of {name}: a row per scalar entry of {", ".join(d.names_of(p) for p in d.wrt)}, '
              'in order (each row shaped as the gradient)."""', f"    {rows} = []"]
    zeros = {p: f"[0.0] * {length}({d.names_of(p)})" if isinstance(p, ListVar) else "0.0" for p in d.wrt}
    for p in d.wrt:
        n = d.names_of(p)
        if isinstance(p, ListVar):
            direction = dots[d.wrt.index(p)]
            lines += [f"    for {k} in {span}({length}({n})):", f"        {direction} = [0.0] * {length}({n})",
                      f"        {direction}[{k}] = 1.0"]
            call = ", ".join(params + [direction if q is p else zeros[q] for q in d.wrt])
            lines.append(f"        {rows}.append({name}_grad_jvp({call})[1])")
        else:
            call = ", ".join(params + ["1.0" if q is p else zeros[q] for q in d.wrt])
            lines.append(f"    {rows}.append({name}_grad_jvp({call})[1])")
    lines.append(f"    return {rows}")
    return lines, [f"{b} as {a}" for b, a in aliases.items()]

"""Mode selection: the gradient in one scalar input by forward accumulation, where that costs less.

Guarantees: `choose_mode(reverse, tangent)` is ("forward", why) when the gradient
is in exactly one scalar float parameter of a function with a scalar result,
and one forward sweep carrying that parameter's tangent (seeded 1.0) costs
fewer operations than reverse mode's value and gradient, counting a tape's
push and pop per value recorded as one operation each (forward mode records
nothing); else ("reverse", why). `forward_gradient_lines` writes `<f>_grad` and
`<f>_value_and_grad` from the forward sweep, the same signature and results as
reverse mode's, so either can stand for the other:

    def f_value_and_grad(a, steps=6):        # newton_sqrt
        a_dot = 1.0
        x = a ...                            # f_jvp's sweep, value and tangent side by side
        return x, x_dot
"""

from __future__ import annotations

from ..certificate import Certificate
from ..emit import _render, generated_from, signature
from ..kinks import kink_lines, kinks
from ..optimize import needed_forward
from ..pyast import to_source
from ..reverse import Gradient
from ..reverse.outputs import is_vector
from ..trace import Var
from . import Tangent
from .emit import forward_module, forward_runtime, jvp_body, tangent_certificate


def choose_mode(g: Gradient, cert: Certificate, t: Tangent | None) -> tuple[str, str]:
    """("forward" or "reverse", the op counts that decided)."""
    wrt = g.wrt
    if len(wrt) != 1 or not isinstance(wrt[0], Var) or wrt[0].kind != "float" or is_vector(g.trace) \
            or cert.arrays or t is None:
        return "reverse", "reverse mode: one sweep back gives every partial"
    tapes = 2 * sum(p.tape for p in cert.parts)
    reverse = cert.value_and_grad + tapes if not cert.parts else \
        sum(p.forward + p.reverse for p in cert.parts) + tapes
    forward = tangent_certificate(t).jvp
    taped = f" and {tapes} tape pushes and pops" if tapes else ""
    sign = "<" if forward < reverse else ">="
    why = f"one input: forward accumulation {forward} ops {sign} reverse mode {reverse - tapes} ops{taped}"
    return ("forward" if forward < reverse else "reverse"), why


def forward_gradient_lines(t: Tangent, kind: str) -> list[str]:
    """`<f>_value_and_grad` or `<f>_grad` of one input, by forward accumulation."""
    tr = t.trace
    params = [t.names.primal[p] for p in tr.params]
    header = signature(params, tr.defaults, tr.positional_only)
    (x,) = (t.names.primal[p] for p in t.wrt)
    if kind == "value_and_grad":
        doc, returned = f"Return {tr.name}({', '.join(params)}) and its gradient.", \
            f"{to_source(t.value)}, {to_source(t.value_dot)}"
    else:
        doc, returned = f"Return the gradient of {tr.name} with respect to {x}.", to_source(t.value_dot)
    lines = [f"def {tr.name}_{kind}({header}):", f'    """{doc}"""',
             f"    {t.dots[0]} = 1.0  # line {tr.line}: the one input's tangent, d{x}/d{x}"]
    body = jvp_body(t)
    if kind == "grad":  # the value itself only where the derivative reads it
        body = needed_forward(body, (), [t.value_dot])
    _render(body, "    ", "line", lines)
    lines.append(f"    return {returned}")
    return lines


def forward_gradient_module_text(t: Tangent, why: str, origin: str) -> str:
    """The gradient module of one input, by forward accumulation, before formatting."""
    tr = t.trace
    (x,) = (t.names.primal[p] for p in t.wrt)
    header = [
        generated_from(tr, origin),
        f"Gradient of {tr.name} with respect to {x}, by forward accumulation. Do not edit: regenerate.",
        f"Mode chosen by cost ({why}).",
        *tangent_certificate(t).lines(),
        *kink_lines(kinks(tr, t.wrt)),
    ]
    return forward_module(t, header, [forward_gradient_lines(t, kind) for kind in ("value_and_grad", "grad")])


def forward_gradient_runtime_text(t: Tangent, kind: str) -> str:
    return forward_runtime(t, forward_gradient_lines(t, kind))

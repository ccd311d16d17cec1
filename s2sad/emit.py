"""Emission: `Gradient` -> the text of a standalone Python module.

Guarantees: the text defines `<f>_value_and_grad` and `<f>_grad` with the
parameters (and numeric defaults) of `<f>`; it imports nothing but the math
functions it calls; every statement carries a comment with the source line(s)
it comes from; the header states what it was generated from and the op-count
certificate; the same gradient always gives the same bytes. `format_source`
runs black on it (only when text is asked for: the runtime path skips black).

Before: a `Gradient`. After::

    def f_value_and_grad(w1, w2):
        # forward sweep
        z1 = w1 / w2  # line 5
        ...
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import Any

from . import __version__, pyast
from .errors import S2sadError, printable
from .flops import FlopBound, flop_bound
from .kinks import kink_lines, kinks
from .forward import arm_key, loop_key
from .checkpoint import REVOLVE, checkpointed
from .item_stores import first_item_stores
from .layout import flat_sections, is_elif
from .optimize import coalesce_copies, inline_single_use, needed_forward
from .program import Block, Comment, Jump, Node, Stmt, walk
from .pyast import to_source
from .reverse import Gradient
from .reverse.outputs import is_vector
from .reverse.sweep import several_arrays
from .trace import If, Loop, Var, is_straight
from .unroll import lines_text
from .util import collector_paused

BOUND = 5  # the lecture's bound on (value and gradient) / (value)
LINE_LENGTH = 100  # of generated code, fixed so output does not depend on the user's black config


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
        out = ["Op count (arithmetic operators and calls, counted in this file; loops per iteration):"]
        width = max(len(p.label) for p in self.parts)
        for p in self.parts:
            tape = f"; tape {p.tape} value{'s' if p.tape != 1 else ''} per iteration" if p.label != _MAIN else ""
            out.append(f"  {p.label.ljust(width)}  forward {p.forward}, reverse {p.reverse}, ratio {p.ratio:.2f}{tape}")
        out.append(f"  whole function: ratio at most {self.ratio:.2f} for any trip counts, {verdict} the lecture's "
                   f"bound of {BOUND}")
        return out


_MAIN = "outside loops:"


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
    _count_parts(g.forward, _MAIN, forward_parts, reverse_parts)
    _count_parts(g.reverse, _MAIN, reverse_parts, reverse_parts)
    tapes = _tape_sizes(g)
    labels = [_MAIN] + [k for k in forward_parts if k != _MAIN]
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


KINDS = ("value_and_grad", "grad")


def module_text(g: Gradient, origin: str, checkpoint: int = 0) -> str:
    """The generated module, before formatting (`checkpoint`: snapshots per long loop, 0: a tape)."""
    t = g.trace
    header = [
        # printable: a line break in a file name would end the comment and make the rest code
        f"Generated by s2sad {__version__} from {printable(origin)}, function {t.name} (line {t.line}).",
        f"Reverse-mode {'VJP' if is_vector(t) else 'gradient'} of {t.name} with respect to {_wrt(g)}. "
        "Do not edit: regenerate.",
        *certificate(g).lines(),
        *kink_lines(kinks(t, g.wrt)),
    ]
    out = ["# " + h for h in header]
    helpers, tables = _helpers(g), _tables(g)  # first: they name NumPy, which the imports then include
    functions = [function_lines(g, kind, checkpoint) for kind in KINDS]
    helpers += [REVOLVE] if any(_revolves(f) for f in functions) else []
    imports = _imports(g)
    if imports:
        out += [""] + imports
    for helper in helpers:
        out += ["", ""] + helper.splitlines()
    out += tables
    for lines in functions:
        out += ["", ""] + lines
    return "\n".join(out) + "\n"


def runtime_text(g: Gradient, kind: str, checkpoint: int = 0) -> str:
    """Just what one generated function needs to run: its imports, its helpers and itself."""
    function = function_lines(g, kind, checkpoint)
    helpers = [line for h in _helpers(g) + ([REVOLVE] if _revolves(function) else []) for line in ["", *h.splitlines()]]
    tables = _tables(g)
    return "\n".join(_imports(g) + helpers + tables + function) + "\n"


def _revolves(lines: list[str]) -> bool:
    return any("_revolve(" in line for line in lines)


def _tables(g: Gradient) -> list[str]:
    """The module-level data tables the function reads, as its source writes them."""
    if not g.trace.tables:
        return []
    from .array_code import NP_PREFIX

    np = g.names.numpy()
    return ["", ""] + [f"{name} = {NP_PREFIX.sub(np + '.', text)}" for name, text in g.trace.tables]


def _helpers(g: Gradient) -> list[str]:
    """The source of each array helper the generated functions call (and of those they call)."""
    if not g.names.helpers:
        return []
    from .array_code import NP_PREFIX
    from .array_helpers import HELPERS, helpers_used

    np = g.names.numpy()
    texts = [HELPERS[h] for h in helpers_used("; ".join(sorted(g.names.helpers)))]
    return [NP_PREFIX.sub(f"{np}.", text) if np != "np" else text for text in texts]


def _imports(g: Gradient) -> list[str]:
    """The import lines, each checked to be exactly one `from module import names` statement.

    Module paths come from file names and `__module__` attributes, which can be
    anything: what would not read back as the intended import is refused.
    """
    lines = g.names.imports()
    for line in lines:
        try:
            body = ast.parse(line).body
        except SyntaxError:
            body = []
        ok = len(body) == 1 and isinstance(body[0], ast.ImportFrom) and ast.unparse(body[0]) == line
        ok |= line in ("import numpy", f"import numpy as {g.names._numpy}")
        if not ok:
            module = line.partition(" import ")[0].removeprefix("from ")
            raise S2sadError(f"generated code would import from {module!r}, which is not a module name: "
                             "rename the file (letters, digits and _) or register the function from a module")
    return lines


def _wrt(g: Gradient) -> str:
    return ", ".join(g.names.primal[p] for p in g.wrt) or "nothing"


def function_name(g: Gradient, kind: str) -> str:
    """`<f>_value_and_grad` and `<f>_grad`; for a vector function `<f>_value_and_vjp` and `<f>_vjp`."""
    suffix = kind.replace("grad", "vjp") if is_vector(g.trace) else kind
    return f"{g.trace.name}_{suffix}"


def function_lines(g: Gradient, kind: str, checkpoint: int = 0) -> list[str]:
    """`<f>_value_and_grad` (kind "value_and_grad") or `<f>_grad` (kind "grad"); `_vjp` for a vector function."""
    t = g.trace
    grads = [to_source(e) for e in g.grads]
    returned = grads[0] if len(grads) == 1 else f"({', '.join(grads)})"
    if several_arrays(g.wrt):  # two array gradients never one array (an optimizer may update one in place)
        returned = f"_apart({', '.join(grads)})"
    what = "gradient"
    if is_vector(t):  # the seeded trace's last parameter is the cotangent
        args = ", ".join(g.names.primal[p] for p in t.params[:-1])
        what = f"VJP (the cotangent {g.names.primal[t.params[-1]]} times the Jacobian)"
        value_doc = f"Return {t.name}({args}) and its {what}."
        grad_doc = f"Return the {what} of {t.name} with respect to {_wrt(g)}."
    else:
        value_doc = f"Return {t.name}({_params(g, False)}) and its gradient."
        grad_doc = f"Return the gradient of {t.name} with respect to {_wrt(g)}."
    if kind == "value_and_grad":
        return _function(g, function_name(g, kind), g.forward, [g.value, *g.grads],
                         f"{to_source(g.value)}, {returned}", value_doc, checkpoint)
    return _function(g, function_name(g, kind), needed_forward(g.forward, g.reverse, g.grads), list(g.grads),
                     returned, grad_doc, checkpoint)


def _params(g: Gradient, with_defaults: bool) -> str:
    parts = []
    for p, d in zip(g.trace.params, g.trace.defaults):
        n = g.names.primal[p]
        parts.append(f"{n}={_number(d)}" if with_defaults and d is not None else n)
    return ", ".join(parts)


def _number(d: float) -> str:
    """A default as Python source: repr spells infinities and NaN as names the module does not define."""
    if isinstance(d, float) and d != d:
        return 'float("nan")'
    if isinstance(d, float) and d in (float("inf"), float("-inf")):
        return "1e309" if d > 0 else "-1e309"
    return repr(d)


def _function(g: Gradient, fname: str, forward: tuple[Node, ...], results: list[ast.expr], returned: str,
              doc: str, checkpoint: int = 0) -> list[str]:
    sections = (forward, g.reverse)
    if not is_straight(g.trace.body):  # straight-line code has no copies to coalesce
        sections = coalesce_copies(sections, results)
    forward, reverse = flat_sections(inline_single_use(sections, results), results)
    reverse = first_item_stores(reverse, forward, frozenset(
        g.names.primal[p] for p in g.trace.params if isinstance(p, Var) and p.kind == "float"))
    if checkpoint:
        forward, reverse, _ = checkpointed(forward, reverse, checkpoint,
                                           frozenset(g.names.primal[p] for p in g.trace.params))
    if g.names.builtins:  # a parameter named like a builtin the code calls: call the builtin by its alias
        forward, reverse = _renamed(forward, g.names.builtins), _renamed(reverse, g.names.builtins)
    lines = [f"def {fname}({_params(g, True)}):", f'    """{doc}"""']
    if forward:
        lines.append("    # forward sweep")
        _render(forward, "    ", "line", lines)
    if reverse:
        lines.append("    # reverse sweep")
        _render(reverse, "    ", "from line", lines)
    lines.append(f"    return {returned}")
    return lines


def _renamed(nodes: tuple[Node, ...], names: dict[str, str]) -> tuple[Node, ...]:
    out: list[Node] = []
    for n in nodes:
        if isinstance(n, Stmt):
            n = replace(n, value=pyast.renamed_calls(n.value, names))
        elif isinstance(n, Block):
            n = replace(n, test=pyast.renamed_calls(n.test, names), body=_renamed(n.body, names),
                        orelse=_renamed(n.orelse, names))
        out.append(n)
    return tuple(out)


def _render(nodes, indent: str, what: str, out: list[str]) -> None:
    for n in nodes:
        if isinstance(n, Stmt):
            out.append(_statement(n, "from line" if n.adjoint else what, indent))
        elif isinstance(n, Block):
            out.append(_with_comment(f"{indent}{n.header}:", f"# line {lines_text(n.lines[:1])}" if n.lines else ""))
            _render(_body(n.body), indent + "    ", what, out)
            while is_elif(n.orelse):  # a chain stays flat, and is walked in a loop
                n = n.orelse[0]  # type: ignore[assignment]
                out.append(_with_comment(f"{indent}el{n.header}:", f"# line {lines_text(n.lines[:1])}" if n.lines else ""))
                _render(_body(n.body), indent + "    ", what, out)
            if n.orelse:
                out.append(f"{indent}else:")
                _render(_body(n.orelse), indent + "    ", what, out)
        elif isinstance(n, Jump):
            out.append(f"{indent}{n.word}")
        elif isinstance(n, Comment):
            out.append(f"{indent}# {n.text}")


_PASS = Jump("pass")


def _body(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    """A block's body as Python needs it: `pass` where it holds no statement (comments alone are none)."""
    return nodes if any(not isinstance(n, Comment) for n in nodes) else (*nodes, _PASS)


def _with_comment(code: str, comment: str) -> str:
    if not comment:
        return code
    if len(code) + 2 + len(comment) <= LINE_LENGTH or len(code) > LINE_LENGTH:
        return f"{code}  {comment}"
    indent = code[: len(code) - len(code.lstrip())]
    return f"{indent}{comment}\n{code}"


def _statement(s: Stmt, what: str, indent: str = "    ") -> str:
    """The statement with its source lines as a comment: after it, or above it if that fits."""
    where = f"# {what}{'s' if len(set(map(int, s.lines))) > 1 else ''} {lines_text(s.lines)}" if s.lines else ""
    if not s.target:
        code = f"{indent}{to_source(s.value)}"
    else:
        code = f"{indent}{s.target} {'+=' if s.augmented else '='} {to_source(s.value)}"
    return _with_comment(code, where)


def format_source(text: str) -> str:
    """The text as black formats it (black is imported here only: it is slow to import).

    Emission already writes black's layout for every line that fits, so only
    the longer lines go through black, with the line length less their
    indentation; statements of one indentation go through together, in one
    call. The result equals black run over the whole module (tests check
    this), at a fraction of the time. Text without long lines does not
    import black at all: the import costs more than most generation.
    """
    with collector_paused():
        try:
            return _format_long_lines(text)
        except Exception as exc:  # noqa: BLE001 - any failure here is s2sad's, not the user's
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise S2sadError(
                f"internal error: black could not format the generated code ({type(exc).__name__}: {first}). "
                "This is a bug in s2sad: please report it with the function that caused it. "
                "The runtime API (s2sad.grad, s2sad.value_and_grad) does not format code and is not affected."
            ) from None


_HEADERS = ("def", "if", "elif", "for", "while")


def _black() -> Any:
    import black  # slow to import: only for text that has long lines

    return black


def _format_long_lines(text: str) -> str:
    lines = text.splitlines()
    long_statements: dict[int, list[int]] = {}  # indentation -> line numbers
    formatted: dict[int, list[str]] = {}
    black: Any = None
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if len(line) <= LINE_LENGTH or stripped.startswith(("#", '"""')):
            continue
        black = black or _black()
        indent = len(line) - len(stripped)
        keyword = stripped.partition(" ")[0]
        if keyword in _HEADERS:  # a block header alone is not a module: give it a body
            mode = black.Mode(line_length=LINE_LENGTH - indent)
            alone = stripped[2:] if keyword == "elif" else stripped  # elif: formatted as an if
            out = black.format_str(alone + "\n    pass\n", mode=mode).splitlines()[:-1]
            if keyword == "elif":
                out[0] = "el" + out[0]
            formatted[i] = [" " * indent + o for o in out]
        else:
            long_statements.setdefault(indent, []).append(i)
    for indent, numbers in long_statements.items():
        mode = black.Mode(line_length=LINE_LENGTH - indent)
        out = black.format_str("\n".join(lines[i].lstrip() for i in numbers) + "\n", mode=mode).splitlines()
        for i, stmt in zip(numbers, ast.parse("\n".join(out)).body):
            formatted[i] = [" " * indent + f for f in out[stmt.lineno - 1 : stmt.end_lineno]]
    result: list[str] = []
    for i, line in enumerate(lines):
        result += formatted.get(i, [line])
    return "\n".join(result) + "\n"

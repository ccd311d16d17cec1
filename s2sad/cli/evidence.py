"""The evidence commands: `check` (and gen's `--verify`), `kinks`, `graph`, `report`, and gen's
`--check` (is a committed module stale?). `check`, `--verify` and `report` import and run the
user's module; the others read it only.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from ..api import Derivative, derive_source, trace_source
from ..errors import S2sadError
from ..frontend import Source
from ..kinks import format_kinks
from .output import print_error, print_out, refuse_input_as_output, write_atomically

if TYPE_CHECKING:  # the checker is imported where used: `s2sad gen` alone never needs it
    from ..gradcheck import Report


def add_commands(sub: argparse._SubParsersAction, spec_help: str) -> None:
    """The evidence subcommands' options and help."""
    gr = sub.add_parser(
        "graph",
        help="draw the computational graph of the trace",
        description="The computational graph, as the lecture draws it: one node per input and per elementary "
        "op (labelled as `s2sad trace` prints it, with its line), edges for data flow, branches and loops as "
        "clusters. DOT text on stdout or in FILE.dot; FILE.svg, .png or .pdf are drawn by Graphviz's dot "
        "program. The module is read, never imported or run.",
        epilog="example: s2sad graph examples/lecture.py:f -o f.svg --adjoints",
    )
    gr.add_argument("spec", metavar="SPEC", help=spec_help)
    gr.add_argument("-o", "--output", metavar="FILE", help="FILE.dot, .svg, .png or .pdf (default: DOT on stdout)")
    gr.add_argument("--adjoints", action="store_true", help="add each value's adjoint, the chain rule over its children")
    ck = sub.add_parser(
        "check",
        help="check the generated gradient against a numerical reference (runs the function)",
        description="Evaluate the generated gradient and an independent reference at the points given, or "
        "at random points away from kinks and domain errors, and print a table; exit 1 if they disagree. "
        "The reference is the function's source evaluated at 50 digits and differentiated numerically when "
        "mpmath is installed (math-only modules), else extrapolated central differences. Unlike gen, this "
        "IMPORTS AND RUNS the module.",
        epilog="example: s2sad check examples/lecture.py:f --at 1.5,0.5 --points 3",
    )
    ck.add_argument("spec", metavar="SPEC", help=spec_help)
    ck.add_argument("--wrt", metavar="A,B", help="as for gen: check these parameters' gradients only")
    point_options(ck)
    rp = sub.add_parser(
        "report",
        help="write one self-contained HTML page of the evidence (runs the function for its check)",
        description="One HTML page, with no network access or external asset: the source and the generated "
        "code side by side (each generated line linked to its source line), the graph, the certificate, the "
        "kink report and the gradient-check table. The check IMPORTS AND RUNS the module; --no-check leaves it "
        "out (then nothing is run).",
        epilog="example: s2sad report examples/loops.py:huber -o huber.html",
    )
    rp.add_argument("spec", metavar="SPEC", help=spec_help)
    rp.add_argument("-o", "--output", metavar="FILE", help="write the page to FILE (default: stdout)")
    rp.add_argument("--wrt", metavar="A,B", help="as for gen")
    rp.add_argument("--no-check", action="store_true", help="leave the gradient check out: run nothing")
    point_options(rp)
    kk = sub.add_parser(
        "kinks",
        help="list where the derivative is only piecewise",
        description="List every source line where the derivative changes form (abs, max/min, branches and "
        "while tests on differentiated values, np.maximum/where/clip...), with the condition under which "
        "it switches. The module is read, never imported or run.",
        epilog="example: s2sad kinks examples/loops.py:huber",
    )
    kk.add_argument("spec", metavar="SPEC", help=spec_help)
    kk.add_argument("--wrt", metavar="A,B", help="as for gen: kinks in these parameters only")


def point_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", metavar="ARGS", action="append",
                   help="a point: the arguments as Python literals (1.0,2.0 or [0.5,1.5],3); repeatable")
    p.add_argument("--points", metavar="N", type=int, default=None, help="random points (default 3 without --at)")
    p.add_argument("--seed", metavar="S", type=int, default=0, help="seed of the random points (default 0)")


def graph_command(args: argparse.Namespace, src: Source) -> int:
    from ..graph import graph_dot, render

    dot = graph_dot(trace_source(src), adjoints=args.adjoints)
    if args.output is None:
        return print_out(dot, "utf-8")
    refuse_input_as_output(src.module.filename, args.output)
    suffix = os.path.splitext(args.output)[1].lower()
    if suffix not in (".dot", ".gv", ".svg", ".png", ".pdf"):
        raise S2sadError(f"cannot tell the format of {args.output}: name it .dot, .svg, .png or .pdf")
    write_atomically(args.output, dot.encode("utf-8") if suffix in (".dot", ".gv") else render(dot, args.output))
    return 0


def check_command(args: argparse.Namespace, derived: Derivative, text: str | None) -> int:
    """`check` (and `gen --verify`): run the module, print the table; 0 when the gradient agrees."""
    report = checked(args, derived, text if text is not None else derived.source)
    if text is None:
        print_out(str(report), None)
    elif not report.ok:  # gen --verify shows the table only when it refuses to write
        print_error(str(report).rstrip())
        print_error("s2sad: error: the generated gradient disagrees with the reference: nothing written")
    return 0 if report.ok else 1


def checked(args: argparse.Namespace, derived: Derivative, text: str) -> Report:
    """The gradient check of `text` (the generated module) at the points the options ask for."""
    if derived.trace_is_vector:
        raise S2sadError(f"{derived.trace.name} returns a tuple or a list: the check compares gradients of scalar "
                         "functions (check one output, or its VJP with s2sad.vjp)")
    from ..gradcheck import check, import_spec, parse_point, random_points

    try:
        f = import_spec(args.spec)
    except Exception as exc:  # the user's module: its error, said as such
        raise S2sadError(f"importing {args.spec} failed: {type(exc).__name__}: {exc}") from None
    params = [p.hint for p in derived.trace.params]
    points = [parse_point(a, f) for a in args.at or []]
    if args.points or not points:
        points += random_points(f, args.points if args.points is not None else 3, args.seed, params)
    wrt = [derived.trace.params.index(p) for p in derived.gradient.wrt]
    try:
        return check(f, points, wrt, text=text, seed=args.seed)
    except Exception as exc:  # f (or its gradient) fails at a point given with --at
        raise S2sadError(f"running {f.__name__} at the points failed: {type(exc).__name__}: {exc}") from None


def report_command(args: argparse.Namespace, src: Source, wrt: list | None) -> int:
    """`report`: the HTML page of the evidence (runs the function for the check, unless --no-check)."""
    from ..graph import graph_dot, render
    from ..report import report_html

    derived = derive_source(src, wrt)
    text = derived.source
    graph = graph_dot(derived.trace)
    try:
        svg = render(graph, "graph.svg").decode("utf-8")
        graph = svg[svg.index("<svg"):]
    except (S2sadError, ValueError):  # no Graphviz: the page shows the DOT text
        pass
    check = None
    if not args.no_check:
        try:
            check = str(checked(args, derived, text))
        except S2sadError as exc:  # arrays without --at, a failing point: said on the page
            check = f"not run: {exc}"
    node = src.node
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    page = report_html(derived.trace.name, src.module.filename, src.module.lines, first, node.end_lineno or first,
                       text, format_kinks(derived.kinks, src.module.filename), graph, check)
    if args.output is None:
        return print_out(page, "utf-8")
    refuse_input_as_output(src.module.filename, args.output)
    write_atomically(args.output, page)
    return 0


def stale_command(path: str, text: str, argv: list[str]) -> int:
    """`gen --check`: 0 when the file holds `text` (line endings aside), else 1 and a unified diff."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:  # universal newlines: a CRLF checkout is fresh
            old: str | None = fh.read()
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise S2sadError(f"cannot read {path}: {exc.strerror or exc}") from None
    if old == text:
        print_error(f"{path}: up to date")
        return 0
    import difflib
    import shlex

    again = shlex.join(a for a in argv if a != "--check")
    if old is None:
        print_error(f"{path}: missing; generate it with: s2sad {again}")
        return 1
    diff = difflib.unified_diff(old.splitlines(True), text.splitlines(True), f"{path} (as it is)",
                                f"{path} (as generated now)")
    status = print_out("".join(diff), "utf-8")
    print_error(f"{path}: stale; regenerate it with: s2sad {again}")
    return status or 1


def kinks_command(src: Source, wrt: list | None) -> int:
    return print_out(format_kinks(derive_source(src, wrt).kinks, src.module.filename, src.module.lines), None)

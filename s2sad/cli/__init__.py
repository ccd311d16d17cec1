"""The command line: `s2sad gen` and `s2sad trace` here; the evidence commands (`check`, `kinks`,
`graph`, `report`, and gen's `--check` and `--verify`) in `evidence.py`; output in `output.py`.

User errors print as `file:line:col: error: ...` with the line and a caret,
without a traceback, and exit with status 2; so does a failure to write the
result. `gen -o FILE` writes atomically, writes nothing when generation fails,
and refuses to write over the function's own file. `gen -o FILE --check`
writes nothing: it exits 0 when FILE is what generation gives now, and 1 with
a unified diff when FILE is stale (as `black --check --diff` does).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
import re
import sys

from .. import __version__
from ..api import Derivative, derive_source, trace_source
from ..errors import S2sadError, UnsupportedSyntaxError, printable
from ..emit import format_source
from ..frontend import Source
from ..loading import load_spec
from ..unroll import UNROLL_BUDGET
from .evidence import (
    add_commands,
    check_command,
    graph_command,
    kinks_command,
    point_options,
    report_command,
    stale_command,
)
from .output import print_error, print_out, refuse_input_as_output, write_atomically

_SPEC_HELP = "the function: path/to/file.py:func or package.module.func (found from the current directory)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="s2sad",
        description="Source-to-source reverse-mode automatic differentiation for Python.",
        epilog="example: s2sad gen examples/lecture.py:f > f_grad.py",
    )
    p.add_argument("--version", action="version", version=f"s2sad {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    gen = sub.add_parser(
        "gen",
        help="write the gradient module of a function",
        description="Write a standalone Python module defining <f>_grad and <f>_value_and_grad "
        "(--mode forward: <f>_jvp; --order 2: <f>_hvp and <f>_hessian). "
        "The user's module is read, never imported or run.",
        epilog="example: s2sad gen examples/lecture.py:f --wrt w1 -o f_grad.py",
    )
    gen.add_argument("spec", metavar="SPEC", help=_SPEC_HELP)
    gen.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    gen.add_argument(
        "--wrt", metavar="A,B", help="differentiate with respect to these parameters only (names or positions)"
    )
    gen.add_argument(
        "--verify",
        action="store_true",
        help="before writing, check the gradient against a numerical reference (as `s2sad check`, with "
        "--at/--points/--seed; this imports and runs the module); write nothing if they disagree",
    )
    point_options(gen)
    gen.add_argument(
        "--numba",
        action="store_true",
        help="write code Numba compiles in nopython mode (@numba.njit(cache=True)): loops at compiled speed; "
        'needs the numba extra (pip install "s2sad[numba]"); scalar functions only, array programs are refused',
    )
    gen.add_argument(
        "--mode",
        choices=("auto", "reverse", "forward", "both"),
        default="auto",
        help="auto (the default): <f>_grad and <f>_value_and_grad by reverse mode, or by forward accumulation "
        "where the gradient is in one input and that costs fewer operations (the header says which, and why); "
        "reverse: by reverse mode (<f>_vjp for a function returning a tuple or a list); forward: <f>_jvp, the "
        "derivative along given tangents; both: reverse mode's and <f>_jvp",
    )
    gen.add_argument(
        "--order",
        type=int,
        choices=(1, 2),
        default=1,
        help="2: second derivatives, <f>_hvp and <f>_hessian (forward over reverse) beside <f>_grad",
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing: exit 0 if FILE (-o) is what generation gives now, 1 with a diff if it is stale",
    )
    unroll_options(gen)
    gen.add_argument("--checkpoint", metavar="SNAPSHOTS", type=_operations, default=0,
                     help="keep at most SNAPSHOTS copies of a long loop's carried values instead of a tape of every "
                     "iteration, and recompute iterations from them in the reverse sweep (binomial checkpointing)")
    add_commands(sub, _SPEC_HELP)
    tr = sub.add_parser(
        "trace",
        help="print the evaluation trace of a function",
        description="Print the function as the lecture's evaluation trace: one elementary op per line.",
        epilog="example: s2sad trace examples/lecture.py:f",
    )
    tr.add_argument("spec", metavar="SPEC", help=_SPEC_HELP)
    unroll_options(tr)
    return p


def unroll_options(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--unroll", metavar="N", type=_operations, default=UNROLL_BUDGET,
                       help="unroll a loop of literal trip count (range(8)) into straight-line code where that "
                       f"takes at most N operations (default {UNROLL_BUDGET})")
    group.add_argument("--no-unroll", dest="unroll", action="store_const", const=0, help="keep every loop")


def _operations(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a whole number (0 or more), not {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        src = replace(load_spec(args.spec), unroll=getattr(args, "unroll", UNROLL_BUDGET),
                      checkpoint=getattr(args, "checkpoint", 0))
        if args.command == "trace":
            return print_out(str(trace_source(src)) + "\n", None)
        if args.command == "graph":
            return graph_command(args, src)
        wrt = [_name_or_position(w) for w in args.wrt.split(",") if w.strip()] if args.wrt is not None else None
        if args.command == "kinks":
            return kinks_command(src, wrt)
        if args.command == "check":
            return check_command(args, derive_source(src, wrt), None)
        if args.command == "report":
            return report_command(args, src, wrt)
        if args.check and args.output is None:
            raise S2sadError("--check compares the generated module with a file: give it with -o FILE")
        if args.output is not None and not args.check:  # --check writes nothing
            refuse_input_as_output(src.module.filename, args.output)
        derived = derive_source(src, wrt)
        if args.order == 2 and args.mode not in ("auto", "reverse"):
            raise S2sadError("--order 2 writes f_hvp and f_hessian (forward over reverse; for arrays, reverse over "
                             "forward): leave --mode out")
        if args.verify and (args.order == 2 or args.mode == "forward"):
            raise S2sadError("--verify checks the gradient module (f_grad): use it with --mode reverse or both")
        if args.numba:
            text = _numba_text(args, src, derived)
        elif args.order == 2:
            from ..tangent.second import second_order_text  # second order only: not imported for the rest
            from ..tangent.second_arrays import array_second_order_text

            arrays = any(getattr(p, "kind", None) == "array" for p in derived.trace.params)
            text = format_source(array_second_order_text(derived) if arrays else second_order_text(derived))
        else:
            text = derived.module(args.mode)
        if args.verify and check_command(args, derived, text) != 0:
            return 1
        if args.check:
            return stale_command(args.output, text, argv if argv is not None else sys.argv[1:])
        if args.output is not None:
            write_atomically(args.output, text)
            return 0
        return print_out(text, "utf-8")  # a Python source file: UTF-8, whatever the locale says
    except UnsupportedSyntaxError as exc:
        print_error(exc.format())
    except S2sadError as exc:
        print_error(f"s2sad: error: {printable(str(exc))}")
    except OSError as exc:  # the environment (a deleted current directory...), not the input: no traceback either
        print_error(f"s2sad: error: {printable(str(exc))}")
    except KeyboardInterrupt:
        return 130
    return 2


def _numba_text(args: argparse.Namespace, src: Source, derived: Derivative) -> str:
    """`gen --numba`: the gradient module for Numba, formatted; refused before anything is written."""
    from ..numba_code import numba_module_text, require_numba

    if args.mode not in ("auto", "reverse") or args.order != 1:
        raise S2sadError("--numba writes the reverse-mode gradient (f_grad, f_value_and_grad): leave --mode and "
                         "--order out")
    if args.verify:
        raise S2sadError("--verify runs the generated module in Python; with --numba, check the function with "
                         "`s2sad check` (the same operations) and test the compiled gradient where it runs")
    require_numba()
    try:
        text = numba_module_text(derived, src.module.filename, src.module.lines)
    except S2sadError:
        raise
    except Exception as exc:  # noqa: BLE001 - s2sad's own failure, said as such, never a traceback
        raise S2sadError(f"internal error: --numba could not rewrite the generated code ({type(exc).__name__}: "
                         f"{exc}). This is a bug in s2sad: please report it with the function; without --numba "
                         "the module is written as usual") from None
    return format_source(text)


_POSITION = re.compile(r"[+-]?[0-9]+")


def _name_or_position(text: str) -> str | int:
    """`--wrt x,1`: a parameter by name, or by position (ASCII digits: no name is all digits)."""
    text = text.strip()
    return int(text) if _POSITION.fullmatch(text) else text


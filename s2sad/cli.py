"""The command line: `s2sad gen`, `check`, `kinks`, `graph`, `report` and `trace`.

User errors print as `file:line:col: error: ...` with the line and a caret,
without a traceback, and exit with status 2; so does a failure to write the
result. `gen -o FILE` writes atomically, writes nothing when generation fails,
and refuses to write over the function's own file. `gen -o FILE --check`
writes nothing: it exits 0 when FILE is what generation gives now, and 1 with
a unified diff when FILE is stale (as `black --check --diff` does).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import secrets
import shlex
import stat
import sys

from . import __version__
from .api import Derivative, derive_source, trace_source
from .errors import S2sadError, UnsupportedSyntaxError, printable
from .frontend import Source, load_spec
from .gradcheck import Report
from .kinks import format_kinks

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
        description="Write a standalone Python module defining <f>_grad and <f>_value_and_grad. "
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
    _point_options(gen)
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing: exit 0 if FILE (-o) is what generation gives now, 1 with a diff if it is stale",
    )
    gr = sub.add_parser(
        "graph",
        help="draw the computational graph of the trace",
        description="The computational graph, as the lecture draws it: one node per input and per elementary "
        "op (labelled as `s2sad trace` prints it, with its line), edges for data flow, branches and loops as "
        "clusters. DOT text on stdout or in FILE.dot; FILE.svg, .png or .pdf are drawn by Graphviz's dot "
        "program. The module is read, never imported or run.",
        epilog="example: s2sad graph examples/lecture.py:f -o f.svg --adjoints",
    )
    gr.add_argument("spec", metavar="SPEC", help=_SPEC_HELP)
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
    ck.add_argument("spec", metavar="SPEC", help=_SPEC_HELP)
    ck.add_argument("--wrt", metavar="A,B", help="as for gen: check these parameters' gradients only")
    _point_options(ck)
    rp = sub.add_parser(
        "report",
        help="write one self-contained HTML page of the evidence (runs the function for its check)",
        description="One HTML page, with no network access or external asset: the source and the generated "
        "code side by side (each generated line linked to its source line), the graph, the certificate, the "
        "kink report and the gradient-check table. The check IMPORTS AND RUNS the module; --no-check leaves it "
        "out (then nothing is run).",
        epilog="example: s2sad report examples/loops.py:huber -o huber.html",
    )
    rp.add_argument("spec", metavar="SPEC", help=_SPEC_HELP)
    rp.add_argument("-o", "--output", metavar="FILE", help="write the page to FILE (default: stdout)")
    rp.add_argument("--wrt", metavar="A,B", help="as for gen")
    rp.add_argument("--no-check", action="store_true", help="leave the gradient check out: run nothing")
    _point_options(rp)
    kk = sub.add_parser(
        "kinks",
        help="list where the derivative is only piecewise",
        description="List every source line where the derivative changes form (abs, max/min, branches and "
        "while tests on differentiated values, np.maximum/where/clip...), with the condition under which "
        "it switches. The module is read, never imported or run.",
        epilog="example: s2sad kinks examples/loops.py:huber",
    )
    kk.add_argument("spec", metavar="SPEC", help=_SPEC_HELP)
    kk.add_argument("--wrt", metavar="A,B", help="as for gen: kinks in these parameters only")
    tr = sub.add_parser(
        "trace",
        help="print the evaluation trace of a function",
        description="Print the function as the lecture's evaluation trace: one elementary op per line.",
        epilog="example: s2sad trace examples/lecture.py:f",
    )
    tr.add_argument("spec", metavar="SPEC", help=_SPEC_HELP)
    return p


def _point_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", metavar="ARGS", action="append",
                   help="a point: the arguments as Python literals (1.0,2.0 or [0.5,1.5],3); repeatable")
    p.add_argument("--points", metavar="N", type=int, default=None, help="random points (default 3 without --at)")
    p.add_argument("--seed", metavar="S", type=int, default=0, help="seed of the random points (default 0)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        src = load_spec(args.spec)
        if args.command == "trace":
            return _print(str(trace_source(src)) + "\n", None)
        if args.command == "graph":
            return _graph(args, src)
        wrt = [_name_or_position(w) for w in args.wrt.split(",") if w.strip()] if args.wrt is not None else None
        if args.command == "kinks":
            return _print(format_kinks(derive_source(src, wrt).kinks, src.module.filename, src.module.lines), None)
        if args.command == "check":
            return _verified(args, derive_source(src, wrt), None)
        if args.command == "report":
            return _report(args, src, wrt)
        if args.check and args.output is None:
            raise S2sadError("--check compares the generated module with a file: give it with -o FILE")
        if args.output is not None:
            _refuse_input_as_output(src.module.filename, args.output)
        derived = derive_source(src, wrt)
        text = derived.source
        if args.verify and _verified(args, derived, text) != 0:
            return 1
        if args.check:
            return _check(args.output, text, argv if argv is not None else sys.argv[1:])
        if args.output is not None:
            _write_atomically(args.output, text)
            return 0
        return _print(text, "utf-8")  # a Python source file: UTF-8, whatever the locale says
    except UnsupportedSyntaxError as exc:
        _error(exc.format())
    except S2sadError as exc:
        _error(f"s2sad: error: {printable(str(exc))}")
    except OSError as exc:  # the environment (a deleted current directory...), not the input: no traceback either
        _error(f"s2sad: error: {printable(str(exc))}")
    except KeyboardInterrupt:
        return 130
    return 2


def _graph(args: argparse.Namespace, src: Source) -> int:
    from .graph import graph_dot, render

    dot = graph_dot(trace_source(src), adjoints=args.adjoints)
    if args.output is None:
        return _print(dot, "utf-8")
    _refuse_input_as_output(src.module.filename, args.output)
    suffix = os.path.splitext(args.output)[1].lower()
    if suffix not in (".dot", ".gv", ".svg", ".png", ".pdf"):
        raise S2sadError(f"cannot tell the format of {args.output}: name it .dot, .svg, .png or .pdf")
    _write_atomically(args.output, dot.encode("utf-8") if suffix in (".dot", ".gv") else render(dot, args.output))
    return 0


def _verified(args: argparse.Namespace, derived: Derivative, text: str | None) -> int:
    """`check` (and `gen --verify`): run the module, print the table; 0 when the gradient agrees."""
    report = _checked(args, derived, text if text is not None else derived.source)
    if text is None or not report.ok:  # gen --verify prints the table only when it refuses to write
        _print(str(report), None) if text is None else _error(str(report).rstrip())
    if not report.ok and text is not None:
        _error("s2sad: error: the generated gradient disagrees with the reference: nothing written")
    return 0 if report.ok else 1


def _checked(args: argparse.Namespace, derived: Derivative, text: str) -> Report:
    """The gradient check of `text` (the generated module) at the points the options ask for."""
    from .gradcheck import check, import_spec, parse_point, random_points

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


def _report(args: argparse.Namespace, src: Source, wrt: list | None) -> int:
    """`report`: the HTML page of the evidence (runs the function for the check, unless --no-check)."""
    from .graph import graph_dot, render
    from .report import report_html

    derived = derive_source(src, wrt)
    text = derived.source
    try:
        svg = render(graph_dot(derived.trace), "graph.svg").decode("utf-8")
        graph = svg[svg.index("<svg"):]
    except (S2sadError, ValueError):  # no Graphviz: the page shows the DOT text
        graph = graph_dot(derived.trace)
    check = None
    if not args.no_check:
        try:
            check = str(_checked(args, derived, text))
        except S2sadError as exc:  # arrays without --at, a failing point: said on the page
            check = f"not run: {exc}"
    node = src.node
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    page = report_html(derived.trace.name, src.module.filename, src.module.lines, first, node.end_lineno or first,
                       text, format_kinks(derived.kinks, src.module.filename), graph, check)
    if args.output is None:
        return _print(page, "utf-8")
    _refuse_input_as_output(src.module.filename, args.output)
    _write_atomically(args.output, page)
    return 0


def _check(path: str, text: str, argv: list[str]) -> int:
    """`gen --check`: 0 when the file holds `text` (line endings aside), else 1 and a unified diff."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:  # universal newlines: a CRLF checkout is fresh
            old: str | None = fh.read()
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise S2sadError(f"cannot read {path}: {exc.strerror or exc}") from None
    if old == text:
        _error(f"{path}: up to date")
        return 0
    again = shlex.join(a for a in argv if a != "--check")
    if old is None:
        _error(f"{path}: missing; generate it with: s2sad {again}")
        return 1
    diff = difflib.unified_diff(old.splitlines(True), text.splitlines(True), f"{path} (as it is)",
                                f"{path} (as generated now)")
    status = _print("".join(diff), "utf-8")
    _error(f"{path}: stale; regenerate it with: s2sad {again}")
    return status or 1


def _error(text: str) -> None:
    if sys.stderr is None:  # closed (2>&-): print would fall back to stdout
        return
    try:
        print(text, file=sys.stderr)
    except OSError:  # stderr itself is gone: the exit status still says it
        pass


def _print(text: str, encoding: str | None) -> int:
    """Write to stdout; a full disk or a closed pipe is reported (or ignored), never a traceback."""
    if sys.stdout is None:  # closed (>&-)
        _error("s2sad: error: cannot write to standard output: it is closed")
        return 2
    try:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a replaced stdout (tests, IDEs): text only
            sys.stdout.write(text)
        else:
            sys.stdout.flush()
            buffer.write(text.encode(encoding or sys.stdout.encoding or "utf-8", "backslashreplace"))
        sys.stdout.flush()
        return 0
    except BrokenPipeError:  # the reader stopped reading (| head): nothing to report
        _silence_stdout()
        return 1
    except OSError as exc:
        _silence_stdout()
        _error(f"s2sad: error: cannot write to standard output: {exc.strerror or exc}")
        return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


_POSITION = re.compile(r"[+-]?[0-9]+")


def _name_or_position(text: str) -> str | int:
    """`--wrt x,1`: a parameter by name, or by position (ASCII digits: no name is all digits)."""
    text = text.strip()
    return int(text) if _POSITION.fullmatch(text) else text


def _refuse_input_as_output(source: str, output: str) -> None:
    """`-o` must not name the function's own file (also through a symlink, a hard link or `..`)."""
    try:
        same = os.path.samefile(source, output)
    except (OSError, ValueError):  # the output does not exist yet (or cannot be stat'ed: writing says why)
        same = False
    if same:
        raise S2sadError(f"refusing to write {output}: it is the input file {source}; choose another -o")


def _write_atomically(path: str, text: str | bytes) -> None:
    """Write `text` to `path` (through a symlink) by renaming a complete temporary file over it.

    A new file gets the mode `open` would give it (0o666 less the umask); a
    replaced file keeps its mode (and owner and group where allowed). On any
    failure nothing but the old file is left.
    What is not a regular file (/dev/null, a named pipe) is written into, as `>` would.
    """
    try:
        target = os.path.realpath(path)
    except OSError as exc:  # a relative path without a current directory
        raise S2sadError(f"cannot write {path}: {exc.strerror or exc}") from None
    data = text.encode("utf-8") if isinstance(text, str) else text
    if os.path.isdir(target):
        raise S2sadError(f"cannot write {path}: it is a directory")
    try:
        st = os.stat(target)
        mode: int | None = stat.S_IMODE(st.st_mode)
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise S2sadError(f"cannot write {path}: {exc.strerror}") from None
    if mode is not None and not stat.S_ISREG(st.st_mode):  # /dev/null, a pipe: write into it, never replace it
        try:
            with open(target, "wb") as fh:
                fh.write(data)
            return
        except OSError as exc:
            raise S2sadError(f"cannot write {path}: {exc.strerror or exc}") from None
    folder = os.path.dirname(target)
    while True:
        tmp = os.path.join(folder, f".s2sad-{secrets.token_hex(6)}.tmp")
        try:  # mode 0o666: the kernel applies the umask, as for any new file
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise S2sadError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is not None:
                try:  # the replaced file's owner and group, where allowed (a group of one's own, or root)
                    os.chown(tmp, st.st_uid, st.st_gid)
                except OSError:
                    pass
                os.chmod(tmp, mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise S2sadError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise

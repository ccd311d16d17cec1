"""The command line: `s2sad gen` and `s2sad trace`.

User errors print as `file:line:col: error: ...` with the line and a caret,
without a traceback, and exit with status 2. `gen -o FILE` writes atomically
and writes nothing when generation fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from . import __version__
from .api import derive_source, trace_source
from .errors import S2sadError, UnsupportedSyntaxError
from .frontend import load_spec

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
    tr = sub.add_parser(
        "trace",
        help="print the evaluation trace of a function",
        description="Print the function as the lecture's evaluation trace: one elementary op per line.",
        epilog="example: s2sad trace examples/lecture.py:f",
    )
    tr.add_argument("spec", metavar="SPEC", help=_SPEC_HELP)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        src = load_spec(args.spec)
        if args.command == "trace":
            sys.stdout.write(str(trace_source(src)) + "\n")
            return 0
        wrt = [_name_or_position(w) for w in args.wrt.split(",") if w.strip()] if args.wrt else None
        text = derive_source(src, wrt).source
        if args.output:
            _write_atomically(args.output, text)
        else:
            sys.stdout.write(text)
        return 0
    except UnsupportedSyntaxError as exc:
        print(exc.format(), file=sys.stderr)
    except S2sadError as exc:
        print(f"s2sad: error: {exc}", file=sys.stderr)
    return 2


def _name_or_position(text: str) -> str | int:
    """`--wrt x,1`: a parameter by name, or by position (no name is all digits)."""
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else text


def _write_atomically(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".s2sad-", suffix=".py")
    except OSError as exc:
        raise S2sadError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise S2sadError(f"cannot write {path}: {exc.strerror}") from None

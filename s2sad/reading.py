"""Reading source files as Python reads them, with every failure located.

Guarantees: `read_file` returns the text Python would compile: decoded by
its BOM or PEP 263 declaration (UTF-8 by default), line ends made `\\n`. A
byte the encoding cannot decode, or an unknown declared encoding, is an
`UnsupportedSyntaxError` at the line and column where it stands.
`source_lines` numbers lines exactly as the parser does.
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize

from .errors import S2sadError, UnsupportedSyntaxError, Violation


def source_lines(text: str) -> list[str]:
    """The lines as Python numbers them: ended by \\n, \\r\\n or \\r only.

    (`str.splitlines` also splits at form feeds, \\x1c-\\x1e, \\x85, U+2028 and
    U+2029, which may stand in comments and strings: line numbers would shift.)
    """
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def read_file(path: str, filename: str) -> str:
    """The text of the file at `path` (shown as `filename` in messages), decoded as Python decodes it."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise S2sadError(f"cannot read {path}: {exc.strerror or exc}") from None
    return decode_source(data, filename)


def decode_source(data: bytes, filename: str) -> str:
    """A source file's text as Python reads it: its PEP 263 encoding or BOM, universal newlines.

    A byte the encoding cannot decode is a located error at that byte's line and column.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        problem = "" if _ascii_compatible(encoding) else f"encoding problem: {encoding} is not ASCII-compatible"
    except SyntaxError as exc:
        _undecodable(data, "utf-8", filename)  # a bad byte in the first two lines: say where
        problem = str(exc.msg or exc)
        if data.startswith(codecs.BOM_UTF8):
            problem = "the file starts with a UTF-8 byte order mark but declares another encoding"
    if problem:
        first = source_lines(data[:4096].removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace"))[:2]
        line = next((i + 1 for i, t in enumerate(first) if "coding" in t), 1)
        text = first[line - 1].rstrip("\r\n") if first else ""
        raise UnsupportedSyntaxError([Violation(filename, line, 1, line, len(text) + 1, problem, "declare an "
                                                "encoding Python reads source in, e.g. # -*- coding: utf-8 -*-", text)])
    _undecodable(data, encoding, filename)
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _ascii_compatible(encoding: str) -> bool:
    """Python reads source only in encodings that spell ASCII as ASCII (not UTF-16, for one)."""
    try:
        return b"# coding: x\n".decode(encoding) == "# coding: x\n"
    except (LookupError, UnicodeError):
        return False


def _undecodable(data: bytes, encoding: str, filename: str) -> None:
    """Raise a located error at the first byte `encoding` cannot decode, if there is one."""
    try:
        data.decode(encoding)
        return
    except UnicodeDecodeError as exc:
        bad = exc.start
    except LookupError:
        return
    before = data[:bad]
    line = len(re.findall(rb"\r\n|\r|\n", before)) + 1
    start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
    end = re.compile(rb"\r|\n").search(data, bad)
    raw = data[start : end.start() if end else len(data)]
    col = len(data[start:bad].decode(encoding, "replace")) + 1
    text = raw.decode(encoding, "replace")
    message = f"byte 0x{data[bad]:02x} is not valid {encoding.upper().replace('-SIG', '')}"
    raise UnsupportedSyntaxError([Violation(filename, line, col, line, col + 1, message,
                                            f"save the file as {encoding.replace('-sig', '')}, or declare its encoding "
                                            "on its first line: # -*- coding: latin-1 -*-", text)])

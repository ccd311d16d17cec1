"""Errors s2sad raises for user mistakes.

Every user error is an `S2sadError`. Input outside the supported subset is an
`UnsupportedSyntaxError`, a `SyntaxError` subclass, so Python's own traceback
display draws the caret under the first offending construct; the exception also
carries every violation found in the function (`violations`), each with its
file, line, column and a suggestion of what to write instead.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


class S2sadError(Exception):
    """A user error: bad input, not a bug in s2sad."""


@dataclass(frozen=True)
class Violation:
    """One construct outside the subset, located in the user's source.

    `line` and `col` are 1-based (as editors and compilers print them);
    `end_col` is exclusive and on the same line when the construct spans one.
    """

    filename: str
    line: int
    col: int
    end_line: int
    end_col: int
    message: str
    hint: str
    text: str  # the source line, without its newline

    def __post_init__(self) -> None:  # a line of an unrolled loop's copy is reported as the line itself
        object.__setattr__(self, "line", int(self.line))
        object.__setattr__(self, "end_line", int(self.end_line))

    def format(self) -> str:
        """`file:line:col: error: message`, the line, a caret, and the hint."""
        out = [f"{printable(self.filename)}:{self.line}:{self.col}: error: {self.message}"]
        if self.text:
            shown = _shown(self.text)
            stop = self.end_col if self.end_line == self.line else len(self.text) + 1
            start = min(self.col - 1, len(shown))
            out.append("    " + shown)
            out.append("    " + _blank(shown[:start]) + "^" * max(1, _width(shown[start : stop - 1])))
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)


def printable(text: str) -> str:
    """`text` with what a terminal or a one-line comment would not show as itself escaped.

    A line break in a file name would start a new line (of output, or of code
    in a comment); an escape character would drive the terminal.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


# Control characters of a source line (a NUL, an escape) shown as their one-column pictures
# (U+2400...), so the line cannot drive the terminal and the caret stays under its column.
_PICTURES = {c: 0x2400 + c for c in range(0x20) if c != ord("\t")} | {0x7F: 0x2421}


def _shown(line: str) -> str:
    """A source line as printed under an error: tabs kept, what a terminal would act on replaced by one column."""
    if line.isprintable():
        return line
    line = line.translate(_PICTURES)
    return "".join(c if c.isprintable() or c == "\t" else "\ufffd" for c in line)


def _char_width(c: str) -> int:
    if unicodedata.combining(c):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def _width(text: str) -> int:
    return sum(_char_width(c) for c in text)


def _blank(prefix: str) -> str:
    """What goes under `prefix` so the caret lines up: its tabs as tabs, wide characters as two spaces."""
    return "".join(c if c == "\t" else " " * _char_width(c) for c in prefix)


class UnsupportedSyntaxError(S2sadError, SyntaxError):
    """The function uses constructs outside s2sad's subset.

    `violations` lists all of them; the `SyntaxError` fields describe the first.
    """

    def __init__(self, violations: list[Violation] | tuple[Violation, ...]):
        self.violations = tuple(violations)
        first = self.violations[0]
        msg = first.message + (f" (hint: {first.hint})" if first.hint else "")
        rest = self.violations[1:]
        if rest:
            msg += f"\n{len(rest)} more problem(s) in the same function:\n"
            msg += "\n".join(v.format() for v in rest)
        SyntaxError.__init__(
            self,
            msg,
            (first.filename, first.line, first.col, first.text + "\n", first.end_line, first.end_col),
        )

    def format(self) -> str:
        """All violations, compiler style, one block each."""
        return "\n".join(v.format() for v in self.violations)

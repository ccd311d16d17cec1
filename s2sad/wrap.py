"""Black's layout of a long assignment of a sum or a product, written directly.

A large gradient has thousands of statements longer than the line length,
most of them `name = a - b * c + d  # from lines ...`: an assignment of an
operator chain with two or more operators of its loosest kind. Black always
lays these out the same way: the value in parentheses of its own, on one line
if it fits, else one operand per line with the operator first::

    v_bar = (
        -w_bar * w / v
        + 0.5 * u_bar
    )  # from lines 3, 4

`wrapped` writes that layout for exactly those statements, and answers None
for anything else (one operator of the kind, an operand that is still too
long, strings, non-ASCII names...), which black then formats. Tests hold the
result to black's over many generated modules.
"""

from __future__ import annotations

import ast

_SUMS = (ast.Add, ast.Sub)  # black's arithmetic priority
_PRODUCTS = (ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.MatMult)  # its term priority, one lower
_INDENT = "    "


def wrapped(statement: str, width: int) -> list[str] | None:
    """Black's lines for `statement` at line length `width`, or None: black formats it.

    `statement` is one line without its indentation, longer than `width`, as emission prints it
    (black's spacing within a line: `pyast.to_source`, then `  # ` and the comment).
    """
    if len(statement) <= width or not statement.isascii() or any(c in statement for c in "'\"\\;"):
        return None  # widths are characters, and without strings a '#' starts the comment
    code, hash_, comment = statement.partition("#")
    if hash_:
        if not code.endswith("  ") or code.endswith("   ") or not comment.startswith(" ") or comment != comment.rstrip():
            return None  # not black's spacing of a trailing comment
        code, comment = code[:-2], "  #" + comment
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return None
    if len(body) != 1 or not isinstance(body[0], (ast.Assign, ast.AugAssign)):
        return None
    node = body[0]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if len(targets) != 1 or not isinstance(targets[0], ast.Name):
        return None
    value = node.value
    start = code.find("= ") + 2
    if not isinstance(value, ast.BinOp) or value.col_offset != start or value.end_col_offset != len(code) \
            or value.lineno != 1 or value.end_lineno != 1:
        return None  # the value's own parentheses, or not a chain of operators
    kind = _SUMS if isinstance(value.op, _SUMS) else _PRODUCTS if isinstance(value.op, _PRODUCTS) else None
    if kind is None:
        return None
    cuts = []  # where each operator of the kind outside parentheses starts, last first
    link: ast.expr = value
    while isinstance(link, ast.BinOp) and isinstance(link.op, kind) and link.col_offset == value.col_offset:
        end = link.left.end_col_offset  # the operator follows, after closing parentheses and a space
        gap = code[end:link.right.col_offset]
        cuts.append(end + len(gap) - len(gap.lstrip(") ")))  # type: ignore[operator]
        link = link.left
    head, text = code[:start], code[start:]
    if len(head) + 1 > width or 1 + len(comment) > width:
        return None
    if len(cuts) < 2:
        return None  # one operator: black may leave out the parentheses and split at a bracket
    if len(_INDENT) + len(text) <= width:
        lines = [text]
    else:
        bounds = [0, *sorted(c - start for c in cuts), len(text)]
        lines = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
        if any(len(_INDENT) + len(line) > width for line in lines):
            return None  # black splits an operand further
    return [head + "(", *(_INDENT + line for line in lines), ")" + comment]


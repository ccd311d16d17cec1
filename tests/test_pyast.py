"""The expression printer against Python's own parser, and the op counter."""

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from s2sad import pyast

OPS = [ast.Add(), ast.Sub(), ast.Mult(), ast.Div(), ast.Pow()]
leaves = st.one_of(
    st.sampled_from(["x", "y", "z1_bar"]).map(pyast.name),
    st.sampled_from([0, 1, 2, 0.5, 1e-300, 6.283185307179586, 1e22]).map(ast.Constant),
)
trees = st.recursive(
    leaves,
    lambda sub: st.one_of(
        st.builds(ast.BinOp, sub, st.sampled_from(OPS), sub),
        st.builds(lambda e: ast.UnaryOp(ast.USub(), e), sub),
        st.builds(lambda a, b: pyast.call("atan2", [a, b]), sub, sub),
    ),
    max_leaves=12,
)


@given(trees)
def test_printed_expressions_parse_back_to_the_same_tree(tree):
    text = pyast.to_source(tree)
    assert ast.dump(ast.parse(text, mode="eval").body) == ast.dump(tree)


def test_negative_numbers_enter_as_unary_minus():
    squared = pyast.binop(pyast.number(-2.0), ast.Pow(), pyast.number(2))
    assert pyast.to_source(squared) == "(-2.0) ** 2"
    assert eval(pyast.to_source(squared)) == 4.0


def test_op_count():
    e = ast.parse("-a * b + f(c, -2.0) / d ** 2 - -(e)", mode="eval").body
    # *, +, call, /, **, -, and two negations of names; -2.0 is a constant
    assert pyast.count_ops(e) == 8


@settings(max_examples=500, deadline=None)
@given(trees)
def test_printer_writes_what_black_writes(tree):
    """Lines that fit are emitted as black would format them, so black never has to touch them."""
    import black

    line = f"y = {pyast.to_source(tree)}\n"
    assert black.format_str(line, mode=black.Mode(line_length=10_000)) == line

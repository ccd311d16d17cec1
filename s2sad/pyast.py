"""Building Python expressions for generated code, printing and counting them.

Generated code is built as `ast` nodes; these helpers fold the trivial cases
on the way (`1 * a`, `a + 0`) and enter negative numbers as unary minus, since
a negative `Constant` under `**` would print as `-2.0 ** 2`, which Python
reads as -4.

`to_source` prints the few node types generated code uses (names, numbers,
calls, arithmetic, comparisons, and/or/not, subscripts, lists, tuples, and
attribute calls for tapes), placing parentheses by precedence exactly as
`ast.unparse` does (tests check `ast.parse(to_source(e))` gives `e` back); it
exists because generation time is on the runtime path and `ast.unparse`, a
general visitor, costs several times more.

`count_ops` is the unit of the op-count certificate: one per arithmetic
operator, call and negation of a non-constant.
"""

from __future__ import annotations

import ast
from typing import Iterable, Sequence

from .trace import absent

# Shared operator and context nodes: ast.parse shares them too, and creating one is not free.
LOAD, ADD, SUB, MULT, DIV, POW, USUB = ast.Load(), ast.Add(), ast.Sub(), ast.Mult(), ast.Div(), ast.Pow(), ast.USub()


def number(c: float) -> ast.expr:
    """A literal for c (an int stays an int), negative ones as unary minus; nan as 1e309 - 1e309."""
    if c != c:  # nan has no literal (ast.unparse spells it so too)
        return ast.BinOp(ast.Constant(float("inf")), SUB, ast.Constant(float("inf")))
    if c < 0 or (c == 0 and str(c).startswith("-")):
        return ast.UnaryOp(USUB, ast.Constant(-c))
    return ast.Constant(c)


def constant_value(node: ast.expr) -> float | None:
    """The number a constant node (`2.0`, `-2.0` as unary minus) stands for, else None."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -node.operand.value
    return None


def name(n: str) -> ast.Name:
    return ast.Name(n, LOAD)


def call(fn: str, args: Sequence[ast.expr], keywords: Sequence[ast.keyword] = ()) -> ast.expr:
    """fn(args); a dotted fn (`np.sin`) is an attribute of a module's name."""
    if "." in fn:
        base, _, attr = fn.rpartition(".")
        return ast.Call(ast.Attribute(call_target(base), attr, LOAD), list(args), list(keywords))
    return ast.Call(name(fn), list(args), list(keywords))


def call_target(dotted: str) -> ast.expr:
    """`np.linalg` as an attribute chain."""
    base, _, attr = dotted.rpartition(".")
    return ast.Attribute(call_target(base), attr, LOAD) if base else name(dotted)


def binop(a: ast.expr, op: ast.operator, b: ast.expr) -> ast.expr:
    return ast.BinOp(a, op, b)


def power(base: ast.expr, p: float, exact: bool = True) -> ast.expr:
    """base**p, with base*base for squares of names (faster, same value).

    Not `exact` (a partial, where the last bit is free): small integer powers of a name are
    products, `x*x*x` for `x**3` (a multiplication costs a fifth of a `pow` call).
    """
    if p == 1:
        return base
    small = 2 if exact else MAX_PRODUCT_POWER
    if isinstance(base, ast.Name) and float(p).is_integer() and 2 <= p <= small:
        out = base
        for _ in range(int(p) - 1):
            out = binop(out, MULT, base)
        return out
    return binop(base, POW, number(int(p) if float(p).is_integer() else p))


MAX_PRODUCT_POWER = 4  # x**4 as three multiplications is still cheaper than one pow call


def product(coef: float, num: Iterable[ast.expr], den: Iterable[ast.expr] = ()) -> ast.expr:
    """coef * n1 * n2 ... / d1 / d2 ..., left to right; coef 1 and -1 implicit.

    Factors that are products themselves are spliced in: `100 * a * a`, not `100 * (a * a)`.
    """
    num, den = _spliced(num), _spliced(den)
    if not num:
        out = number(coef)
    else:
        first = num[0]
        if coef == -1:
            first = ast.UnaryOp(USUB, first)
        elif coef != 1:
            first = binop(number(coef), MULT, first)
        out = first
        for f in num[1:]:
            out = binop(out, MULT, f)
    for d in den:
        out = binop(out, DIV, d)
    return out


def _spliced(factors: Iterable[ast.expr]) -> list[ast.expr]:
    out: list[ast.expr] = []
    for f in factors:
        if isinstance(f, ast.BinOp) and f.op is MULT:
            out += _spliced((f.left, f.right))
        else:
            out.append(f)
    return out


def signed_sum(terms: Sequence[tuple[float, list[ast.expr], list[ast.expr]]], const: float = 0) -> ast.expr:
    """const + sum of coef*num/den terms, negative coefficients written as subtraction.

    A constant leads when the only term is negative (`1 - x`, not `-x + 1`, the same value); with
    more terms it stays last, where Python adds it (`-x - y + 1` is not `1 - x - y` in floating point).
    """
    lead = const != 0 and len(terms) == 1 and terms[0][0] < 0
    out: ast.expr | None = number(const) if lead else None
    for coef, num, den in terms:
        if out is None:
            out = product(coef, num, den)
        elif coef < 0:
            out = binop(out, SUB, product(-coef, num, den))
        else:
            out = binop(out, ADD, product(coef, num, den))
    if out is None:
        return number(const)
    if not absent(const) and not lead:  # a float 0.0 is added: -0.0 + 0.0 is 0.0
        out = binop(out, SUB if const < 0 else ADD, number(abs(const)))
    return out


_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.FloorDiv: 2, ast.Mod: 2, ast.MatMult: 2, ast.Pow: 4}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
           ast.MatMult: "@", ast.Pow: "**"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_UNARY = 3
_OR, _AND, _NOT, _CMP = 0.1, 0.2, 0.3, 0.5  # below arithmetic, as in Python's grammar


def signs_folded(node: ast.expr) -> ast.expr:
    """node with `a + -k*x` as `a - k*x` and `a - -k*x` as `a + k*x`, everywhere: the same value, exactly
    (negation is exact in floating point, and a - b is a + (-b)), written as a person writes it."""
    if isinstance(node, ast.BinOp):
        left, right, op = signs_folded(node.left), signs_folded(node.right), node.op
        flipped = _negated(right) if isinstance(op, (ast.Add, ast.Sub)) else None
        if flipped is not None:
            op, right = (SUB if isinstance(op, ast.Add) else ADD), flipped
        return ast.BinOp(left, op, right)
    if isinstance(node, ast.UnaryOp):
        return ast.UnaryOp(node.op, signs_folded(node.operand))
    if isinstance(node, ast.Call):
        return ast.Call(node.func, [signs_folded(a) for a in node.args], node.keywords)
    if isinstance(node, ast.IfExp):
        return ast.IfExp(node.test, signs_folded(node.body), signs_folded(node.orelse))
    return node


def _negated(node: ast.expr) -> ast.expr | None:
    """-node without its sign, where node is a negation or a product led by a negative constant (else None)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return node.operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        left = _negated(node.left)
        return None if left is None else ast.BinOp(left, node.op, node.right)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool) \
            and node.value < 0:
        return ast.Constant(-node.value)
    return None


_INF = float("inf")


def to_source(node: ast.expr, prec: float = 0) -> str:
    """Python text of an expression, parenthesized only where precedence needs it."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant):
        if node.value == _INF:
            return "1e309"  # as ast.unparse spells it
        return repr(node.value).replace("e+", "e")  # black's spelling: 1e22, not 1e+22
    if isinstance(node, ast.BinOp):
        p = _PREC[type(node.op)]
        if p == 4:  # right-associative; a negative or power base needs parentheses
            # black's spelling: x**2 when the tokens around ** are names or numbers (x ** (y - 1),
            # f(x) ** 2 otherwise); the right operand may itself be such a power (x**y**z)
            right = node.right
            if isinstance(right, ast.BinOp) and isinstance(right.op, ast.Pow):
                right = right.left
            simple = isinstance(node.left, (ast.Name, ast.Constant)) and isinstance(right, (ast.Name, ast.Constant))
            text = f"{to_source(node.left, 5)}{'**' if simple else ' ** '}{to_source(node.right, 4)}"
        else:
            text = f"{to_source(node.left, p)} {_SYMBOL[type(node.op)]} {to_source(node.right, p + 1)}"
        return f"({text})" if p < prec else text
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        text = "not " + to_source(node.operand, _NOT)
        return f"({text})" if _NOT < prec else text
    if isinstance(node, ast.UnaryOp):
        operand = node.operand
        # black's spelling: -(x**2), making explicit that ** binds first (but -f(x) ** 2)
        if isinstance(operand, ast.BinOp) and isinstance(operand.op, ast.Pow) and not isinstance(operand.left, ast.Call):
            text = f"{'+' if isinstance(node.op, ast.UAdd) else '-'}({to_source(operand)})"
        else:
            text = ("+" if isinstance(node.op, ast.UAdd) else "-") + to_source(operand, _UNARY)
        return f"({text})" if _UNARY < prec else text
    if isinstance(node, ast.Call):
        args = [to_source(a) for a in node.args] + [f"{k.arg}={to_source(k.value)}" for k in node.keywords]
        return f"{to_source(node.func, 10)}({', '.join(args)})"
    if isinstance(node, ast.Compare):
        parts = [to_source(node.left, _CMP + 0.01)]
        for op, right in zip(node.ops, node.comparators):
            parts.append(f"{_COMPARE[type(op)]} {to_source(right, _CMP + 0.01)}")
        text = " ".join(parts)
        return f"({text})" if _CMP < prec else text
    if isinstance(node, ast.BoolOp):
        p = _AND if isinstance(node.op, ast.And) else _OR
        word = " and " if isinstance(node.op, ast.And) else " or "
        text = word.join(to_source(v, p + 0.01) for v in node.values)
        return f"({text})" if p < prec else text
    if isinstance(node, ast.Subscript):
        index = node.slice
        if isinstance(index, ast.Tuple) and index.elts:  # x[:, 0]: a tuple of indices, unparenthesized
            return f"{to_source(node.value, 10)}[{', '.join(to_source(e) for e in index.elts)}]"
        return f"{to_source(node.value, 10)}[{to_source(index)}]"
    if isinstance(node, ast.Slice):
        text = f"{to_source(node.lower) if node.lower else ''}:{to_source(node.upper) if node.upper else ''}"
        return text + (f":{to_source(node.step)}" if node.step else "")
    if isinstance(node, ast.Attribute):
        return f"{to_source(node.value, 10)}.{node.attr}"
    if isinstance(node, ast.List):
        return f"[{', '.join(to_source(e) for e in node.elts)}]"
    if isinstance(node, ast.Tuple):
        return f"({', '.join(to_source(e) for e in node.elts)}{',' if len(node.elts) == 1 else ''})"
    if isinstance(node, ast.IfExp):
        text = f"{to_source(node.body, 0.05)} if {to_source(node.test, 0.05)} else {to_source(node.orelse, 0.05)}"
        return f"({text})" if prec > 0 else text
    if isinstance(node, ast.ListComp):  # one generator, no condition: a whole list's adjoint (item_stores)
        gen = node.generators[0]
        target = ", ".join(to_source(e) for e in gen.target.elts) if isinstance(gen.target, ast.Tuple) \
            else to_source(gen.target)
        return f"[{to_source(node.elt)} for {target} in {to_source(gen.iter)}]"
    raise TypeError(f"generated code has no {type(node).__name__} nodes")


def count_ops(node: ast.expr) -> int:
    """Arithmetic operators, calls and negations of non-constants in node."""
    if isinstance(node, ast.BinOp):
        return 1 + count_ops(node.left) + count_ops(node.right)
    if isinstance(node, ast.UnaryOp):
        return 0 if isinstance(node.operand, ast.Constant) else 1 + count_ops(node.operand)
    if isinstance(node, ast.Call):
        args = sum(count_ops(a) for a in node.args) + sum(count_ops(k.value) for k in node.keywords)
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("append", "pop", "copy"):
            return args  # tape.pop(), tape.append(...): bookkeeping, not arithmetic
        return 1 + args
    if isinstance(node, ast.Compare):
        return len(node.ops) + count_ops(node.left) + sum(count_ops(c) for c in node.comparators)
    if isinstance(node, ast.BoolOp):
        return len(node.values) - 1 + sum(count_ops(v) for v in node.values)
    if isinstance(node, ast.Subscript):
        return count_ops(node.value) + count_ops(node.slice)
    if isinstance(node, (ast.List, ast.Tuple)):
        return sum(count_ops(e) for e in node.elts)
    if isinstance(node, ast.ListComp):  # per item
        return count_ops(node.elt) + count_ops(node.generators[0].iter)
    return 0


def names_read(node: ast.expr, out: list[str] | None = None) -> list[str]:
    """Every name the expression reads, once per occurrence (called functions excluded)."""
    if out is None:
        out = []
    if isinstance(node, ast.Name):
        out.append(node.id)
    elif isinstance(node, ast.BinOp):
        names_read(node.left, out)
        names_read(node.right, out)
    elif isinstance(node, ast.UnaryOp):
        names_read(node.operand, out)
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            names_read(node.func.value, out)
        for a in node.args:
            names_read(a, out)
        for k in node.keywords:
            names_read(k.value, out)
    elif isinstance(node, ast.Compare):
        names_read(node.left, out)
        for c in node.comparators:
            names_read(c, out)
    elif isinstance(node, ast.BoolOp):
        for v in node.values:
            names_read(v, out)
    elif isinstance(node, ast.Subscript):
        names_read(node.value, out)
        names_read(node.slice, out)
    elif isinstance(node, ast.Slice):
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                names_read(part, out)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for e in node.elts:
            names_read(e, out)
    elif isinstance(node, ast.Attribute):
        names_read(node.value, out)
    elif isinstance(node, ast.IfExp):
        for part in (node.test, node.body, node.orelse):
            names_read(part, out)
    elif isinstance(node, ast.ListComp):  # its variables are its own
        gen = node.generators[0]
        names_read(gen.iter, out)
        bound = set(names_read(gen.target))
        out += [n for n in names_read(node.elt) if n not in bound]
    return out


def substitute(node: ast.expr, values: dict[str, ast.expr]) -> ast.expr:
    """node with each name in `values` replaced by its expression (shared, not copied)."""
    return _rebuilt(node, values, {})


def renamed_calls(node: ast.expr, names: dict[str, str]) -> ast.expr:
    """node with each call of a function named in `names` calling it by its new name."""
    return _rebuilt(node, {}, names)


def _rebuilt(node, values: dict[str, ast.expr], calls: dict[str, str]):
    """node with names read replaced from `values` and called functions renamed by `calls`."""
    def again(n):
        return _rebuilt(n, values, calls) if n is not None else None

    if isinstance(node, ast.Name):
        return values.get(node.id, node)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in calls:
            func = name(calls[func.id])
        elif isinstance(func, ast.Attribute):  # a method of a substituted value: x.reshape(...)
            func = again(func)
        return ast.Call(func, [again(a) for a in node.args], [ast.keyword(k.arg, again(k.value)) for k in node.keywords])
    if isinstance(node, ast.BinOp):
        return ast.BinOp(again(node.left), node.op, again(node.right))
    if isinstance(node, ast.UnaryOp):
        return ast.UnaryOp(node.op, again(node.operand))
    if isinstance(node, ast.Compare):
        return ast.Compare(again(node.left), node.ops, [again(c) for c in node.comparators])
    if isinstance(node, ast.BoolOp):
        return ast.BoolOp(node.op, [again(v) for v in node.values])
    if isinstance(node, ast.Subscript):
        return ast.Subscript(again(node.value), again(node.slice), node.ctx)
    if isinstance(node, ast.Slice):
        return ast.Slice(again(node.lower), again(node.upper), again(node.step))
    if isinstance(node, (ast.List, ast.Tuple)):
        return type(node)([again(e) for e in node.elts], node.ctx)
    if isinstance(node, ast.Attribute):
        return ast.Attribute(again(node.value), node.attr, node.ctx)
    if isinstance(node, ast.IfExp):
        return ast.IfExp(again(node.test), again(node.body), again(node.orelse))
    if isinstance(node, ast.ListComp):  # its variables are its own: not substituted
        gen = node.generators[0]
        own = {k: v for k, v in values.items() if k not in names_read(gen.target)}
        return ast.ListComp(_rebuilt(node.elt, own, calls), [ast.comprehension(gen.target, again(gen.iter), [], 0)])
    return node


def subscript(value: ast.expr, index: ast.expr) -> ast.expr:
    return ast.Subscript(value, index, LOAD)


MUTATORS = frozenset({"append", "pop", "extend", "insert", "remove", "clear", "reverse", "sort"})


def walk(node: ast.AST) -> list[ast.AST]:
    """The nodes of the tree in `ast.walk`'s order (breadth first), as a list, in a third of its time:
    the stages walk the function's whole tree several times, on the runtime path."""
    out = [node]
    for n in out:  # out grows as it is read
        for field in n._fields:
            v = getattr(n, field, None)
            if isinstance(v, ast.AST):
                out.append(v)
            elif isinstance(v, list):
                out += [c for c in v if isinstance(c, ast.AST)]
    return out


def mutated(node: ast.expr) -> list[str]:
    """Names of the lists a call in the expression changes in place (`xs.pop()` changes xs)."""
    if not _may_mutate(node):  # most statements: no full walk (asked once per generated statement)
        return []
    return [n.func.value.id for n in walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr in MUTATORS and isinstance(n.func.value, ast.Name)]


def _may_mutate(node: ast.AST) -> bool:
    """Could the expression call a list method that changes the list? False only where it cannot."""
    kind = type(node)
    if kind is ast.Name or kind is ast.Constant:
        return False
    if kind is ast.BinOp:
        return _may_mutate(node.left) or _may_mutate(node.right)  # type: ignore[attr-defined]
    if kind is ast.UnaryOp:
        return _may_mutate(node.operand)  # type: ignore[attr-defined]
    if kind is ast.Call:
        f = node.func  # type: ignore[attr-defined]
        if type(f) is ast.Attribute and f.attr in MUTATORS:
            return True
        return _may_mutate(f) or any(_may_mutate(a) for a in node.args) \
            or any(_may_mutate(k.value) for k in node.keywords)  # type: ignore[attr-defined]
    if kind is ast.Attribute:
        return _may_mutate(node.value)  # type: ignore[attr-defined]
    return True  # any other node: the full walk decides


def method(obj: str, attr: str, args: Sequence[ast.expr]) -> ast.expr:
    """obj.attr(args): the tape's append and pop."""
    return ast.Call(ast.Attribute(name(obj), attr, LOAD), list(args), [])


def template(text: str) -> ast.expr:
    """A parsed expression template (placeholders `_0`, `_1`, ... are names)."""
    return ast.parse(text, mode="eval").body

"""Random programs of the whole supported subset, composed with one another.

`program(seed)` returns the text of a module defining `f(a, b, xs, n)` (two
floats, a list of floats, an integer) and possibly helpers and constants; the
same seed always gives the same text. Every construct of the subset can appear
inside every other: branches (also on constant and compound conditions),
`elif` chains, conditional expressions, early returns, `for` over ranges (one
to three bounds, reversed), over a list and `enumerate`, `while` with a
counter, `break` and `continue`, nested loops, sums of shifted exponentials
(a softmax's log-sum-exp) and their near misses, carried values read after
their loop, local lists built by display, repetition or appends, items read
before and after stores, pops and appends whose values are unused, sums of
lists inside loops, tuple and chained and annotated and augmented
assignment, reassigned names, helpers (each statement kind, keyword and
default arguments), module constants, every math function of the rules
table, and square roots of values that are an exact zero on some paths.

Values are kept in the functions' domains (`sqrt(1 + e*e)`, `log(1 + e*e)`,
`exp(tanh(e))`, ...) and bounded across iterations (`tanh`), so most programs
run at most points; a point where `f` itself raises is skipped by the checker.
Square roots of list items read `cs[0]`, a constant of a list stored into only
at other constant indices: s2sad tells such an item from the active ones
statically; an item stored into at computed indices it cannot (README,
Guarantees).
"""

from __future__ import annotations

import random

UNARY = [
    "math.sin({})", "math.cos({})", "math.tanh({})", "math.atan({})", "math.exp(math.tanh({}))",
    "math.sqrt(1 + ({0}) * ({0}))", "math.log(1 + ({0}) * ({0}))", "math.log1p(({0}) ** 2)",
    "math.asinh({})", "math.erf({})", "math.erfc({})", "math.expm1(math.tanh({}))", "math.asin(0.9 * math.tanh({}))",
    "math.acos(0.5 * math.tanh({}))", "math.atanh(0.5 * math.tanh({}))", "math.sinh(math.tanh({}))",
    "math.cosh(math.tanh({}))", "math.log2(2 + math.sin({}))", "math.log10(2 + math.cos({}))",
    "math.log(1.5 + math.sin({}), 3)", "math.fabs({})", "abs({})", "-({})", "+({})", "({}) ** 2", "({}) ** 3",
    "({}) / 3", "math.degrees({}) / 60", "math.radians({})", "float({})", "math.tan(0.5 * math.tanh({}))",
    "(1 + ({0}) * ({0})) ** 0.5", "math.pow(1.5 + math.sin({}), 2.5)", "2 ** math.tanh({})",
]
BINARY = [
    "({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (1 + ({}) ** 2)", "({}) / (2 + math.cos({}))",
    "max({}, {})", "min({}, {})", "math.atan2({}, 1.5 + ({}) ** 2)", "math.hypot({}, 0.5 + abs({}))",
    "(1.5 + math.tanh({})) ** math.sin({})", "math.pow(1.25 + math.sin({}), {})", "math.copysign({}, {})",
    "pow(1.5 + math.cos({}), math.tanh({}))", "({}) * 2 - ({}) / 4", "({0}) - ({0}) + ({1})",
    "(({}) or ({}))", "(({}) and ({}))", "(({0}) * ({1}) or 0.5)",
]
CONSTANTS = ["0.5", "2", "-1.5", "0.25", "3.0", "1e-3", "K", "TWO_PI", "math.pi", "math.e"]
CONDITIONS = ["{} > {}", "{} < {}", "{} >= {}", "{} <= {}", "not {} > {}"]
STATIC_CONDITIONS = ["False", "True", "1 > 2", "0 < 1", "n > 2", "n == 0", "len(xs) > 2", "False and {} > 0",
                     "True or {} > 0", "K > 1"]


class _Scope:
    """What the program has defined at a point: scalar names, loop counters, lists and their least lengths."""

    def __init__(self, scalars, counters, lists, depth, in_loop, top, helper=False):
        self.helper = helper  # a helper's body reads only its own names
        self.scalars = list(scalars)
        self.counters = list(counters)
        self.lists = dict(lists)  # local list -> its least length here
        self.depth, self.in_loop, self.top = depth, in_loop, top

    def inner(self, counter=None, loop=False):
        counters = self.counters + ([counter] if counter else [])
        return _Scope(self.scalars, counters, self.lists, self.depth + 1, self.in_loop or loop, False, self.helper)


class Generator:
    def __init__(self, seed: int, size: int = 6):
        self.rng = random.Random(seed)
        # which reduction a sum becomes: a stream of its own, so the programs' shapes stay as they were
        self.reductions = random.Random(seed * 31 + 7)
        self.exp_sums = random.Random(seed * 53 + 11)  # where sums of shifted exponentials go: their own stream
        self.size = size
        self.helpers: list[tuple[str, int, bool]] = []  # (name, number of parameters, q has a default)
        self.names = 0

    def pick(self, options):
        return self.rng.choice(options)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # --- expressions ----------------------------------------------------------------

    def index(self, scope: _Scope, lst: str | None) -> str:
        """An integer index into xs (lst None) or a local list, always in range."""
        if lst is None:
            options = ["0", "-1", "len(xs) - 1", "n % len(xs)", "-len(xs)", "int(abs(a) * 2) % len(xs)"]
            options += [f"{c} % len(xs)" for c in scope.counters] + [f"({c} + 1) % len(xs)" for c in scope.counters]
            return self.pick(options)
        least = scope.lists[lst]
        options = [f"{c} % len({lst})" for c in scope.counters] + [f"n % len({lst})", f"len({lst}) - 1"]
        if least >= 1:
            options += ["0", "-1"]
        if least >= 2:
            options += ["1", "-2"]
        return self.pick(options)

    def leaf(self, scope: _Scope) -> str:
        if scope.helper:
            return self.pick(scope.scalars * 4 + CONSTANTS)
        options = scope.scalars * 4 + ["a", "b"] * 3 + CONSTANTS + [f"xs[{self.index(scope, None)}]"] * 3
        options += ["sum(xs)", "float(n)", "len(xs)"] + scope.counters
        for lst, least in scope.lists.items():
            if least >= 1:
                options += [f"{lst}[{self.index(scope, lst)}]"] * 2 + [f"sum({lst})"]
        leaf = self.pick(options)
        if leaf.startswith("sum("):  # max(xs), min(xs): a list's extremes
            leaf = self.reductions.choice(["sum", "sum", "max", "min"]) + leaf[3:]
        return leaf

    def expr(self, scope: _Scope, depth: int = 2) -> str:
        r = self.rng.random()
        if depth <= 0 or r < 0.3:
            return self.leaf(scope)
        if r < 0.6:
            return self.pick(UNARY).format(self.expr(scope, depth - 1))
        if r < 0.9:
            return self.pick(BINARY).format(self.expr(scope, depth - 1), self.expr(scope, depth - 1))
        if r < 0.95 and self.helpers:
            name, arity, default = self.pick(self.helpers)
            args = [self.expr(scope, depth - 1) for _ in range(arity)]
            if arity == 2 and self.chance(0.3):
                return f"{name}({args[0]}, q={args[1]})"
            if default and self.chance(0.3):
                return f"{name}({args[0]})"  # the default of q
            return f"{name}({', '.join(args)})"
        return f"({self.expr(scope, depth - 1)} if {self.condition(scope)} else {self.expr(scope, depth - 1)})"

    def condition(self, scope: _Scope) -> str:
        if self.chance(0.15) and not scope.helper:
            return self.pick(STATIC_CONDITIONS).format(self.leaf(scope))
        c = self.pick(CONDITIONS).format(self.expr(scope, 1), self.pick(CONSTANTS[:5]))
        if self.chance(0.2):
            c = f"({c} {self.pick(['and', 'or'])} {self.pick(CONDITIONS).format(self.leaf(scope), '0.1')})"
        return c

    # --- statements ---------------------------------------------------------------

    def fresh(self) -> str:
        self.names += 1
        return f"v{self.names}"

    def block(self, scope: _Scope, count: int) -> list[str]:
        out: list[str] = []
        for _ in range(count):
            out += self.statement(scope)
        return out or ["pass"]

    def statement(self, scope: _Scope) -> list[str]:
        if scope.depth < 2 and not scope.helper and self.exp_sums.random() < 0.04:
            return self.s_sum_of_exponentials(scope)
        kinds = ["assign"] * 5 + ["augment"] * 2 + ["tuple", "chain", "annotated", "new", "sqrt_of_maybe_zero"]
        if scope.lists:
            kinds += ["store", "store", "append", "pop", "pop_unused"]
        if scope.depth < 2:
            kinds += ["if", "if", "for", "for", "while", "while_true", "count"]
            if scope.lists:
                kinds += ["for_list"]
        if scope.in_loop:
            kinds += ["exit"]
        if not scope.in_loop and scope.depth < 2:
            kinds += ["return"]
        if scope.top:
            kinds += ["accumulate"]
        return getattr(self, "s_" + self.pick(kinds))(scope)

    def s_assign(self, scope):
        return [f"{self.pick(scope.scalars)} = {self.expr(scope)}"]

    def s_new(self, scope):
        name = self.fresh()
        line = f"{name} = {self.expr(scope)}"
        if scope.top:  # a name defined on every later path
            scope.scalars.append(name)
        return [line]

    def s_augment(self, scope):
        op = self.pick(["+=", "-=", "*=", "/="])
        value = self.expr(scope)
        if op == "*=":
            value = f"math.tanh({value})"
        elif op == "/=":
            value = f"(1.5 + math.sin({value}))"
        return [f"{self.pick(scope.scalars)} {op} {value}"]

    def s_tuple(self, scope):
        p, q = self.rng.sample(scope.scalars, 2) if len(scope.scalars) > 1 else (scope.scalars[0], scope.scalars[0])
        if self.chance(0.4):
            return [f"{p}, {q} = {q}, {p}"]  # a swap
        return [f"{p}, {q} = {self.expr(scope)}, {self.expr(scope)}"]

    def s_chain(self, scope):
        p, q = self.rng.sample(scope.scalars, 2) if len(scope.scalars) > 1 else (scope.scalars[0], scope.scalars[0])
        return [f"{p} = {q} = {self.expr(scope)}"]

    def s_annotated(self, scope):
        return [f"{self.pick(scope.scalars)}: float = {self.expr(scope)}"]

    def s_sqrt_of_maybe_zero(self, scope):
        """A square root of a value that is an exact constant zero on one path: its partial must not run there."""
        z = self.fresh()
        cond = self.condition(scope)
        target = self.pick(scope.scalars)
        lines = [f"if {cond}:", f"    {z} = 0.0", "else:", f"    {z} = 1 + ({self.expr(scope, 1)}) ** 2"]
        if self.chance(0.4) and "cs" in scope.lists:  # its item 0 is the constant 0.0 beside active items
            return [f"{target} = {target} + math.sqrt(cs[0]) * {self.leaf(scope)}"]
        return lines + [f"{target} = {target} + math.sqrt({z})"]

    def s_store(self, scope):
        lst = self.pick(list(scope.lists))
        if lst == "cs":  # stores at constant indices other than 0 leave cs[0] the constant it was made
            return [f"cs[{self.pick(['1', '2'])}] {self.pick(['=', '+='])} {self.expr(scope)}"]
        if scope.lists[lst] < 1:
            return self.s_append(scope)
        op = self.pick(["=", "+=", "*="])
        value = self.expr(scope)
        if op == "*=":
            value = f"math.tanh({value})"
        return [f"{lst}[{self.index(scope, lst)}] {op} {value}"]

    def s_append(self, scope):
        lst = self.pick(list(scope.lists))
        if not scope.in_loop and scope.depth == 0:
            scope.lists[lst] += 1
        return [f"{lst}.append({self.expr(scope)})"]

    def _poppable(self, scope):
        # only where the list's least length is known to stay >= 2 afterwards for later reads
        return [lst for lst, least in scope.lists.items()
                if least >= 3 and not scope.in_loop and scope.depth == 0 and lst != "cs"]

    def s_pop(self, scope, unused: bool = False):
        """v = ys.pop(); with `unused`, a pop whose value nothing reads (a statement, or an unread name)."""
        lists = self._poppable(scope)
        if not lists:
            return self.s_append(scope)
        lst = self.pick(lists)
        scope.lists[lst] -= 1
        if not unused:
            return [f"{self.pick(scope.scalars)} = {lst}.pop()"]
        return [f"{lst}.pop()"] if self.chance(0.5) else [f"{self.fresh()} = {lst}.pop()"]

    def s_pop_unused(self, scope):
        return self.s_pop(scope, unused=True)

    def s_if(self, scope):
        inner = scope.inner()
        lines = [f"if {self.condition(scope)}:"] + _indent(self.block(inner, self.rng.randint(1, 3)))
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            lines += [f"elif {self.condition(scope)}:"] + _indent(self.block(scope.inner(), self.rng.randint(1, 2)))
        if self.chance(0.6):
            lines += ["else:"] + _indent(self.block(scope.inner(), self.rng.randint(1, 2)))
        return lines

    def s_for(self, scope):
        counter = "ijkl"[len(scope.counters)] if len(scope.counters) < 4 else None
        if counter is None:
            return self.s_assign(scope)
        header = self.pick([
            f"for {counter} in range(n):", f"for {counter} in range(3):", f"for {counter} in range(1, n):",
            f"for {counter} in range(n, 0, -1):", f"for {counter} in range(len(xs)):",
            f"for {counter} in reversed(range(n)):", f"for {counter} in reversed(range(len(xs))):",
            f"for {counter} in range(0, len(xs), 2):",
            f"for {counter} in range(2):", f"for {counter} in reversed(range(3)):",  # literal: unrolled
            f"for {counter} in range(4, 0, -2):", f"for {counter} in range(0):",
            "for {v} in xs:", f"for {counter}, {{v}} in enumerate(xs):",
        ])
        inner = scope.inner(counter if "{v}" not in header or "enumerate" in header else None, loop=True)
        if "{v}" in header:
            v = self.fresh()
            header = header.format(v=v)
            inner.scalars.append(v)
        body = self.block(inner, self.rng.randint(1, 3))
        lines = [header] + _indent(body)
        if self.chance(0.5):  # the carried value read after the loop
            lines.append(f"{self.pick(scope.scalars)} = {self.pick(scope.scalars)} * {self.expr(scope, 1)}")
        return lines

    def s_accumulate(self, scope):
        """A loop whose variables only add to themselves: its adjoint is fused into it."""
        header = self.pick(["for i in range(n):", "for i in range(len(xs)):", "for x in xs:",
                            "for i, x in enumerate(xs):"])
        inner = scope.inner("i" if "i" in header.split(" in ")[0] else None, loop=True)
        if " x" in header:
            inner.scalars.append("x")
        targets = self.rng.sample(scope.scalars, min(len(scope.scalars), self.rng.randint(1, 2)))
        body = []
        for t in targets:
            op = self.pick(["+=", "-=", "= {t} +"])
            term = self.expr(inner, 2)
            body.append(f"{t} += {term}" if op == "+=" else f"{t} -= {term}" if op == "-=" else f"{t} = {t} + {term}")
        return [header] + _indent(body)

    def s_sum_of_exponentials(self, scope):
        """A sum of exponentials shifted by a value from before the loop (the log-sum-exp of a softmax):
        the shift's adjoint is then one term after the loop. Its variants do not qualify: a start other
        than 0, a decaying sum, the shift read again in the loop or computed in it."""
        pick = self.exp_sums.choice
        m, total = self.fresh(), self.fresh()
        c = "ijkl"[len(scope.counters)] if len(scope.counters) < 4 else None  # not an enclosing loop's counter
        header = pick(["for x in xs:"] + ([f"for {c} in range(n):", f"for {c} in range(len(xs)):",
                                            f"for {c}, x in enumerate(xs):"] if c else []))
        inner = scope.inner(c if c and c in header.split(" in ")[0] else None, loop=True)
        if " x" in header:
            inner.scalars.append("x")
        items = [f"math.tanh({self.expr(inner, 1)})"] + (["x", "x"] if " x" in header else []) \
            + ([f"xs[{c}]", f"xs[{c}]"] if c and header == f"for {c} in range(len(xs)):" else [])
        item = pick(items)  # the list's item itself: a softmax's loop, whose logits' adjoints are one comprehension
        shift = pick([f"{item} - {m}", f"{m} - {item}", f"{item} + 0.5 * {m}", f"{item} - 2 * {m}",
                      f"{item} - {m} + {item}", f"{m} - math.tanh({m})"])
        term = f"math.exp({shift})"
        lines = [f"{m} = math.tanh({self.expr(scope, 1)})", f"{total} = {pick(['0.0', '0.0', '0', '1.0', '-0.0'])}",
                 header, "    " + pick([f"{total} += {term}", f"{total} = {total} + {term}",
                                        f"{total} = {term} + {total}", f"{total} = 0.5 * {total} + {term}"])]
        if pick([False, False, True]):
            lines.append(f"    {self.pick(scope.scalars)} += {m} * {self.leaf(inner)}")
        target = self.pick(scope.scalars)
        lines.append(pick([f"{target} = {target} + math.log(0.5 + {total})", f"{target} = {target} * {total}",
                           f"{target} = {m} + math.log(1 + {total}) * {target}"]))
        if scope.top:
            scope.scalars += [m, total]
        return lines

    def s_while_true(self, scope):
        """`while True:` left by a break under a condition (a trip count recorded)."""
        w = f"w{scope.depth}"
        inner = scope.inner(w, loop=True)
        body = self.block(inner, self.rng.randint(1, 2))
        return [f"{w} = 0", "while True:", f"    {w} += 1", f"    if {w} > 3 or {self.condition(inner)}:",
                "        break"] + _indent(body)

    def s_count(self, scope):
        """An integer that counts, read later as a number."""
        m = self.fresh()
        cond = self.condition(scope)
        target = self.pick(scope.scalars)
        return [f"{m} = 0", f"for i{scope.depth} in range(n):", f"    if {cond}:", f"        {m} += 1",
                f"{target} = {target} * 0.5 + {m} * {self.leaf(scope)}"]

    def s_for_list(self, scope):
        """A loop over the items of a local list (which the body may change)."""
        lst = self.pick([lst for lst in scope.lists if lst != "cs"] or list(scope.lists))
        v = self.fresh()
        inner = scope.inner(None, loop=True)
        inner.scalars.append(v)
        inner.lists = {k: least for k, least in scope.lists.items() if k != lst}  # not changed while iterated
        return [f"for {v} in {lst}:"] + _indent(self.block(inner, self.rng.randint(1, 2)))

    def s_while(self, scope):
        w = f"w{scope.depth}"
        inner = scope.inner(w, loop=True)
        body = self.block(inner, self.rng.randint(1, 2))
        test = self.pick([f"{w} < 3", f"{w} < 3 and ({self.condition(scope)})", f"{w} < n"])
        return [f"{w} = 0", f"while {test}:", f"    {w} += 1"] + _indent(body)

    def s_exit(self, scope):
        return [f"if {self.condition(scope)}:", f"    {self.pick(['break', 'continue'])}"]

    def s_return(self, scope):
        return [f"if {self.condition(scope)}:", f"    return {self.expr(scope)}"]

    def comprehension(self, e: str) -> str:
        """A list comprehension over xs with e in its item; its variable may be one of f's names."""
        w, k = self.reductions.choice(["w", "x", "s", "i"]), self.reductions.choice(["k", "j", "t"])
        return self.reductions.choice([f"[({e}) * {w} for {w} in xs]", f"[{w} - ({e}) for {w} in xs if {w} > -2]",
                                       f"[({e}) + {w} * {k} for {k}, {w} in enumerate(xs)]",
                                       f"[xs[{k}] * ({e}) for {k} in range(len(xs))]"])

    # --- the module --------------------------------------------------------------------

    def helper(self, k: int) -> list[str]:
        name, arity = f"h{k}", self.rng.choice([1, 2])
        params = "p" if arity == 1 else self.pick(["p, q", "p, q=0.5"])
        scope = _Scope(["p"] + (["q"] if arity == 2 else []), [], {}, 0, False, True, helper=True)
        lines = [f"def {name}({params}):", f"    r = {self.expr(scope, 1)}"]
        scope.scalars.append("r")
        for _ in range(self.rng.randint(0, 3)):
            kind = self.pick(["assign", "augment", "tuple", "chain", "annotated"])
            lines.append("    " + getattr(self, "s_" + kind)(scope)[0])
        lines.append(f"    return {self.expr(scope, 1)}")
        self.helpers.append((name, arity, "=" in params))
        return lines

    def module(self) -> str:
        head = ["import math", "", "K = 0.75", "TWO_PI = 2 * math.pi", ""]
        for k in range(self.rng.choice([0, 0, 1, 2])):
            head += ["", *self.helper(k), ""]
        scope = _Scope([], [], {}, 0, False, True)
        body = []
        for name in ("s", "t", "u"):
            body.append(f"{name} = {self.expr(scope, 1)}")
            scope.scalars.append(name)
        for lst in ("ys", "zs")[: self.rng.choice([0, 1, 1, 2])]:
            kind = self.rng.randint(0, 3)
            if kind == 0:
                body.append(f"{lst} = [0.0] * (n + 1)")
                scope.lists[lst] = 1
            elif kind == 1:
                items = [self.expr(scope, 1) for _ in range(self.rng.randint(1, 4))]
                if self.reductions.random() < 0.35:  # a comprehension over xs, its item built on the first
                    body.append(f"{lst} = {self.comprehension(items[0])}")
                    scope.lists[lst] = 1
                else:
                    body.append(f"{lst} = [{', '.join(items)}]")
                    scope.lists[lst] = len(items)
            elif kind == 2:
                body.append(f"{lst} = [0.0, a, {self.leaf(scope)}]")
                scope.lists[lst] = 3
            else:
                body += [f"{lst} = []", f"{lst}.append({self.expr(scope, 1)})"]
                scope.lists[lst] = 1
        if self.chance(0.3):
            body.append(f"cs = [0.0, a, {self.leaf(scope)}]")
            scope.lists["cs"] = 3
        generated = None
        if self.reductions.random() < 0.2:  # a generator before any early return, its names maybe f's too
            w, w2 = self.reductions.sample(["w", "x", "s", "i", "a"], 2)
            generated = self.reductions.choice([
                f"sum({w} * {w} for {w} in xs)", f"max(math.sin({w}) for {w} in xs)", f"min([{w} * a for {w} in xs])",
                f"sum({w} * {w2} for {w} in xs for {w2} in xs if {w} < {w2})"])
            body.append(f"g = {generated}")
        body += self.block(scope, self.size)
        result = self.expr(scope, 2)
        if self.chance(0.7):  # most results read every variable
            result += " + s + t * u"
        result += " + 0.25 * xs[0]"  # xs is always a list parameter
        if generated is not None:
            result += " + 0.5 * g"
        body.append(f"return {result}")
        text = "\n".join(head + ["", "def f(a, b, xs, n):", *_indent(body)]) + "\n"
        style = self.rng.random()  # however the module imports math
        if style < 0.15:
            text = text.replace("import math\n", "import math as m\n").replace("math.", "m.")
        elif style < 0.25:
            text = text.replace("import math\n", "from math import *\n").replace("math.", "")
        slash = self.rng.random()  # drawn last: the programs of earlier draws stay as they were
        if slash < 0.1:  # positional-only parameters, kept so by every generated function
            header = "def f(a, /, b, xs, n):" if slash < 0.05 else "def f(a, b, xs, /, n):"
            text = text.replace("def f(a, b, xs, n):", header)
        return text


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def program(seed: int, size: int = 6) -> str:
    """The module text of random program `seed`."""
    return Generator(seed, size).module()


def point(seed: int) -> tuple:
    """Arguments (a, b, xs, n) for program `seed`, off the round numbers where ties and kinks sit."""
    rng = random.Random(seed * 7919 + 1)
    a = rng.uniform(-1.5, 1.5) + 0.0137
    b = rng.uniform(-1.5, 1.5) - 0.0291
    xs = [rng.uniform(-1.5, 1.5) + 0.0071 * (j + 1) for j in range(rng.randint(1, 4))]
    return a, b, xs, rng.randint(0, 4)

"""Deterministic, collision-free names for generated code.

Guarantees: the same trace always gets the same names; parameters keep their
names; a user variable keeps its name at its first definition; every other
variable is `z<t>` for its position t among the trace's ops (the lecture's
numbering); an adjoint is its primal's name plus `_bar`; the math functions
generated code calls are imported under their own names unless a variable
already has that name, and a builtin it calls (`len`, `range`, ...) that a
user's name shadows is imported from `builtins` under an alias (`builtins`
maps each to its alias). A clash gets the first free `<name>_<k>`.

Across control flow, names are shared where one Python variable holds several
SSA values: a loop's carried variable keeps one name for its value in the body
(`param`) and after the loop (`out`), whose adjoint carries it backwards; a value
assigned in a branch takes the name of the variable it is merged into.
Names the user never wrote (loop counters over lists, trip counts, tapes)
are allocated so as never to take a user's name.

Before: `def f(x_bar, z1): y = sin(x_bar) * z1; return y`
After:  x_bar -> x_bar, z1 -> z1, sin(x_bar) -> z1_1, y -> y,
        adjoints x_bar_bar, z1_bar, z1_1_bar, y_bar.
"""

from __future__ import annotations

from .rules import RULES
from .trace import If, ListVar, Loop, Op, Trace, Var, walk

_SYNTHESIZED = {".k": "k", ".trips": "trips"}
_BUILTINS = ("range", "reversed", "enumerate", "len", "sum", "min", "max", "abs", "float", "int")  # generated code calls these


class Names:
    """The names of one generated module."""

    def __init__(self, trace: Trace, merge_names: bool = True):
        items = list(walk(trace.body))
        hinted = [p.hint for p in trace.params]
        for item in items:
            if isinstance(item, Op):
                hinted.append(item.out.hint)
            elif isinstance(item, If):
                hinted += [m.out.hint for m in item.merges]
            elif isinstance(item, Loop):
                hinted += [c.param.hint for c in item.carried] + [item.counter.hint if item.counter else None]
            elif getattr(item, "out", None) is not None:
                hinted.append(item.out.hint)  # lists, popped values
        self.user: set[str] = {h for h in hinted if h and not h.startswith(".")} | {n for n, _ in trace.tables}
        self.used: set[str] = self.user | set(_BUILTINS)
        self._tried: dict[str, int] = {}  # base -> the last k fresh tried for it
        # a builtin generated code calls, shadowed by a user's name (a parameter `len`): called by an alias
        self.builtins: dict[str, str] = {b: self.fresh(b) for b in _BUILTINS if b in self.user}
        self.primal: dict[Var | ListVar, str] = {p: p.hint for p in trace.params if p.hint}  # type: ignore[misc]
        self._first_use = set(self.primal.values())
        self._adjoint: dict[Var | ListVar, str] = {}
        self.functions: dict[str, str] = {}  # rules key -> name in generated code
        self._numpy: str | None = None  # the name NumPy is imported as, once generated code uses it
        self.helpers: set[str] = set()  # array helpers generated code calls (their defs go into the module)
        self.shaped: set[str] = set()  # array adjoints already given their primal's shape (`_adjoint_of`)
        self.tapes: dict[int, str] = {}  # id of a loop item -> its tape
        # a value that only starts a loop's variable of the same name leaves the name to the loop
        starts = {c.init for i in items if isinstance(i, Loop) for c in i.carried
                  if isinstance(c.init, Var) and c.init.hint == c.param.hint}
        t = 0
        for item in items:
            if isinstance(item, Op):
                t += 1
                if item.out in starts:
                    self.primal[item.out] = self.fresh(item.out.hint)  # type: ignore[arg-type]
                    continue
                self._name(item.out, f"z{t}")
            elif isinstance(item, If):
                for m in item.merges:
                    self._name(m.out, f"z{t}_merged")
            elif isinstance(item, Loop):
                for c in item.carried:
                    self._name(c.param, "s")
                    self.primal[c.out] = self.primal[c.param]
                if item.counter is not None:
                    self._name(item.counter, "i")
                if item.trips is not None:
                    self._name(item.trips, "trips")
                self.tapes[id(item)] = self.fresh("tape")
            elif getattr(item, "out", None) is not None:  # NewList, Pop
                self._name(item.out, "xs" if isinstance(item.out, ListVar) else f"z{t}_popped")  # type: ignore[attr-defined]
        if merge_names:
            self._coalesce_merges(items)

    def _name(self, v: Var | ListVar, default: str) -> None:
        hint = v.hint
        if hint and hint.startswith("."):
            self.primal[v] = self.fresh(_SYNTHESIZED.get(hint, hint[1:]))
        elif hint and hint not in self._first_use:
            self._first_use.add(hint)
            self.primal[v] = hint
        else:
            self.primal[v] = self.fresh(hint or default)

    def _coalesce_merges(self, items: list) -> None:
        """A value computed in a branch only to be merged is computed into the merged name."""
        for item in items:
            if not isinstance(item, If):
                continue
            for arm, side in ((item.body, "then"), (item.orelse, "orelse")):
                made = {i.out: i for i in arm if isinstance(i, Op)}
                taken: set[Var] = set()
                for m in item.merges:
                    v = getattr(m, side)
                    if isinstance(v, Var) and v in made and v not in taken:
                        taken.add(v)
                        self.primal[v] = self.primal[m.out]

    def fresh(self, base: str) -> str:
        k = self._tried.get(base, 0)  # names only get taken: start after the last one tried
        candidate = f"{base}_{k}" if k else base
        while candidate in self.used:
            k += 1
            candidate = f"{base}_{k}"
        self._tried[base] = k
        self.used.add(candidate)
        return candidate

    def adjoint(self, v: Var | ListVar) -> str:
        if v not in self._adjoint:
            self._adjoint[v] = self.fresh(self.primal[v] + "_bar")
        return self._adjoint[v]

    def numpy(self) -> str:
        """The name generated code imports NumPy as (`np` unless the function uses that name)."""
        if self._numpy is None:
            self._numpy = self.fresh("np")
        return self._numpy

    def function(self, key: str) -> str:
        """The name generated code calls the rules row `key` by (allocated on first use).

        A NumPy row is called as an attribute of the NumPy module: `np.sin`.
        """
        if key not in self.functions:
            rule = RULES[key]
            if rule.module == "numpy":
                self.functions[key] = f"{self.numpy()}.{rule.name}"
                return self.functions[key]
            if rule.module == "builtins" and rule.name in self.user:  # shadowed builtin: use math's
                return self.function("fabs")
            self.functions[key] = rule.name if rule.module == "builtins" else self.fresh(rule.name)
        return self.functions[key]

    def imports(self) -> list[str]:
        """`from module import name [as alias]` lines, sorted, one per module."""
        by_module: dict[str, list[str]] = {}
        if self.builtins:
            by_module["builtins"] = [f"{b} as {alias}" for b, alias in self.builtins.items()]
        for key, alias in self.functions.items():
            rule = RULES[key]
            if rule.module in ("builtins", "numpy"):
                continue
            spelled = rule.name if alias == rule.name else f"{rule.name} as {alias}"
            by_module.setdefault(rule.module, []).append(spelled)
        lines = [f"from {m} import {', '.join(sorted(ns))}" for m, ns in sorted(by_module.items())]
        if self._numpy is not None:
            lines.insert(0, "import numpy" if self._numpy == "numpy" else f"import numpy as {self._numpy}")
        return lines


def primal_names(trace: Trace) -> dict:
    """Display names of the trace's variables (as `s2sad trace` prints them: one per SSA value)."""
    return Names(trace, merge_names=False).primal

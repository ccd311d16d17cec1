"""Deterministic, collision-free names for generated code.

Guarantees: the same trace always gets the same names; no two values share a
name; parameters keep their names; a user variable keeps its name at its first
definition; every other variable is `z<t>` for its position t in the trace (the
lecture's numbering); an adjoint is its primal's name plus `_bar`; the math
functions generated code calls are imported under their own names unless a
variable already has that name. A clash gets the first free `<name>_<k>`.

Before: `def f(x_bar, z1): y = sin(x_bar) * z1; return y`
After:  x_bar -> x_bar, z1 -> z1, sin(x_bar) -> z1_1, y -> y,
        adjoints x_bar_bar, z1_bar, z1_1_bar, y_bar.
"""

from __future__ import annotations

from .rules import RULES
from .trace import Trace, Var


class Names:
    """The names of one generated module."""

    def __init__(self, trace: Trace):
        self.used: set[str] = {p.hint for p in trace.params if p.hint}
        self.used |= {op.out.hint for op in trace.ops if op.out.hint}
        self.primal: dict[Var, str] = {p: p.hint for p in trace.params if p.hint}
        first_use = set(self.primal.values())
        for t, op in enumerate(trace.ops, start=1):
            hint = op.out.hint
            if hint and hint not in first_use:
                first_use.add(hint)
                self.primal[op.out] = hint
            else:
                self.primal[op.out] = self.fresh(hint or f"z{t}")
        self._adjoint: dict[Var, str] = {}
        self.functions: dict[str, str] = {}  # rules key -> name in generated code

    def fresh(self, base: str) -> str:
        candidate, k = base, 0
        while candidate in self.used:
            k += 1
            candidate = f"{base}_{k}"
        self.used.add(candidate)
        return candidate

    def adjoint(self, v: Var) -> str:
        if v not in self._adjoint:
            self._adjoint[v] = self.fresh(self.primal[v] + "_bar")
        return self._adjoint[v]

    def function(self, key: str) -> str:
        """The name generated code calls the rules row `key` by (allocated on first use)."""
        if key not in self.functions:
            rule = RULES[key]
            if rule.module == "builtins" and rule.name in self.used:  # shadowed builtin: use math's
                return self.function("fabs")
            self.functions[key] = self.fresh(rule.name)
        return self.functions[key]

    def imports(self) -> list[str]:
        """`from module import name [as alias]` lines, sorted, one per module."""
        by_module: dict[str, list[str]] = {}
        for key, alias in self.functions.items():
            rule = RULES[key]
            if rule.module == "builtins":
                continue
            spelled = rule.name if alias == rule.name else f"{rule.name} as {alias}"
            by_module.setdefault(rule.module, []).append(spelled)
        return [f"from {m} import {', '.join(sorted(ns))}" for m, ns in sorted(by_module.items())]


def primal_names(trace: Trace) -> dict[Var, str]:
    """Display names of the trace's variables (as `s2sad trace` prints them)."""
    return Names(trace).primal

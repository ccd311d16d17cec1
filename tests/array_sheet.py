"""The array calculus sheet run as generated code runs it: helpers from their source text, options
filled in as literals. Shared by the tests of the sheet's rows and of programs built from them."""

from __future__ import annotations

import functools

import numpy as np

from s2sad.array_helper_text import HELPERS
from s2sad.array_rules import ARRAY_RULES, TUPLE_RESULTS, instantiate, option_literal

NS: dict = {"np": np}
for _src in HELPERS.values():
    exec(_src, NS)  # the text a generated module carries


def evaluate(template: str, values: dict, options: dict, key: str):
    options = {**ARRAY_RULES[key].options, **options}  # the defaults, as the emitter fills them in
    literals = tuple((k, option_literal(v)) for k, v in options.items())
    return eval(_compiled(template, literals), {**NS, **values})  # noqa: S307 - the sheet's own templates


@functools.lru_cache(maxsize=None)
def _compiled(template: str, literals: tuple):
    return compile(instantiate(template, dict(literals)), "<template>", "eval")


def forward(key: str, operands: tuple, options: dict):
    rule = ARRAY_RULES[key]
    return evaluate(rule.forward, dict(zip(rule.params, operands)), options, key)


def differentiable(key: str, z):
    """The part of the result the VJPs' g is the adjoint of."""
    return z[TUPLE_RESULTS[key]] if key in TUPLE_RESULTS else z


def vjps(key: str, operands: tuple, options: dict, g, z=None) -> list:
    rule = ARRAY_RULES[key]
    if z is None:
        z = forward(key, operands, options)
    values = {**dict(zip(rule.params, operands)), "g": g, "z": z}
    return [None if t is None else evaluate(t, values, options, key) for t in rule.vjps]

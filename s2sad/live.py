"""Is the live module still what its source says? The checks each runtime call makes.

Guarantees: `live_checks(module)` lists, for every module-level name a
derivation read (a folded constant, a data table, a helper, `math` or a name
imported from it, a math attribute, a builtin it called), what the source
says it is; `check_live(f, checks)` raises an `S2sadError` naming the first
that `f.__globals__` (or the math module) no longer matches: s2sad
differentiates the source, and never silently the live value.

Before: `K = 7.0` in the source, `mod.K = 8.0` after import.  After: `S2sadError: K is 8.0 in mod now, ...`.
"""

from __future__ import annotations

import builtins
import math
from typing import Any, Callable

from .errors import S2sadError
from .frontend import Elementary, Helper, MathConstant, MathModule, Module
from .rules import CONSTANTS

_MISSING = object()


def live_checks(module: Module) -> tuple[tuple[str, str, Any], ...]:
    """(name, kind, what the source says) for each module-level name a derivation read."""
    out: list[tuple[str, str, Any]] = []
    for name in sorted(module.read):
        if name.startswith("math."):
            attr = name[5:]
            out.append((attr, "math attribute", CONSTANTS.get(attr)))
            continue
        b = module.bindings.get(name)
        if name in module.folded:
            out.append((name, "constant", module.folded[name]))
        elif name in module.tables:
            out.append((name, "table", module.tables[name]))
        elif isinstance(b, Helper):
            d = b.node
            out.append((name, "function", d.decorator_list[0].lineno if d.decorator_list else d.lineno))
        elif isinstance(b, MathModule):
            out.append((name, "module", None))
        elif isinstance(b, (Elementary, MathConstant)) and name in module.sites.names:
            what = module.sites.names[name][0].what  # from math import sin [as s]
            if what.startswith("from math import "):
                out.append((name, "from math", what.split()[3]))
        elif b is None and hasattr(builtins, name):
            out.append((name, "builtin", None))
    return tuple(out)


def check_live(f: Callable[..., float], checks: tuple[tuple[str, str, Any], ...]) -> None:
    """Raise if f's globals (or the math module) no longer say what the source said when f was derived."""
    live = f.__globals__
    for name, kind, expected in checks:
        value = live.get(name, _MISSING)
        if kind == "constant":
            ok = type(value) in (int, float) and (value == expected or value != value and expected != expected) \
                and (value != 0 or math.copysign(1, value) == math.copysign(1, expected))
        elif kind == "function":
            code = getattr(value, "__code__", None)
            ok = code is not None and code.co_name == name and code.co_firstlineno == expected \
                and code.co_filename == f.__code__.co_filename
        elif kind == "table":  # a data table: the live value must equal the source's literal
            import numpy

            ok = value is not _MISSING and numpy.array_equal(numpy.asarray(value, dtype=float),
                                                             numpy.asarray(eval(expected, {"np": numpy}), dtype=float))  # noqa: S307
        elif kind == "module":
            ok = value is math
        elif kind == "from math":
            ok = value is getattr(math, expected, _MISSING)
        elif kind == "builtin":
            ok = value is _MISSING
        else:  # math.<attr>: math's own function or constant
            value = getattr(math, name, _MISSING)
            ok = value == expected if expected is not None else \
                type(value).__name__ == "builtin_function_or_method" and value.__name__ == name
            name = f"math.{name}"
        if not ok:
            shown = "not defined" if value is _MISSING else f"{value!r}"[:60]
            where = "the math module" if name.startswith("math.") else f.__module__
            raise S2sadError(
                f"{name} is {shown} in {where} now, not what its source says"
                + (f" ({expected!r})" if kind == "constant" else "")
                + f"; s2sad derived {f.__name__} from the source: change the source (and reload), "
                "or pass the value as a parameter"
            )

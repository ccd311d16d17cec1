"""The helpers of generated array code as text: what a generated module includes, and what they read.

`HELPERS` maps each helper of `array_helpers.py` to its `def` as written there; `helpers_used(text)` is
every helper a piece of generated code needs (with the helpers those call), in that order; `SHAPE_ONLY`
says which arguments a helper reads only the shape of. At import, each helper is checked to be
standalone: it names only `np`, builtins, its own locals and other helpers.
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

from . import array_helpers


def _helpers() -> dict[str, str]:
    """The helpers (array_helpers.py's `_name` functions), name -> source text, in the order they are defined."""
    text = Path(array_helpers.__file__).read_text(encoding="utf-8")
    return {
        node.name: ast.get_source_segment(text, node) or ""
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef)
        and node.name.startswith("_")
    }


def _calls(source: str, names: dict[str, str]) -> list[str]:
    """The helpers named in `source`, in HELPERS order."""
    used = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    return [name for name in names if name in used]


HELPERS: dict[str, str] = _helpers()

# helper -> the positions of its arguments it reads only the shape of (what need not be kept for it)
SHAPE_ONLY: dict[str, tuple[int, ...]] = {
    "_unbroadcast": (1,),
    "_zeros_like_float": (0,),
    "_axes": (0,),
    "_expand_reduced": (1,),
    "_count": (0,),
    "_cumsum_back": (1,),
    "_trace_back": (1,),
    "_diff_back": (1,),
    "_split_like": (1,),
    "_getitem_back": (1,),
}

# name -> the helpers its body calls (itself excluded)
_DEPENDS: dict[str, list[str]] = {
    name: [c for c in _calls(src, HELPERS) if c != name] for name, src in HELPERS.items()
}


def _check_standalone() -> None:
    """Each helper names only np, builtins, its own parameters and locals, and other helpers."""
    for name, src in HELPERS.items():
        tree = ast.parse(src)
        local = {
            a.arg
            for n in ast.walk(tree)
            if isinstance(n, ast.arguments)
            for a in n.args + n.kwonlyargs + ([n.vararg] if n.vararg else [])
        }
        local |= {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        for n in ast.walk(tree):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                if (
                    n.id not in local
                    and n.id != "np"
                    and n.id not in HELPERS
                    and not hasattr(builtins, n.id)
                ):
                    raise ValueError(
                        f"helper {name} names {n.id!r}, which a generated module does not define"
                    )


_check_standalone()


def helpers_used(expr_text: str) -> list[str]:
    """Every helper `expr_text` (an expression or code) needs, with those they call, in HELPERS order."""
    need: set[str] = set()
    todo = _calls(expr_text, HELPERS)
    while todo:
        name = todo.pop()
        if name not in need:
            need.add(name)
            todo.extend(_DEPENDS[name])
    return [name for name in HELPERS if name in need]

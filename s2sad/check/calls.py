"""Checking calls and attributes: math and NumPy functions, array methods, builtins, helpers.

Guarantees: a call names a row of the rules table, a NumPy function of the subset, an array method,
a supported builtin or a helper of the module, with the right number of arguments.
"""

from __future__ import annotations

import ast
import builtins

from .. import numpy_names
from ..frontend import (
    Binding,
    Elementary,
    Foreign,
    Helper,
    MathConstant,
    MathModule,
    ModuleConstant,
    NumpyModule,
    NumpyName,
    Opaque,
    math_binding,
)
from ..hints import (
    MATH_HINT,
    MATH_INSTEAD,
    SCALAR_CODE,
    library,
    missing_math,
    rule_hint,
)
from ..rules import LINEAR, RULES
from .common import _BUILTINS, _math_name


class Calls:
    """Calls and attributes (a mixin of `_FunctionChecker`)."""

    def attribute(self, e: ast.Attribute, called: bool, n_args: int | None = None) -> str | None:
        """Check `m.name`; returns the rules key it names when it is a math function."""
        if isinstance(e.value, ast.Name) and e.value.id in self.rejected:
            return None  # bound by a construct already reported
        base = e.value
        while isinstance(base, ast.Attribute):
            base = base.value
        b = self.module.resolve(base.id) if isinstance(base, ast.Name) and base.id not in self.locals else None
        if isinstance(b, NumpyModule):
            if not self.rebound(base, base.id):
                path = ".".join(p for p in (b.path, numpy_names.attribute_path(e)) if p)
                if called and not numpy_names.known(path):
                    self.bad(e, *numpy_names.unsupported(path, ast.unparse(e)))
                elif not called:
                    self.numpy_value(e, path, ast.unparse(e))
            return None
        table = isinstance(e.value, ast.Name) and e.value.id not in self.locals and isinstance(
            self.module.resolve(e.value.id), ModuleConstant) and numpy_names.is_table(
            self.module.resolve(e.value.id).node, self.numpy_modules())  # type: ignore[union-attr]
        if called and e.attr == "index" and isinstance(e.value, ast.Name) and e.value.id in self.locals:
            return None  # xs.index(v) of a list (lowering refuses it of an array)
        if self.numpy and (table or not (isinstance(e.value, ast.Name) and e.value.id not in self.locals)):
            # an array's method or attribute: x.sum(axis=0), x.T, (a @ b).shape
            self.expr(e.value)
            wanted = numpy_names.METHODS if called else numpy_names.ATTRIBUTES
            if e.attr not in wanted:
                what = "method" if called else "attribute"
                self.bad(e, f"the array {what} .{e.attr} is not supported",
                         "supported: " + ", ".join(f".{m}" + ("()" if called else "") for m in sorted(wanted)))
            return None
        if isinstance(e.value, ast.Name) and e.value.id not in self.locals:
            b = self.module.resolve(e.value.id)
            if self.rebound(e.value, e.value.id, builtin=b is None):
                return None
            if isinstance(b, MathModule):
                self.module.read.add("math." + e.attr)
                self.math_patched(e, e.attr)
                mb = math_binding(e.attr)
                if isinstance(mb, MathConstant) and not called:
                    return None
                if isinstance(mb, Elementary) and called:
                    return mb.key
                what = "function" if called else "value"
                if called and mb is None:
                    self.bad(e, *missing_math(e.attr))
                else:
                    self.bad(e, f"math.{e.attr} is not a supported {what}", MATH_HINT)
                return None
            if isinstance(b, Foreign) and f"{b.qualname}.{e.attr}" in RULES:
                if called:
                    return f"{b.qualname}.{e.attr}"
            if isinstance(b, Foreign):
                lib = library(b.qualname)
                same = math_binding(e.attr)
                if (isinstance(same, Elementary) and called) or (isinstance(same, MathConstant) and not called):
                    hint = f"use math.{e.attr}"
                elif lib:
                    hint = SCALAR_CODE
                else:
                    rule = rule_hint(e.attr, n_args)
                    hint = (f"import the function by name (from {b.qualname} import {e.attr}) and declare its "
                            f"derivative: {rule}") if rule else "define the function in this module with def"
                where = f"{lib}, which s2sad does not support yet" if lib else \
                    f"{b.qualname}, which s2sad does not differentiate"
                self.bad(e, f"{ast.unparse(e)} comes from {where}", hint)
                return None
        self.bad(e, f"attribute access {ast.unparse(e)} is not supported", MATH_HINT)
        return None

    def call(self, e: ast.Call) -> None:
        numpy_call = False  # a NumPy function or an array method: keyword options allowed
        key: str | None = None
        label = ast.unparse(e.func)
        helper: ast.FunctionDef | None = None
        if isinstance(e.func, ast.Name) and e.func.id in _BUILTINS and e.func.id not in self.locals \
                and self.module.resolve(e.func.id) is None:
            if e.func.id in self.assigned_later:  # a local throughout the function, as Python reads it
                self.bad(e.func, f"{label} is a local variable of {self.node.name} (assigned later), so Python does "
                         "not call the builtin here", f"give the variable another name than {label}")
            self.rebound(e.func, e.func.id, builtin=True)
            counted = e.func.id == "len" and len(e.args) == 1 and isinstance(e.args[0], ast.Call) \
                and isinstance(e.args[0].func, ast.Name) and e.args[0].func.id == "range" and not e.args[0].keywords \
                and "range" not in self.locals and self.module.resolve("range") is None
            if counted:
                self.rebound(e.args[0].func, "range", builtin=True)
            for a in e.args[0].args if counted else e.args:  # len(range(a, b, c)): a trip count
                self.expr(a)
            if e.keywords:
                self.bad(e, f"keyword arguments of {label} are not supported", "pass arguments by position")
            if e.func.id == "range":
                self.bad(e, "range is supported only as the iterable of a for loop", "write for i in range(n)")
            return
        if isinstance(e.func, ast.Name) and e.func.id in self.rejected:
            pass  # bound by a construct already reported
        elif isinstance(e.func, ast.Name) and e.func.id not in self.locals \
                and isinstance(self.module.resolve(e.func.id), NumpyName):
            path = self.module.resolve(e.func.id).path  # type: ignore[union-attr]
            if not self.rebound(e.func, e.func.id) and not numpy_names.known(path):
                self.bad(e.func, *numpy_names.unsupported(path, label))
            numpy_call = True
        elif isinstance(e.func, ast.Name) and e.func.id not in self.locals:
            b = self.module.resolve(e.func.id)
            if e.func.id in self.assigned_later:  # Python makes it a local throughout the function
                self.bad(e.func, f"{label} is a local variable of {self.node.name} (assigned later), not a function",
                         f"give the variable another name than {label}")
                b = None
            elif self.rebound(e.func, e.func.id, builtin=e.func.id not in self.module.bindings):
                b = None
                key = None
            if e.func.id in self.assigned_later:
                pass
            elif isinstance(b, Elementary):
                key = b.key
                self.math_patched(e.func, _math_name(self.module, e.func.id))
            elif isinstance(b, Helper):
                helper = b.node
            elif e.func.id in self.reported:
                pass
            else:
                self.unknown_function(e, label, b)
        elif isinstance(e.func, ast.Attribute):
            key = self.attribute(e.func, called=True, n_args=len(e.args))
            numpy_call = self.numpy and key is None
        else:
            self.bad(e.func, f"{label} is not callable here", "call a math function")
        for a in e.args:
            if isinstance(a, ast.Starred):
                self.bad(a, "*arguments are not supported", "pass each argument on its own")
            else:
                self.expr(a)
        for kw in e.keywords:
            if (helper is None and not numpy_call) or kw.arg is None:
                self.bad(kw, f"keyword arguments are not supported for {label}", "pass arguments by position")
            self.expr(kw.value)
        if key is not None:
            self.arity(e, key, label)
        if helper is not None:
            self.helper_call(e, helper)

    def star_imported(self, e: ast.AST, n: str) -> None:
        """An unknown name in a module with `from X import *`: it may come from there, unread."""
        src, line = self.module.star_imports[0]
        lib = library(src)
        self.bad(e, f"{n} is not defined here; `from {src} import *` (line {line}) may define it, but s2sad reads "
                 "no star import" + (f", and {lib} is not supported yet" if lib else ""),
                 SCALAR_CODE if lib else f"import it by name: from {src} import {n}")

    def unknown_function(self, e: ast.Call, label: str, b: Binding | None) -> None:
        if isinstance(b, Foreign) and library(b.qualname):
            self.bad(e.func, f"{label} comes from {library(b.qualname)}, which s2sad does not support yet",
                     SCALAR_CODE)
        elif isinstance(b, Foreign) and b.qualname.startswith("math."):
            self.bad(e.func, *missing_math(b.qualname[5:]))
        elif isinstance(b, Opaque):
            self.bad(e.func, f"{label} is {b.why}", "call a function defined with def at module level")
        elif b is None and hasattr(builtins, label):
            self.bad(e.func, f"the builtin {label} is not supported", MATH_INSTEAD.get(label, MATH_HINT))
        elif b is None and self.module.star_imports:
            self.star_imported(e.func, label)
        elif isinstance(b, Foreign) or b is None:
            rule = rule_hint(label, len(e.args))
            declare = f", or declare its derivative in this module: {rule}" if rule else \
                " (derivative rules take one or two arguments)"
            self.bad(e.func, f"s2sad has no derivative rule for {label}",
                     f"use a math function, define {label} in this module with def{declare}")
        else:
            self.bad(e.func, f"{label} is not a function", "call a math function")

    def arity(self, e: ast.Call, key: str, label: str) -> None:
        n = len(e.args)
        if key == "log":
            ok = n in (1, 2)
            want = "1 or 2"
        elif key in LINEAR:
            ok, want = n == 1, "1"
        else:
            want_n = RULES[key].arity
            ok, want = n == want_n, str(want_n)
            if key == "hypot" and n > 2:
                self.bad(e, "hypot with more than 2 arguments is not supported", "nest it: hypot(hypot(a, b), c)")
                return
        if not ok:
            self.bad(e, f"{label} takes {want} argument(s), got {n}", f"call {label} with {want} argument(s)")

    def helper_call(self, e: ast.Call, helper: ast.FunctionDef) -> None:
        params = [a.arg for a in helper.args.posonlyargs + helper.args.args]
        n_default = len(helper.args.defaults)
        given = len(e.args)
        names = [kw.arg for kw in e.keywords]
        problems = []
        if given > len(params):
            problems.append(f"takes {len(params)} argument(s), got {given}")
        positional_only = {a.arg for a in helper.args.posonlyargs}
        for n in names:
            if n in positional_only:
                problems.append(f"got positional-only parameter {n} by keyword")
            elif n not in params:
                problems.append(f"has no parameter {n}")
            elif params.index(n) < given:
                problems.append(f"got {n} twice")
        missing = [p for i, p in enumerate(params[: len(params) - n_default]) if i >= given and p not in names]
        if missing:
            problems.append(f"is missing {', '.join(missing)}")
        if problems:
            self.bad(e, f"{helper.name} {'; '.join(problems)}", f"call it as {helper.name}({', '.join(params)})")
        self.helper_calls.append((e, helper))

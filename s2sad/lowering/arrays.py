"""Lowering of array code: NumPy calls, array arithmetic, indexing, methods and attributes.

Guarantees: in a function that uses a parameter as an array
(`is_array_program`), every value that may be an array is a variable of kind
"array" (an array of any shape, a scalar included), made by one `ArrayOp` per
NumPy operation, in the order Python evaluates them, with nothing folded or
reassociated (so the value is the source's, bit for bit). Inactive array
values (creation, shapes, boolean masks) are `Compute` ops. A value known to
be a scalar (a full reduction, a float) keeps kind "float" and the scalar
rules. NumPy ufuncs on scalars in any function are rows of the rules table
("numpy.sin"). Options (`axis=`, `keepdims=`) must be constants.

Before: `np.sum((x[1:] - x[:-1] ** 2) ** 2)`.  After:
`z1 = x[1:]; z2 = x[:-1]; z3 = z2**2; z4 = z1 - z3; z5 = z4**2; z6 = np.sum(z5)`.
"""

from __future__ import annotations

import ast

from .. import numpy_names as npn
from ..frontend import NumpyModule, NumpyName
from ..trace import ArgRef, ArrayOp, Compute, If, ListVar, Op, Var, walk

# reductions that give a scalar when no axis is given
_SCALAR_WITHOUT_AXIS = frozenset({"sum", "mean", "prod", "max", "min", "amax", "amin", "linalg.norm"})
_SCALAR = frozenset({"vdot"})  # det and trace of a stack of matrices are arrays
_INTS = {"shape": "_0.shape", "size": "_0.size", "ndim": "_0.ndim"}
# ops whose result may share memory with their first operand (NumPy returns views)
_VIEWS = frozenset({"getitem", "asarray", "transpose", "reshape", "ravel", "squeeze", "expand_dims", "broadcast_to",
                    "swapaxes", "moveaxis", "flip"})
_FRESH = frozenset({"copy", "array_copy", "positive"})
_VARIADIC = frozenset({"concatenate", "stack", "hstack", "vstack"})
_METHOD_ROWS = {"flatten": "ravel", "max": "max", "min": "min"}


def is_array_program(fn: ast.FunctionDef, module) -> bool:
    """Does the function use a value as an array (beyond NumPy's scalar math)?"""
    numpy = {n for n, b in module.bindings.items() if isinstance(b, (NumpyModule, NumpyName))}
    if not numpy:
        return False
    for node in ast.walk(fn):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            return True
        if isinstance(node, ast.Subscript):
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if isinstance(node.slice, ast.Tuple) or any(isinstance(p, ast.Slice) for p in parts):
                return True
        if isinstance(node, ast.Attribute) and not npn.is_numpy_value(node, numpy) \
                and node.attr in npn.ATTRIBUTES | npn.METHODS:
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("sum", "len") \
                and node.args and not isinstance(node.args[0], ast.Name) and node.func.id not in module.bindings:
            return True  # sum(x ** 2): a whole-array expression
        if isinstance(node, ast.Call):
            path = _numpy_path(node.func, module, numpy)
            if path is not None and path not in npn.UFUNCS and path not in npn.OPERATOR_UFUNCS:
                return True
    return False


def _numpy_path(f: ast.expr, module, numpy: set[str]) -> str | None:
    base = f
    while isinstance(base, ast.Attribute):
        base = base.value
    if not isinstance(base, ast.Name) or base.id not in numpy:
        return None
    b = module.bindings[base.id]
    if isinstance(b, NumpyName):
        return b.path if base is f else None
    return ".".join(p for p in (b.path, npn.attribute_path(f)) if p)


class ArrayLowering:
    """The array half of `_Lowering` (a mixin: it uses the lowering's emit, value, fail, env)."""

    def numpy_path(self, f: ast.expr, env: dict) -> str | None:
        """`np.linalg.norm` -> "linalg.norm"; None when f is not NumPy's."""
        base = f
        while isinstance(base, ast.Attribute):
            base = base.value
        if not isinstance(base, ast.Name) or base.id in env:
            return None
        b = self.module.resolve(base.id)
        if isinstance(b, NumpyName):
            return b.path if base is f else None
        if isinstance(b, NumpyModule):
            return ".".join(p for p in (b.path, npn.attribute_path(f)) if p)
        return None

    def is_array(self, v: object) -> bool:
        return isinstance(v, Var) and v.kind == "array"

    # --- operators ---------------------------------------------------------------------------

    def array_arith(self, node: ast.AST, op: ast.operator, a, b):
        """a <op> b where either may be an array."""
        x, y = self.materialize(a), self.materialize(b)
        name = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide", ast.Pow: "power",
                ast.MatMult: "matmul"}.get(type(op))
        if name is None:
            raise self.fail(node, f"the {type(op).__name__} operator is not supported on arrays",
                            "use + - * / ** and @")
        if name == "matmul":
            return self.array_op(ArrayOp("matmul", (x, y)), "array")
        return self.array_op(ArrayOp(name, (x, y)), "array")

    def array_negative(self, v):
        return self.array_op(ArrayOp("negative", (self.materialize(v),)), "array")

    def array_op(self, e: ArrayOp, kind: str) -> Var:
        if e.fn in _FRESH:  # each copy is an array of its own: two equal copies are two arrays
            out = self.var(None, kind)
            self.items.append(Op(out, e, self.line))
            return out
        out = self.emit(e, None, kind)
        if e.fn in _VIEWS and isinstance(e.args[0], Var):  # shares its memory with its operand (may)
            self.may_share(out, (e.args[0],))
        return out

    def own_array(self, v: object, name: str, start: int) -> object:
        """`name = <expression>` where v came out equal to a value made before (lowering shares equal
        values: `-W` twice is one op). NumPy makes a new array at each evaluation, so a name changed in
        place later gets a copy of its own; a view keeps sharing, as in NumPy."""
        if not (isinstance(v, Var) and v.kind == "array" and name in self.changed_in_place):
            return v
        here = list(walk(tuple(self.items[start:])))
        made_here = {i.out for i in here if isinstance(i, Op)} | {m.out for i in here if isinstance(i, If)
                                                                 for m in i.merges}
        if v in made_here:
            merge = next((m for i in here if isinstance(i, If) for m in i.merges if m.out == v), None)
            if merge is None or not any(isinstance(a, Var) and a.kind == "array" and a not in made_here
                                        for a in (merge.then, merge.orelse)):
                return v  # made by this statement, in each arm of a branch too: an array of its own (and a
                # float arm has no .copy())
        made = next((i for i in reversed(self.items[:start]) if isinstance(i, Op) and i.out == v), None)
        if made is not None and isinstance(made.expr, ArrayOp) and made.expr.fn in _VIEWS:
            return v
        # a parameter, or a branch's merge of one, may be a Python float, which has no .copy(): +a is a new
        # array of an array, and a itself of a float
        return self.array_op(ArrayOp("copy" if made is not None else "positive", (v,)), "array")

    def may_share(self, v: Var, others) -> None:
        """Record that array v may be (a view of) one of `others`: a view, a merge, a loop's carried value."""
        if isinstance(v, Var) and v.kind == "array":
            found = tuple(o for o in others if isinstance(o, Var) and o.kind == "array" and o != v)
            if found:
                self.views[v] = self.views.get(v, ()) + found

    def shared(self, v: Var) -> set:
        """The arrays whose memory v may be (through views, merges and loops), itself included."""
        seen, todo = set(), [v]
        while todo:
            w = todo.pop()
            if w not in seen:
                seen.add(w)
                todo.extend(self.views.get(w, ()))
        return seen

    def check_in_place(self, name: str, node: ast.AST, env: dict) -> None:
        """An update in place must change only this name's array: s2sad makes it a new value of the name,
        so another name still reading the same memory (an alias, a view) would read the old value where
        NumPy reads the new one. (A parameter changed in place stays unchanged for the caller of the
        generated code, which never changes its arguments.)"""
        roots = self.shared(env[name])
        later = self.names_read_later(node)
        for other, w in env.items():
            if other != name and other in later and isinstance(w, Var) and w.kind == "array" \
                    and self.shared(w) & roots:
                raise self.fail(node, f"{name} and {other} share one array (an alias or a view): changing {name} in "
                                f"place would change {other} too", f"copy it first: {name} = {name}.copy()")

    def names_read_later(self, node: ast.AST) -> set[str]:
        """Names the function reads after this statement (anywhere in it, inside a loop)."""
        line = getattr(node, "lineno", 0)
        return {n for at, n in self.reads if at > line or self.loops}

    # --- calls ---------------------------------------------------------------------------------

    def numpy_call(self, e: ast.Call, path: str, env: dict):
        if path in npn.CREATION or path in _INTS:
            return self.inactive(e, env, "int" if path in ("size", "ndim") else "array")
        if path in npn.UFUNCS and e.keywords:
            raise self.fail(e, f"keyword arguments of np.{path} are not supported", "pass arguments by position")
        options = self.options(e, env)
        if path in ("array", "asarray", "copy") and len(e.args) == 1:
            return self.array_of(e.args[0], env, copy=path != "asarray")
        if path == "einsum" and e.args and isinstance(e.args[0], ast.Constant) and isinstance(e.args[0].value, str):
            options["subscripts"] = e.args[0].value
            arrays = [self.materialize(self.value(a, env)) for a in e.args[1:]]
            if "->" not in options["subscripts"] or "..." in options["subscripts"]:
                raise self.fail(e.args[0], "np.einsum needs explicit output subscripts ('ij,jk->ik'), no ellipsis",
                                "write the output after ->")
            if len(arrays) > 2:  # one contraction of all operands, as NumPy computes it
                return self.array_op(ArrayOp("einsum_n", tuple(arrays), (("subscripts", options["subscripts"]),)),
                                     "array")
            return self.sheet_op(e, "einsum" if len(arrays) == 2 else "einsum/1", arrays, options)
        if path in _VARIADIC:
            if not e.args or not isinstance(e.args[0], (ast.Tuple, ast.List)):
                raise self.fail(e, f"np.{path} needs a tuple or list of arrays written out",
                                f"write np.{path}((a, b, ...))")
            arrays = [self.materialize(self.value(a, env)) for a in e.args[0].elts]
            self.positional_options(e, path, e.args[1:], options, env)
            return self.sheet_op(e, path, arrays, options, variadic=True)
        from ..array_rules import ARRAY_RULES

        row = ARRAY_RULES.get(path)
        arrays = len(row.params) if row is not None and path not in npn.UFUNCS and path not in npn.OPERATOR_UFUNCS \
            else len(e.args)
        args = [self.materialize(self.value(a, env)) for a in e.args[:arrays]]  # the rest: options
        if path in npn.OPERATOR_UFUNCS:
            if options:
                raise self.fail(e, f"options of np.{path} are not supported", "write the operator")
            if path == "negative":
                return self.array_negative(args[0]) if self.is_array(args[0]) else self.mul(-1, args[0])
            if path == "positive":
                return args[0]
            return self.arith(e, npn.OPERATOR_UFUNCS[path](), args[0], args[1])
        if path in npn.UFUNCS:
            key = f"numpy.{path}"
            if options:
                raise self.fail(e, f"keyword arguments of np.{path} are not supported", "pass arguments by position")
            if any(self.is_array(a) for a in args):
                return self.array_op(ArrayOp(key, tuple(args)), "array")
            return self.elementary(e, key, args)
        if row is not None and len(e.args) > len(row.params):  # np.sum(x, 0), np.clip(x, 0, 1): options by position
            self.positional_options(e, path, e.args[len(row.params):], options, env)
        return self.sheet_op(e, path, args, options)

    def positional_options(self, e: ast.Call, path: str, nodes: list, options: dict, env: dict) -> None:
        from ..array_rules import ARRAY_RULES

        names = list(ARRAY_RULES[path].options)
        if len(nodes) > len(names):
            raise self.fail(e, f"np.{path} takes at most {len(names)} option(s) after its arrays",
                            f"its options: {', '.join(names) or 'none'}")
        for name, node in zip(names, nodes):
            options[name] = self.option_value(node, name, env)

    def sheet_op(self, e: ast.AST, path: str, args: list, options: dict, variadic: bool = False):
        """A row of the array sheet (reductions, products, structure, piecewise, linear algebra)."""
        from ..array_rules import ARRAY_RULES

        row = ARRAY_RULES.get(path)
        if row is None or path in ("getitem", "setitem"):
            raise self.fail(e, f"np.{path} is not supported on arrays", npn.unsupported(path, path)[1])
        missing = [k for k, v in row.options.items() if repr(v) == "REQUIRED" and k not in options]
        if missing:
            raise self.fail(e, f"np.{path} needs its {missing[0]} here", f"give {missing[0]} as a constant")
        unknown = set(options) - set(row.options)
        if unknown:
            raise self.fail(e, f"np.{path} has no option {sorted(unknown)[0]} here",
                            f"its options: {', '.join(row.options) or 'none'}")
        if not variadic and len(args) != len(row.params):
            raise self.fail(e, f"np.{path} takes {len(row.params)} array argument(s) here, got {len(args)}",
                            f"call it as np.{path}({', '.join(row.params)})")
        scalar = path in _SCALAR or (path in _SCALAR_WITHOUT_AXIS and options.get("axis") is None
                                     and not options.get("keepdims"))
        args = list(args)

        def refs(v: object) -> object:  # run-time option values become operands after the arrays
            if isinstance(v, Var):
                args.append(v)
                return ArgRef(len(args) - 1)
            return tuple(refs(x) for x in v) if isinstance(v, tuple) else v

        options = {k: refs(v) for k, v in options.items()}
        return self.array_op(ArrayOp(path, tuple(args), tuple(sorted(options.items()))),
                             "float" if scalar else "array")

    def options(self, e: ast.Call, env: dict) -> dict:
        """Keyword options, which must be constants (ints, tuples of ints, bools, None, strings)."""
        return {kw.arg: self.option_value(kw.value, kw.arg, env) for kw in e.keywords}

    def option_value(self, node: ast.expr, name: str, env: dict) -> object:
        try:
            return ast.literal_eval(node)
        except ValueError:
            pass
        if isinstance(node, ast.Tuple):
            return tuple(self.option_value(x, name, env) for x in node.elts)
        v = self.materialize(self.value(node, env))
        if isinstance(v, Var) and name == "shape" and v.kind in ("int", "shape"):
            return v  # a shape computed from other shapes: an operand of the op
        if isinstance(v, Var):
            raise self.fail(node, f"the option {name}= must be a constant",
                            "write the number (or tuple of numbers) in the call")
        return v

    def inactive(self, e: ast.expr, env: dict, kind: str):
        """A value that carries no derivative (creation, shapes): computed as written from its operands."""
        operands: list = []

        def hole(node: ast.expr) -> ast.expr:
            if isinstance(node, ast.Constant):
                return node
            if isinstance(node, (ast.Tuple, ast.List)):
                return type(node)([hole(x) for x in node.elts], ast.Load())
            if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
                return node
            v = self.materialize(self.value(node, env))
            if not isinstance(v, Var):
                return ast.Constant(v)
            operands.append(v)
            return ast.Name(f"_{len(operands) - 1}", ast.Load())

        call = e if isinstance(e, ast.Call) else None
        assert call is not None
        path = self.numpy_path(call.func, env)
        template = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), path, ast.Load()) if path else call.func,
                            [hole(a) for a in call.args], [ast.keyword(k.arg, hole(k.value)) for k in call.keywords])
        expr = Compute(ast.unparse(template), tuple(operands))
        if kind != "array":
            return self.emit(expr, None, kind)
        out = self.var(None, kind)  # each call makes an array of its own: two equal calls are two arrays
        self.items.append(Op(out, expr, self.line))
        return out

    def array_of(self, node: ast.expr, env: dict, copy: bool = True):
        """np.array(...) / np.asarray(...): of a list display of numbers, or of an array (the same values)."""
        if isinstance(node, ast.List):
            if any(isinstance(x, (ast.List, ast.Tuple)) for x in node.elts):
                return self.inactive(ast.Call(ast.Attribute(ast.Name("np"), "array"), [node], []), env, "array")
            elements = tuple(self.materialize(self.value(x, env)) for x in node.elts)
            return self.array_op(ArrayOp("array", elements), "array")
        v = self.value(node, env)
        if self.is_array(v):  # a list given for an array parameter becomes an array here, as in the source
            return self.array_op(ArrayOp("array_copy" if copy else "asarray", (v,)), "array")
        return self.materialize(v)

    def method_call(self, e: ast.Call, env: dict):
        """x.sum(axis=0), x.reshape(m, n), x.copy(), ..."""
        f = e.func
        assert isinstance(f, ast.Attribute)
        x = self.materialize(self.value(f.value, env))
        options = self.options(e, env)
        if f.attr == "copy":
            return self.array_op(ArrayOp("copy", (x,)), "array")
        if f.attr == "reshape":
            shape = tuple(ast.literal_eval(a) for a in e.args) if e.args else ()
            if len(shape) == 1 and isinstance(shape[0], tuple):
                shape = shape[0]
            return self.sheet_op(e, "reshape", [x], {"shape": shape, **options})
        if f.attr == "transpose":
            if e.args:
                options["axes"] = tuple(ast.literal_eval(a) for a in e.args)
            return self.sheet_op(e, "transpose", [x], options)
        if f.attr == "clip":
            args = [ast.literal_eval(a) for a in e.args]
            return self.sheet_op(e, "clip", [x], {**dict(zip(("a_min", "a_max"), args)), **options})
        args = [self.materialize(self.value(a, env)) for a in e.args]
        if f.attr == "dot":
            return self.sheet_op(e, "dot", [x, *args], options)
        return self.sheet_op(e, _METHOD_ROWS.get(f.attr, f.attr), [x, *args], options)

    def array_attribute(self, e: ast.Attribute, env: dict):
        x = self.materialize(self.value(e.value, env))
        if e.attr == "T":
            return self.sheet_op(e, "transpose", [x], {})
        return self.emit(Compute(_INTS[e.attr], (x,)), None, "shape" if e.attr == "shape" else "int")

    # --- indexing ------------------------------------------------------------------------------

    def array_index(self, base, index: ast.expr, env: dict) -> tuple[str, tuple]:
        """The index of `base[index]` as a template over _1, _2, ... and its operands."""
        operands: list = []

        def part(node: ast.expr) -> str:
            if node is None:
                return ""
            if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, int)):
                return repr(node.value)
            if isinstance(node, ast.Slice):
                text = f"{part(node.lower)}:{part(node.upper)}"
                return text + (f":{part(node.step)}" if node.step is not None else "")
            if isinstance(node, ast.Attribute) and self.numpy_path(node, env) == npn.NEWAXIS:
                return "None"
            v = self.materialize(self.value(node, env))
            if isinstance(v, int) and not isinstance(v, bool):
                return repr(v)
            if not isinstance(v, Var) or v.kind == "float":
                raise self.fail(node, "an index must be an integer (or an array of integers)",
                                "compute indices from loop counters, len() and integer parameters")
            operands.append(v)
            return f"_{len(operands)}"

        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        text = ", ".join(part(p) for p in parts) + ("," if isinstance(index, ast.Tuple) and len(parts) == 1 else "")
        return text, tuple(operands)

    def array_subscript(self, e: ast.Subscript, env: dict):
        x = self.materialize(self.value(e.value, env))
        if isinstance(x, Var) and x.kind == "shape":
            text, operands = self.array_index(x, e.slice, env)
            return self.emit(Compute(f"_0[{text}]", (x, *operands)), None, "int")
        if not self.is_array(x):
            raise self.fail(e.value, f"{ast.unparse(e.value)} is not an array", "index arrays and lists only")
        text, operands = self.array_index(x, e.slice, env)
        return self.array_op(ArrayOp("getitem", (x, *operands), (("index", text),)), "array")

    def array_store(self, t: ast.Subscript, value, env: dict, op: ast.operator | None = None) -> None:
        """a[index] = value (or a[index] += value): a new array value bound to the name a."""
        if not isinstance(t.value, ast.Name) or not self.is_array(env.get(t.value.id)):
            raise self.fail(t.value, f"{ast.unparse(t.value)} is not an array of this function",
                            "assign into arrays created in the function: a = np.zeros(n), then a[i] = ...")
        name = t.value.id
        a = env[name]
        self.check_in_place(name, t, env)
        text, operands = self.array_index(a, t.slice, env)
        v = self.materialize(value)
        if op is not None:
            old = self.array_op(ArrayOp("getitem", (a, *operands), (("index", text),)), "array")
            v = self.materialize(self.array_arith(t, op, old, v))
        # the index's operands follow the array and the value; its template still counts them from _1
        env[name] = self.array_op(ArrayOp("setitem", (a, v, *operands), (("index", text),)), "array")

    def unpack_shape(self, targets: list[ast.expr], value, env: dict) -> None:
        """m, n = x.shape."""
        for k, t in enumerate(targets):
            if not isinstance(t, ast.Name):
                raise self.fail(t, "unpack a shape into names", "write m, n = x.shape")
            env[t.id] = self.emit(Compute(f"_0[{k}]", (value,)), t.id, "int")

    def is_list(self, v) -> bool:
        return isinstance(v, ListVar)

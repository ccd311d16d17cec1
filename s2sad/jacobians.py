"""The runtime API beyond the gradient, with JAX's names: JVPs, VJPs, Jacobians, Hessians.

Guarantees: every derivative here is computed by generated code (`<f>_jvp`
from forward mode, `<f>_grad` / `<f>_vjp` from reverse mode; `vjp` and
`jacrev` of a vector function call `f` itself for the value), cached per
function and `wrt` as `grad` is. Arguments are checked against how `f` uses
its parameters (a list, a number) and tangents against their primals. Second
derivatives are in `hessians.py`.

Shapes follow JAX's pytree convention, with floats and lists for scalars and
vectors: a Jacobian has the structure of the output, each leaf replaced by the
structure of the differentiated parameters (one parameter: its block alone,
several: a tuple of blocks); the block of output o and parameter p is a float
(both scalars), a list (one of them a list) or a list of rows (both lists, a
row per entry of o).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .api import Derivative, derive
from .trace import ListVar
from .errors import S2sadError
from .gradcheck import with_defaults
from .wrt import Wrt

def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], wrt: Wrt = None) -> tuple[Any, Any]:
    """(f(*primals), the derivative of f along `tangents`): one tangent per differentiated parameter
    (a float, or a list for a list parameter). Forward mode: no tape, one sweep."""
    d = derive(f, wrt)
    args = _checked(d, with_defaults(f, tuple(primals), "jvp"), "jvp")
    tangents = tuple(tangents)
    if len(tangents) != len(d.wrt):
        raise S2sadError(f"jvp: {len(d.wrt)} tangent(s) expected (one per differentiated parameter: "
                         f"{', '.join(p.hint for p in d.wrt)}), got {len(tangents)}")
    tangents = tuple(_tangent_like(t, args[d.trace.params.index(p)], p.hint, "jvp")
                     for t, p in zip(tangents, d.wrt))
    return d.jvp(*args, *tangents)  # type: ignore[no-any-return]


def _checked(d: Derivative, args: tuple, what: str) -> tuple:
    """The arguments, each of the kind its parameter is used as: a list parameter's argument (a list, a tuple
    or a 1-D array) as a list; a number for a parameter used as a number (else an error saying so)."""
    if _array_program(d):
        return args
    reaching = d.reaching
    out = list(args)
    for k, (p, a) in enumerate(zip(d.trace.params, args)):
        if p not in reaching:
            continue
        sequence = isinstance(a, (list, tuple)) or (hasattr(a, "shape") and len(getattr(a, "shape", ())) > 0)
        if isinstance(p, ListVar):
            if not sequence:
                raise S2sadError(f"{what}: {d.trace.name} uses {p.hint} as a list; got {type(a).__name__}")
            out[k] = list(a)  # its items as they are (a float32 array's stay float32: the value is f's)
        elif sequence:
            advice = f"annotate it, {p.hint}: list" if isinstance(a, (list, tuple)) else \
                "an array is an array only to an array program: one that calls np.sum, @, x.shape, ..."
            raise S2sadError(f"{what}: {d.trace.name} uses {p.hint} as a number, but it was given a "
                             f"{type(a).__name__} (a parameter only passed on or returned, never indexed, is a "
                             f"number to s2sad: {advice})")
    return tuple(out)


def _tangent_like(t: Any, arg: Any, name: str | None, what: str) -> Any:
    """A tangent checked against its primal: a number for a number, a list of its length for a list, an
    array of its shape for an array (JAX's jvp asks the same)."""
    import numpy as np

    if isinstance(arg, list):
        if not isinstance(t, (list, tuple)) and not (hasattr(t, "shape") and np.ndim(t) == 1):
            raise S2sadError(f"{what}: the tangent of {name} must be a list of {len(arg)}, not {type(t).__name__}")
        if len(t) != len(arg):
            raise S2sadError(f"{what}: the tangent of {name} has {len(t)} entries, {name} has {len(arg)}")
        return [float(v) for v in t]
    if np.shape(t) != np.shape(arg) and not (np.ndim(arg) == 0 and np.ndim(t) == 0):
        raise S2sadError(f"{what}: the tangent of {name} has shape {np.shape(t)}, {name} has {np.shape(arg)}")
    return t


def vjp(f: Callable[..., Any], *primals: Any, wrt: Wrt = None) -> tuple[Any, Callable[[Any], tuple]]:
    """(f(*primals), vjp_fn): vjp_fn(out_bar) is the tuple of cotangents out_bar^T J, one per
    differentiated parameter, as JAX's `vjp` returns them."""
    d = derive(f, wrt)
    args = _checked(d, with_defaults(f, primals, "vjp"), "vjp")
    several = len(d.wrt) > 1
    if _array_program(d):
        out = f(*args)
        if _ndim(out) > 0:  # an array result: the VJP of <out_bar, f>
            value_and_vjp = d.array_vjp

            def array_vjp(out_bar: Any) -> tuple:
                import numpy as np

                if np.shape(out_bar) != np.shape(out):
                    raise S2sadError(f"vjp: the cotangent has shape {np.shape(out_bar)}, the output "
                                     f"{np.shape(out)}")
                cts = value_and_vjp(*args, np.asarray(out_bar, dtype=float))[1]
                return tuple(cts) if several else (cts,)

            return out, array_vjp
    if d.trace_is_vector:
        out = f(*args)

        def vector_vjp(out_bar: Any) -> tuple:
            cts = d.grad(*args, _flat_cotangent(out, out_bar))
            return tuple(cts) if several else (cts,)

        return out, vector_vjp
    out, g = d.value_and_grad(*args)
    grads = tuple(g) if several else (g,)

    def scalar_vjp(out_bar: Any) -> tuple:
        return tuple(_scaled(x, out_bar) for x in grads)

    return out, scalar_vjp


def jacfwd(f: Callable[..., Any], wrt: Wrt = None) -> Callable[..., Any]:
    """The Jacobian by forward mode: one JVP per scalar entry of the differentiated parameters."""
    def jacobian_fn(*args: Any) -> Any:
        d = derive(f, wrt)
        full = _checked(d, with_defaults(f, args, "jacfwd"), "jacfwd")
        if _array_program(d):
            return _array_columns(lambda tangents: d.jvp(*full, *tangents), full, _positions(d))
        return _by_columns(lambda tangents: d.jvp(*full, *tangents), full, _positions(d))
    return jacobian_fn


def jacrev(f: Callable[..., Any], wrt: Wrt = None) -> Callable[..., Any]:
    """The Jacobian by reverse mode: one VJP per scalar entry of the output."""
    def jacobian_fn(*args: Any) -> Any:
        d = derive(f, wrt)
        full = _checked(d, with_defaults(f, args, "jacrev"), "jacrev")
        positions = _positions(d)
        if _array_program(d):
            out = f(*full)
            if _ndim(out) > 0:
                return _array_rows(d, full, positions, out)
        if not d.trace_is_vector:
            value, g = d.value_and_grad(*full)
            return _structure(value, [g] if len(positions) == 1 else list(g), positions, full, rows=True)
        out = f(*full)
        flat = _flatten(out)
        rows = []
        for k in range(len(flat)):
            unit = [0.0] * len(flat)
            unit[k] = 1.0
            rows.append(d.grad(*full, unit))
        return _assemble(out, rows, positions, full, rows_are_outputs=True)
    return jacobian_fn


def jacobian(f: Callable[..., Any], wrt: Wrt = None) -> Callable[..., Any]:
    """The Jacobian, by forward mode when the differentiated parameters have fewer scalar entries
    than the output, else by reverse mode (the cheaper of the two)."""
    forward, reverse = jacfwd(f, wrt), jacrev(f, wrt)

    def jacobian_fn(*args: Any) -> Any:
        d = derive(f, wrt)
        full = _checked(d, with_defaults(f, args, "jacobian"), "jacobian")
        inputs = sum(_size(full[i]) for i in _positions(d))
        if _array_program(d):
            import numpy as np

            inputs = sum(int(np.size(full[i])) for i in _positions(d))
            outputs = int(np.size(f(*full)))
            if inputs < outputs:
                try:
                    return forward(*args)
                except S2sadError as exc:  # an op forward mode refuses: reverse mode takes it
                    if "forward mode of np." not in str(exc):
                        raise
            return reverse(*args)
        if not d.trace_is_vector:
            return reverse(*args)
        outputs = len(_flatten(f(*full)))
        return forward(*args) if inputs < outputs else reverse(*args)
    return jacobian_fn


# --- shapes ------------------------------------------------------------------------


def _array_program(d: Derivative) -> bool:
    return any(getattr(p, "kind", None) == "array" for p in d.trace.params)


def _ndim(x: Any) -> int:
    return len(getattr(x, "shape", ())) if not isinstance(x, (int, float)) else 0


def _one_hot(args: tuple, positions: list[int], j: int, index: tuple) -> tuple:
    """Zero tangents of the parameters' shapes (floats, lists, arrays), 1.0 at `index` of parameter j."""
    import numpy as np

    out = []
    for k, i in enumerate(positions):
        shape = np.shape(args[i])
        t = np.zeros(shape)
        if k == j:
            t[index] = 1.0
        out.append(float(t) if not shape else t.tolist() if isinstance(args[i], list) else t)
    return tuple(out)


def _array_columns(jvp_fn: Callable[[tuple], tuple[Any, Any]], args: tuple, positions: list[int]) -> Any:
    """An array program's Jacobian by forward mode: per parameter, an array of shape out + parameter."""
    import numpy as np

    blocks = []
    for j, i in enumerate(positions):
        shape = np.shape(args[i])
        value, columns = None, []
        for index in np.ndindex(shape):
            value, dot = jvp_fn(_one_hot(args, positions, j, index))
            columns.append(np.asarray(dot, dtype=float))
        out_shape = np.shape(value) if value is not None else np.shape(jvp_fn(_one_hot(args, positions, j, ()))[0])
        block = np.stack(columns, axis=-1).reshape(out_shape + shape) if columns else np.zeros(out_shape + shape)
        blocks.append(float(block) if block.ndim == 0 else block)
    return blocks[0] if len(blocks) == 1 else tuple(blocks)


def _array_rows(d: Derivative, args: tuple, positions: list[int], out: Any) -> Any:
    """An array program's Jacobian of an array result by reverse mode: one VJP per entry of the result."""
    import numpy as np

    value_and_vjp = d.array_vjp
    out = np.asarray(out)
    blocks = [np.zeros(out.shape + np.shape(args[i])) for i in positions]
    for index in np.ndindex(out.shape):
        unit = np.zeros(out.shape)
        unit[index] = 1.0
        cts = value_and_vjp(*args, unit)[1]
        cts = cts if len(positions) > 1 else (cts,)
        for b, ct in zip(blocks, cts):
            b[index] = np.asarray(ct, dtype=float)
    return blocks[0] if len(blocks) == 1 else tuple(blocks)


def _positions(d: Derivative) -> list[int]:
    return [d.trace.params.index(p) for p in d.wrt]


def _size(x: Any) -> int:
    """How many scalar entries x has (a NumPy scalar or a 0-d array is one)."""
    if isinstance(x, (list, tuple)):
        return len(x)
    return int(getattr(x, "size", 1)) if len(getattr(x, "shape", ())) else 1


def _flatten(out: Any) -> list[float]:
    if isinstance(out, tuple):
        return [v for item in out for v in _flatten(item)]
    if isinstance(out, list) or len(getattr(out, "shape", ())) > 0:
        return [float(v) for v in (out.ravel() if hasattr(out, "ravel") else out)]
    return [out]


def _flat_cotangent(out: Any, out_bar: Any) -> list[float]:
    """out_bar, of the output's structure, as the flat list the generated VJP reads."""
    flat = _flatten(out_bar) if isinstance(out_bar, (tuple, list)) else [out_bar]
    if len(flat) != len(_flatten(out)):
        raise S2sadError(f"vjp: the cotangent has {len(flat)} entries, the output {len(_flatten(out))}")
    return flat


def _scaled(x: Any, c: Any) -> Any:
    return [c * v for v in x] if isinstance(x, list) else c * x


def _by_columns(jvp_fn: Callable[[tuple], tuple[Any, Any]], args: tuple, positions: list[int]) -> Any:
    """The Jacobian from one JVP per scalar entry of the parameters at `positions`."""
    zero = [[0.0] * len(args[i]) if isinstance(args[i], list) else 0.0 for i in positions]
    columns = []
    value = None
    for j, i in enumerate(positions):
        for k in range(_size(args[i]) if isinstance(args[i], list) else 1):
            tangents = [list(z) if isinstance(z, list) else z for z in zero]
            if isinstance(args[i], list):
                tangents[j][k] = 1.0  # type: ignore[index]
            else:
                tangents[j] = 1.0
            value, dot = jvp_fn(tuple(tangents))
            columns.append(dot)
    if not columns:  # no entries to move (empty lists): the output's structure, with empty blocks
        value = jvp_fn(tuple(list(z) if isinstance(z, list) else z for z in zero))[0]
    return _assemble(value, columns, positions, args, rows_are_outputs=False)


def _assemble(out: Any, vectors: list[Any], positions: list[int], args: tuple, rows_are_outputs: bool) -> Any:
    """Blocks d out_item / d param, from JVP columns (each of the output's structure) or from VJP rows
    (each a cotangent per parameter: a tuple if several)."""
    if rows_are_outputs:
        per_param = [[row if len(positions) == 1 else row[j] for row in vectors] for j in range(len(positions))]
        items = _items(out)
        blocks = []
        start = 0
        for item in items:
            n = len(item) if isinstance(item, list) else 1
            row_block = []
            for j, i in enumerate(positions):
                rows = per_param[j][start:start + n]
                row_block.append(rows[0] if not isinstance(item, list) else [list(r) if isinstance(r, list) else r
                                                                             for r in rows])
            blocks.append(row_block[0] if len(positions) == 1 else tuple(row_block))
            start += n
        return _shaped(out, blocks)
    # columns: split by parameter, then per output item
    blocks = []
    for idx, item in enumerate(_items(out)):
        per_param = []
        start = 0
        for i in positions:
            n = len(args[i]) if isinstance(args[i], list) else 1
            cols = [_items(c)[idx] for c in vectors[start:start + n]]
            start += n
            if not isinstance(args[i], list):
                per_param.append(cols[0])
            elif isinstance(item, list):
                per_param.append([[float(c[r]) for c in cols] for r in range(len(item))])
            else:
                per_param.append(list(cols))
        blocks.append(per_param[0] if len(positions) == 1 else tuple(per_param))
    return _shaped(out, blocks)


def _items(out: Any) -> list[Any]:
    return list(out) if isinstance(out, tuple) else [out]


def _shaped(out: Any, blocks: list[Any]) -> Any:
    return tuple(blocks) if isinstance(out, tuple) else blocks[0]


def _structure(value: Any, grads: list[Any], positions: list[int], args: tuple, rows: bool) -> Any:
    """A scalar function's Jacobian: its gradient, a float or list per parameter."""
    del value, args, rows
    blocks = [list(g) if isinstance(g, list) else g for g in grads]
    return blocks[0] if len(positions) == 1 else tuple(blocks)

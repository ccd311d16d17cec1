"""The runtime second derivatives, `hessian` and `hvp`, by closure over generated code.

Guarantees: nothing here differentiates anything itself. For scalar and list
programs, the text of the generated `<f>_grad` is read back as a function of the
supported subset and differentiated in forward mode (forward over reverse): the
code `s2sad gen --order 2` also writes. For array programs, whose generated
gradients call helpers outside the subset, the text of the generated `<f>_jvp`
is read back instead, narrowed to its tangent (`<f>_along`), and differentiated
in reverse mode (reverse over forward): the gradient of `<f>_along` at (x, v) is
the Hessian times v. Either is derived once per function and `wrt`, and cached.

Shapes follow JAX's `hessian`: one differentiated parameter gives its block
alone, several a tuple of rows of blocks. The block of parameters p and q is a
float (both scalars), a list (one a list) or a list of rows; in an array
program, an array of shape p.shape + q.shape (a float when both are scalars).
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

from .api import Derivative, derive
from .errors import S2sadError
from .gradcheck import with_defaults
from .jacobians import _array_program, _by_columns, _checked, _one_hot, _positions, _tangent_like
from .tangent.second import gradient_derivation, tangent_derivation
from .wrt import Wrt

# a derivation -> the derivation of its generated code read back (as long as the derivation is cached)
_SECOND_ORDER: weakref.WeakKeyDictionary[Derivative, Derivative] = weakref.WeakKeyDictionary()


def hessian(f: Callable[..., Any], wrt: Wrt = None) -> Callable[..., Any]:
    """The Hessian of a scalar f: forward over reverse (reverse over forward for array programs)."""
    def hessian_fn(*args: Any) -> Any:
        d, d2 = derive(f, wrt), second_order(f, wrt)
        full = _checked(d, with_defaults(f, args, "hessian"), "hessian")  # as f uses them (its gradient may not)
        if _array_program(d):
            return _array_hessian(_array_product(f, d2), full, _positions(d))
        return _by_columns(lambda tangents: d2.jvp(*full, *tangents), full, _positions(d2))
    return hessian_fn


def hvp(f: Callable[..., Any], wrt: Wrt = None) -> Callable[..., Any]:
    """hvp(f)(x..., v...): the Hessian of f times v (one v per differentiated parameter), at about the
    cost of a few gradients."""
    d = derive(f, wrt)
    d2 = second_order(f, wrt)  # derived once, here, as `grad` derives when it is called
    n = len(d2.wrt)
    arrays = _array_program(d)
    # forward over reverse: the tangent of f_grad; reverse over forward: the gradient of f_along
    product = _array_product(f, d2) if arrays else (lambda *a: d2.jvp(*a)[1])
    full = len(d2.trace.params) + (n if not arrays else 0)

    def hvp_fn(*args: Any) -> Any:
        if len(args) == full:  # every argument given: straight to the generated code
            return product(*args)
        if len(args) < n:
            raise S2sadError(f"hvp: give the point and then {n} vector(s), one per differentiated parameter")
        point = _checked(d, with_defaults(f, args[: len(args) - n], "hvp"), "hvp")
        v = [_tangent_like(t, point[d2.trace.params.index(p)], p.hint, "hvp") for t, p in zip(args[len(args) - n:], d2.wrt)]
        return product(*point, *v)
    return hvp_fn


def second_order(f: Callable[..., Any], wrt: Wrt = None) -> Derivative:
    """The derivation of f's generated `<f>_grad` read back from its text (of `<f>_along`, the tangent of
    `<f>_jvp`, for array programs): higher order by closure."""
    d = derive(f, wrt)
    found = _SECOND_ORDER.get(d)
    if found is None:
        found = _SECOND_ORDER[d] = tangent_derivation(d) if _array_program(d) else gradient_derivation(d)
    return found


def _array_product(f: Callable[..., Any], d2: Derivative) -> Callable[..., Any]:
    """An array program's Hessian times v: the gradient of `<f>_along` at (args..., v...) (read back as an
    array program, so every parameter's product has its shape), whose error for an array result names f."""
    grad, name = d2.grad, getattr(f, "__name__", "f")

    def product(*args: Any) -> Any:
        try:
            return grad(*args)
        except ValueError as exc:
            if "not a scalar" not in str(exc):
                raise
            raise S2sadError(f"{name}: {exc}; second derivatives are of scalar functions "
                             "(differentiate one output, or a sum)") from None
    return product


def _array_hessian(product: Callable[..., Any], args: tuple, positions: list[int]) -> Any:
    """An array program's Hessian: one Hessian-vector product `product(args..., v...)` (a gradient of
    `<f>_along`) per scalar entry of the differentiated parameters, each a column of that parameter's blocks."""
    import numpy as np

    shapes = [np.shape(args[i]) for i in positions]
    blocks = [[np.zeros(p + q) for q in shapes] for p in shapes]
    for j, shape in enumerate(shapes):
        for index in np.ndindex(shape):
            columns = product(*args, *_one_hot(args, positions, j, index))
            for i, column in enumerate(columns if len(positions) > 1 else (columns,)):
                blocks[i][j][(Ellipsis,) + index] = np.asarray(column, dtype=float)
    rows = [tuple(float(b) if b.ndim == 0 else b for b in row) for row in blocks]
    return rows[0][0] if len(positions) == 1 else tuple(rows)

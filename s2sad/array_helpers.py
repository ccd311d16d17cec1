"""Small functions that generated array code calls, kept as source text for it to include.

A template of the array calculus sheet (`array_rules.py`) may call a helper `_name(...)`; a generated
module then carries the helper's `def` verbatim (`array_helper_text.HELPERS[name]`), together with the
helpers it calls (`helpers_used`). Every `_name` function of this module is a helper: nothing else is
defined here. So each helper is standalone (it names only `np`, builtins and other helpers),
short, and correct for every shape its operands may have: shapes are not known when code is generated.

Helpers never divide by an operand's values where a zero is legal, return `g` itself when no work is
needed, and may return read-only views (of `g` or a broadcast): accumulate with `a_bar = a_bar + v`,
or copy before updating in place.
"""

from __future__ import annotations

try:  # the helpers run in generated modules and tests, which have NumPy; this module's text does not need it
    import numpy as np
except ImportError:  # pragma: no cover
    np = None


def _unbroadcast(g, x):
    """Sum g over the axes broadcasting added or stretched, so the result has the shape of x."""
    if type(g) is np.ndarray and type(x) is np.ndarray and g.shape == x.shape:
        return g  # the common case, fast
    shape = np.shape(x)
    if np.shape(g) == shape:
        return g
    if not shape:
        return float(np.sum(g))
    g = np.broadcast_to(g, np.broadcast_shapes(np.shape(g), shape))  # a zero adjoint may be 0.0
    lead = np.ndim(g) - len(shape)
    big = np.shape(g)[lead:]
    stretched = tuple(i + lead for i, n in enumerate(shape) if n == 1 and big[i] != 1)
    return np.reshape(np.sum(g, axis=tuple(range(lead)) + stretched, keepdims=True), shape)


def _broadcast_like(t, z):
    """t, a tangent, broadcast to the shape of z (an operand that broadcasting stretched).

    Straight-line code, so that s2sad reads forward-mode code back."""
    return t + np.zeros_like(z)


def _zeros_like_float(x):
    """Zeros of the shape of x, float64 (the adjoint of an operand nothing reads)."""
    return np.zeros(np.shape(x))


def _axes(x, axis):
    """The axes of x that `axis` names (None: all; an int or a tuple, negative from the end)."""
    if axis is None:
        return tuple(range(np.ndim(x)))
    return tuple(a % np.ndim(x) for a in ((axis,) if isinstance(axis, int) else axis))


def _expand_reduced(g, x, axis, keepdims):
    """g, the adjoint of a reduction of x over `axis`, with the reduced axes back as 1s."""
    if keepdims or axis is None:  # already in place, or a scalar
        return g
    return np.expand_dims(g, axis)


def _count(x, axis):
    """How many entries of x a reduction over `axis` combines into each result, as a NumPy float:
    dividing by a count of zero (a mean of nothing) gives inf or nan as NumPy does, not an error."""
    if axis is None:
        return np.float64(np.size(x))
    n = 1
    for a in _axes(x, axis):
        n *= np.shape(x)[a]
    return np.float64(n)


def _inverse_axes(axes, ndim):
    """The axes that undo np.transpose(_, axes) on `ndim` axes (None: a reversal undoes itself)."""
    if axes is None:
        return None
    inverse = [0] * ndim
    for i, a in enumerate(axes):
        inverse[a % ndim] = i
    return tuple(inverse)


def _prod_others(x, axis):
    """Each entry of x replaced by the product of the others in its reduction over `axis`.

    The product of the entries before it times that of those after it (cumulative products both
    ways), never prod / x: exact at zeros.
    """
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return np.zeros(x.shape)
    axes = _axes(x, axis)
    order = [a for a in range(x.ndim) if a not in axes] + list(axes)
    moved = np.transpose(x, order)
    flat = np.reshape(moved, moved.shape[: x.ndim - len(axes)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,))
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    rest = np.flip(flat[..., 1:], axis=-1)
    after = np.flip(np.cumprod(np.concatenate([ones, rest], axis=-1), axis=-1), axis=-1)
    return np.transpose(np.reshape(before * after, moved.shape), _inverse_axes(order, x.ndim))


def _choose_back(g, x, z, axis, keepdims):
    """Adjoint of max or min of x over `axis`: g shared equally among the entries equal to z."""
    hit = x == _expand_reduced(z, x, axis, keepdims)
    return _expand_reduced(g, x, axis, keepdims) * hit / np.sum(hit, axis=axis, keepdims=True)


def _cumsum_back(g, x, axis):
    """Adjoint of np.cumsum(x, axis): cumulative sums of g from the end (None: x was flattened)."""
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(g))), np.shape(x))
    return np.flip(np.cumsum(np.flip(g, axis=axis), axis=axis), axis=axis)


def _diff_back(g, x, n, axis):
    """Adjoint of np.diff(x, n, axis): n times, left minus right neighbour of g."""
    if np.shape(g)[axis] == 0:  # n >= the length: the result is empty and x's adjoint is zero
        return np.zeros(np.shape(x))
    for _ in range(n):
        shape = list(np.shape(g))
        shape[axis] = 1
        zero = np.zeros(shape)
        g = np.concatenate([zero, g], axis=axis) - np.concatenate([g, zero], axis=axis)
    return g


def _trace_back(g, x, offset):
    """Adjoint of np.trace(x, offset): g on the offset diagonal of x's first two axes, else 0."""
    eye = np.eye(np.shape(x)[0], np.shape(x)[1], k=offset)
    return np.expand_dims(eye, tuple(range(2, np.ndim(x)))) * g


def _dot_back(g, a, b, which):
    """Adjoint of operand `which` (0: a, 1: b) of np.dot(a, b), for every rank dot accepts."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:  # dot is then a product, scalar times array
        other = b if which == 0 else a
        mine = a if which == 0 else b
        return _unbroadcast(g * other, mine)
    k = max(np.ndim(b) - 2, 0)  # the axis of b that dot sums over, with the last axis of a
    if which == 0:  # sum g times b over b's other axes: a's leading axes, then the summed one
        others = [i for i in range(np.ndim(b)) if i != k]
        return np.tensordot(g, b, axes=(list(range(np.ndim(a) - 1, np.ndim(g))), others))
    # sum a times g over a's leading axes, then put the summed axis at k
    lead = list(range(np.ndim(a) - 1))
    return np.moveaxis(np.tensordot(a, g, axes=(lead, lead)), 0, k)


def _matmul_back(g, a, b, which):
    """Adjoint of operand `which` (0: a, 1: b) of a @ b: vectors, matrices, broadcast stacks."""
    if type(a) is np.ndarray and type(b) is np.ndarray:  # the common case, fast
        ranks = (a.ndim, b.ndim)
    else:
        ranks = (np.ndim(a), np.ndim(b))
    if ranks == (2, 1):  # matrix times vector, the commonest: no reshaping
        return np.outer(g, b) if which == 0 else np.matmul(g, a)
    if ranks == (2, 2):
        return np.matmul(g, np.transpose(b)) if which == 0 else np.matmul(np.transpose(a), g)
    # numpy's rule: a vector is a row for a and a column for b, then that axis goes
    a2 = np.expand_dims(a, 0) if np.ndim(a) == 1 else a
    b2 = np.expand_dims(b, -1) if np.ndim(b) == 1 else b
    g2 = np.expand_dims(g, -1) if np.ndim(b) == 1 else g  # the axes the result lost, back as 1s
    g2 = np.expand_dims(g2, -2) if np.ndim(a) == 1 else g2
    if which == 0:
        out = _unbroadcast(np.matmul(g2, np.swapaxes(b2, -1, -2)), a2)
        return np.reshape(out, np.shape(a))
    out = _unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g2), b2)
    return np.reshape(out, np.shape(b))


def _unbroadcast_sum(gs, x):
    """The sum over steps of _unbroadcast(g, x) for g in gs: one sum of the stacked steps when
    they share a shape."""
    if not gs:
        return 0.0
    shape = np.shape(gs[0])
    if all(type(g) is np.ndarray and g.shape == shape for g in gs):
        return _unbroadcast(np.sum(np.array(gs), axis=0), x)
    return sum(_unbroadcast(g, x) for g in gs)


def _matmul_back_sum(gs, m, vs, which):
    """The sum over steps of the adjoint of the fixed operand m (0: m @ v, 1: v @ m), g and v
    from the lists gs and vs: for a matrix m and vectors, one product of the stacked steps."""
    if not gs:
        return 0.0
    if np.ndim(gs[0]) == 1 and np.ndim(vs[0]) == 1 and np.ndim(m) == 2:
        first, second = (gs, vs) if which == 0 else (vs, gs)
        return np.matmul(np.transpose(np.array(first)), np.array(second))
    if which == 0:
        return sum(_matmul_back(g, m, v, 0) for g, v in zip(gs, vs))
    return sum(_matmul_back(g, v, m, 1) for g, v in zip(gs, vs))


def _inner_back(g, a, b, which):
    """Adjoint of operand `which` (0: a, 1: b) of np.inner(a, b), a sum over both last axes."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return _dot_back(g, a, b, which)
    if which == 0:  # g's trailing axes are b's leading ones
        n = np.ndim(b) - 1
        return np.tensordot(g, b, axes=(list(range(np.ndim(g) - n, np.ndim(g))), list(range(n))))
    n = np.ndim(a) - 1  # g's leading axes are a's leading ones
    return np.tensordot(g, a, axes=(list(range(n)), list(range(n))))


def _einsum_back(subscripts, which, g, *operands):
    """Adjoint of operand `which` of np.einsum(subscripts, *operands), subscripts with "->".

    The einsum of g with the other operands onto the operand's distinct indices, broadcast over
    indices only it has (summed in the forward), on the diagonals its repeated indices ("ii") read.
    """
    inputs, output = subscripts.replace(" ", "").split("->")
    specs = inputs.split(",")
    target = specs[which]
    others = [output] + specs[:which] + specs[which + 1 :]
    letters = "".join(dict.fromkeys(target))  # distinct, in order of first appearance
    kept = "".join(c for c in letters if c in "".join(others))
    r = np.einsum(",".join(others) + "->" + kept, g, *operands[:which], *operands[which + 1 :])
    shape = np.shape(operands[which])
    first = [target.index(c) == i and c in kept for i, c in enumerate(target)]
    r = np.broadcast_to(np.reshape(r, [n if f else 1 for n, f in zip(shape, first)]), shape)
    for i, c in enumerate(target):
        j = target.index(c)
        if j != i:  # a repeated index: only its diagonal with the first occurrence is read
            eye = np.eye(shape[i])
            r = r * np.reshape(eye, [shape[i] if k in (i, j) else 1 for k in range(len(shape))])
    return r


def _split_like(g, xs, axis, ndmin=0):
    """Cut g along `axis` into pieces as long as the operands xs, each in its operand's shape.

    The adjoint of concatenate (axis None: the operands were flattened), of hstack (ndmin 1) and
    vstack (ndmin 2), which first give each operand that many axes (leading 1s).
    """
    if axis is None:
        lengths = [np.size(x) for x in xs]
        axis = 0
    else:
        axis = axis % np.ndim(g)
        lengths = [((1,) * max(ndmin - np.ndim(x), 0) + np.shape(x))[axis] for x in xs]
    pieces, start = [], 0
    for x, n in zip(xs, lengths):
        piece = g[(slice(None),) * axis + (slice(start, start + n),)]
        pieces.append(np.reshape(piece, np.shape(x)))
        start += n
    return tuple(pieces)


def _unstack(g, axis):
    """The slices of g along `axis`, as a tuple of views (the adjoint of np.stack)."""
    return tuple(np.moveaxis(g, axis, 0))


def _scatter_add(acc, index, g):
    """acc[index] += g in place (also where an integer array names an entry twice); returns acc."""
    if type(index) is int or type(index) is slice:  # the common cases, fast
        acc[index] += g
        return acc
    parts = index if isinstance(index, tuple) else (index,)
    if any(np.ndim(i) > 0 and np.asarray(i).dtype != bool for i in parts):
        np.add.at(acc, index, g)
    else:
        acc[index] += g
    return acc


def _getitem_back(g, x, index):
    """Adjoint of x[index]: g added into zeros of x's shape at index (see _scatter_add)."""
    out = np.zeros(x.shape if type(x) is np.ndarray else np.shape(x))
    if type(index) is int or type(index) is slice:  # names each entry once: assign, not add
        out[index] = g
        return out
    return _scatter_add(out, index, g)


def _setitem(x, index, v):
    """A float64 copy of x with x[index] = v: assignment as a function, the old x unchanged."""
    out = np.array(x, dtype=float)
    out[index] = v
    return out


def _clip_inside(x, a_min, a_max):
    """1.0 where a_min <= x <= a_max (None: no bound), else 0.0: where clip passes x through."""
    inside = np.ones(np.shape(x))
    if a_min is not None:
        inside = inside * (x >= a_min)
    if a_max is not None:
        inside = inside * (x <= a_max)
    return inside


def _solve_back_a(g, a, z):
    """Adjoint of a in z = np.linalg.solve(a, b): -solve(a.T, g) z.T (outer product for 1-D b)."""
    gb = np.linalg.solve(np.swapaxes(a, -1, -2), g)
    if np.ndim(z) == 1:
        return -np.expand_dims(gb, -1) * np.expand_dims(z, 0)
    return _unbroadcast(-np.matmul(gb, np.swapaxes(z, -1, -2)), a)  # a may broadcast over b's stack


def _det_back(g, a):
    """Adjoint of np.linalg.det(a): g times the cofactor matrix of a.

    From the SVD a = u diag(s) vh, the cofactors are det(u) det(vh) u diag(products of the other
    s) vh: no inverse, so they are right at a singular a too (where z a^-T is undefined).
    """
    u, s, vh = np.linalg.svd(a)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    cofactors = np.matmul(u * np.expand_dims(_prod_others(s, -1), -2), vh)
    return np.expand_dims(np.asarray(g * sign), (-1, -2)) * cofactors


def _slogdet_back(g, a):
    """Adjoint of log|det a|, np.linalg.slogdet(a)[1]: g times the inverse of a, transposed."""
    return np.expand_dims(np.asarray(g), (-1, -2)) * np.swapaxes(np.linalg.inv(a), -1, -2)


def _cholesky_back(g, z):
    """Adjoint of a in z = np.linalg.cholesky(a), by Murray (2016), with solves, no inverse.

    P is the lower triangle of z.T tril(g) with its diagonal halved, and S = z^-T P z^-1. NumPy
    reads only the lower triangle of a: its adjoint is tril(S + S.T) with S's own diagonal, 0 above.
    """
    p = np.tril(np.matmul(np.swapaxes(z, -1, -2), np.tril(g)))
    p = p - 0.5 * p * np.eye(np.shape(z)[-1])
    zt = np.swapaxes(z, -1, -2)
    s = np.swapaxes(np.linalg.solve(zt, np.swapaxes(np.linalg.solve(zt, p), -1, -2)), -1, -2)
    return np.tril(s + np.swapaxes(s, -1, -2)) - s * np.eye(np.shape(z)[-1])


def _norm_back(g, x, z, ord, axis, keepdims):
    """Adjoint of np.linalg.norm(x, ord, axis, keepdims): vector norms and the Frobenius norm.

    ord None, 2, "fro", 1, inf, -inf, 0 or p >= 1; at a zero vector the adjoint is 0 (a
    subgradient); ties of the inf (-inf) norm share g equally.
    """
    pair = np.ndim(axis) == 1 and len(axis) == 2
    matrix = pair or (axis is None and ord is not None and np.ndim(x) == 2)
    if matrix and ord not in (None, "fro"):
        raise ValueError(f"the adjoint of the matrix norm ord={ord!r} is not supported")
    gx = _expand_reduced(g, x, axis, keepdims)
    zx = _expand_reduced(z, x, axis, keepdims)
    if ord == 0:  # counts nonzero entries: piecewise constant
        return np.zeros(np.shape(x))
    if ord == 1:
        return gx * np.sign(x)
    if ord in (np.inf, -np.inf):  # shared equally among the entries whose |x| is the max (min)
        hit = np.abs(x) == zx
        return gx * np.sign(x) * hit / np.sum(hit, axis=axis, keepdims=True)
    safe = np.where(zx == 0, 1.0, zx)  # a zero norm: x is 0 there, and so is its adjoint
    if ord in (None, 2, "fro"):
        return gx * x / safe
    return gx * np.sign(x) * (np.abs(x) / safe) ** (ord - 1)


def _adjoint_of(g, z):
    """g, the adjoint of z, with z's shape (a zero adjoint may be the scalar 0.0)."""
    if type(g) is np.ndarray and type(z) is np.ndarray and g.shape == z.shape:
        return g  # the common case, fast
    if np.shape(g) == np.shape(z):
        return g
    return np.broadcast_to(g, np.shape(z))


def _apart(*grads):
    """The gradients, none sharing memory with another (one array can be the adjoint of two)."""
    out = []
    for g in grads:
        if type(g) is np.ndarray and any(np.may_share_memory(g, h) for h in out):
            g = g.copy()
        out.append(g)
    return tuple(out)


def _as_gradient(g, x):
    """The gradient of a parameter x: float64 of x's shape (a float for a scalar), not a view."""
    if type(g) is np.ndarray and type(x) is np.ndarray and g.shape == x.shape:
        if g.dtype == np.float64 and g.flags.writeable:
            return g  # the common case, fast
    if not np.shape(x) and not isinstance(x, np.ndarray):  # a float parameter has a float gradient
        return float(g)
    exact = type(g) is np.ndarray and g.dtype == np.float64 and g.flags.writeable
    if exact and g.shape == np.shape(x):
        return g
    return np.array(np.broadcast_to(g, np.shape(x)), dtype=float)


def _scalar(z):
    """The function's value, which must be a scalar: a gradient is of a scalar function."""
    if np.ndim(z) != 0:
        raise ValueError(f"the function returned an array of shape {np.shape(z)}, not a scalar")
    return z


def _scalar_seed(g, z):
    """The adjoint of the returned value z: g, once z is known to be a scalar."""
    _scalar(z)
    return g

"""Forward mode, vector outputs and second derivatives, against the 50-digit mpmath oracle.

Every catalogue function (straight-line and control flow) is checked for its
JVP along a fixed direction (value bit for bit, derivative against the
oracle's gradient dotted with the direction) and its Hessian by forward over
reverse (against mpmath's second derivatives, symmetric); vector functions
for their Jacobians both ways; random programs for the dot-product identity.
"""

import os
import random

import catalogue
import catalogue_flow
import catalogue_vector
import pytest
from conftest import import_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpmath import mp
from oracle import gradient_of, mp_namespace

import s2sad
from s2sad import S2sadError
from s2sad.hessians import second_order

HERE = os.path.dirname(__file__)
ORACLES = {m: mp_namespace(open(os.path.join(HERE, f"{m.__name__}.py")).read())
           for m in (catalogue, catalogue_flow, catalogue_vector)}
CASES = [(m, name, tuple(point)) for m in (catalogue, catalogue_flow) for name, points in m.CASES.items()
         for point in points]
IDS = [f"{name}-{k}" for k, (_, name, _) in enumerate(CASES)]


def _direction(point, seed=1):
    rng = random.Random(seed)
    return tuple([rng.uniform(-1, 1) for _ in a] if isinstance(a, list) else rng.uniform(-1, 1)
                 for a in point if not isinstance(a, int))


def _flat(x):
    if isinstance(x, (tuple, list)):
        return [v for item in x for v in _flat(item)]
    return [x]


def _close(got, want, scale, rel=1e-9):
    return abs(got - float(want)) <= rel * scale + 1e-12


@pytest.mark.parametrize("module,name,point", CASES, ids=IDS)
def test_jvp_against_the_oracle(module, name, point):
    f = getattr(module, name)
    v = _direction(point)
    value, along = s2sad.jvp(f, point, v)
    assert value == f(*point)  # the value is f's, bit for bit
    want = _flat(gradient_of(ORACLES[module][name], list(point)))
    dirs = _flat(v)
    exact = sum(w * t for w, t in zip(want, dirs))
    assert _close(along, exact, 1 + sum(abs(w * t) for w, t in zip(want, dirs))), (along, float(exact))
    assert isinstance(along, float)


def _oracle_hessian(fn, point):
    """Second derivatives at 50 digits over the flat float entries of the point (integers fixed)."""
    slots = [(i, None) if not isinstance(a, list) else (i, j) for i, a in enumerate(point) if not isinstance(a, int)
             for j in (range(len(a)) if isinstance(a, list) else [None])]
    base = [[mp.mpf(x) for x in a] if isinstance(a, list) else a if isinstance(a, int) else mp.mpf(a) for a in point]

    def at(values):
        args = [list(a) if isinstance(a, list) else a for a in base]
        for (i, j), x in zip(slots, values):
            if j is None:
                args[i] = x
            else:
                args[i][j] = x
        return fn(*args)

    x0 = [base[i] if j is None else base[i][j] for i, j in slots]
    n = len(slots)
    out = [[None] * n for _ in range(n)]
    for r in range(n):
        for c in range(r, n):
            order = [0] * n
            order[r] += 1
            order[c] += 1
            out[r][c] = out[c][r] = mp.diff(lambda *xs: at(xs), x0, tuple(order))
    return out


def _hessian_rows(h, point):
    """s2sad.hessian's nested blocks as a flat matrix over the float entries."""
    params = [a for a in point if not isinstance(a, int)]
    if len(params) == 1:
        h = (h,)
    rows = []
    for i, a in enumerate(params):
        block_row = h[i] if len(params) > 1 else h[0]
        blocks = block_row if len(params) > 1 else (block_row,)
        for r in range(len(a) if isinstance(a, list) else 1):
            row = []
            for j, b in enumerate(params):
                blk = blocks[j]
                if isinstance(a, list) and isinstance(b, list):
                    row += blk[r]
                elif isinstance(a, list):
                    row.append(blk[r])
                elif isinstance(b, list):
                    row += blk
                else:
                    row.append(blk)
            rows.append(row)
    return rows


# Every point of both catalogues: the Hessian of each branch a point takes.
HESSIAN_CASES = [pytest.param(m, name, tuple(point), id=f"{name}-{k}")
                 for m in (catalogue, catalogue_flow) for name, points in m.CASES.items()
                 for k, point in enumerate(points)]


@pytest.mark.parametrize("module,name,point", HESSIAN_CASES)
def test_hessian_against_the_oracle(module, name, point):
    f = getattr(module, name)
    got = _hessian_rows(s2sad.hessian(f)(*point), point)
    want = _oracle_hessian(ORACLES[module][name], list(point))
    scale = 1 + max(abs(float(w)) for row in want for w in row)
    for r, row in enumerate(want):
        for c, w in enumerate(row):
            assert _close(got[r][c], w, scale, rel=1e-7), (r, c, got[r][c], float(w))
            assert _close(got[r][c], got[c][r], scale, rel=1e-12)  # symmetric


@pytest.mark.parametrize("module,name,point", HESSIAN_CASES[::3])
def test_forward_over_reverse_equals_reverse_over_reverse(module, name, point):
    f = getattr(module, name)
    d2 = second_order(f)
    fwd = _hessian_rows(s2sad.hessian(f)(*point), point)
    # reverse over reverse: the VJP of the generated gradient, one unit cotangent per row
    n = len(fwd)
    rows = []
    for k in range(n):
        if not d2.trace_is_vector:
            rows.append(_flat(d2.grad(*point)))
            continue
        unit = [0.0] * n
        unit[k] = 1.0
        rows.append(_flat(d2.grad(*point, unit)))
    scale = 1 + max(abs(x) for row in fwd for x in row)
    for r in range(n):
        for c in range(n):
            assert _close(rows[r][c], fwd[r][c], scale, rel=1e-12)


VECTOR_CASES = [(name, tuple(point)) for name, points in catalogue_vector.CASES.items() for point in points]


def _oracle_jacobian(fn, point):
    """Rows of the flat output, columns of the flat float inputs."""
    out = _flat(fn(*[list(a) if isinstance(a, list) else a for a in point]))
    columns = []
    for i, a in enumerate(point):
        if isinstance(a, int):
            continue
        for j in range(len(a)) if isinstance(a, list) else [None]:
            def along(t, i=i, j=j):
                args = [[mp.mpf(x) for x in b] if isinstance(b, list) else b if isinstance(b, int) else mp.mpf(b)
                        for b in point]
                if j is None:
                    args[i] = t
                else:
                    args[i][j] = t
                return _flat(fn(*args))
            x = point[i] if j is None else point[i][j]
            columns.append([mp.diff(lambda t, k=k: along(t)[k], mp.mpf(x)) for k in range(len(out))])
    return [[columns[c][r] for c in range(len(columns))] for r in range(len(out))]


def _flat_jacobian(jac, point, out):
    """s2sad's Jacobian blocks as rows of the flat output."""
    params = [a for a in point if not isinstance(a, int)]
    items = list(out) if isinstance(out, tuple) else [out]
    jac_items = list(jac) if isinstance(out, tuple) else [jac]
    rows = []
    for item, blocks in zip(items, jac_items):
        blocks = blocks if len(params) > 1 else (blocks,)
        for r in range(len(item) if isinstance(item, list) else 1):
            row = []
            for p, blk in zip(params, blocks):
                if isinstance(item, list):
                    blk = blk[r]
                row += blk if isinstance(p, list) else [blk]
            rows.append(row)
    return rows


@pytest.mark.parametrize("name,point", VECTOR_CASES)
@pytest.mark.parametrize("how", ["jacfwd", "jacrev", "jacobian"])
def test_jacobians_of_vector_functions(name, point, how):
    f = getattr(catalogue_vector, name)
    out = f(*point)
    got = _flat_jacobian(getattr(s2sad, how)(f)(*point), point, out)
    want = _oracle_jacobian(ORACLES[catalogue_vector][name], point)
    scale = 1 + max(abs(float(w)) for row in want for w in row)
    assert len(got) == len(want)
    for r, row in enumerate(want):
        for c, w in enumerate(row):
            assert _close(got[r][c], w, scale), (how, r, c, got[r][c], float(w))


@pytest.mark.parametrize("name,point", VECTOR_CASES)
def test_vjp_and_jvp_of_vector_functions(name, point):
    f = getattr(catalogue_vector, name)
    out, vjp_fn = s2sad.vjp(f, *point)
    assert out == f(*point)
    v = _direction(point, 2)
    value, tangent = s2sad.jvp(f, point, v)
    assert value == out
    w = [random.Random(3).uniform(-1, 1) for _ in _flat(out)]
    cts = vjp_fn(w)
    # the dot-product identity <J v, w> == <v, J^T w>
    left = sum(a * b for a, b in zip(_flat(tangent), w))
    right = sum(a * b for a, b in zip(_flat(v), _flat(cts)))
    assert _close(left, right, 1 + abs(left))


@pytest.mark.parametrize("name,point", VECTOR_CASES)
def test_generated_vjp_differentiates_again(name, point):
    """The generated `<f>_vjp` of a vector function reads back, and its forward mode along v (the cotangent
    w held) is the Hessian of <w, f> times v, against the 50-digit oracle."""
    from s2sad.tangent.second import derive_text

    f = getattr(catalogue_vector, name)
    d = s2sad.derive(f)
    again = derive_text(d.text, f"{name}_vjp", d.origin, [p.hint for p in d.wrt])
    w = [random.Random(5).uniform(-1, 1) for _ in _flat(f(*point))]
    v = _direction(point, 4)
    _, cts_dot = again.jvp(*point, w, *v)
    fn = ORACLES[catalogue_vector][name]
    h = _oracle_hessian(lambda *a: sum(c * x for c, x in zip(w, _flat(fn(*a)))), list(point))
    want = [sum(hij * vj for hij, vj in zip(row, _flat(v))) for row in h]
    got = _flat(cts_dot)
    scale = 1 + max(abs(float(x)) for x in want)
    assert len(got) == len(want) and all(_close(g, x, scale, 1e-8) for g, x in zip(got, want)), (got, want)


@given(seed=st.integers(0, 10**6))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_dot_product_identity_on_random_programs(seed, tmp_path_factory):
    from progen import point, program

    folder = tmp_path_factory.mktemp("progen")
    path = folder / f"p{seed}.py"
    path.write_text(program(seed))
    mod = import_file(str(path))
    a, b, xs, n = point(seed)
    try:
        value = mod.f(a, b, list(xs), n)
        grads = s2sad.grad(mod.f, ("a", "b", "xs"))(a, b, list(xs), n)
    except (ArithmeticError, ValueError, IndexError, RecursionError, S2sadError):
        return
    v = (0.5, -0.25, [0.1 * (k + 1) for k in range(len(xs))])
    got_value, along = s2sad.jvp(mod.f, (a, b, list(xs), n), v, ("a", "b", "xs"))
    assert got_value == value
    # <jvp(v), w> == <v, vjp(w)> with w = 1: the derivative along v is <gradient, v>
    right = sum(g * t for g, t in zip(_flat(grads), _flat(v)))
    assert _close(along, right, 1 + sum(abs(g * t) for g, t in zip(_flat(grads), _flat(v))), rel=1e-9)


def test_cli_modes(tmp_path):
    from s2sad.cli import main

    out = tmp_path / "lecture_fwd.py"
    assert main(["gen", "examples/lecture.py:f", "--mode", "forward", "-o", str(out)]) == 0
    fwd = import_file(str(out))
    both = tmp_path / "lecture_both.py"
    assert main(["gen", "examples/lecture.py:f", "--mode", "both", "-o", str(both)]) == 0
    mod = import_file(str(both))
    value, grads = mod.f_value_and_grad(1.5, 0.5)
    v2, along = fwd.f_jvp(1.5, 0.5, 0.3, -0.7)
    assert v2 == value and mod.f_jvp(1.5, 0.5, 0.3, -0.7) == (v2, along)
    assert _close(along, 0.3 * grads[0] - 0.7 * grads[1], 1 + abs(along), rel=1e-13)
    second = tmp_path / "lecture_hessian.py"
    assert main(["gen", "examples/lecture.py:f", "--order", "2", "-o", str(second)]) == 0
    mod2 = import_file(str(second))
    h = mod2.f_hessian(1.5, 0.5)
    assert h == [list(r) if isinstance(r, list) else r for r in h]
    rows = _hessian_rows(s2sad.hessian(import_file("examples/lecture.py").f)(1.5, 0.5), (1.5, 0.5))
    assert all(_close(g, w, 1 + abs(w), rel=1e-14) for r, row in zip(h, rows) for g, w in zip(r, row))
    assert mod2.f_hvp(1.5, 0.5, 1.0, 0.0) == h[0]
    assert "s2sad" not in "".join(line for line in second.read_text().splitlines() if line.startswith(("from", "import")))


def test_cli_refuses_order_two_with_forward_mode(capsys):
    from s2sad.cli import main

    assert main(["gen", "examples/lecture.py:f", "--mode", "forward", "--order", "2"]) == 2
    assert "--order 2" in capsys.readouterr().err


def test_vector_function_gen_writes_the_vjp(tmp_path):
    from s2sad.cli import main

    out = tmp_path / "v.py"
    assert main(["gen", os.path.join(HERE, "catalogue_vector.py") + ":polar", "-o", str(out)]) == 0
    mod = import_file(str(out))
    value, cts = mod.polar_value_and_vjp(1.5, 0.5, [1.0, 0.0])
    assert value == catalogue_vector.polar(1.5, 0.5)
    assert mod.polar_vjp(1.5, 0.5, [1.0, 0.0]) == cts


# --- arrays ------------------------------------------------------------------------------

import array_oracle  # noqa: E402
import catalogue_arrays  # noqa: E402
import numpy as np  # noqa: E402

ARRAY_CASES = [(name, k) for name in sorted(catalogue_arrays.CASES) for k in range(len(catalogue_arrays.CASES[name]))]


@pytest.mark.parametrize("name,k", ARRAY_CASES)
def test_array_jvp_against_the_oracle(name, k):
    """Forward mode of the array catalogue along a random direction, against the extrapolated differences
    of tests/array_oracle.py; an op forward mode refuses is named in the error."""
    f = getattr(catalogue_arrays, name)
    args = catalogue_arrays.CASES[name][k]
    where = array_oracle.positions(args)
    rng = np.random.default_rng(k + 1)
    dirs = [rng.uniform(-1, 1, np.shape(args[i])) for i in where]
    tangents = [float(v) if np.ndim(args[i]) == 0 else (v.tolist() if isinstance(args[i], list) else v)
                for v, i in zip(dirs, where)]
    try:
        value, along = s2sad.jvp(f, args, tangents)
    except S2sadError as e:
        assert "forward mode of np." in str(e) and "use reverse mode" in str(e)
        return
    assert float(value) == float(f(*args))
    grads = array_oracle.gradient(f, args)
    want = sum(float(np.sum(np.asarray(g, dtype=float) * v)) for g, v in zip(grads, dirs))
    scale = 1 + sum(float(np.sum(np.abs(np.asarray(g, dtype=float) * v))) for g, v in zip(grads, dirs))
    assert abs(float(along) - want) <= 1e-6 * scale, (along, want)


@pytest.mark.parametrize("name", sorted(catalogue_arrays.CASES))
def test_array_hessian_against_the_oracle(name):
    """Second derivatives of the array catalogue, reverse over forward: w^T H v from `hvp` and from `hessian`
    against nested extrapolated differences, d/dt of the directional derivative along w at x + t v; an op
    forward mode refuses is named in the error."""
    f = getattr(catalogue_arrays, name)
    args = catalogue_arrays.CASES[name][0]
    where = array_oracle.positions(args)
    rng = np.random.default_rng(7)
    v = [rng.uniform(-1, 1, np.shape(args[i])) for i in where]
    w = [rng.uniform(-1, 1, np.shape(args[i])) for i in where]
    try:
        hv = s2sad.hvp(f)(*args, *[float(x) if np.ndim(x) == 0 else x for x in v])
    except S2sadError as e:
        assert "forward mode of np." in str(e) or "second derivatives through np.prod" in str(e)
        return
    hv = hv if len(where) > 1 else (hv,)
    got = sum(float(np.sum(np.asarray(a, dtype=float) * b)) for a, b in zip(hv, w))
    want, err = array_oracle.second_directional(f, args, where, v, w)
    size = 1 + sum(float(np.sum(np.abs(np.asarray(a, dtype=float) * b))) for a, b in zip(hv, w))
    assert abs(got - want) <= 1e-5 * size + 4 * err, (got, want, err)  # err: the nested differences' own
    h = s2sad.hessian(f)(*args)
    blocks = [[h]] if len(where) == 1 else h
    by_hessian = sum(float(np.sum(np.tensordot(np.asarray(blocks[i][j], dtype=float), v[j], axes=np.ndim(v[j])) * w[i]))
                     for i in range(len(where)) for j in range(len(where)))
    assert abs(by_hessian - got) <= 1e-9 * size


def test_array_forward_mode_refuses_linalg_by_name():
    with pytest.raises(S2sadError, match=r"forward mode of np\.linalg\.slogdet is not supported"):
        s2sad.derive(catalogue_arrays.log_determinant).forward_text


def test_array_results_jacobians_and_vjp(tmp_path):
    """An array program returning an array: jacfwd and jacrev agree with central differences, vjp with
    the Jacobian, and the value is f's; its Hessian is refused (a vector function), a scalar one's is exact."""
    path = tmp_path / "layer.py"
    path.write_text("import numpy as np\n\n\ndef layer(W, x, b):\n    return np.tanh(W @ x + b)\n\n\n"
                    "def loss(W, x):\n    return np.sum(np.tanh(W @ x) ** 2)\n")
    mod = import_file(str(path))
    rng = np.random.default_rng(4)
    W, x, b = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    forward, reverse = s2sad.jacfwd(mod.layer)(W, x, b), s2sad.jacrev(mod.layer)(W, x, b)
    args = [W, x, b]
    for k, (jf, jr) in enumerate(zip(forward, reverse)):
        assert jf.shape == (3,) + np.shape(args[k]) == jr.shape
        fd = np.zeros(jf.shape)
        for idx in np.ndindex(np.shape(args[k])):
            h = 1e-6
            plus, minus = [a.copy() for a in args], [a.copy() for a in args]
            plus[k][idx] += h
            minus[k][idx] -= h
            fd[(slice(None),) + idx] = (mod.layer(*plus) - mod.layer(*minus)) / (2 * h)
        assert np.allclose(jf, fd, atol=1e-8) and np.allclose(jr, fd, atol=1e-8)
    out, vjp_fn = s2sad.vjp(mod.layer, W, x, b)
    assert np.array_equal(out, mod.layer(W, x, b))
    ct = rng.normal(size=3)
    for got, j in zip(vjp_fn(ct), forward):
        assert np.allclose(got, np.tensordot(ct, j, axes=1), atol=1e-12)
    value, tangent = s2sad.jvp(mod.layer, (W, x, b), (np.zeros_like(W), np.ones(4), np.zeros(3)))
    assert np.array_equal(value, out) and np.allclose(tangent, forward[1] @ np.ones(4), atol=1e-12)
    with pytest.raises(S2sadError, match="second derivatives are of scalar functions"):
        s2sad.hessian(mod.layer)(W, x, b)
    hess = s2sad.hessian(mod.loss, wrt="x")(W, x)  # d2/dx2 sum(tanh(Wx)^2) = W^T diag(2 - 8 t^2 + 6 t^4) W
    t = np.tanh(W @ x)
    assert np.allclose(hess, W.T @ np.diag(2 - 8 * t**2 + 6 * t**4) @ W, atol=1e-12, rtol=1e-12)


# --- what a review found: each is refused with a located error, or right -----------------------


def _module(tmp_path, text, name="m"):
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    return import_file(str(path)), str(path)


def test_a_value_set_in_one_arm_and_changed_by_a_loop_is_not_read_stale(tmp_path):
    mod, path = _module(tmp_path, "def f(x, n):\n    warm = x > 0\n    if warm:\n        m = x\n    acc = 0.0\n"
                                  "    for i in range(n):\n        if warm:\n            acc = acc + m\n"
                                  "            m = 0.5 * m\n    return acc\n")
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="m is not assigned on every path"):
        s2sad.grad(mod.f)


def test_returns_of_different_kinds_are_refused(tmp_path):
    mod, _ = _module(tmp_path, "def f(x, y):\n    if x > 0:\n        return x * y\n    return x, y\n")
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="this return gives a tuple of .* the return at line 3"):
        s2sad.jacrev(mod.f)(2.0, 3.0)


def test_second_order_module_with_parameters_named_like_its_locals(tmp_path):
    from s2sad.cli import main

    mod, path = _module(tmp_path, "def f(xs, k, rows=2.0):\n    return rows * k * xs[0] ** 2 * xs[1] + k ** 3\n")
    out = tmp_path / "f_hessian.py"
    assert main(["gen", f"{path}:f", "--order", "2", "-o", str(out)]) == 0
    h = import_file(str(out)).f_hessian([1.0, 2.0], 3.0)  # rows takes its default
    rows = _hessian_rows(s2sad.hessian(mod.f)([1.0, 2.0], 3.0, 2.0), ([1.0, 2.0], 3.0, 2.0))
    flat = [_flat(r) for r in h]
    assert [row[:3] for row in flat[:3]] == [row[:3] for row in rows[:3]]
    want = [[24.0, 12.0, 8.0], [12.0, 0.0, 2.0], [8.0, 2.0, 18.0]]  # d2/dxs0, dxs1, dk of 2*k*xs0^2*xs1 + k^3
    assert all(abs(a - b) < 1e-12 for r, w in zip(flat, want) for a, b in zip(r, w))


def test_a_list_returned_whole_is_a_list_when_annotated(tmp_path):
    mod, _ = _module(tmp_path, "def f(x, ys: list):\n    return x * 2.0, ys\n\n\ndef g(x, ys):\n    return x * 2.0, ys\n")
    assert s2sad.vjp(mod.f, 1.5, [1.0, 2.0])[1]([1.0, 10.0, 100.0]) == (2.0, [10.0, 100.0])
    assert s2sad.jacrev(mod.f)(1.5, [1.0, 2.0]) == s2sad.jacfwd(mod.f)(1.5, [1.0, 2.0])
    with pytest.raises(S2sadError, match="uses ys as a number.*ys: list"):
        s2sad.vjp(mod.g, 1.5, [1.0, 2.0])


def test_gradient_tools_refuse_vector_functions(tmp_path, capsys):
    from s2sad.cli import main

    mod, path = _module(tmp_path, "def v(x, y):\n    return x * y, x - y\n")
    for tool in (s2sad.grad, s2sad.value_and_grad):
        with pytest.raises(S2sadError, match="returns a tuple or a list, so it has no gradient"):
            tool(mod.v)
    with pytest.raises(S2sadError, match="no gradient"):
        s2sad.check_grads(mod.v, (1.5, 0.5))
    assert main(["check", f"{path}:v", "--at", "1.5,0.5"]) == 2
    assert "returns a tuple or a list" in capsys.readouterr().err
    assert main(["gen", "examples/lecture.py:f", "--mode", "forward", "--verify"]) == 2
    assert "--verify checks the gradient module" in capsys.readouterr().err


def test_sequences_for_list_parameters_and_tangent_shapes(tmp_path):
    mod, _ = _module(tmp_path, "def p(xs, c):\n    s = 0.0\n    for i in range(len(xs)):\n"
                               "        s = s + c * xs[i] ** 3\n    return s\n")
    want = s2sad.jacfwd(mod.p)([0.3, -1.2, 2.0], 0.5)
    assert s2sad.jacfwd(mod.p)((0.3, -1.2, 2.0), 0.5) == want
    assert s2sad.jacfwd(mod.p)(np.array([0.3, -1.2, 2.0]), 0.5) == want
    assert _hessian_rows(s2sad.hessian(mod.p)(np.array([0.3, -1.2, 2.0]), 0.5), ([0.3, -1.2, 2.0], 0.5))[0][0] \
        == pytest.approx(6 * 0.5 * 0.3)
    with pytest.raises(S2sadError, match="has 4 entries, xs has 3"):
        s2sad.jvp(mod.p, ([0.3, -1.2, 2.0], 0.5), ([1.0, 0.0, 0.0, 9.0], 0.0))
    with pytest.raises(S2sadError, match="must be a list of 3"):
        s2sad.jvp(mod.p, ([0.3, -1.2, 2.0], 0.5), (1.0, 0.0))


def test_len_of_a_constant_range_that_python_refuses_is_located(tmp_path):
    mod, _ = _module(tmp_path, "def f(x):\n    return x * len(range(0, 5, 0))\n")
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="Python raises ValueError here"):
        s2sad.grad(mod.f)
    mod, _ = _module(tmp_path, "def f(x, n):\n    return x * len(range(1, n, 2))\n", "g")
    assert s2sad.grad(mod.f, 0)(1.5, 8) == 4.0


def test_jacobian_falls_back_to_reverse_mode_for_ops_forward_mode_refuses(tmp_path):
    mod, _ = _module(tmp_path, "import numpy as np\n\n\ndef c(x):\n    return np.outer(x, x) * np.prod(x)\n")
    x = np.array([0.5, -1.5, 2.0])
    assert np.allclose(s2sad.jacobian(mod.c)(x), s2sad.jacrev(mod.c)(x))


def test_empty_list_parameter_keeps_the_jacobians_structure(tmp_path):
    mod, _ = _module(tmp_path, "def f(ys: list, y):\n    return y * 2.0, ys\n")
    assert s2sad.jacfwd(mod.f, wrt=0)([], 1.5) == s2sad.jacrev(mod.f, wrt=0)([], 1.5) == ([], [])


@pytest.mark.parametrize("module,name,point", HESSIAN_CASES)
def test_forward_over_forward_reads_the_generated_jvp_back(module, name, point):
    """The generated f_jvp is read back and differentiated in forward mode again (along the same v):
    its tangent's tangent is v^T H v, with H the Hessian (forward over reverse)."""
    from s2sad.tangent.second import derive_text

    f = getattr(module, name)
    d = s2sad.derive(f)
    v = _direction(point, 7)
    names = [p.hint for p in d.wrt]
    again = derive_text(d.forward_text, f"{name}_jvp", d.origin, names)  # the tangents stay fixed
    args = list(point) + list(v)
    (_, _), (_, vhv) = again.jvp(*args, *v)
    rows = _hessian_rows(s2sad.hessian(f)(*point), point)
    flat_v = _flat(v)
    want = sum(flat_v[i] * rows[i][j] * flat_v[j] for i in range(len(flat_v)) for j in range(len(flat_v)))
    assert _close(vhv, want, 1 + sum(abs(x) for row in rows for x in row), rel=1e-9)


def test_second_review_findings(tmp_path):
    """float32 lists keep f's value; an array cotangent of another shape, and a parameter named like a
    builtin the gradient calls, are refused; NumPy scalars are scalars to the Jacobians."""
    mod, _ = _module(tmp_path, "import numpy as np\n\n\ndef g(xs, c):\n    return xs[0] * xs[1] * c\n\n\n"
                               "def t(x, y):\n    return np.sin(x) * y, x\n\n\n"
                               "def a1(x, ys: list):\n    return x[0:2] * ys[1]\n\n\n"
                               "def q(xs: list, len, k):\n    s = 0.0\n    for x in xs:\n"
                               "        s = s + x * x * len * k\n    return s\n")
    xs = np.array([0.1, 0.7, 0.3], dtype=np.float32)
    value, _ = s2sad.jvp(mod.g, (xs, 1.3), ([1.0, 0.0, 0.0], 0.0))
    assert float(value) == float(mod.g(xs, 1.3))
    assert s2sad.jacrev(mod.t, wrt=[0])(0.3, 2.0) == pytest.approx((2.0 * np.cos(0.3), 1.0))
    assert s2sad.jacobian(mod.t)(np.float64(0.3), 2.0)[1] == (1.0, 0.0)
    _, vjp_fn = s2sad.vjp(mod.a1, np.array([0.3, 0.5, 0.7]), np.array([1.5, 2.5]))
    with pytest.raises(S2sadError, match=r"cotangent has shape \(2, 2\), the output \(2,\)"):
        vjp_fn(np.ones((2, 2)))
    with pytest.raises(S2sadError, match="named like a builtin"):
        s2sad.hessian(mod.q)([1.0, 2.0], 3.0, 0.5)


COPIED = """\
import numpy as np


def f(x):
    y = x.copy()
    y[0] = y[0] * 2.0
    y *= x
    return np.sum(y * y)
"""


@pytest.mark.parametrize("t", ["array", "list"])
def test_jvp_through_a_copy(tmp_path, t):
    """The tangent of `x.copy()` is a new array, for an array or a list tangent, and the caller's tangent
    is left as it was (a float tangent: tests/regressions_arrays/tangent_of_a_copy_of_a_float.py).
    Oracle: central differences of f along t."""
    import numpy as np

    path = tmp_path / "copied.py"
    path.write_text(COPIED)
    f = import_file(str(path)).f
    point = np.array([0.7, -1.2, 0.4])
    along = np.array([1.0, 0.5, -0.25]) if t == "array" else [1.0, 0.5, -0.25]
    before = list(np.ravel(along))
    value, tangent = s2sad.jvp(f, (point,), (along,))
    h = 1e-6
    step = np.asarray(along, dtype=float) * h
    fd = (f(point + step) - f(point - step)) / (2 * h)
    assert value == f(point) and abs(tangent - fd) <= 1e-6 * (1 + abs(fd))
    assert list(np.ravel(along)) == before

"""The bundled examples against the mpmath oracle (their generated text is pinned by golden files)."""

import os

import array_oracle
import numpy as np
import pytest
from conftest import EXAMPLES, example_functions, import_file
from oracle import assert_gradient, gradient_of, mp_namespace

import s2sad

POINTS = {
    ("lecture.py", "f"): [(1.5, 0.5), (-0.3, 0.7), (2.0, -1.1)],
    ("lecture.py", "f_formula"): [(1.5, 0.5), (-0.3, 0.7), (2.0, -1.1)],
    ("optim.py", "rosenbrock"): [(-1.2, 1.0), (1.0, 1.0), (0.0, 0.0)],
    ("optim.py", "wood"): [(-3.0, -1.0, -3.0, -1.0), (1.0, 1.0, 1.0, 1.0), (0.5, -0.25, 2.0, 1.5)],
    ("optim.py", "logistic_loss"): [(0.5, -0.25, 2.0, 1.0), (-1.0, 0.5, 0.3, -1.0)],
    ("optim.py", "smooth_l1"): [(0.3, 0.1, 1e-3), (0.0, 0.0, 0.5), (-2.0, 1.0, 1e-3)],
    ("optim.py", "powell"): [(3.0, -1.0, 0.0, 1.0), (0.0, 0.0, 0.0, 0.0), (-0.7, 1.3, 0.4, -2.1)],
    ("loops.py", "extended_rosenbrock"): [([-1.2, 1.0, 0.5],), ([1.0, 1.0],), ([0.3, -0.7, 1.1, 2.0, -1.5],)],
    ("loops.py", "oscillator"): [(2.0, 0.3, 1.0, 0.0, 50), (0.5, 0.1, -0.5, 1.0, 20)],
    ("loops.py", "softmax_cross_entropy"): [([1.0, 2.0, 0.5], 1), ([3.0, -1.0, 0.0, 2.5], 0)],
    ("loops.py", "huber"): [(0.3, 1.0), (-2.0, 1.0), (3.0, 1.5)],
    ("loops.py", "newton_sqrt"): [(2.0, 6), (9.0, 3)],
    ("loops.py", "halvings"): [(10.0,), (0.5,), (3.0,)],
    ("loops.py", "tanh_network"): [([0.1 * ((7 * k) % 11 - 5) for k in range(32)], [0.3, -0.2, 0.1, 0.0, -0.4, 0.25, 0.5, -0.1],
                                    [0.7, -0.3, 0.2, 0.9, -1.1, 0.4, -0.6, 0.05], 0.1, [0.5, -1.25, 0.75, 2.0])],
    ("kinematics.py", "reach"): [(0.3, 1.2, 1.0, 0.8), (-1.0, 0.5, 0.2, -1.5)],
}
VECTOR_POINTS = {("kinematics.py", "hand"): [(0.3, 1.2), (-1.0, 0.5)]}


# array examples, checked against finite differences (tests/array_oracle.py): NumPy does not run on mpmath
_RNG = np.random.default_rng(8)
ARRAY_POINTS = {
    "rosenbrock": [(_RNG.normal(size=5),), (_RNG.normal(size=(2, 3)),), (_RNG.normal(size=(4, 1)),)],
    "logistic_loss": [(_RNG.normal(size=3), _RNG.normal(size=(6, 3)), np.sign(_RNG.normal(size=6)), 0.1)],
    "rnn": [(0.5 * _RNG.normal(size=(4, 4)), _RNG.normal(size=(4, 3)), _RNG.normal(size=4), _RNG.normal(size=(5, 3)))],
    "heat": [(_RNG.normal(size=8), 0.2, 5), (_RNG.normal(size=(3, 6)), 0.1, 3)],
    "decay_fit": [(2.0, 0.7, 0.1), (1.5, 0.2, -0.3)],
    "gaussian_nll": [(_RNG.normal(size=2), np.array([[1.0, 0.0], [0.3, 0.8]]), _RNG.normal(size=(5, 2)))],
}


def test_every_example_has_points():
    arrays = sorted(("arrays.py", name) for name in ARRAY_POINTS)
    assert sorted(list(POINTS) + list(VECTOR_POINTS) + arrays) == sorted(example_functions())


@pytest.mark.parametrize("func", sorted(ARRAY_POINTS))
def test_array_example_against_finite_differences(func):
    f = getattr(import_file(os.path.join(EXAMPLES, "arrays.py")), func)
    for args in ARRAY_POINTS[func]:
        wrt = array_oracle.positions(args)
        want = array_oracle.gradient(f, args, wrt)
        value, got = s2sad.value_and_grad(f, wrt=wrt)(*args)
        got = got if len(wrt) > 1 else (got,)
        assert value == f(*args)  # the same operations in the same order
        for g, w, i in zip(got, want, wrt):
            assert type(g) is (float if isinstance(args[i], float) else np.ndarray) and np.shape(g) == np.shape(w)
            np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-8 * array_oracle.scale_of(want))


@pytest.mark.parametrize("file,func", sorted(POINTS))
def test_example_against_the_oracle(file, func):
    path = os.path.join(EXAMPLES, file)
    f = getattr(import_file(path), func)
    oracle_f = mp_namespace(open(path).read())[func]
    for point in POINTS[file, func]:
        want = gradient_of(oracle_f, point)
        assert_gradient(s2sad.grad(f)(*point), want, what=f"{func} at {point}")
        value, got = s2sad.value_and_grad(f)(*point)
        assert value == pytest.approx(f(*point), rel=1e-13)
        assert_gradient(got, want, what=f"{func} at {point}")


@pytest.mark.parametrize("file,func", sorted(VECTOR_POINTS))
def test_vector_example_jacobians_against_the_oracle(file, func):
    """jacfwd and jacrev of a vector example, row by row against the oracle's gradient of each output."""
    path = os.path.join(EXAMPLES, file)
    f = getattr(import_file(path), func)
    oracle_f = mp_namespace(open(path).read())[func]
    for point in VECTOR_POINTS[file, func]:
        outputs = len(f(*point))
        for jac in (s2sad.jacfwd(f)(*point), s2sad.jacrev(f)(*point), s2sad.jacobian(f)(*point)):
            for k in range(outputs):
                want = gradient_of(lambda *a, k=k: oracle_f(*a)[k], point)
                assert_gradient(jac[k], want, what=f"{func} output {k} at {point}")


def test_newton_on_the_reach_example_converges():
    """Newton's method with the generated Hessian (forward over reverse): the arm reaches the target."""
    f = import_file(os.path.join(EXAMPLES, "kinematics.py")).reach
    grad, hess = s2sad.grad(f, wrt=[0, 1]), s2sad.hessian(f, wrt=[0, 1])
    t1, t2 = 0.3, 1.2
    for _ in range(20):
        g, h = grad(t1, t2, 1.0, 0.8), hess(t1, t2, 1.0, 0.8)
        det = h[0][0] * h[1][1] - h[0][1] * h[1][0]
        t1, t2 = t1 - (h[1][1] * g[0] - h[0][1] * g[1]) / det, t2 - (h[0][0] * g[1] - h[1][0] * g[0]) / det
    assert f(t1, t2, 1.0, 0.8) < 1e-20


@pytest.mark.parametrize("func", ["rosenbrock", "logistic_loss", "rnn", "heat", "decay_fit"])
def test_array_example_second_order_module(func, tmp_path):
    """`s2sad gen --order 2` of an array example (reverse over forward): f_hvp against nested extrapolated
    differences of f, and f_hessian contracted with the same directions equal to it."""
    from s2sad.cli import main

    path = tmp_path / f"{func}_hessian.py"
    assert main(["gen", os.path.join(EXAMPLES, "arrays.py") + ":" + func, "--order", "2", "-o", str(path)]) == 0
    mod = import_file(str(path))
    args = ARRAY_POINTS[func][0]
    where = array_oracle.positions(args)
    rng = np.random.default_rng(3)
    v = [rng.uniform(-1, 1, np.shape(args[i])) for i in where]
    w = [rng.uniform(-1, 1, np.shape(args[i])) for i in where]
    hv = getattr(mod, f"{func}_hvp")(*args, *[float(x) if np.ndim(x) == 0 else x for x in v])
    hv = hv if len(where) > 1 else (hv,)
    got = sum(float(np.sum(np.asarray(a) * b)) for a, b in zip(hv, w))
    want, err = array_oracle.second_directional(getattr(import_file(os.path.join(EXAMPLES, "arrays.py")), func),
                                                args, where, v, w)
    size = 1 + sum(float(np.sum(np.abs(np.asarray(a) * b))) for a, b in zip(hv, w))
    assert abs(got - want) <= 1e-6 * size + 4 * err, (got, want, err)
    h = getattr(mod, f"{func}_hessian")(*args)
    blocks = h if len(where) > 1 else ((h,),)
    for r, i in enumerate(where):
        for c, j in enumerate(where):
            assert np.shape(blocks[r][c]) == np.shape(args[i]) + np.shape(args[j])
    contracted = sum(float(np.sum(np.tensordot(np.asarray(blocks[r][c]), v[c], axes=np.ndim(v[c])) * w[r]))
                     for r in range(len(where)) for c in range(len(where)))
    assert abs(contracted - got) <= 1e-9 * size

"""The bundled examples against the mpmath oracle (their generated text is pinned by golden files)."""

import os

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
    ("loops.py", "extended_rosenbrock"): [([-1.2, 1.0, 0.5],), ([1.0, 1.0],), ([0.3, -0.7, 1.1, 2.0, -1.5],)],
    ("loops.py", "oscillator"): [(2.0, 0.3, 1.0, 0.0, 50), (0.5, 0.1, -0.5, 1.0, 20)],
    ("loops.py", "softmax_cross_entropy"): [([1.0, 2.0, 0.5], 1), ([3.0, -1.0, 0.0, 2.5], 0)],
    ("loops.py", "huber"): [(0.3, 1.0), (-2.0, 1.0), (3.0, 1.5)],
    ("loops.py", "newton_sqrt"): [(2.0, 6), (9.0, 3)],
    ("loops.py", "halvings"): [(10.0,), (0.5,), (3.0,)],
}


def test_every_example_has_points():
    assert sorted(POINTS) == sorted(example_functions())


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

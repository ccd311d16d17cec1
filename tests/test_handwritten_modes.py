"""The hand-written tangents and Hessians of the mode benchmarks, against the 50-digit oracle."""

import os
import sys

from mpmath import mp
from oracle import gradient, mp_namespace

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import handwritten_modes as hm  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
LECTURE = mp_namespace(open(os.path.join(ROOT, "examples", "lecture.py")).read())
OPTIM = mp_namespace(open(os.path.join(ROOT, "examples", "optim.py")).read())
LOOPS = mp_namespace(open(os.path.join(ROOT, "examples", "loops.py")).read())


def _close(a, b, rel=1e-9):
    return abs(a - float(b)) <= rel * (1 + abs(float(b)))


def test_scalar_tangents():
    for fn, oracle, point, d in [(hm.lecture_jvp, LECTURE["f"], (1.5, 0.5), (0.3, -0.7)),
                                 (hm.rosenbrock_jvp, OPTIM["rosenbrock"], (-1.2, 1.0), (0.4, 0.9)),
                                 (hm.wood_jvp, OPTIM["wood"], (-3.0, -1.0, -3.0, -1.0), (0.1, -0.2, 0.3, 0.5))]:
        value, along = fn(*point, *d)
        g = gradient(oracle, point)
        assert _close(value, oracle(*[mp.mpf(p) for p in point]))
        assert _close(along, sum(a * b for a, b in zip(g, d)))


def _ext(x):
    return LOOPS["extended_rosenbrock"](x)


def test_extended_rosenbrock_tangent_hessian_and_hvp():
    x = [0.1 * k - 0.5 for k in range(6)]
    v = [0.3, -0.2, 0.5, 0.1, -0.4, 0.7]
    xm = [mp.mpf(t) for t in x]
    _, along = hm.extended_rosenbrock_jvp(x, v)
    want = mp.diff(lambda t: _ext([a + t * b for a, b in zip(xm, v)]), 0)
    assert _close(along, want)
    h = hm.extended_rosenbrock_hessian(x)
    hv = hm.extended_rosenbrock_hvp(x, v)
    for i in range(6):
        for j in range(6):
            order = [0] * 6
            order[i] += 1
            order[j] += 1
            want = mp.diff(lambda *t: _ext(list(t)), xm, tuple(order))
            assert _close(h[i][j], want, 1e-7)
        assert _close(hv[i], sum(h[i][j] * v[j] for j in range(6)), 1e-12)


def test_numpy_rosenbrock_hessian_and_hvp():
    """The NumPy Rosenbrock's hand Hessian equals the list version's (checked above against mpmath), and its
    HVP is the Hessian times v."""
    import numpy as np

    x = np.array([0.1 * k - 0.5 for k in range(6)])
    v = np.array([0.3, -0.2, 0.5, 0.1, -0.4, 0.7])
    h = hm.rosenbrock_numpy_hessian(x)
    want = hm.extended_rosenbrock_hessian(list(x))
    assert all(_close(h[i, j], want[i][j], 1e-12) for i in range(6) for j in range(6))
    assert np.allclose(hm.rosenbrock_numpy_hvp(x, v), h @ v, rtol=1e-13, atol=1e-12)

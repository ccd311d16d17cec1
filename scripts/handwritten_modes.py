"""Hand-written tangents (JVPs) and Hessians for the mode benchmarks, as an expert writes them.

Each `*_jvp(x..., x_dot...)` returns (value, derivative along x_dot), as s2sad's
generated `f_jvp` does; `extended_rosenbrock_hessian` returns the dense
Hessian (a list of rows) and `*_hvp` the Hessian times a vector. They share
nothing with s2sad's code; tests/test_handwritten_modes.py checks them
against the 50-digit oracle.
"""

from math import cos, exp, pi, sin

TWO_PI = 2 * pi
RHO = 100.0


def lecture_jvp(w1, w2, w1d, w2d):
    z1 = w1 / w2
    z1d = (w1d - z1 * w2d) / w2
    z2 = sin(TWO_PI * z1)
    z3 = exp(2 * w2)
    z4 = 3 * z1 - z3
    z4d = 3 * z1d - 2 * z3 * w2d
    z5 = z2 + z4
    z5d = TWO_PI * cos(TWO_PI * z1) * z1d + z4d
    return z4 * z5, z4d * z5 + z4 * z5d


def rosenbrock_jvp(x, y, xd, yd):
    a = 1 - x
    b = y - x * x
    bd = yd - 2 * x * xd
    return a * a + RHO * b * b, -2 * a * xd + 2 * RHO * b * bd


def wood_jvp(x1, x2, x3, x4, d1, d2, d3, d4):
    a = x1 * x1 - x2
    b = x3 * x3 - x4
    c = x1 - 1
    d = x3 - 1
    e = x2 - 1
    g = x4 - 1
    f = 100 * a * a + c * c + d * d + 90 * b * b + 10.1 * (e * e + g * g) + 19.8 * e * g
    ad = 2 * x1 * d1 - d2
    bd = 2 * x3 * d3 - d4
    fd = 200 * a * ad + 2 * c * d1 + 2 * d * d3 + 180 * b * bd + 20.2 * (e * d2 + g * d4) + 19.8 * (d2 * g + e * d4)
    return f, fd


def extended_rosenbrock_jvp(x, xd):
    s = 0.0
    sd = 0.0
    for i in range(len(x) - 1):
        xi = x[i]
        a = x[i + 1] - xi * xi
        b = 1 - xi
        s += 100 * a * a + b * b
        sd += 200 * a * (xd[i + 1] - 2 * xi * xd[i]) - 2 * b * xd[i]
    return s, sd


def extended_rosenbrock_hessian(x):
    """The dense Hessian (tridiagonal: each term couples x[i] and x[i + 1])."""
    n = len(x)
    h = [[0.0] * n for _ in range(n)]
    for i in range(n - 1):
        xi = x[i]
        h[i][i] += 1200 * xi * xi - 400 * x[i + 1] + 2
        h[i][i + 1] -= 400 * xi
        h[i + 1][i] -= 400 * xi
        h[i + 1][i + 1] += 200
    return h


def extended_rosenbrock_hvp(x, v):
    """The Hessian times v, from the same three entries per term."""
    n = len(x)
    out = [0.0] * n
    for i in range(n - 1):
        xi = x[i]
        hii = 1200 * xi * xi - 400 * x[i + 1] + 2
        hij = -400 * xi
        out[i] += hii * v[i] + hij * v[i + 1]
        out[i + 1] += hij * v[i] + 200 * v[i + 1]
    return out


def rosenbrock_numpy_hessian(x):
    """The dense Hessian of SciPy's vectorised Rosenbrock (examples/arrays.py), its three diagonals at once."""
    import numpy as np

    n = len(x)
    h = np.zeros((n, n))
    d = np.zeros(n)
    d[:-1] = 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    d[1:] += 200
    k = np.arange(n - 1)
    h[k, k + 1] = h[k + 1, k] = -400 * x[:-1]
    h[np.arange(n), np.arange(n)] = d
    return h


def rosenbrock_numpy_hvp(x, v):
    """The vectorised Rosenbrock's Hessian times v, from the same diagonals."""
    import numpy as np

    out = np.zeros_like(x)
    off = -400 * x[:-1]
    out[:-1] = (1200 * x[:-1] ** 2 - 400 * x[1:] + 2) * v[:-1] + off * v[1:]
    out[1:] += 200 * v[1:] + off * v[:-1]
    return out

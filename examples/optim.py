"""Classic optimisation test functions, as a numerical programmer writes them."""

from math import exp, log1p, sqrt

RHO = 100.0


def rosenbrock(x, y):
    """Rosenbrock's banana function; minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + RHO * (y - x * x) ** 2


def wood(x1, x2, x3, x4):
    """Wood's four-variable function; minimum 0 at (1, 1, 1, 1)."""
    a = x1 * x1 - x2
    b = x3 * x3 - x4
    return (
        100 * a * a
        + (x1 - 1) ** 2
        + (x3 - 1) ** 2
        + 90 * b * b
        + 10.1 * ((x2 - 1) ** 2 + (x4 - 1) ** 2)
        + 19.8 * (x2 - 1) * (x4 - 1)
    )


def _softplus(t):
    return log1p(exp(t))


def logistic_loss(w, b, x, label):
    """Negative log-likelihood of one sample under logistic regression (label is +1 or -1)."""
    return _softplus(-label * (w * x + b))


def smooth_l1(x, y, eps=1e-3):
    """A smooth approximation of |x - y|."""
    d = x - y
    return sqrt(d * d + eps)


def powell(x1, x2, x3, x4):
    """Powell's singular function; minimum 0 at the origin, where its Hessian is singular."""
    return (x1 + 10 * x2) ** 2 + 5 * (x3 - x4) ** 2 + (x2 - 2 * x3) ** 4 + 10 * (x1 - x4) ** 4

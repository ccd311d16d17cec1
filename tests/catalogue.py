"""Functions of the supported subset, each with points to check its gradient at.

`CASES` maps a function name to its points. Tests differentiate every function
with `s2sad.grad`, `s2sad.value_and_grad` and the generated module, and compare
with the mpmath oracle (tests/oracle.py) that runs this very text. (The
lecture's example is in examples/, checked by tests/test_examples.py.)
"""

import math
import math as m
from math import atan2, exp, hypot, log, sin, sqrt
from math import cos as c
from math import exp as e

SCALE = 0.5
TWO_SCALE = 2 * SCALE + math.pi / 4
OFFSET = -1.25


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def wood(x1, x2, x3, x4):
    return (
        100 * (x1**2 - x2) ** 2
        + (x1 - 1) ** 2
        + (x3 - 1) ** 2
        + 90 * (x3**2 - x4) ** 2
        + 10.1 * ((x2 - 1) ** 2 + (x4 - 1) ** 2)
        + 19.8 * (x2 - 1) * (x4 - 1)
    )


def beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def himmelblau(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def booth(x, y):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def matyas(x, y):
    return 0.26 * (x * x + y * y) - 0.48 * x * y


def three_hump_camel(x, y):
    return 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2


def sigmoid_loss(w, b, x):
    p = 1 / (1 + e(-(w * x + b)))
    return -log(p)


def softplus(x):
    return m.log1p(m.exp(x))


def gaussian(x, mu, sigma):
    return exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * sqrt(2 * math.pi))


def polar_radius(x, y):
    return hypot(x, y)


def polar_angle(x, y):
    return atan2(y, x)


def reassign(x, y):
    t = x * y
    t = t + x
    t = t * t
    t -= y
    t *= 2
    t /= x
    t **= 2
    t += 1
    return t


def augmented_power(x, p):
    r = x
    r **= p
    return r


def variable_exponent(x, y):
    return x**y + 2**y + y**x


def math_pow(x, y):
    return math.pow(x, y) + pow(x, 3) + math.pow(y, 0.5)


def triple_product(x, y, w):
    return x * y * w


def quotient_chain(x, y, w):
    return x / y / w + x / (y * w)


def mixed_powers(x, y):
    return x**2.5 * y**-1.5 + x**-2 * y**3


def fractional_of_product(x, y):
    return (x * y) ** 0.5 + (2 * x) ** 1.5


def trig_mix(x, y):
    return c(x) * sin(y) + math.tan(x * y) - math.sin(x) ** 2


def inverse_trig(x):
    return math.asin(x) + math.acos(x / 2) + math.atan(3 * x)


def hyperbolic(x):
    return math.sinh(x) + math.cosh(0.5 * x) + math.tanh(2 * x)


def inverse_hyperbolic(x):
    return math.asinh(x) + math.acosh(x + 2) + math.atanh(x / 3)


def logs(x, y):
    return math.log(x) + math.log2(x * y) + math.log10(y) + math.log(x, 3) + math.log(x, y)


def exps(x):
    return math.exp(x) + math.expm1(0.5 * x) + math.log1p(x * x)


def special(x):
    return math.erf(x) + math.erfc(2 * x)


def absolute(x, y):
    return abs(x - y) + math.fabs(x * y)


def angles(x):
    return math.sin(math.radians(x)) + math.degrees(x) / 100


def copysigned(x, y):
    return math.copysign(x, y) * y


def constants(x):
    return math.tau * x + math.e ** x + SCALE * x * TWO_SCALE + OFFSET


def _square(u):
    return u * u


def _norm(a, b=2.0):
    return sqrt(_square(a) + _square(b))


def helpers(x, y):
    return _norm(x, y) + _norm(x) + _square(x - y)


def helper_keywords(x, y):
    return _norm(b=x, a=y)


def unused_intermediate(x, y):
    dead = math.exp(x) * 1000  # noqa: F841 - unused on purpose: lowering must drop it
    alive = x * y
    return alive + 1


def unused_parameter(x, y):
    return 3 * x


def constant_result(x):
    return 2.0 + math.pi


def identity(x):
    return x


def negation(x, y):
    return -x - (-y) + +x


def common_subexpressions(x, y):
    a = sin(x * y) + sin(x * y)
    b = x * y + 1
    return a * b + x * y


def wide_sum(a, b, c, d, e, f):
    return a + 2 * b - 3 * c + 4 * d - 5 * e + 6 * f + (a - b) * (c - d) + (e + f) / (1 + a * a)


def deep_nesting(x):
    return exp(sin(c(exp(sin(x) / 3) + x) * 0.5) - 1)


def docstring_and_defaults(x, y=1.5):
    """A docstring is ignored."""
    z: float = x * y
    return z + y


def sqrt_chain(x):
    return sqrt(1 + sqrt(1 + sqrt(1 + x * x)))


def small_network(w1, w2, b1, v1, v2, b2):
    h1 = math.tanh(w1 * 0.3 + w2 * -0.7 + b1)
    h2 = math.tanh(w1 * -0.2 + w2 * 0.9 + b1)
    return (v1 * h1 + v2 * h2 + b2 - 0.25) ** 2


CASES = {
    "rosenbrock": [(-1.2, 1.0), (1.0, 1.0), (0.0, 0.0)],
    "wood": [(-3.0, -1.0, -3.0, -1.0), (1.0, 1.0, 1.0, 1.0)],
    "beale": [(1.0, 1.0), (3.0, 0.5)],
    "himmelblau": [(0.5, -0.5), (3.0, 2.0)],
    "booth": [(0.0, 0.0), (1.0, 3.0)],
    "matyas": [(1.0, -2.0), (-0.3, 0.4)],
    "three_hump_camel": [(0.5, 0.25), (-1.5, 1.0)],
    "sigmoid_loss": [(0.5, -0.25, 2.0), (-1.0, 0.5, 0.3)],
    "softplus": [(0.0,), (-3.0,), (2.5,)],
    "gaussian": [(0.3, 0.1, 0.8), (-1.0, 0.5, 2.0)],
    "polar_radius": [(3.0, 4.0), (-1.0, 0.5)],
    "polar_angle": [(1.0, 1.0), (-2.0, 0.5), (0.5, -3.0)],
    "reassign": [(1.5, 0.5), (-0.7, 2.0)],
    "augmented_power": [(1.5, 2.5), (0.7, -1.0)],
    "variable_exponent": [(1.5, 0.5), (0.7, 2.0)],
    "math_pow": [(1.5, 0.5), (0.7, 2.0)],
    "triple_product": [(1.5, 0.5, -2.0), (0.0, 0.0, 0.0)],
    "quotient_chain": [(1.5, 0.5, -2.0), (-0.7, 3.0, 0.25)],
    "mixed_powers": [(1.5, 0.5), (0.7, 2.0)],
    "fractional_of_product": [(1.5, 0.5), (0.7, 2.0)],
    "trig_mix": [(0.3, 0.4), (-1.0, 0.9)],
    "inverse_trig": [(0.3,), (-0.5,)],
    "hyperbolic": [(0.3,), (-1.2,)],
    "inverse_hyperbolic": [(0.3,), (-0.9,)],
    "logs": [(1.5, 0.5), (3.0, 7.0)],
    "exps": [(0.3,), (-1.2,)],
    "special": [(0.3,), (-0.8,)],
    "absolute": [(1.5, 0.5), (-0.7, 2.0)],
    "angles": [(30.0,), (-100.0,)],
    "copysigned": [(1.5, 0.5), (-0.7, -2.0)],
    "constants": [(0.3,), (1.7,)],
    "helpers": [(1.5, 0.5), (-0.7, 2.0)],
    "helper_keywords": [(1.5, 0.5), (-2.0, 0.1)],
    "unused_intermediate": [(1.5, 0.5), (-1.0, 2.0)],
    "unused_parameter": [(1.5, 0.5), (0.0, -3.0)],
    "constant_result": [(1.5,), (-4.0,)],
    "identity": [(1.5,), (0.0,)],
    "negation": [(1.5, 0.5), (-0.2, 7.0)],
    "common_subexpressions": [(1.5, 0.5), (-0.2, 0.3)],
    "wide_sum": [(0.1, 0.2, 0.3, 0.4, 0.5, 0.6), (-1.0, 2.0, -3.0, 0.5, 1.5, -0.5)],
    "deep_nesting": [(0.3,), (-1.1,)],
    "docstring_and_defaults": [(1.5, 0.5), (-0.7, 2.0)],
    "sqrt_chain": [(0.0,), (1.3,)],
    "small_network": [(0.1, -0.2, 0.05, 0.7, -0.4, 0.1), (-1.0, 0.5, 0.3, -0.2, 1.1, -0.6)],
}

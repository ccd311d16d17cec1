"""Loops, branches and lists, as a numerical programmer writes them."""

from math import exp, log, tanh


def extended_rosenbrock(x):
    """Rosenbrock's function in n variables; minimum 0 at (1, ..., 1)."""
    s = 0.0
    for i in range(len(x) - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1 - x[i]
        s += 100 * a * a + b * b
    return s


def oscillator(k, c, y0, v0, steps):
    """Position after `steps` RK4 steps of the damped oscillator y'' = -k y - c y'."""
    h = 0.01
    y = y0
    v = v0
    for i in range(steps):
        k1y = v
        k1v = -k * y - c * v
        y2 = y + 0.5 * h * k1y
        v2 = v + 0.5 * h * k1v
        k2v = -k * y2 - c * v2
        y3 = y + 0.5 * h * v2
        v3 = v + 0.5 * h * k2v
        k3v = -k * y3 - c * v3
        y4 = y + h * v3
        v4 = v + h * k3v
        k4v = -k * y4 - c * v4
        y = y + h / 6 * (k1y + 2 * v2 + 2 * v3 + v4)
        v = v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
    return y


def softmax_cross_entropy(z, label):
    """-log(softmax(z)[label]), shifted by the largest logit so exp cannot overflow."""
    m = max(z)
    s = 0.0
    for v in z:
        s += exp(v - m)
    return log(s) + m - z[label]


def huber(r, delta=1.0):
    """The Huber loss: quadratic near zero, linear in the tails."""
    if abs(r) <= delta:
        return 0.5 * r * r
    return delta * (abs(r) - 0.5 * delta)


def newton_sqrt(a, steps=6):
    """sqrt(a) by a fixed number of Newton steps, differentiated through the iteration."""
    x = a
    for i in range(steps):
        x = 0.5 * (x + a / x)
    return x


def halvings(x):
    """Halve x until it is at most 1; the trip count depends on x."""
    n = 0
    while x > 1.0:
        x = x / 2
        n += 1
    return x * (n + 1)


def tanh_network(W, b, v, c, x):
    """Squared error of a 4-8-1 tanh network at one sample x (W: 8 x 4, row-major), target 0.25."""
    out = c
    for j in range(8):
        a = b[j]
        for i in range(4):
            a += W[4 * j + i] * x[i]
        out += v[j] * tanh(a)
    r = out - 0.25
    return r * r

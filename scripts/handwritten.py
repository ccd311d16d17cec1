"""Hand-written adjoints for the benchmarks, as an expert writes them.

Each `*_value_and_grad` returns the same as s2sad's generated function:
(value, gradient tuple). Where the expert's spelling rounds differently from
`f` (`a * a` for `a ** 2`; `sum` for a loop, from Python 3.12 on), a
`*_value_and_grad_exact` beside it is the same adjoint returning `f`'s value
bit for bit, as s2sad's code does: `f`'s arithmetic in the forward sweep, the
expert's reverse sweep. The unrolled ones (chain, network) are written by
`chain_source` and `network_source` from a per-step pattern an expert would
type by hand; they share nothing with s2sad's code. `tanh_network_steps_source`
writes the network's adjoint in steps toward the form of s2sad's code, for
scripts/bench_forms.py to time.
"""

import sys
from math import cos, exp, log, pi, sin

TWO_PI = 2 * pi
RHO = 100.0


def lecture_value_and_grad(w1, w2):
    z1 = w1 / w2
    z2 = sin(TWO_PI * z1)
    z3 = exp(2 * w2)
    z4 = 3 * z1 - z3
    z5 = z2 + z4
    z6 = z4 * z5
    z4b = z5 + z4  # z6 = z4*z5 and z5 = z2 + z4
    z1b = 3 * z4b + TWO_PI * z4 * cos(TWO_PI * z1)
    w1b = z1b / w2
    w2b = -z1b * z1 / w2 - 2 * z3 * z4b
    return z6, (w1b, w2b)


def rosenbrock_value_and_grad(x, y):
    a = 1 - x
    b = y - x * x
    db = 2 * RHO * b
    return a * a + RHO * b * b, (-2 * a - 2 * x * db, db)


def rosenbrock_value_and_grad_exact(x, y):
    a = 1 - x
    b = y - x * x
    db = 2 * RHO * b
    return a**2 + RHO * b**2, (-2 * a - 2 * x * db, db)


def wood_value_and_grad(x1, x2, x3, x4):
    a = x1 * x1 - x2
    b = x3 * x3 - x4
    c = x1 - 1
    d = x3 - 1
    e = x2 - 1
    g = x4 - 1
    f = 100 * a * a + c * c + d * d + 90 * b * b + 10.1 * (e * e + g * g) + 19.8 * e * g
    da = 200 * a
    db = 180 * b
    return f, (2 * x1 * da + 2 * c, 20.2 * e + 19.8 * g - da, 2 * x3 * db + 2 * d, 20.2 * g + 19.8 * e - db)


def wood_value_and_grad_exact(x1, x2, x3, x4):
    a = x1 * x1 - x2
    b = x3 * x3 - x4
    c = x1 - 1
    d = x3 - 1
    e = x2 - 1
    g = x4 - 1
    f = 100 * a * a + c**2 + d**2 + 90 * b * b + 10.1 * (e**2 + g**2) + 19.8 * e * g
    da = 200 * a
    db = 180 * b
    return f, (2 * x1 * da + 2 * c, 20.2 * e + 19.8 * g - da, 2 * x3 * db + 2 * d, 20.2 * g + 19.8 * e - db)


def powell_value_and_grad(x1, x2, x3, x4):
    """Powers as products, shared between the value and the gradient."""
    a = x1 + 10 * x2
    b = x3 - x4
    c = x2 - 2 * x3
    d = x1 - x4
    c2 = c * c
    d2 = d * d
    ca = 4 * c2 * c
    da = 40 * d2 * d
    return a * a + 5 * b * b + c2 * c2 + 10 * d2 * d2, (2 * a + da, 20 * a + ca, 10 * b - 2 * ca, -10 * b - da)


def powell_value_and_grad_exact(x1, x2, x3, x4):
    a = x1 + 10 * x2
    b = x3 - x4
    c = x2 - 2 * x3
    d = x1 - x4
    ca = 4 * (c * c) * c
    da = 40 * (d * d) * d
    return a**2 + 5 * b**2 + c**4 + 10 * d**4, (2 * a + da, 20 * a + ca, 10 * b - 2 * ca, -10 * b - da)


# One step of the unary chain: (primal spelling in z, derivative in z (input) and y (output)).
CHAIN_STEPS = [
    ("sin(z)", "cos(z)"),
    ("tanh(1.5 * z)", "1.5 * (1 - y * y)"),
    ("atan(z)", "1 / (1 + z * z)"),
    ("cos(z)", "-sin(z)"),
    ("exp(-z)", "-y"),
]


def chain_source(n: int) -> tuple[str, str]:
    """A chain of n unary functions (primal module text, hand adjoint module text)."""
    header = "from math import atan, cos, exp, sin, tanh\n\n\n"
    primal = [header + "def chain(x):", "    z = x"]
    primal += [f"    z = {CHAIN_STEPS[i % len(CHAIN_STEPS)][0]}" for i in range(n)]
    primal.append("    return z\n")
    hand = [header + "def chain_value_and_grad(x):"]
    for i in range(n):
        z = "x" if i == 0 else f"z{i}"
        hand.append(f"    z{i + 1} = {CHAIN_STEPS[i % len(CHAIN_STEPS)][0].replace('z', z)}")
    for i in reversed(range(n)):
        z = "x" if i == 0 else f"z{i}"
        d = CHAIN_STEPS[i % len(CHAIN_STEPS)][1].replace("z", z).replace("y", f"z{i + 1}")
        hand.append(f"    g = g * ({d})" if i < n - 1 else f"    g = {d}")
    hand.append(f"    return z{n}, g\n")
    return "\n".join(primal), "\n".join(hand)


def network_source(n_in: int = 4, n_hidden: int = 8) -> tuple[str, str, int]:
    """A scalar n_in-n_hidden-1 tanh network's squared error, written out in scalars.

    Returns (primal module text, hand adjoint module text, number of parameters).
    """
    xs = [0.5, -1.25, 0.75, 2.0, -0.3, 1.1][:n_in]
    w = [f"w{j}_{i}" for j in range(n_hidden) for i in range(n_in)]
    b = [f"b{j}" for j in range(n_hidden)]
    v = [f"v{j}" for j in range(n_hidden)]
    params = w + b + v + ["c"]
    consts = "".join(f"X{i} = {x}\n" for i, x in enumerate(xs)) + "TARGET = 0.25\n"
    header = "from math import tanh\n\n" + consts + "\n\n"
    sig = ", ".join(params)
    pre = [
        " + ".join(f"w{j}_{i} * X{i}" for i in range(n_in)) + f" + b{j}" for j in range(n_hidden)
    ]
    primal = [header + f"def network({sig}):"]
    primal += [f"    h{j} = tanh({pre[j]})" for j in range(n_hidden)]
    primal.append("    out = " + " + ".join(f"v{j} * h{j}" for j in range(n_hidden)) + " + c")
    primal.append("    r = out - TARGET")
    primal.append("    return r * r\n")
    hand = [header + f"def network_value_and_grad({sig}):"]
    hand += [f"    h{j} = tanh({pre[j]})" for j in range(n_hidden)]
    hand.append("    r = " + " + ".join(f"v{j} * h{j}" for j in range(n_hidden)) + " + c - TARGET")
    hand.append("    dr = 2 * r")
    hand += [f"    da{j} = dr * v{j} * (1 - h{j} * h{j})" for j in range(n_hidden)]
    grads = [f"da{j} * X{i}" for j in range(n_hidden) for i in range(n_in)]
    grads += [f"da{j}" for j in range(n_hidden)] + [f"dr * h{j}" for j in range(n_hidden)] + ["dr"]
    hand.append(f"    return r * r, ({', '.join(grads)})\n")
    return "\n".join(primal), "\n".join(hand), len(params)


# --- loops over lists (examples/loops.py) ------------------------------------------


def tanh_network_source(n_in: int = 4, n_hidden: int = 8) -> str:
    """examples/loops.py's tanh_network, value and gradient unrolled by hand (module text)."""
    body = ["from math import tanh", "", "", "def tanh_network_value_and_grad(W, b, v, c, x):"]
    body += [f"    x{i} = x[{i}]" for i in range(n_in)]
    for j in range(n_hidden):
        pre = " + ".join(f"W[{n_in * j + i}] * x{i}" for i in range(n_in))
        body.append(f"    h{j} = tanh(b[{j}] + {pre})")
    body.append("    r = c + " + " + ".join(f"v[{j}] * h{j}" for j in range(n_hidden)) + " - 0.25")
    body.append("    dr = 2 * r")
    body += [f"    d{j} = dr * v[{j}] * (1 - h{j} * h{j})" for j in range(n_hidden)]
    body.append("    W_bar = [" + ", ".join(f"d{j} * x{i}" for j in range(n_hidden) for i in range(n_in)) + "]")
    body.append("    b_bar = [" + ", ".join(f"d{j}" for j in range(n_hidden)) + "]")
    body.append("    v_bar = [" + ", ".join(f"dr * h{j}" for j in range(n_hidden)) + "]")
    body.append("    x_bar = [" + ", ".join(" + ".join(f"d{j} * W[{n_in * j + i}]" for j in range(n_hidden))
                                           for i in range(n_in)) + "]")
    body.append("    return r * r, (W_bar, b_bar, v_bar, dr, x_bar)\n")
    return "\n".join(body)


def tanh_network_steps_source(n_in: int = 4, n_hidden: int = 8, ssa: bool = False, item_stores: bool = False
                              ) -> str:
    """tanh_network_source's adjoint, in steps toward the form of s2sad's code (module text, function
    `tanh_network_value_and_grad`), with the same arithmetic in the same order:
    statements split as s2sad splits them (each load, each call and each accumulation into a variable
    its own statement: `a = a + w * x`, `h = tanh(a)`); with `ssa`, each new value of a variable also
    under a name of its own (`a0_1 = a0 + ...`), as in s2sad's straight-line code; with `item_stores`,
    each list's adjoint made as s2sad makes it for a list of any length: zero-filled to the list's
    length, then stored item by item (no display)."""
    body = ["from math import tanh", "", "", "def tanh_network_value_and_grad(W, b, v, c, x):"]
    body += [f"    x{i} = x[{i}]" for i in range(n_in)]
    out = "c"
    for j in range(n_hidden):
        a = f"a{j}"
        body.append(f"    {a} = b[{j}]")
        for i in range(n_in):
            new = f"a{j}_{i + 1}" if ssa else a
            body += [f"    w{j}_{i} = W[{n_in * j + i}]", f"    {new} = {a} + w{j}_{i} * x{i}"]
            a = new
        new = f"out{j}" if ssa else "out"
        body += [f"    v{j} = v[{j}]", f"    h{j} = tanh({a})", f"    {new} = {out} + v{j} * h{j}"]
        out = new
    body += [f"    r = {out} - 0.25", "    dr = 2 * r"]
    body += [f"    d{j} = dr * v{j} * (1 - h{j} * h{j})" for j in range(n_hidden)]
    items = {
        "W": [f"d{j} * x{i}" for j in range(n_hidden) for i in range(n_in)],
        "b": [f"d{j}" for j in range(n_hidden)],
        "v": [f"dr * h{j}" for j in range(n_hidden)],
        "x": [" + ".join(f"d{j} * w{j}_{i}" for j in range(n_hidden)) for i in range(n_in)],
    }
    for name, values in items.items():
        if item_stores:
            body.append(f"    {name}_bar = [0.0] * len({name})")
            body += [f"    {name}_bar[{k}] = {value}" for k, value in enumerate(values)]
        else:
            body.append(f"    {name}_bar = [{', '.join(values)}]")
    body.append("    return r * r, (W_bar, b_bar, v_bar, dr, x_bar)\n")
    return "\n".join(body)


def defined(text: str, name: str):
    """The function `name` that module text `text` defines."""
    namespace: dict = {}
    exec(compile(text, f"<{name}>", "exec"), namespace)
    return namespace[name]


tanh_network_value_and_grad = defined(tanh_network_source(), "tanh_network_value_and_grad")


def extended_rosenbrock_value_and_grad(x):
    """The terms are independent, so value and gradient go in one loop."""
    n = len(x)
    g = [0.0] * n
    s = 0.0
    for i in range(n - 1):
        xi = x[i]
        a = x[i + 1] - xi * xi
        b = 1 - xi
        s += 100 * a * a + b * b
        g[i] += -400 * a * xi - 2 * b
        g[i + 1] += 200 * a
    return s, g


def oscillator_value_and_grad(k, c, y0, v0, steps):
    """RK4 forward storing each step's state; backward recomputing the stages from it."""
    h = 0.01
    y, v = y0, v0
    ys = []
    for _ in range(steps):
        ys.append((y, v))
        k1v = -k * y - c * v
        y2 = y + 0.5 * h * v
        v2 = v + 0.5 * h * k1v
        k2v = -k * y2 - c * v2
        y3 = y + 0.5 * h * v2
        v3 = v + 0.5 * h * k2v
        k3v = -k * y3 - c * v3
        y4 = y + h * v3
        v4 = v + h * k3v
        k4v = -k * y4 - c * v4
        y, v = y + h / 6 * (v + 2 * v2 + 2 * v3 + v4), v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
    value = y
    yb, vb, kb, cb = 1.0, 0.0, 0.0, 0.0
    for _ in range(steps):
        y, v = ys.pop()
        k1v = -k * y - c * v
        y2 = y + 0.5 * h * v
        v2 = v + 0.5 * h * k1v
        k2v = -k * y2 - c * v2
        y3 = y + 0.5 * h * v2
        v3 = v + 0.5 * h * k2v
        k3v = -k * y3 - c * v3
        y4 = y + h * v3
        v4 = v + h * k3v
        # y' = y + h/6 (v + 2 v2 + 2 v3 + v4), v' = v + h/6 (k1v + 2 k2v + 2 k3v + k4v)
        h6y, h6v = h / 6 * yb, h / 6 * vb
        k4vb = h6v
        kb -= k4vb * y4
        cb -= k4vb * v4
        y4b = -k * k4vb
        v4b = -c * k4vb + h6y
        k3vb = 2 * h6v + h * v4b
        kb -= k3vb * y3
        cb -= k3vb * v3
        y3b = -k * k3vb
        v3b = -c * k3vb + 2 * h6y + h * y4b
        k2vb = 2 * h6v + 0.5 * h * v3b
        kb -= k2vb * y2
        cb -= k2vb * v2
        y2b = -k * k2vb
        v2b = -c * k2vb + 2 * h6y + 0.5 * h * y3b
        k1vb = h6v + 0.5 * h * v2b
        kb -= k1vb * y
        cb -= k1vb * v
        yb, vb = yb + y4b + y3b + y2b - k * k1vb, vb + h6y + v4b + v3b + 0.5 * h * y2b + v2b - c * k1vb
    return value, (kb, cb, yb, vb)


def softmax_cross_entropy_value_and_grad(z, label):
    m = max(z)
    e = [exp(v - m) for v in z]
    s = sum(e)
    g = [v / s for v in e]
    g[label] -= 1.0
    return log(s) + m - z[label], g


def _softmax_cross_entropy_value_and_grad_exact(z, label):
    """f's sum in f's order (`sum` of floats rounds otherwise from Python 3.12 on)."""
    m = max(z)
    e = [exp(v - m) for v in z]
    s = 0.0
    for v in e:
        s += v
    g = [v / s for v in e]
    g[label] -= 1.0
    return log(s) + m - z[label], g


# Up to Python 3.11, `sum` of floats adds in order, as f's loop does: the hand-written version is exact.
softmax_cross_entropy_value_and_grad_exact = (
    _softmax_cross_entropy_value_and_grad_exact if sys.version_info >= (3, 12) else None
)

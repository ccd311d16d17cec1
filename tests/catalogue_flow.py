"""Programs with branches, loops and lists, each with points to check its gradient at.

`CASES` maps a function name to its points (one argument list per point;
lists of floats stay lists, integers stay integers and are not
differentiated). Points are chosen on both sides of every branch. Tests
compare s2sad with the mpmath oracle (tests/oracle.py) running this very text.
"""

from math import exp, log, sin, sqrt, tanh

DT = 0.01


def total(x):
    s = 0.0
    for v in x:
        s += v
    return s


def sum_builtin(x):
    return sum(x) * sum(x)


def dot(x, y):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * y[i]
    return s


def norm2(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] ** 2
    return sqrt(s)


def horner(c, x):
    p = 0.0
    for k in range(len(c) - 1, -1, -1):
        p = p * x + c[k]
    return p


def product(x):
    p = 1.0
    for v in x:
        p = p * v
    return p


def softmax_cross_entropy(z, label):
    m = z[0]
    for v in z:
        if v > m:
            m = v
    s = 0.0
    for v in z:
        s += exp(v - m)
    return log(s) + m - z[label]


def newton_sqrt(a, steps):
    x = a
    for i in range(steps):
        x = 0.5 * (x + a / x)
    return x


def newton_cubic(a):
    x = 1.0
    for i in range(6):
        x = x - (x * x * x - a) / (3 * x * x)
    return x


def euler_decay(k, y0, n):
    y = y0
    for i in range(n):
        y = y - DT * k * y
    return y


def rk4_oscillator(omega, x0, v0, n):
    h = 0.05
    x = x0
    v = v0
    for i in range(n):
        k1x = v
        k1v = -omega * omega * x
        k2x = v + 0.5 * h * k1v
        k2v = -omega * omega * (x + 0.5 * h * k1x)
        k3x = v + 0.5 * h * k2v
        k3v = -omega * omega * (x + 0.5 * h * k2x)
        k4x = v + h * k3v
        k4v = -omega * omega * (x + h * k3x)
        x = x + h / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
        v = v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
    return x * x + v


def huber(r, delta):
    a = abs(r)
    if a <= delta:
        return 0.5 * r * r
    return delta * (a - 0.5 * delta)


def huber_sum(r):
    s = 0.0
    for v in r:
        if abs(v) <= 1.0:
            s += 0.5 * v * v
        else:
            s += abs(v) - 0.5
    return s


def halvings(x):
    n = 0
    while x > 1.0:
        x = x / 2
        n += 1
    return x * n + x


def bisect_like(a):
    lo = 0.0
    hi = a
    while hi - lo > 0.25:
        mid = 0.5 * (lo + hi)
        if mid * mid > a:
            hi = mid
        else:
            lo = mid
    return lo * hi


def nested_sum(x, m):
    s = 0.0
    for i in range(len(x)):
        for j in range(m):
            s = s + x[i] * (j + 1) * sin(x[i] + j)
    return s


def pairwise(x):
    s = 0.0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            d = x[i] - x[j]
            s += d * d
    return s


def overwrite_in_place(x):
    y = [0.0] * len(x)
    for i in range(len(x)):
        y[i] = x[i] * x[i]
    for i in range(len(x)):
        y[i] = sin(y[i]) + y[i]
    return sum(y)


def running_average(x):
    y = [0.0] * len(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = 0.5 * (y[i - 1] + x[i])
    return y[-1] * y[len(y) - 2]


def append_list(x):
    ys = []
    for v in x:
        ys.append(v * v)
    ys.append(ys[0] * 3)
    s = 0.0
    for k in range(len(ys)):
        s += ys[k] * (k + 1)
    return s


def smooth_step(x):
    y = 0.0 if x < 0 else (x * x * (3 - 2 * x) if x < 1 else 1.0 + 0.1 * x)
    return y


def min_max(a, b, c):
    return max(a, b) * min(b, c) + max(a, b, c)


def clamp_loop(x):
    s = 0.0
    for v in x:
        s += min(max(v, -1.0), 1.0) ** 2
    return s


def early_return(x, y):
    if x > y:
        return x * y
    if x < -y:
        return x - y
    z = x + y
    return z * z


def continue_loop(x):
    s = 0.0
    for i in range(len(x)):
        if i % 2 == 1:
            continue
        s += x[i] * x[i]
    return s


def break_loop(x, limit):
    s = 0.0
    for v in x:
        s = s + v * v
        if s > limit:
            break
    return s


def while_break(a):
    x = a
    k = 0
    while True:
        x = x * 0.5 + 1.0
        k += 1
        if k >= 5 or x < 2.1:
            break
    return x


def fibonacci_like(a, b, n):
    for i in range(n):
        a, b = b, a + b * 0.5
    return a * b


def negative_index(x):
    return x[-1] * x[0] - x[len(x) - 2] * 2


def conditional_branches(x, y):
    if x > 0 and y > 0:
        z = x * y
    elif x > 0:
        z = x - y
    else:
        z = exp(x) + y
    return z * x


def loop_with_branch(x, t):
    s = 0.0
    for v in x:
        if v * t > 0.5:
            w = tanh(v * t)
        else:
            w = v * v * t
        s += w
    return s


def stride_range(x):
    s = 0.0
    for i in range(1, len(x), 2):
        s += x[i] * x[i - 1]
    return s


def carried_int_and_float(x, n):
    k = 0
    s = 1.0
    for i in range(n):
        k = k + 2
        s = s * x + k
    return s


def recurrence_list(a, n):
    y = [0.0] * (n + 1)
    y[0] = a
    for i in range(n):
        y[i + 1] = y[i] - 0.1 * y[i] * y[i]
    return y[n]


def list_display(x, y):
    v = [x, y * 2, x * y]
    s = 0.0
    for k in range(3):
        s += v[k] * v[k]
    return s


def inactive_condition_on_int(x, n):
    s = 0.0
    for i in range(n):
        if i < n // 2:
            s += x * i
        else:
            s -= x * x
    return s


def repeated_item(a, n):
    ys = [a] * n
    zs = [1.0, 2.0] * n
    s = 0.0
    for i in range(len(ys)):
        s += ys[i] * zs[i] + ys[i] * ys[i - 1]
    return s


def length_of_a_growing_list(x):
    ys = [x]
    s = 0.0
    for i in range(4):
        n = len(ys)
        ys.append(ys[n - 1] * x)
        s = s + ys[n - 1] * n
    return s


def two_sums(x):
    s = 0.0
    for v in x:
        s += v * v
    t = 0.0
    for i in range(len(x)):
        t += x[i] ** 3
    return s + t


def sum_then_append(x):
    ys = [x, 2.0 * x]
    s = 0.0
    for v in ys:
        s += v * v
    ys.append(s)
    return s + ys[-1] * 0.5 + ys[0]


def power_series(x, n):
    s = 0.0
    for i in range(n):
        s += (i + 1) * x ** (i + 1)
    return s


def list_changed_in_loop(x):
    ys = [x, 2.0]
    n = len(ys)
    first = ys[0]
    for i in range(3):
        u = ys[0]
        ys[0] = u * x + 1
        ys.append(u)
        n = n + len(ys)
    return first + ys[0] * n + sum(ys)


def popped_counters(x, n):
    """Integers pushed and popped: each pop indexes a power (a pop from a list of ints is an int)."""
    ks = []
    for i in range(n):
        ks.append(i)
    s = 0.0
    for j in range(n):
        k = ks.pop()
        s = s + x ** (k % 3) / (k + 1)
    return s


def popped_then_scaled(x, n):
    """A list that starts with an int and gets floats after a pop: its pops are not typed as ints."""
    ws = [1]
    s = 0.0
    for i in range(n):
        w = ws.pop()
        s = s + x * w
        ws.append(w * 0.5 * x)
    return s


def log_partition(w, b, n):
    """log of a sum of exponentials: the sum's adjoint 1 / s is known only after the loop."""
    s = 0.0
    for i in range(n):
        s = s + exp(w * i + b)
    return log(s)


def rms_of_line(a, b, n):
    """The root mean square of residuals: two scalars receive each iteration's terms, scaled once."""
    s = 0.0
    for i in range(n):
        r = a * i + b - sin(i)
        s += r * r
    return sqrt(s / n) * a


def branch_in_a_long_loop(x, c, n):
    """A value assigned in both arms of a branch each iteration: not state carried between iterations."""
    t = x
    for i in range(n):
        if t > 0.5:
            w = t * c
        else:
            w = t + 0.1
        t = t - 0.1 * w * x
    return t


def two_long_loops(x, c, n):
    """Two loops one after the other, each recorded (or checkpointed) on its own."""
    s = x
    for i in range(n):
        s = sin(s) * c
    t = s
    for j in range(n):
        t = t * tanh(t) + x
    return t



# Sums of exponentials whose shift receives its terms at once (`reverse.common.summed_exponentials`)
def log_sum_exp_shifted(a, z):
    """log(sum(exp(a * v))), shifted by m = a * z[0]: m's terms from the loop are one term, -s_bar * s."""
    m = a * z[0]
    s = 0.0
    for v in z:
        w = a * v
        s = s + exp(w - m)
    return log(s) + m


def log_sum_exp_rows(X, n, k):
    """A log-sum-exp per row of an n x k table (flat), each shifted by its row's first item."""
    total = 0.0
    for i in range(n):
        m = X[k * i]
        s = 0.0
        for j in range(k):
            s += exp(X[k * i + j] - m)
        total += log(s) * (i + 1) + m
    return total


def sum_of_exponentials_on_the_left(z, c):
    """s = exp(c - v) + s: the shift first in the exponent, with coefficient 1, the term added on the left."""
    s = 0.0
    for v in z:
        s = exp(c - v) + s
    return log(s) * c


def shifted_twice_with_a_moment(z, c):
    """The shift with coefficient -2, and read again in the loop (r += m * v): those terms stay per item."""
    m = z[0] + c
    s = 0.0
    r = 0.0
    for v in z:
        s += exp(v - 2 * m)
        r += m * v
    return log(s) + 0.01 * r * r


def sum_of_exponentials_from_one(z):
    """s starts at 1.0: the sum of the terms is not s, so each iteration gives its own term."""
    m = z[1]
    s = 1.0
    for v in z:
        s += exp(v - m)
    return log(s) + m


def decaying_sum_of_exponentials(z):
    """s = 0.5 * s + exp(v - m): s's adjoint halves each iteration, so the terms are not summed at once."""
    m = z[0]
    s = 0.0
    for v in z:
        s = 0.5 * s + exp(v - m)
    return log(s) + m


def flag_merged_before_its_reader(x, y):
    """`big`, set on both arms of `if x > 0:`, is merged; under `if x > 0:` again, `if big:` is a branch on
    the arm's own flag, so v (set under it) is defined there."""
    big = False
    if x > 0:
        big = x > 1
        if big:
            v = x * y
    r = y
    if x > 0:
        if big:
            r = v * v + y
    return r


CASES = {
    "total": [[[1.0, 2.0, -0.5]], [[0.25]]],
    "sum_builtin": [[[1.0, 2.0, -0.5]], [[3.0, -4.0]]],
    "dot": [[[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], [[-1.0], [2.0]]],
    "norm2": [[[3.0, 4.0]], [[1.0, -2.0, 0.5]]],
    "horner": [[[1.0, -2.0, 0.5, 3.0], 0.7], [[2.0, 1.0], -1.5]],
    "product": [[[1.5, 2.0, -3.0]], [[0.5, 0.25]]],
    "softmax_cross_entropy": [[[1.0, 2.0, 0.5], 1], [[3.0, -1.0, 0.0, 2.5], 0]],
    "newton_sqrt": [[2.0, 5], [9.0, 3]],
    "newton_cubic": [[2.0], [10.0]],
    "euler_decay": [[0.5, 2.0, 50], [1.5, -1.0, 10]],
    "rk4_oscillator": [[1.3, 1.0, 0.0, 40], [0.7, -0.5, 0.3, 10]],
    "huber": [[0.3, 1.0], [-2.0, 1.0], [3.0, 1.5]],
    "huber_sum": [[[0.3, -2.0, 1.5, -0.2]], [[0.1, 0.2]]],
    "halvings": [[10.0], [0.5], [3.0]],
    "bisect_like": [[2.2], [5.3]],
    "nested_sum": [[[0.3, -1.2, 2.0], 3], [[1.0], 2]],
    "pairwise": [[[1.0, 2.5, -1.0]], [[0.5, 0.25, 3.0, -2.0]]],
    "overwrite_in_place": [[[0.5, -1.0, 2.0]], [[1.5]]],
    "running_average": [[[1.0, 2.0, 3.0, -1.0]], [[0.5, 4.0]]],
    "append_list": [[[1.0, -2.0, 0.5]], [[3.0]]],
    "smooth_step": [[-0.5], [0.3], [0.8], [1.5]],
    "min_max": [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [2.0, -1.0, 0.5]],
    "clamp_loop": [[[0.5, -2.0, 1.5, -0.3]], [[0.1]]],
    "early_return": [[3.0, 1.0], [-3.0, 1.0], [0.5, 1.0]],
    "popped_counters": [[1.3, 5], [-0.7, 2]],
    "popped_then_scaled": [[0.9, 4], [-1.2, 1]],
    "continue_loop": [[[1.0, 2.0, 3.0, 4.0, 5.0]], [[0.5, -1.0]]],
    "break_loop": [[[1.0, 2.0, 3.0, 4.0], 4.5], [[1.0, 0.5], 10.0]],
    "while_break": [[3.0], [40.0]],
    "fibonacci_like": [[1.0, 0.5, 6], [-0.3, 2.0, 3]],
    "negative_index": [[[1.0, 2.0, 3.0]], [[0.5, -1.5]]],
    "conditional_branches": [[1.0, 2.0], [1.0, -2.0], [-1.0, 2.0]],
    "loop_with_branch": [[[0.2, 1.0, -0.7, 2.0], 0.8], [[0.1, 0.3], -1.5]],
    "stride_range": [[[1.0, 2.0, 3.0, 4.0, 5.0]], [[0.5, -1.0]]],
    "carried_int_and_float": [[0.9, 4], [-1.1, 2]],
    "recurrence_list": [[0.5, 8], [2.0, 3]],
    "list_display": [[1.0, 2.0], [-0.5, 0.25]],
    "inactive_condition_on_int": [[1.5, 5], [-0.5, 2]],
    "list_changed_in_loop": [[0.7], [-1.3]],
    "two_sums": [[[0.5, -1.25, 2.0]], [[1.5]]],
    "log_partition": [[0.3, -0.2, 6], [-1.1, 0.5, 1]],
    "branch_in_a_long_loop": [[1.7, 0.5, 12], [0.3, 0.8, 5]],
    "two_long_loops": [[0.9, 1.1, 7], [-1.2, 0.7, 3]],
    "rms_of_line": [[0.7, 0.1, 5], [-0.4, 2.0, 1]],
    "power_series": [[0.7, 5], [-1.3, 3]],
    "sum_then_append": [[0.7], [-1.2]],
    "length_of_a_growing_list": [[0.8], [-1.1]],
    "repeated_item": [[0.7, 3], [-1.3, 1]],
    "log_sum_exp_shifted": [[0.8, [1.0, 2.0, 0.5]], [-1.5, [3.0, -1.0, 0.0, 2.5]]],
    "log_sum_exp_rows": [[[1.0, 2.0, 0.5, -0.3, 0.9, 0.1], 2, 3], [[0.4, -1.2, 2.2, 0.7], 1, 4]],
    "sum_of_exponentials_on_the_left": [[[1.0, 2.0, 0.5], 0.3], [[-0.5, 1.5], 2.0]],
    "shifted_twice_with_a_moment": [[[1.0, 2.0, 0.5], 0.3], [[-0.5, 1.5, 0.25], -0.7]],
    "sum_of_exponentials_from_one": [[[1.0, 2.0, 0.5]], [[-0.5, 1.5]]],
    "decaying_sum_of_exponentials": [[[1.0, 2.0, 0.5]], [[-0.5, 1.5, 0.2]]],
    "flag_merged_before_its_reader": [[1.5, 0.7], [0.5, 0.7], [-0.5, 0.7]],
}

"""The hand-written adjoints that the benchmarks time: gradients against the 50-digit oracle, and the
`*_exact` versions return f's value bit for bit (as s2sad's generated code does)."""

import math
import os
import random
import sys

import pytest
from mpmath import mp
from oracle import assert_gradient, gradient, gradient_of, mp_namespace

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import handwritten  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")


def _namespaces(name: str) -> tuple[dict, dict]:
    text = open(os.path.join(ROOT, "examples", name)).read()
    floats: dict = {}
    exec(compile(text, name, "exec"), floats)
    return floats, mp_namespace(text)


OPTIM = _namespaces("optim.py")
LOOPS = _namespaces("loops.py")


def _close(a: float, b, rel: float = 1e-9) -> bool:
    return abs(a - float(b)) <= rel * (1 + abs(float(b)))


SCALAR = [("rosenbrock", 2, 2.0), ("wood", 4, 3.0), ("powell", 4, 3.0)]


def _where_rounding_differs(f, plain, n: int, spread: float, rng: random.Random, want: int = 3) -> list:
    """Points where the plain hand-written adjoint's value is not f's (rare for some: searched for)."""
    found = []
    for _ in range(400_000):
        point = tuple(rng.uniform(-spread, spread) for _ in range(n))
        if plain(*point)[0] != f(*point):
            found.append(point)
            if len(found) == want:
                break
    return found


@pytest.mark.parametrize("name, n, spread", SCALAR)
def test_scalar_adjoints(name, n, spread):
    f, f_mp = OPTIM[0][name], OPTIM[1][name]
    hand = getattr(handwritten, f"{name}_value_and_grad")
    exact = getattr(handwritten, f"{name}_value_and_grad_exact")
    rng = random.Random(name)
    differ = _where_rounding_differs(f, hand, n, spread, rng)
    assert differ  # else this test could not tell the exact version from the plain one
    for point in differ + [tuple(rng.uniform(-spread, spread) for _ in range(n)) for _ in range(200)]:
        value, grad = exact(*point)
        assert repr(value) == repr(f(*point)), point  # f's value, bit for bit
        assert grad == hand(*point)[1]  # the same reverse sweep
    for point in [tuple(rng.uniform(-spread, spread) for _ in range(n)) for _ in range(5)]:
        want = gradient(f_mp, point)
        assert all(_close(g, w) for g, w in zip(hand(*point)[1], want))
        assert _close(hand(*point)[0], f_mp(*[mp.mpf(p) for p in point]))


def test_softmax_cross_entropy_adjoints():
    """The exact version exists where `sum` rounds otherwise than f's loop (Python 3.12 on); before, the
    hand-written version is f's value bit for bit itself."""
    f, f_mp = LOOPS[0]["softmax_cross_entropy"], LOOPS[1]["softmax_cross_entropy"]
    hand = handwritten.softmax_cross_entropy_value_and_grad
    exact = handwritten.softmax_cross_entropy_value_and_grad_exact
    assert (exact is None) == (sys.version_info < (3, 12))
    exact = exact or hand
    rng = random.Random(5)
    for n in (1, 2, 7, 100, 100, 100):
        z = [rng.uniform(-30, 30) for _ in range(n)]
        label = rng.randrange(n)
        value, grad = exact(z, label)
        assert repr(value) == repr(f(z, label))
        hand_value, hand_grad = hand(z, label)
        assert _close(hand_value, value, 1e-14) and all(_close(a, b, 1e-14) for a, b in zip(hand_grad, grad))
        want = gradient(lambda *t: f_mp(list(t), label), z)
        assert all(_close(g, w) for g, w in zip(grad, want))
        assert math.isclose(sum(grad), 0.0, abs_tol=1e-12)  # softmax - onehot sums to 0


def test_tanh_network_adjoints():
    """The 4-8-1 network's hand-written adjoint against the oracle, and the steps toward the generated
    code's form that scripts/bench_forms.py times: each has its form, and hand's value and gradient
    to the bit."""
    f, f_mp = LOOPS[0]["tanh_network"], LOOPS[1]["tanh_network"]
    hand = handwritten.tanh_network_value_and_grad
    steps = [handwritten.tanh_network_steps_source(ssa=ssa, item_stores=stores)
             for ssa, stores in ((False, False), (True, False), (True, True))]
    assert "a0 = a0 + w0_0 * x0" in steps[0] and "a0_1 = a0 + w0_0 * x0" in steps[1]
    assert "W_bar = [d0 * x0, " in steps[1] and "W_bar[" not in steps[1]
    assert "W_bar = [0.0] * len(W)" in steps[2] and "W_bar[31] = d7 * x3" in steps[2]
    forms = [handwritten.defined(text, "tanh_network_value_and_grad") for text in steps]
    rng = random.Random(11)
    for _ in range(3):
        args = [[rng.uniform(-1, 1) for _ in range(n)] for n in (32, 8, 8)] + [rng.uniform(-1, 1)] + \
            [[rng.uniform(-1, 1) for _ in range(4)]]
        value, grad = hand(*args)
        assert repr(value) == repr(f(*args))
        for form in forms:
            assert form(*args) == (value, grad)
        assert_gradient(grad, gradient_of(f_mp, args), "tanh_network")


def test_bench_forms_time_the_same_computation():
    """scripts/bench_forms.py times six forms of one adjoint: each gives hand's value and gradient, and its
    check tells a wrong one (a list item's gradient off, or the value)."""
    import bench_forms

    rows = bench_forms.forms()
    point = bench_forms.network_point()
    assert [label for label, _ in rows][0] == "hand" and len(rows) == 6
    assert bench_forms.mismatches(rows, point) == []

    def item_off(*args):
        value, (W, b, v, c, x) = rows[0][1](*args)
        return value, (W[:5] + [W[5] * (1 + 1e-9)] + W[6:], b, v, c, x)

    def value_off(*args):
        value, grad = rows[0][1](*args)
        return value * (1 + 1e-15), grad

    assert bench_forms.mismatches(rows + [("item", item_off), ("value", value_off)], point) == ["item", "value"]

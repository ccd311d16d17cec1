"""Adjoints that depend on what the reverse sweep knows of shapes, against the finite-difference oracle.

A full sum's adjoint is left a scalar where everything that reads it broadcasts it (`Shapes.uniform`),
and `_unbroadcast` is left out where two values are known to have one shape (`x[1:]` and `x[:-1]`).
Each program here is one where that knowledge would be wrong if it were stretched: an operand that
broadcasting enlarges, a slice pair of different lengths, a mask larger than the values it picks.
Every program runs through the API and through the generated module, at several shapes.
"""

import array_oracle
import numpy as np
import pytest
from conftest import import_file

import s2sad

SOURCE = '''\
import numpy as np


def scalar_added(x, s):
    return np.sum(x + s)


def scalar_scaled(x, s):
    return np.mean(s * x - s)


def outer_broadcast(a, b):
    return np.sum(a * b + a - b)


def maximum_broadcast(a, b):
    return np.sum(np.maximum(a, b) + 2 * np.minimum(b, a))


def shifted_slices(x):
    return np.sum(x[1:] ** 2 - x[:-1]) + 3 * np.sum(x[2:] * x[:-2])


def shifted_rows(x):
    return np.sum((x[1:, :] - x[:-1]) ** 2) + np.sum(x[:, 1:] * x[:, :-1])


def taken_ends(x):
    return np.sum(x[:3] * x[-3:] + x[:3])


def different_lengths(x):
    return np.sum(x[1:4] + x[:3] * 2) + np.sum(x[2:] * 5)


def one_left(x):
    return np.sum(x[1:] * x[2:] - x[:-2] + x[-1:] * x[:2])


def mask_larger(a, m):
    return np.sum(np.where(m > 0, a, 0.0) + a)


def sum_of_rows_mean(x, c):
    return np.mean(np.sum(x**2, axis=1)) + np.sum(np.mean(x, axis=0) * c)


def through_a_product(W, x):
    return np.sum(np.tanh(W @ x) + x)


def clipped(x, lo):
    return np.sum(np.clip(x, -0.5, 1.0) * lo - x)


def kept_dims_of_a_lower_triangle(X):
    s = np.sum(np.tril(X), keepdims=True)
    return np.sum(s[0])


def kept_dims_of_cumulative_sums(x):
    s = np.sum(np.cumsum(x, axis=0), keepdims=True)
    return s[0] * s[0]


def an_index_array_and_an_int(x, j):
    return np.sum(x[j] + x[0])


def an_index_array_times_a_row(X, i, j):
    return np.sum(X[i] * X[j])


STACK = np.array([[[2.0, 1.0], [1.0, 3.0]], [[1.0, 0.5], [0.2, 1.0]]])


def determinants_of_a_stack(x):
    return np.sum(np.sum(x, axis=1) * np.linalg.det(STACK))


def traces_of_a_stack(x, T):
    return np.sum(np.sum(x, axis=1) * np.trace(T))


def sum_of_a_list_of_arrays(x, w):
    ys = [x * 2.0, x * 3.0]
    t = sum(ys)
    return np.sum(t * w) + np.sum(ys[1] * w)


def clipped_by_a_tuple(x):
    return np.sum(np.clip(x, (0.0, 0.5), 1.0) * 2 + x)


def in_a_loop(x, n):
    s = 0.0
    for _ in range(n):
        s = s + np.sum(x * x + 1)
        x = 0.5 * x
    return s
'''

RNG = np.random.default_rng(7)


def _a(*shape):
    return RNG.uniform(-1.5, 1.5, size=shape)


CASES = {
    "scalar_added": [(_a(5), 0.3), (_a(2, 3), _a(1))],
    "scalar_scaled": [(_a(4), 1.7), (_a(3, 2), _a(3, 1))],
    "outer_broadcast": [(_a(3, 1), _a(1, 4)), (_a(4), _a(4)), (_a(2, 3), 0.5)],
    "maximum_broadcast": [(_a(3, 1), _a(4)), (_a(5), 0.2), (0.1, _a(2, 2))],
    "shifted_slices": [(_a(6),), (_a(2),), (_a(1),), (_a(5, 2),)],
    "shifted_rows": [(_a(4, 3),), (_a(1, 2),)],
    "taken_ends": [(_a(5),), (_a(3),), (_a(2),)],
    "different_lengths": [(_a(6),), (_a(4),)],
    "one_left": [(_a(3),), (_a(3, 2),)],
    "mask_larger": [(_a(3), _a(2, 3)), (_a(2, 3), _a(2, 3))],
    "sum_of_rows_mean": [(_a(3, 4), _a(4)), (_a(2, 5), 0.7)],
    "through_a_product": [(_a(4, 4), _a(4)), (_a(2, 2), _a(2, 5))],
    "clipped": [(_a(5), -0.5), (_a(2, 3), _a(3))],
    "kept_dims_of_a_lower_triangle": [(_a(2, 2),), (_a(3, 3),)],
    "kept_dims_of_cumulative_sums": [(_a(4),), (_a(1),)],
    "an_index_array_and_an_int": [(_a(4), np.array([1, 3])), (_a(3, 2), np.array([0, 0, 2]))],
    "an_index_array_times_a_row": [(_a(3, 3), 1, np.array([0, 2])), (_a(3, 3), 2, np.array([[0], [1]]))],
    "determinants_of_a_stack": [(_a(2, 2),), (_a(2, 1),)],
    "traces_of_a_stack": [(_a(2, 2), _a(2, 2, 2)), (_a(3, 3), _a(3, 3, 3))],
    "sum_of_a_list_of_arrays": [(_a(3), _a(3)), (_a(2, 2), _a(2))],
    "clipped_by_a_tuple": [(_a(3, 1),), (_a(2),)],
    "in_a_loop": [(_a(4), 3), (_a(2, 2), 1)],
}


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    path = tmp_path_factory.mktemp("shapes") / "shapes.py"
    path.write_text(SOURCE)
    module = import_file(str(path))
    generated = {}
    for name in CASES:
        out = path.parent / f"{name}_grad.py"
        out.write_text(s2sad.generate(getattr(module, name)))
        generated[name] = getattr(import_file(str(out)), f"{name}_value_and_grad")
    return module, generated


@pytest.mark.parametrize("name,k", [(n, k) for n, cases in CASES.items() for k in range(len(cases))])
def test_gradient_and_value(programs, name, k):
    module, generated = programs
    f = getattr(module, name)
    args = CASES[name][k]
    wrt = [i for i, a in enumerate(args) if array_oracle.is_differentiable(a)]
    want = array_oracle.gradient(f, args, wrt)
    for what, vg in (("api", s2sad.value_and_grad(f, wrt=tuple(wrt))), ("generated", generated[name])):
        value, grad = vg(*args)
        assert value == f(*args), what
        grad = grad if isinstance(grad, tuple) else (grad,)
        if len(wrt) < len(args) and what == "generated":
            grad = tuple(grad[i] for i in wrt)
        array_oracle.assert_gradients_close(grad, want, args, wrt, what=f"{what} {name}")


def test_a_full_sums_adjoint_stays_a_scalar_where_it_may(programs):
    """The expert's form: no broadcast array of ones, no helper where the shapes are known equal."""
    ns = programs[0].__dict__
    text = s2sad.generate(ns["shifted_slices"])
    reverse = text.split("def shifted_slices_value_and_grad")[1].split("# reverse sweep")[1]
    assert "broadcast_to" not in reverse and "_unbroadcast(" not in reverse
    # an operand that broadcasting enlarges keeps its sum
    text = s2sad.generate(ns["scalar_added"])
    assert "np.broadcast_to(1, " in text.split("# reverse sweep")[1]


def test_two_gradients_are_two_arrays(tmp_path):
    """One adjoint array can be the gradient of two parameters (x + y): each gets its own, so an
    optimizer that updates one in place leaves the other as it was."""
    path = tmp_path / "apart.py"
    path.write_text("import numpy as np\n\n\ndef f(x, y, z):\n    return np.sum(np.sin(x + y)) + np.sum(z)\n")
    module = import_file(str(path))
    out = tmp_path / "apart_grad.py"
    out.write_text(s2sad.generate(module.f))
    generated = import_file(str(out))
    x, y, z = _a(3), _a(3), _a(2)
    for grads in (s2sad.grad(module.f)(x, y, z), generated.f_grad(x, y, z), generated.f_value_and_grad(x, y, z)[1]):
        for i in range(3):
            for j in range(i):
                assert not np.may_share_memory(grads[i], grads[j]), (i, j)
        assert np.allclose(grads[0], np.cos(x + y)) and np.allclose(grads[1], np.cos(x + y))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's "mean of empty slice", as f's own
@pytest.mark.parametrize("source, shape", [
    ("np.mean(x) + np.sum(x)", (0,)),
    ("np.sum(np.mean(x ** 2, axis=0))", (0, 3)),
    ("np.sum(np.mean(x, axis=1)) + np.mean(x)", (3, 0)),
])
def test_a_mean_of_nothing(tmp_path, source, shape):
    """A mean over no entries is nan, as NumPy says; its gradient has no entries (not an error: the
    count is divided by as NumPy does)."""
    path = tmp_path / "empty.py"
    path.write_text(f"import numpy as np\n\n\ndef f(x):\n    return {source}\n")
    module = import_file(str(path))
    out = tmp_path / "empty_grad.py"
    out.write_text(s2sad.generate(module.f))
    generated = import_file(str(out))
    x = np.zeros(shape)
    for vg in (s2sad.value_and_grad(module.f), generated.f_value_and_grad):
        value, grad = vg(x)
        assert np.isnan(value) and np.isnan(module.f(x))
        assert grad.shape == shape and grad.dtype == np.float64
    assert generated.f_grad(x).shape == shape

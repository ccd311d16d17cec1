"""NumPy: as a math library on floats, and array programs (errors, conventions, the README's claims).

Gradients are compared with the finite-difference oracle of tests/array_oracle.py (NumPy does not
run on mpmath numbers); the catalogue of array programs is tests/test_arrays.py.
"""

import os
import subprocess
import sys
import textwrap

import array_oracle
import numpy as np
import pytest
from conftest import import_file

import s2sad
from s2sad import UnsupportedSyntaxError
from s2sad.array_rules import table_markdown

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCALAR_NUMPY = '''\
import numpy as np
import numpy as numpy_alias
from numpy import cos, pi, arctan2


def trig(x, y):
    return np.sin(x) * cos(y) + np.exp(x * pi) - np.arcsin(y / 4)


def alias(x, y):
    return numpy_alias.sqrt(x * x + 1) * numpy_alias.tanh(y) + arctan2(y, x)


def powers(x, y):
    return np.power(x, y) + np.square(y) + np.reciprocal(x) + np.abs(y) ** 3


def items(x):
    return (x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2
'''


@pytest.fixture()
def module(tmp_path):
    counter = iter(range(1000))

    def load(text: str):
        path = tmp_path / f"m{next(counter)}.py"
        path.write_text(textwrap.dedent(text))
        return import_file(str(path)), str(path)

    return load


def _check(f, args, rtol=1e-7):
    wrt = array_oracle.positions(args)
    want = array_oracle.gradient(f, args, wrt)
    value, got = s2sad.value_and_grad(f, wrt=wrt)(*args)
    got = got if len(wrt) > 1 else (got,)
    assert value == f(*args)  # NumPy's own functions, in the source's order: bit for bit
    for g, w in zip(got, want):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * array_oracle.scale_of(want))
    return got


@pytest.mark.parametrize("name,args", [
    ("trig", (0.3, 0.7)), ("trig", (-1.2, 2.5)), ("alias", (0.4, -0.3)), ("powers", (1.3, 0.6)),
    ("powers", (0.7, -1.4)),
])
def test_numpy_as_a_math_library_on_floats(module, name, args):
    mod, _ = module(SCALAR_NUMPY)
    got = _check(getattr(mod, name), args)
    assert all(isinstance(g, float) for g in got)


def test_numpy_on_floats_lowers_to_the_scalar_rows(module):
    mod, _ = module(SCALAR_NUMPY)
    text = s2sad.generate(mod.trig)
    assert "np.sin(x)" in text and "np.arcsin" in text  # the value: NumPy's own functions
    assert "_unbroadcast" not in text and "def _" not in text  # no array machinery for floats
    assert [line for line in text.splitlines() if line.startswith(("import", "from"))] == [
        "import numpy as np", "from math import cos, sin, sqrt"]


def test_a_list_parameter_given_an_ndarray_gets_an_ndarray(module):
    mod, _ = module(SCALAR_NUMPY)
    g = s2sad.grad(mod.items)(np.array([1.0, 2.0]))
    assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.tolist() == [-8.0, -10.0]
    assert s2sad.grad(mod.items)([1.0, 2.0]) == [-8.0, -10.0]  # a list stays a list


WRAPPED = '''\
def named_like_builtins(xs, type, /, list=2.0):
    s = 0.0
    for v in xs:
        s += v * type * list
    return s
'''


def test_the_ndarray_wrapper_keeps_the_functions_parameters(module):
    """The runtime API's wrapper for list parameters has the generated function's parameters: names that
    shadow the builtins it uses, defaults, keywords; and Python's own errors for a bad call."""
    mod, _ = module(WRAPPED)
    f = mod.named_like_builtins
    vg = s2sad.value_and_grad(f)
    for args, kwargs in [(([1.0, 2.0], 3.0), {}), (([1.0, 2.0], 3.0, 0.5), {}), (([1.0, 2.0], 3.0), {"list": 0.5})]:
        value, (g_xs, g_type, g_list) = vg(*args, **kwargs)
        scale = kwargs.get("list", args[2] if len(args) > 2 else 2.0)
        assert value == f(*args, **kwargs) and g_xs == [3.0 * scale] * 2  # d/dv of v * type * list
        assert g_type == 3.0 * scale and g_list == 9.0  # (1 + 2) * type
        value, (g_xs, _, _) = vg(np.array(args[0]), *args[1:], **kwargs)
        assert isinstance(g_xs, np.ndarray) and g_xs.tolist() == [3.0 * scale] * 2 and value == f(*args, **kwargs)
    assert vg.__name__ == "named_like_builtins_value_and_grad" and vg.__wrapped__ is not None
    with pytest.raises(TypeError, match="missing"):
        vg([1.0])


ARRAYS = '''\
import numpy as np

TABLE = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 5.5]])


def broadcast(x, y, s):
    return np.sum(np.tanh(x * y + s) ** 2) + np.mean(x, axis=0).sum() * s


def fit(a, b):
    r = a * TABLE[:, 0] + b - TABLE[:, 1]
    return np.sum(r * r)


def vector(x):
    return x[1:] * 2


def steps(x, n):
    a = np.zeros(len(x))
    for i in range(n):
        a[i % len(x)] += x[i % len(x)] * a[i % len(x) - 1] + 1.0
        a = a * 0.5 + x
    return np.sum(a ** 2)
'''


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 4)), ((1, 3), (2, 1)), ((4,), ())])
def test_broadcasting_between_any_shapes(module, shapes):
    mod, _ = module(ARRAYS)
    rng = np.random.default_rng(len(shapes[0]) * 7 + len(shapes[1]))
    x, y = (rng.normal(size=s) if s else 0.6 for s in shapes)
    got = _check(mod.broadcast, (x, y, 0.3))
    for g, a in zip(got, (x, y, 0.3)):
        assert type(g) is (float if isinstance(a, float) else np.ndarray)


def test_data_tables_are_copied_and_checked_against_the_live_module(module):
    mod, _ = module(ARRAYS)
    _check(mod.fit, (1.5, 0.2))
    assert "TABLE = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 5.5]])" in s2sad.generate(mod.fit)
    mod.TABLE = np.array([[0.0, 1.0]])
    with pytest.raises(s2sad.S2sadError, match="TABLE is"):
        s2sad.grad(mod.fit)


def test_updates_in_place_inside_loops(module):
    mod, _ = module(ARRAYS)
    rng = np.random.default_rng(3)
    for n in (0, 1, 5):
        _check(mod.steps, (rng.normal(size=3), n))


def test_an_array_result_is_an_error_when_it_runs(module, tmp_path):
    mod, path = module(ARRAYS)
    with pytest.raises(ValueError, match="not a scalar"):
        s2sad.grad(mod.vector)(np.ones(3))
    generated = tmp_path / "vector_grad.py"
    generated.write_text(s2sad.generate(mod.vector))
    gen = import_file(str(generated))
    with pytest.raises(ValueError, match="shape \\(2,\\)"):
        gen.vector_grad(np.ones(3))


def test_the_generated_module_is_standalone(module, tmp_path):
    mod, path = module(ARRAYS)
    text = s2sad.generate(mod.fit)
    imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["import numpy as np"]
    out = tmp_path / "fit_grad.py"
    out.write_text(text)
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import fit_grad; print(fit_grad.fit_grad(1.5, 0.2))"
    run = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": os.path.dirname(np.__path__[0])})
    assert run.returncode == 0, run.stderr
    want = array_oracle.gradient(mod.fit, (1.5, 0.2), [0, 1])
    got = eval(run.stdout)  # noqa: S307 - our own printed tuple of floats
    np.testing.assert_allclose(got, want, rtol=1e-7)


ERRORS = [
    ("return np.fft.fft(x).real", "np.fft.fft is not supported", "numpy.fft has no derivative rules"),
    ("return np.sum(np.random.rand(3) * x)", "np.random.rand is not supported", ""),
    ("y = x\n    y[0] = 1.0\n    return np.sum(x)", "y and x share one array", "y = y.copy()"),
    ("y = x[1:]\n    x[1] += 1.0\n    return np.sum(y)", "x and y share one array", "x = x.copy()"),
    ("y = x * 1.0\n    z = y\n    for i in range(2):\n        y[0] = 1.0\n    return np.sum(z)", "y and z share one array",
     ""),
    ("y = x * 1.0\n    z = y if n > 0 else x\n    y += 1.0\n    return np.sum(z)", "y and z share one array", ""),
    ("return np.sum(x, axis=n)", "the option axis= must be a constant", ""),
    ("return np.einsum('ii', x)", "np.einsum needs explicit output subscripts", ""),
    ("return x.tolist()[0]", "the array method .tolist is not supported", ""),
    ("return np.sum(x.real)", "the array attribute .real is not supported", ""),
    ("return np.sin(x, out=x).sum()", "keyword arguments of np.sin are not supported", ""),
    ("for v in x:\n        x[0] = v\n    return np.sum(x)", "the loop changes the array x", ""),
]


@pytest.mark.parametrize("body,message,hint", ERRORS, ids=[e[1][:40] for e in ERRORS])
def test_array_errors_are_located_with_a_hint(module, body, message, hint):
    mod, path = module(f"import numpy as np\n\n\ndef f(x, n):\n    {body}\n")
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sad.grad(mod.f)
    found = info.value.violations
    assert any(message in v.message and hint in v.hint for v in found), [(v.message, v.hint) for v in found]
    assert all(v.line >= 5 and v.col >= 1 for v in found)
    assert "math" not in " ".join(v.hint for v in found if message in v.message)  # never the math-module hint


def test_readme_example_is_what_s2sad_generates(tmp_path):
    source = "import numpy as np\n\n\ndef rosenbrock(x):\n    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)\n"
    path = tmp_path / "rb.py"
    path.write_text(source)
    readme = open(os.path.join(ROOT, "README.md")).read()
    assert source in readme
    text = s2sad.generate(import_file(str(path)).rosenbrock)
    grad = text[text.index("def rosenbrock_grad"):]
    assert grad in readme


def test_readme_table_is_the_array_sheet():
    assert table_markdown() in open(os.path.join(ROOT, "README.md")).read()


def test_iterating_over_an_array_gives_its_rows(module):
    mod, _ = module('''\
import numpy as np


def rows(X, w):
    s = 0.0
    for row in X:
        s = s + np.tanh(row @ w) ** 2
    for k, row in enumerate(X):
        s = s + k * np.sum(row)
    return s
''')
    rng = np.random.default_rng(5)
    _check(mod.rows, (rng.normal(size=(4, 3)), rng.normal(size=3)))
    _check(mod.rows, (rng.normal(size=(1, 2)), rng.normal(size=2)))


def test_rows_read_in_a_loop_add_into_one_buffer(module):
    """The adjoint of xs[t] at each step goes into one zeros array the loop owns: linear, not quadratic."""
    mod, _ = module('''\
import numpy as np


def run(w, xs):
    s = 0.0
    for t in range(len(xs)):
        s = s + np.sum(np.sin(xs[t] * w))
    return s
''')
    text = s2sad.generate(mod.run)
    assert "= _zeros_like_float(xs)" in text and "= _scatter_add(xs_bar" in text
    assert "+ _getitem_back" not in text and "+= _getitem_back" not in text
    rng = np.random.default_rng(2)
    _check(mod.run, (rng.normal(size=3), rng.normal(size=(4, 3))))
    _check(mod.run, (0.7, rng.normal(size=(2, 2))))


def test_a_fixed_matrix_in_a_loop_gets_its_adjoint_from_one_product(module):
    """W @ h at each step: the steps' vectors are kept and W's adjoint is one product after the loop."""
    mod, _ = module('''\
import numpy as np


def rnn(W, U, h, xs):
    for t in range(len(xs)):
        h = np.tanh(W @ h + xs[t] @ U)
    return np.sum(h ** 2)
''')
    text = s2sad.generate(mod.rnn)
    assert "W_bar = W_bar + _matmul_back_sum(W_bar_steps, W, W_bar_with, 0)" in text
    assert "U_bar = U_bar + _matmul_back_sum(U_bar_steps, U, U_bar_with, 1)" in text
    rng = np.random.default_rng(4)
    for steps in (0, 1, 4):
        _check(mod.rnn, (0.4 * rng.normal(size=(3, 3)), rng.normal(size=(2, 3)), rng.normal(size=3),
                         rng.normal(size=(steps, 2))))
    _check(mod.rnn, (0.4 * rng.normal(size=(3, 3)), rng.normal(size=(2, 3)), rng.normal(size=(3, 3)),
                     rng.normal(size=(2, 3, 2))))  # batches of states: products of matrices, summed

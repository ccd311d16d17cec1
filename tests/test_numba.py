"""`s2sad gen --numba`: the compiled gradient equals the plain module's and the mpmath oracle's; refusals.

Numba compiles each function on its first call (a second or less); every module
is written to its own temporary folder, so its cache starts empty. Without
numba the tests that run compiled code are skipped; the message telling how to
install it is tested either way.
"""

import os
import sys

import catalogue_flow
import differential
import progen
import pytest
from conftest import EXAMPLES, import_file
from oracle import assert_gradient, gradient_of, mp_namespace

from s2sad.cli import main

HERE = os.path.dirname(__file__)
FLOW = os.path.join(HERE, "catalogue_flow.py")
LOOPS = os.path.join(EXAMPLES, "loops.py")

# (file, function, points): loops with tapes, a list parameter, branches, a while loop, an early break
# (a reversed range cut at the trip count), integers popped from tapes, the lecture's straight-line example
CASES = [
    (LOOPS, "oscillator", [(2.0, 0.3, 1.0, 0.0, 50), (0.5, 0.1, -0.5, 1.0, 20)]),
    (LOOPS, "extended_rosenbrock", [([-1.2, 1.0, 0.5],), ([0.3, -0.7, 1.1, 2.0, -1.5],)]),
    (LOOPS, "huber", [(0.3, 1.0), (-2.0, 1.0), (3.0, 1.5)]),
    (LOOPS, "newton_sqrt", [(2.0, 6), (9.0, 3)]),
    (LOOPS, "halvings", [(10.0,), (0.5,)]),
    (LOOPS, "softmax_cross_entropy", [([1.0, 2.0, 0.5], 1), ([3.0, -1.0, 0.0, 2.5], 0), ([0.5, 0.5, -1.0], 2)]),
    (os.path.join(EXAMPLES, "lecture.py"), "f", [(1.5, 0.5), (-0.3, 0.7)]),
    (FLOW, "break_loop", None),
    (FLOW, "popped_counters", None),
]


@pytest.fixture
def numba():
    return pytest.importorskip("numba", reason="gen --numba compiles with numba: pip install 's2sad[numba]'")


def _generate(tmp_path, spec: str, *options: str, folder: str = ""):
    """The module `s2sad gen spec options` writes (in a folder of its own), imported."""
    folder = tmp_path / (folder or ("numba" if "--numba" in options else "plain"))
    folder.mkdir(exist_ok=True)
    path = folder / f"{spec.rpartition(':')[2]}_grad.py"
    assert main(["gen", spec, *options, "-o", str(path)]) == 0
    return import_file(str(path)), path.read_text()


def _points(func: str, points):
    """The case's points, else the catalogue's."""
    return points if points is not None else [tuple(p) for p in catalogue_flow.CASES[func]]


def _same(a, b) -> bool:
    """Equal to 1e-12 relative: Numba's compiler may contract a multiply-add where Python rounds twice."""
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and abs(a - b) <= 1e-12 * max(abs(a), abs(b)) + 1e-300


@pytest.mark.parametrize("path,func,points", CASES, ids=[c[1] for c in CASES])
def test_compiled_gradient_equals_the_plain_one_and_the_oracle(numba, tmp_path, path, func, points):
    spec = f"{path}:{func}"
    compiled, text = _generate(tmp_path, spec, "--numba")
    plain, _ = _generate(tmp_path, spec, "--mode", "reverse")
    oracle_f = mp_namespace(open(path).read())[func]
    for point in _points(func, points):
        got_value, got = getattr(compiled, f"{func}_value_and_grad")(*point)
        value, want = getattr(plain, f"{func}_value_and_grad")(*point)
        assert _same(got_value, value) and _same(got, want), f"{func} at {point}: {got_value, got} != {value, want}"
        assert _same(getattr(compiled, f"{func}_grad")(*point), want)
        assert_gradient(got, gradient_of(oracle_f, point), what=f"{func} at {point} (--numba)")
    assert "@numba.njit(cache=True)" in text and "reversed(" not in text


def test_compiled_functions_are_numba_dispatchers_and_lists_come_back_as_given(numba, tmp_path):
    np = pytest.importorskip("numpy")
    mod, text = _generate(tmp_path, f"{LOOPS}:extended_rosenbrock", "--numba")
    assert isinstance(mod._extended_rosenbrock_value_and_grad, numba.core.dispatcher.Dispatcher)
    x = [-1.2, 1.0, 0.5]
    value, g = mod.extended_rosenbrock_value_and_grad(x)
    assert type(g) is list and all(type(v) is float for v in g)
    value_a, g_a = mod.extended_rosenbrock_value_and_grad(np.array(x))
    assert value_a == value and isinstance(g_a, np.ndarray) and g_a.dtype == np.float64 and g_a.tolist() == g
    assert x == [-1.2, 1.0, 0.5]  # the argument is not changed
    imports = {line for line in text.splitlines() if line.startswith(("import ", "from "))}
    assert imports == {"import numba", "import numpy as np"}


def test_integer_parameters_stay_integers(numba, tmp_path):
    mod, text = _generate(tmp_path, f"{LOOPS}:newton_sqrt", "--numba")
    assert "def newton_sqrt_value_and_grad(a, steps=6):" in text
    value, g = mod.newton_sqrt_value_and_grad(2.0)  # the default, an int, bounds the range
    assert abs(value - 2**0.5) < 1e-12 and type(g) is float


def test_reversed_ranges_count_down_over_the_same_numbers(numba, tmp_path, write_module):
    """Steps of either sign and starts other than 0: the reverse sweep visits what the forward one did."""
    path = write_module(
        """
        def f(x, n, m):
            s = 0.0
            for i in range(1, n, 2):
                for j in range(m, i, -3):
                    s += x * i + j * x * x
            return s
        """
    )
    compiled, text = _generate(tmp_path, f"{path}:f", "--numba")
    plain, _ = _generate(tmp_path, f"{path}:f", "--mode", "reverse")
    assert "reversed(" not in text
    oracle_f = mp_namespace(open(path).read())["f"]
    for n in range(0, 8):
        for m in (0, 4, 9):
            got, want = compiled.f_value_and_grad(0.7, n, m), plain.f_value_and_grad(0.7, n, m)
            assert _same(got, want), (n, m)
            assert_gradient(got[1], gradient_of(oracle_f, (0.7, n, m)), what=f"f at n={n}, m={m}")


@pytest.mark.parametrize("test", ["True", "k < 3 or True"])
def test_a_while_true_loop_ends(numba, tmp_path, write_module, test):
    """Numba compiles `while True:` with a break after a reassignment into a loop that never ends (its tape
    grew until memory ran out): the module writes a loop test that Python's bytecode keeps."""
    path = write_module(
        f"""
        def f(x):
            k = 0
            while {test}:
                k1 = k + 1
                x = x * 0.5 + 1.0
                if k1 > 3:
                    k = k1
                    break
                k = k1
            return x * k
        """
    )
    compiled, text = _generate(tmp_path, f"{path}:f", "--numba")
    plain, _ = _generate(tmp_path, f"{path}:f", "--mode", "reverse")
    assert f"while bool({test}):" in text
    got, want = compiled.f_value_and_grad(0.3), plain.f_value_and_grad(0.3)
    assert _same(got, want)
    assert_gradient(got[1], gradient_of(mp_namespace(open(path).read())["f"], (0.3,)))


# random programs of the whole subset (tests/progen.py) that Numba once failed on: a `while True` loop
# (3), loops under `and False` whose tapes and adjoints Numba found no append for (6, 37, 104, 140)
PROGRAMS = [3, 6, 37, 104, 140]


@pytest.mark.parametrize("seed", PROGRAMS)
def test_random_programs_compiled_equal_plain_and_the_oracle(numba, tmp_path, write_module, seed):
    text, args = progen.program(seed), progen.point(seed)
    path = write_module(text, f"program{seed}")
    compiled, _ = _generate(tmp_path, f"{path}:f", "--numba")
    plain, _ = _generate(tmp_path, f"{path}:f", "--mode", "reverse")
    got, want = compiled.f_value_and_grad(*args), plain.f_value_and_grad(*args)
    assert _same(got, want), f"program {seed}: {got} != {want}"
    try:
        value, grads = differential.oracle(text, args)
    except differential.Skip:
        return
    flat = [got[1][0], got[1][1], *got[1][2]]
    scale = 1 + max(abs(w) for w in grads)
    assert all(abs(g - w) <= 1e-8 * scale for g, w in zip(flat, grads)), (flat, grads)


def test_generated_text_is_formatted_and_deterministic(numba, tmp_path):
    import black

    _, first = _generate(tmp_path, f"{LOOPS}:oscillator", "--numba")
    _, again = _generate(tmp_path, f"{LOOPS}:oscillator", "--numba", folder="again")
    assert first == again
    assert black.format_str(first, mode=black.Mode(line_length=100)) == first
    assert first.startswith("# Generated by s2sad") and "# line 21" in first


@pytest.mark.parametrize(
    "spec,words",
    [
        (f"{EXAMPLES}/arrays.py:rosenbrock", ["arrays.py:9:1: error: --numba:", "array program"]),
        (f"{EXAMPLES}/kinematics.py:hand", ["kinematics.py:9:1: error: --numba:", "returns a tuple"]),
    ],
)
def test_what_numba_cannot_compile_is_refused_and_nothing_written(numba, tmp_path, capsys, spec, words):
    out = tmp_path / "out.py"
    assert main(["gen", spec, "--numba", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert "Traceback" not in err and not out.exists()


def test_a_call_of_a_users_function_is_refused_at_its_line(numba, tmp_path, capsys, write_module):
    path = write_module(
        """
        import math


        def softplus(x):
            return math.log1p(math.exp(x))


        def f(x, y):
            s = softplus(x * y)
            return s * s + x


        __s2sad_rules__ = {"softplus": "1 / (1 + exp(-x))"}
        """
    )
    out = tmp_path / "out.py"
    assert main(["gen", f"{path}:f", "--numba", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{os.path.basename(path)}:10:5: error: --numba: the gradient needs a call of softplus" in err, err
    assert "s = softplus(x * y)" in err and not out.exists()


@pytest.mark.parametrize("option", [["--mode", "forward"], ["--mode", "both"], ["--order", "2"], ["--verify"]])
def test_numba_with_other_modes_is_refused(tmp_path, capsys, option):
    out = tmp_path / "out.py"
    assert main(["gen", f"{LOOPS}:huber", "--numba", *option, "-o", str(out)]) == 2
    assert "s2sad: error: --" in capsys.readouterr().err and not out.exists()


def test_without_numba_the_message_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # `import numba` raises ImportError
    out = tmp_path / "out.py"
    assert main(["gen", f"{LOOPS}:oscillator", "--numba", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert 'pip install "s2sad[numba]"' in err and "Traceback" not in err and not out.exists()
